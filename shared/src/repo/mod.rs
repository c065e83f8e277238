//! The repository layer: how domain records map onto the single table. Every key and index
//! format is in `keys.rs`; every entity's key and index entries in `entities.rs`, and every
//! item is built there (see `docs/DATA.md` for the layout and the access patterns, checked
//! against `keys::layout` by a test).

pub mod board;
pub mod entities;
pub mod keys;
pub mod update;

pub use board::{lead_put, merge_adds};
pub use entities::*;
pub use keys::*;
pub use update::{bump, next_of, update, version_after, Change, Tries, Versioned};

use crate::ports::table::{Cond, Item, Key, StoreError, Write};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Reads a record back, ignoring the key and index attributes.
pub fn record<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(item)).map_err(|e| StoreError::Invalid(format!("stored record: {e}")))
}

/// A put that succeeds only if the stored record still has `version` (optimistic concurrency).
pub fn put_if_version(item: Item, version: u64) -> Write {
    Write::Put {
        item,
        cond: Some(Cond::Equals("version".into(), json!(version))),
    }
}

pub fn put_new(item: Item) -> Write {
    Write::Put {
        item,
        cond: Some(Cond::NotExists),
    }
}

pub fn string_attr(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_string)
}

/// The key an item read back is stored under (its `pk` and `sk`).
pub fn key_of(item: &Item) -> Option<Key> {
    Some(Key::new(string_attr(item, "pk")?, string_attr(item, "sk")?))
}

/// Every item a query matches, page after page.
pub async fn query_all(
    table: &dyn crate::ports::Table,
    q: crate::ports::table::Query,
) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = table.query(&q.clone().after(cursor)).await?;
        out.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The record under `key`, if any.
pub async fn get_record<T: DeserializeOwned>(
    table: &dyn crate::ports::Table,
    key: &Key,
) -> Result<Option<T>, StoreError> {
    match table.get(key).await? {
        Some(item) => Ok(Some(record(item)?)),
        None => Ok(None),
    }
}

/// The counter updates a tally makes, one `ADD` per scope-month (for the transaction of the
/// write it counts).
pub fn tally_writes(tally: crate::domain::aggregates::Tally) -> Vec<crate::ports::table::Write> {
    tally
        .into_deltas()
        .into_iter()
        .map(|((scope, month), deltas)| crate::ports::table::Write::Add {
            key: aggregate_key(&scope, &month),
            deltas,
        })
        .collect()
}

/// A scope's counters for each month asked (absent months are empty), with one batched read.
pub async fn aggregates(
    table: &dyn crate::ports::table::Table,
    scope: &str,
    months: &[String],
) -> Result<std::collections::BTreeMap<String, crate::domain::aggregates::Counters>, crate::ports::table::StoreError> {
    let keys: Vec<_> = months.iter().map(|m| aggregate_key(scope, m)).collect();
    let mut out: std::collections::BTreeMap<_, _> = months
        .iter()
        .map(|m| (m.clone(), crate::domain::aggregates::Counters::default()))
        .collect();
    for item in table.batch_get(&keys).await? {
        let Some(month) = string_attr(&item, "sk") else {
            continue;
        };
        let counters = item
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "pk" | "sk"))
            .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
            .collect();
        out.insert(month, crate::domain::aggregates::Counters(counters));
    }
    Ok(out)
}
