//! Wrappers that fail or "crash" the functions at the N-th write, to prove what each multi-step
//! flow guarantees when it stops between two writes.
//!
//! A *write* is every call with an effect: a table put, transaction, increment or batch put, a
//! queue send, an email, a blob put. [`Plan::Crash`] stops the process before its N-th write:
//! that write and every call after it (reads too) fail as if the function had died, until the
//! test [`Faults::disarm`]s — the restart. [`Plan::Fail`] fails the N-th write once (a
//! timeout or a throttled call) and lets the rest through.

use crate::ports::blobs::{BlobError, BlobWriter, Blobs};
use crate::ports::mailer::{MailError, Mailer};
use crate::ports::queue::{Queue, QueueError, QueueSender, Received};
use crate::ports::table::*;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// the N-th write (1-based) and everything after it fail
    Crash(usize),
    /// the N-th write fails, once
    Fail(usize),
}

#[derive(Debug, Default)]
struct State {
    plan: Option<Plan>,
    /// the writes attempted since arming, in order (the failed ones too)
    writes: Vec<&'static str>,
    fired: bool,
}

/// One plan shared by every wrapped port of a stack.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
}

const INJECTED: &str = "injected fault";

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // a poisoned lock only means a test panicked while holding it: the state is still usable
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts counting writes from zero under `plan`.
    pub fn arm(&self, plan: Plan) {
        *self.state() = State {
            plan: Some(plan),
            ..State::default()
        };
    }

    /// Counts writes without failing any (to learn a flow's steps).
    pub fn record(&self) {
        *self.state() = State::default();
    }

    /// The restart: nothing fails any more. Returns the writes seen since arming.
    pub fn disarm(&self) -> Vec<&'static str> {
        let mut s = self.state();
        s.plan = None;
        std::mem::take(&mut s.writes)
    }

    /// How many writes were attempted since arming.
    pub fn writes(&self) -> usize {
        self.state().writes.len()
    }

    /// Whether the plan's fault has happened.
    pub fn fired(&self) -> bool {
        self.state().fired
    }

    /// Whether this read may go ahead (not after a crash).
    fn read(&self) -> bool {
        let s = self.state();
        !(s.fired && matches!(s.plan, Some(Plan::Crash(_))))
    }

    /// Whether this write may go ahead.
    fn write(&self, what: &'static str) -> bool {
        let mut s = self.state();
        if s.fired && matches!(s.plan, Some(Plan::Crash(_))) {
            return false;
        }
        s.writes.push(what);
        let n = s.writes.len();
        match s.plan {
            Some(Plan::Crash(at)) | Some(Plan::Fail(at)) if at == n => {
                s.fired = true;
                false
            }
            _ => true,
        }
    }
}

/// A port wrapped in a stack's fault plan.
pub struct Faulty<P: ?Sized> {
    pub inner: Arc<P>,
    pub faults: Arc<Faults>,
}

fn store_fault() -> StoreError {
    StoreError::Unavailable(INJECTED.into())
}

fn queue_fault() -> QueueError {
    QueueError::Unavailable(INJECTED.into())
}

#[async_trait]
impl Table for Faulty<dyn Table> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        if !self.faults.read() {
            return Err(store_fault());
        }
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        if !self.faults.write("table.put") {
            return Err(store_fault());
        }
        self.inner.put(item, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if !self.faults.write("table.transact") {
            return Err(store_fault());
        }
        self.inner.transact(writes).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if !self.faults.read() {
            return Err(store_fault());
        }
        self.inner.query(query).await
    }
    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError> {
        if !self.faults.write("table.increment") {
            return Err(store_fault());
        }
        self.inner.increment(key, attr, delta, expires_at).await
    }
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        if !self.faults.write("table.batch_put") {
            return Err(store_fault());
        }
        self.inner.batch_put(items).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        if !self.faults.read() {
            return Err(store_fault());
        }
        self.inner.batch_get(keys).await
    }
}

#[async_trait]
impl QueueSender for Faulty<dyn Queue> {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        if !self.faults.write("queue.send") {
            return Err(queue_fault());
        }
        self.inner.send(queue, body).await
    }
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        if !self.faults.write("queue.send_batch") {
            return Err(queue_fault());
        }
        self.inner.send_batch(queue, bodies).await
    }
}

#[async_trait]
impl Queue for Faulty<dyn Queue> {
    async fn receive(&self, queue: &str, max: u32, wait: u32) -> Result<Vec<Received>, QueueError> {
        if !self.faults.read() {
            return Err(queue_fault());
        }
        self.inner.receive(queue, max, wait).await
    }
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        if !self.faults.write("queue.delete") {
            return Err(queue_fault());
        }
        self.inner.delete(queue, receipt).await
    }
    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        if !self.faults.read() {
            return Err(queue_fault());
        }
        self.inner.depth(queue).await
    }
}

#[async_trait]
impl Mailer for Faulty<dyn Mailer> {
    async fn send_raw(&self, from: &str, to: &[String], mime: Vec<u8>) -> Result<String, MailError> {
        if !self.faults.write("mail.send") {
            return Err(MailError::Unavailable(INJECTED.into()));
        }
        self.inner.send_raw(from, to, mime).await
    }
}

#[async_trait]
impl BlobWriter for Faulty<dyn Blobs> {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        if !self.faults.write("blobs.put") {
            return Err(BlobError::Unavailable(INJECTED.into()));
        }
        self.inner.put(key, bytes, content_type).await
    }
}

#[async_trait]
impl Blobs for Faulty<dyn Blobs> {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        if !self.faults.read() {
            return Err(BlobError::Unavailable(INJECTED.into()));
        }
        self.inner.get(key).await
    }
    async fn get_range(&self, key: &str, start: u64, end: u64) -> Result<Vec<u8>, BlobError> {
        if !self.faults.read() {
            return Err(BlobError::Unavailable(INJECTED.into()));
        }
        self.inner.get_range(key, start, end).await
    }
    async fn size(&self, key: &str) -> Result<u64, BlobError> {
        if !self.faults.read() {
            return Err(BlobError::Unavailable(INJECTED.into()));
        }
        self.inner.size(key).await
    }
    async fn compose(&self, key: &str, sources: &[String], content_type: &str) -> Result<(), BlobError> {
        if !self.faults.write("blobs.compose") {
            return Err(BlobError::Unavailable(INJECTED.into()));
        }
        self.inner.compose(key, sources, content_type).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_stops_every_later_call_until_the_restart() {
        let f = Faults::default();
        f.arm(Plan::Crash(2));
        assert!(f.write("a"));
        assert!(f.read());
        assert!(!f.write("b"));
        assert!(f.fired());
        assert!(!f.read());
        assert!(!f.write("c"));
        assert_eq!(f.disarm(), vec!["a", "b"]);
        assert!(f.read());
        assert!(f.write("d"));
    }

    #[test]
    fn a_failure_is_once() {
        let f = Faults::default();
        f.arm(Plan::Fail(1));
        assert!(!f.write("a"));
        assert!(f.read());
        assert!(f.write("b"));
        assert_eq!(f.disarm(), vec!["a", "b"]);
    }
}
