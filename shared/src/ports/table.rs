//! A single-table store with DynamoDB's semantics: conditional writes, all-or-nothing
//! transactions (≤ 100 items, one action per item), key-range queries on the table or a GSI,
//! 1 MB pages with an opaque cursor.

use async_trait::async_trait;
use serde_json::{Map, Value};

/// An item: a JSON object holding at least `pk` and `sk` (strings).
pub type Item = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Key {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
    pub fn of(item: &Item) -> Option<Key> {
        Some(Key::new(item.get("pk")?.as_str()?, item.get("sk")?.as_str()?))
    }
}

/// A condition on the item currently stored under a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// no item under this key
    NotExists,
    /// an item exists under this key
    Exists,
    /// the attribute equals this value (missing counts as not equal)
    Equals(String, Value),
    /// the attribute is absent (true as well when there is no item)
    Missing(String),
    /// every condition holds
    All(Vec<Cond>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    Check {
        key: Key,
        cond: Cond,
    },
    /// adds each delta to a number attribute, creating the item and the attribute at 0 when
    /// missing (UpdateItem `ADD`): counters that move with the write they count
    Add {
        key: Key,
        deltas: Vec<(String, i64)>,
    },
}

impl Write {
    pub fn key(&self) -> Option<Key> {
        match self {
            Write::Put { item, .. } => Key::of(item),
            Write::Delete { key, .. } | Write::Check { key, .. } | Write::Add { key, .. } => Some(key.clone()),
        }
    }
}

/// The table's global secondary indexes; each projects every attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Gsi1,
    Gsi2,
    Gsi3,
    Gsi4,
    Gsi5,
    Gsi6,
}

impl Index {
    pub const ALL: [Index; 6] = [
        Index::Gsi1,
        Index::Gsi2,
        Index::Gsi3,
        Index::Gsi4,
        Index::Gsi5,
        Index::Gsi6,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1",
            Index::Gsi2 => "gsi2",
            Index::Gsi3 => "gsi3",
            Index::Gsi4 => "gsi4",
            Index::Gsi5 => "gsi5",
            Index::Gsi6 => "gsi6",
        }
    }
    pub fn pk_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1pk",
            Index::Gsi2 => "gsi2pk",
            Index::Gsi3 => "gsi3pk",
            Index::Gsi4 => "gsi4pk",
            Index::Gsi5 => "gsi5pk",
            Index::Gsi6 => "gsi6pk",
        }
    }
    pub fn sk_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => "gsi1sk",
            Index::Gsi2 => "gsi2sk",
            Index::Gsi3 => "gsi3sk",
            Index::Gsi4 => "gsi4sk",
            Index::Gsi5 => "gsi5sk",
            Index::Gsi6 => "gsi6sk",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SkRange {
    All,
    BeginsWith(String),
    /// inclusive at both ends, like DynamoDB's BETWEEN
    Between(String, String),
    /// at or below
    UpTo(String),
    /// at or above
    From(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Option<Index>,
    pub pk: String,
    pub sk: SkRange,
    pub limit: Option<u32>,
    pub forward: bool,
    pub cursor: Option<String>,
}

impl Query {
    pub fn new(pk: impl Into<String>) -> Query {
        Query {
            index: None,
            pk: pk.into(),
            sk: SkRange::All,
            limit: None,
            forward: true,
            cursor: None,
        }
    }
    pub fn index(mut self, index: Index) -> Query {
        self.index = Some(index);
        self
    }
    pub fn sk(mut self, sk: SkRange) -> Query {
        self.sk = sk;
        self
    }
    pub fn limit(mut self, limit: u32) -> Query {
        self.limit = Some(limit);
        self
    }
    pub fn backward(mut self) -> Query {
        self.forward = false;
        self
    }
    pub fn after(mut self, cursor: Option<String>) -> Query {
        self.cursor = cursor;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// where the next page starts; `None` when this is the last page
    pub cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("condition failed")]
    ConditionFailed,
    /// a transaction was cancelled; `failed[i]` tells whether write `i`'s condition failed
    #[error("transaction cancelled")]
    TransactionCancelled { failed: Vec<bool> },
    #[error("throttled, retry later")]
    Throttled,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("invalid cursor")]
    BadCursor,
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// Whether a condition (rather than an outage) stopped the write.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            StoreError::ConditionFailed | StoreError::TransactionCancelled { .. }
        )
    }
}

/// The number attribute (Unix seconds) after which the table deletes an item: DynamoDB's time
/// to live, named in `template.yaml` (`TimeToLiveSpecification`). Deletion comes some time
/// after (DynamoDB: usually within days), so readers still check an item's own expiry.
pub const EXPIRES_ATTRIBUTE: &str = "ttl";

#[async_trait]
pub trait Table: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError>;
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;
    /// Atomically adds `delta` to a number attribute (creating the item and the attribute at 0
    /// when missing) and returns the new value (UpdateItem `ADD`). With `expires_at` (Unix
    /// seconds) the item also gets its [`EXPIRES_ATTRIBUTE`], and the table deletes it some time
    /// after then (a short-lived counter).
    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError>;
    /// Unconditional puts in batches of 25, retrying unprocessed items until all are written.
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError>;
    /// The items stored under `keys` (absent ones left out, order not kept), read consistently
    /// in batches of 100, retrying unprocessed keys until all are read.
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;
}

/// DynamoDB's limits, kept by both adapters.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
pub const MAX_BATCH_ITEMS: usize = 25;
pub const MAX_BATCH_GET_KEYS: usize = 100;
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The cursor is the last key of a page (table and index key attributes), as base64url JSON.
pub fn encode_cursor(key: &Item) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Value::Object(key.clone()).to_string())
}

pub fn decode_cursor(cursor: &str) -> Result<Item, StoreError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::BadCursor)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) if m.values().all(Value::is_string) && m.contains_key("pk") => Ok(m),
        _ => Err(StoreError::BadCursor),
    }
}

/// The position a query's cursor names, if it has one: refused unless the store gave it for
/// this query's partition (a cursor of another list must not page this one).
pub fn query_start(q: &Query) -> Result<Option<Item>, StoreError> {
    let Some(cursor) = q.cursor.as_deref() else {
        return Ok(None);
    };
    let at = decode_cursor(cursor)?;
    let partition = q.index.map_or("pk", Index::pk_attr);
    match at.get(partition).and_then(Value::as_str) {
        Some(pk) if pk == q.pk => Ok(Some(at)),
        _ => Err(StoreError::BadCursor),
    }
}

/// The key attributes that identify an item's position in a query of `index`.
pub fn position_key(item: &Item, index: Option<Index>) -> Item {
    let mut names = vec!["pk", "sk"];
    if let Some(i) = index {
        names.push(i.pk_attr());
        names.push(i.sk_attr());
    }
    names
        .into_iter()
        .filter_map(|n| item.get(n).map(|v| (n.to_string(), v.clone())))
        .collect()
}
