//! Wrappers that count requests per port, for the "requests per lead" benchmark and for tests
//! that pin how many round trips a use case makes.

use crate::ports::queue::{Queue, QueueError, QueueSender, Received};
use crate::ports::table::*;
use async_trait::async_trait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Counts {
    pub gets: AtomicU64,
    pub queries: AtomicU64,
    pub puts: AtomicU64,
    pub transactions: AtomicU64,
    /// the items written by transactions (each costs two write units)
    pub transaction_items: AtomicU64,
    pub batch_writes: AtomicU64,
    pub sends: AtomicU64,
    /// items returned by gets and queries
    pub items: AtomicU64,
    /// object-store requests (S3 GET, HEAD, PUT; a composed object counts its reads and write)
    pub blob_requests: AtomicU64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Snapshot {
    pub items_read: u64,
    pub reads: u64,
    pub writes: u64,
    pub transactions: u64,
    pub transaction_items: u64,
    pub sends: u64,
    pub blob_requests: u64,
}

impl Counts {
    pub fn snapshot(&self) -> Snapshot {
        let l = |a: &AtomicU64| a.load(Ordering::SeqCst);
        Snapshot {
            items_read: l(&self.items),
            reads: l(&self.gets) + l(&self.queries),
            writes: l(&self.puts) + l(&self.transactions) + l(&self.batch_writes),
            transactions: l(&self.transactions),
            transaction_items: l(&self.transaction_items),
            sends: l(&self.sends),
            blob_requests: l(&self.blob_requests),
        }
    }
}

pub struct CountingTable<T> {
    pub inner: T,
    pub counts: Arc<Counts>,
}

fn bump(a: &AtomicU64) {
    a.fetch_add(1, Ordering::SeqCst);
}

#[async_trait]
impl<T: Table> Table for CountingTable<T> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        bump(&self.counts.gets);
        let item = self.inner.get(key).await?;
        if item.is_some() {
            bump(&self.counts.items);
        }
        Ok(item)
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        bump(&self.counts.puts);
        self.inner.put(item, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        bump(&self.counts.transactions);
        self.counts
            .transaction_items
            .fetch_add(writes.len() as u64, Ordering::SeqCst);
        self.inner.transact(writes).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        bump(&self.counts.queries);
        let page = self.inner.query(query).await?;
        self.counts.items.fetch_add(page.items.len() as u64, Ordering::SeqCst);
        Ok(page)
    }
    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError> {
        bump(&self.counts.puts);
        self.inner.increment(key, attr, delta, expires_at).await
    }
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        self.counts
            .batch_writes
            .fetch_add(items.len().div_ceil(MAX_BATCH_ITEMS) as u64, Ordering::SeqCst);
        self.inner.batch_put(items).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.counts
            .gets
            .fetch_add(keys.len().div_ceil(MAX_BATCH_GET_KEYS) as u64, Ordering::SeqCst);
        let items = self.inner.batch_get(keys).await?;
        self.counts.items.fetch_add(items.len() as u64, Ordering::SeqCst);
        Ok(items)
    }
}

pub struct CountingQueue<Q> {
    pub inner: Q,
    pub counts: Arc<Counts>,
}

#[async_trait]
impl<Q: Queue> QueueSender for CountingQueue<Q> {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        bump(&self.counts.sends);
        self.inner.send(queue, body).await
    }
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        self.counts
            .sends
            .fetch_add(bodies.len().div_ceil(10) as u64, Ordering::SeqCst);
        self.inner.send_batch(queue, bodies).await
    }
}

#[async_trait]
impl<Q: Queue> Queue for CountingQueue<Q> {
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

pub struct CountingBlobs<B> {
    pub inner: B,
    pub counts: Arc<Counts>,
}

#[async_trait]
impl<B: crate::ports::Blobs> crate::ports::blobs::BlobWriter for CountingBlobs<B> {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), crate::ports::blobs::BlobError> {
        bump(&self.counts.blob_requests);
        self.inner.put(key, bytes, content_type).await
    }
}

#[async_trait]
impl<B: crate::ports::Blobs> crate::ports::Blobs for CountingBlobs<B> {
    async fn get(&self, key: &str) -> Result<Vec<u8>, crate::ports::blobs::BlobError> {
        bump(&self.counts.blob_requests);
        self.inner.get(key).await
    }
    async fn get_range(&self, key: &str, start: u64, end: u64) -> Result<Vec<u8>, crate::ports::blobs::BlobError> {
        bump(&self.counts.blob_requests);
        self.inner.get_range(key, start, end).await
    }
    async fn size(&self, key: &str) -> Result<u64, crate::ports::blobs::BlobError> {
        bump(&self.counts.blob_requests);
        self.inner.size(key).await
    }
    async fn compose(
        &self,
        key: &str,
        sources: &[String],
        content_type: &str,
    ) -> Result<(), crate::ports::blobs::BlobError> {
        self.counts
            .blob_requests
            .fetch_add(sources.len() as u64 + 1, Ordering::SeqCst);
        self.inner.compose(key, sources, content_type).await
    }
}
