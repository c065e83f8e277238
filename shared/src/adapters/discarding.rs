//! Wrappers that keep what a prospect-list import writes out of the process's memory, so that
//! a benchmark or test measures the import itself rather than the store it fills.

use crate::ports::queue::{Queue, QueueError, QueueSender, Received};
use crate::ports::table::*;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A table that keeps a prospect import's own writes out of memory, to measure the import:
/// leads are counted and dropped (reads of one give back an open lead), email guards live in a
/// map reserved before measuring starts, with their conditions checked as DynamoDB would.
pub struct DiscardingTable<T> {
    pub inner: T,
    /// leads the import created (and this table dropped)
    pub leads: AtomicU64,
    guards: Mutex<HashMap<[u8; 16], [u8; 26]>>,
    template: Mutex<Option<Item>>,
}

impl<T> DiscardingTable<T> {
    /// `rows`: how many addresses to make room for before measuring starts.
    pub fn new(inner: T, rows: usize) -> DiscardingTable<T> {
        DiscardingTable {
            inner,
            leads: AtomicU64::new(0),
            // reserved up front: claiming a guard allocates nothing later
            guards: Mutex::new(HashMap::with_capacity(rows)),
            template: Mutex::new(None),
        }
    }
}

fn email_hash(pk: &str) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut h = [0u8; 16];
    h.copy_from_slice(&Sha256::digest(pk.as_bytes())[..16]);
    h
}

fn lead_bytes(id: &str) -> [u8; 26] {
    let mut b = [0u8; 26];
    b.copy_from_slice(&id.as_bytes()[..26]);
    b
}

#[async_trait]
impl<T: Table> Table for DiscardingTable<T> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.inner.put(item, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut guards = self.guards.lock().unwrap_or_else(|p| p.into_inner());
        let mut failed = vec![false; writes.len()];
        let mut claims = Vec::new();
        for (i, w) in writes.iter().enumerate() {
            let Write::Put { item, cond } = w else { continue };
            match item.get("entity").and_then(|e| e.as_str()) {
                Some("lead") => {
                    let mut t = self.template.lock().unwrap_or_else(|p| p.into_inner());
                    if t.is_none() {
                        *t = Some(item.clone());
                    }
                }
                Some("email_guard") => {
                    let h = email_hash(item["pk"].as_str().unwrap_or(""));
                    let current = guards.get(&h).map(|b| String::from_utf8_lossy(b).to_string());
                    failed[i] = match cond {
                        Some(Cond::NotExists) => current.is_some(),
                        Some(Cond::Equals(_, v)) => current.as_deref() != v.as_str(),
                        _ => false,
                    };
                    claims.push((h, lead_bytes(item["lead_id"].as_str().unwrap_or(""))));
                }
                _ => {}
            }
        }
        if failed.iter().any(|f| *f) {
            return Err(StoreError::TransactionCancelled { failed });
        }
        self.leads.fetch_add(claims.len() as u64, Ordering::SeqCst);
        guards.extend(claims);
        Ok(())
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError> {
        self.inner.increment(key, attr, delta, expires_at).await
    }
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        self.inner.batch_put(items).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let guards = self.guards.lock().unwrap_or_else(|p| p.into_inner());
        let template = self.template.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for k in keys {
            if k.sk == "GUARD" {
                if let Some(id) = guards.get(&email_hash(&k.pk)) {
                    let mut g = Item::new();
                    g.insert("pk".into(), k.pk.clone().into());
                    g.insert("sk".into(), k.sk.clone().into());
                    g.insert("lead_id".into(), String::from_utf8_lossy(id).to_string().into());
                    out.push(g);
                }
            } else if let (Some(id), Some(t)) = (k.pk.strip_prefix("LEAD#"), template.as_ref()) {
                // every lead this import made is open
                let mut lead = t.clone();
                lead.insert("lead_id".into(), id.into());
                lead.insert("import".into(), serde_json::Value::Null);
                out.push(lead);
            }
        }
        Ok(out)
    }
}

/// A queue that counts and drops what is sent to one of its queues (the scoring queue).
pub struct DiscardingQueue<Q> {
    pub inner: Q,
    /// the queue whose messages are counted and dropped
    pub dropped_queue: String,
    pub dropped: AtomicU64,
}

#[async_trait]
impl<Q: Queue> QueueSender for DiscardingQueue<Q> {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        self.inner.send(queue, body).await
    }
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        if queue == self.dropped_queue {
            self.dropped.fetch_add(bodies.len() as u64, Ordering::SeqCst);
            return Ok(());
        }
        self.inner.send_batch(queue, bodies).await
    }
}

#[async_trait]
impl<Q: Queue> Queue for DiscardingQueue<Q> {
    async fn receive(&self, queue: &str, max: u32, wait: u32) -> Result<Vec<Received>, QueueError> {
        self.inner.receive(queue, max, wait).await
    }
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(queue, receipt).await
    }
    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        self.inner.depth(queue).await
    }
}
