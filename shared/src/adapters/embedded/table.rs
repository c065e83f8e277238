//! An in-memory single table with DynamoDB's semantics, persisted as an append-only log
//! (`table.jsonl`, compacted on open). Secondary indexes are kept as ordered maps so that a
//! GSI query is a range read, as it is in DynamoDB. Items are held as their JSON text (a
//! quarter of the memory of parsed maps) and parsed when read.

use crate::ports::table::*;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// DynamoDB's item size limit.
const MAX_ITEM_BYTES: usize = 400 * 1024;

type IndexKey = (String, String, String, String);

#[derive(Default)]
struct State {
    items: BTreeMap<(String, String), Box<str>>,
    indexes: [BTreeSet<IndexKey>; Index::ALL.len()],
}

impl State {
    fn index_key(item: &Item, index: Index) -> Option<IndexKey> {
        let ipk = item.get(index.pk_attr())?.as_str()?;
        let isk = item.get(index.sk_attr()).and_then(Value::as_str).unwrap_or("");
        Some((
            ipk.to_string(),
            isk.to_string(),
            item.get("pk")?.as_str()?.to_string(),
            item.get("sk")?.as_str()?.to_string(),
        ))
    }

    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.items.remove(&(key.pk.clone(), key.sk.clone())).map(|t| parse(&t)) {
            for (n, index) in Index::ALL.iter().enumerate() {
                if let Some(k) = State::index_key(&old, *index) {
                    self.indexes[n].remove(&k);
                }
            }
        }
    }

    fn insert(&mut self, key: Key, item: Item) {
        self.remove(&key);
        for (n, index) in Index::ALL.iter().enumerate() {
            if let Some(k) = State::index_key(&item, *index) {
                self.indexes[n].insert(k);
            }
        }
        self.items
            .insert((key.pk, key.sk), Value::Object(item).to_string().into_boxed_str());
    }

    fn get(&self, key: &Key) -> Option<Item> {
        self.items.get(&(key.pk.clone(), key.sk.clone())).map(|t| parse(t))
    }
}

/// An item back from its stored text (written by this table, so always an object).
fn parse(text: &str) -> Item {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => Item::new(),
    }
}

pub struct EmbeddedTable {
    state: Mutex<State>,
    log: Option<Mutex<File>>,
}

impl EmbeddedTable {
    /// A table that lives only in memory.
    pub fn in_memory() -> EmbeddedTable {
        EmbeddedTable {
            state: Mutex::new(State::default()),
            log: None,
        }
    }

    /// A table persisted under `dir` (created if missing): replays and compacts the log.
    pub fn open(dir: &Path) -> std::io::Result<EmbeddedTable> {
        std::fs::create_dir_all(dir)?;
        let path: PathBuf = dir.join("table.jsonl");
        let mut state = State::default();
        if path.exists() {
            for line in BufReader::new(File::open(&path)?).lines() {
                let line = line?;
                // a torn last line after a crash is skipped, not fatal
                let Ok(Value::Object(entry)) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let Some(Value::Object(item)) = entry.get("put") {
                    if let Some(k) = Key::of(item) {
                        state.insert(k, item.clone());
                    }
                } else if let Some(Value::Object(key)) = entry.get("delete") {
                    if let Some(k) = Key::of(key) {
                        state.remove(&k);
                    }
                }
            }
        }
        // compact: write the live items once, then append from there
        let tmp = dir.join("table.jsonl.tmp");
        {
            let mut f = std::io::BufWriter::new(File::create(&tmp)?);
            for text in state.items.values() {
                writeln!(f, "{{\"put\":{text}}}")?;
            }
            f.flush()?;
        }
        std::fs::rename(&tmp, &path)?;
        let log = OpenOptions::new().append(true).open(&path)?;
        Ok(EmbeddedTable {
            state: Mutex::new(state),
            log: Some(Mutex::new(log)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic while holding the lock leaves consistent data (writes are applied whole)
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn append(&self, entries: &[Value]) -> Result<(), StoreError> {
        if let Some(log) = &self.log {
            let mut f = log.lock().unwrap_or_else(|p| p.into_inner());
            let mut buf = String::new();
            for e in entries {
                buf.push_str(&e.to_string());
                buf.push('\n');
            }
            f.write_all(buf.as_bytes())
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        }
        Ok(())
    }

    /// How many items the table holds (for tests and benchmarks).
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_item(item: &Item) -> Result<Key, StoreError> {
    let key = Key::of(item).ok_or_else(|| StoreError::Invalid("pk and sk must be strings".into()))?;
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(StoreError::Invalid("pk and sk must not be empty".into()));
    }
    for index in Index::ALL {
        for attr in [index.pk_attr(), index.sk_attr()] {
            match item.get(attr) {
                None | Some(Value::String(_)) => {}
                Some(_) => return Err(StoreError::Invalid(format!("{attr} must be a string"))),
            }
        }
    }
    let size = Value::Object(item.clone()).to_string().len();
    if size > MAX_ITEM_BYTES {
        return Err(StoreError::Invalid(format!("item of {size} bytes is over 400 KB")));
    }
    Ok(key)
}

pub(crate) fn holds(cond: &Cond, current: Option<&Item>) -> bool {
    match cond {
        Cond::NotExists => current.is_none(),
        Cond::Exists => current.is_some(),
        Cond::Equals(attr, value) => current.and_then(|i| i.get(attr)) == Some(value),
        Cond::Missing(attr) => current.is_none_or(|i| !i.contains_key(attr)),
        Cond::All(conds) => conds.iter().all(|c| holds(c, current)),
    }
}

fn in_range(sk: &str, range: &SkRange) -> bool {
    match range {
        SkRange::All => true,
        SkRange::BeginsWith(p) => sk.starts_with(p.as_str()),
        SkRange::Between(a, b) => sk >= a.as_str() && sk <= b.as_str(),
        SkRange::UpTo(b) => sk <= b.as_str(),
        SkRange::From(a) => sk >= a.as_str(),
    }
}

#[async_trait]
impl Table for EmbeddedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok(self.lock().get(key))
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let key = check_item(&item)?;
        let mut state = self.lock();
        if let Some(c) = &cond {
            if !holds(c, state.get(&key).as_ref()) {
                return Err(StoreError::ConditionFailed);
            }
        }
        self.append(&[json!({ "put": item })])?;
        state.insert(key, item);
        Ok(())
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.is_empty() || writes.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::Invalid(format!(
                "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} actions, not {}",
                writes.len()
            )));
        }
        let mut seen = HashSet::new();
        for w in &writes {
            let key = match w {
                Write::Put { item, .. } => check_item(item)?,
                _ => w.key().ok_or_else(|| StoreError::Invalid("missing key".into()))?,
            };
            if !seen.insert(key) {
                return Err(StoreError::Invalid("two actions on one item in a transaction".into()));
            }
        }
        let mut state = self.lock();
        let failed: Vec<bool> = writes
            .iter()
            .map(|w| {
                let key = w.key().unwrap_or_else(|| Key::new("", ""));
                let cond = match w {
                    Write::Put { cond, .. } | Write::Delete { cond, .. } => cond.as_ref(),
                    Write::Check { cond, .. } => Some(cond),
                    Write::Add { .. } => None,
                };
                cond.is_some_and(|c| !holds(c, state.get(&key).as_ref()))
            })
            .collect();
        if failed.iter().any(|f| *f) {
            return Err(StoreError::TransactionCancelled { failed });
        }
        // counters become the items they will be, so the log replays them as puts
        let writes: Vec<Write> = writes
            .into_iter()
            .map(|w| match w {
                Write::Add { key, deltas } => {
                    added(state.get(&key), &key, &deltas).map(|item| Write::Put { item, cond: None })
                }
                other => Ok(other),
            })
            .collect::<Result<_, _>>()?;
        let mut log = Vec::new();
        for w in &writes {
            match w {
                Write::Put { item, .. } => log.push(json!({ "put": item })),
                Write::Delete { key, .. } => log.push(json!({ "delete": { "pk": key.pk, "sk": key.sk } })),
                Write::Check { .. } | Write::Add { .. } => {}
            }
        }
        self.append(&log)?;
        for w in writes {
            match w {
                Write::Put { item, .. } => {
                    if let Some(k) = Key::of(&item) {
                        state.insert(k, item);
                    }
                }
                Write::Delete { key, .. } => state.remove(&key),
                Write::Check { .. } | Write::Add { .. } => {}
            }
        }
        Ok(())
    }

    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        let start = query_start(q)?;
        let state = self.lock();
        // The positions under the partition, in order, as (sort key, pk, sk): a range of the
        // ordered map, read lazily, so a query's cost follows the items it returns (and those
        // it skips), not the partition's size — as in DynamoDB. `pk` followed by a NUL is the
        // first text after `pk` itself, so it bounds the partition.
        let past = format!("{}\0", q.pk);
        type Position<'a> = (&'a str, &'a str, &'a str);
        let positions: Box<dyn DoubleEndedIterator<Item = Position<'_>> + '_> = match q.index {
            None => Box::new(
                state
                    .items
                    .range((q.pk.clone(), String::new())..(past, String::new()))
                    .map(|((pk, sk), _)| (sk.as_str(), pk.as_str(), sk.as_str())),
            ),
            Some(index) => {
                let n = Index::ALL.iter().position(|i| *i == index).unwrap_or(0);
                let lo = (q.pk.clone(), String::new(), String::new(), String::new());
                let hi = (past, String::new(), String::new(), String::new());
                Box::new(
                    state.indexes[n]
                        .range(lo..hi)
                        .map(|(_, isk, pk, sk)| (isk.as_str(), pk.as_str(), sk.as_str())),
                )
            }
        };
        let positions = positions.filter(|(sort, ..)| in_range(sort, &q.sk));
        let mut ordered: Box<dyn Iterator<Item = Position<'_>>> = if q.forward {
            Box::new(positions)
        } else {
            Box::new(positions.rev())
        };
        if let Some(start) = &start {
            let s = |k: &str| start.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let sort = match q.index {
                None => s("sk"),
                Some(i) => s(i.sk_attr()),
            };
            let at = (sort, s("pk"), s("sk"));
            let forward = q.forward;
            ordered = Box::new(ordered.skip_while(move |p| {
                let here = (p.0, p.1, p.2);
                let there = (at.0.as_str(), at.1.as_str(), at.2.as_str());
                if forward {
                    here <= there
                } else {
                    here >= there
                }
            }));
        }
        let limit = q.limit.map(|l| l as usize).unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut bytes = 0usize;
        let mut more = false;
        for (_, pk, sk) in ordered {
            if items.len() >= limit || bytes >= MAX_PAGE_BYTES {
                more = true;
                break;
            }
            if let Some(text) = state.items.get(&(pk.to_string(), sk.to_string())) {
                bytes += text.len();
                items.push(parse(text));
            }
        }
        // Like DynamoDB, a page cut by its limit carries a cursor even if nothing follows.
        let cursor = if more || (items.len() == limit && limit > 0) {
            items.last().map(|i| encode_cursor(&position_key(i, q.index)))
        } else {
            None
        };
        Ok(Page { items, cursor })
    }

    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError> {
        let mut state = self.lock();
        let mut item = added(state.get(key), key, &[(attr.to_string(), delta)])?;
        if let Some(at) = expires_at {
            item.insert(crate::ports::table::EXPIRES_ATTRIBUTE.to_string(), json!(at));
        }
        let value = item.get(attr).and_then(Value::as_i64).unwrap_or(delta);
        self.append(&[json!({ "put": item })])?;
        state.insert(key.clone(), item);
        Ok(value)
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let distinct: HashSet<&Key> = keys.iter().collect();
        if distinct.len() != keys.len() {
            return Err(StoreError::Invalid("duplicate key in one batch".into()));
        }
        let state = self.lock();
        Ok(keys.iter().filter_map(|k| state.get(k)).collect())
    }

    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(MAX_BATCH_ITEMS) {
            let mut keys = HashSet::new();
            for item in chunk {
                if !keys.insert(check_item(item)?) {
                    return Err(StoreError::Invalid("duplicate key in one batch".into()));
                }
            }
            let mut state = self.lock();
            let log: Vec<Value> = chunk.iter().map(|i| json!({ "put": i })).collect();
            self.append(&log)?;
            for item in chunk {
                if let Some(k) = Key::of(item) {
                    state.insert(k, item.clone());
                }
            }
        }
        Ok(())
    }
}

/// The item after adding `deltas` to its number attributes (missing ones start at 0).
fn added(current: Option<Item>, key: &Key, deltas: &[(String, i64)]) -> Result<Item, StoreError> {
    let mut item = current.unwrap_or_else(|| {
        let mut m = Item::new();
        m.insert("pk".into(), json!(key.pk));
        m.insert("sk".into(), json!(key.sk));
        m
    });
    for (attr, delta) in deltas {
        let before = match item.get(attr) {
            None => 0,
            Some(v) => v
                .as_i64()
                .ok_or_else(|| StoreError::Invalid(format!("{attr} is not a number")))?,
        };
        let after = before
            .checked_add(*delta)
            .ok_or_else(|| StoreError::Invalid(format!("{attr} would overflow")))?;
        item.insert(attr.clone(), json!(after));
    }
    Ok(item)
}
