//! A 100,000-row prospect list: the import's peak heap stays flat (measured by a counting
//! allocator against a 20,000-row file), and every row is accounted for in the summary.
//!
//! The import runs on the embedded blob store and queue; the table and the scoring queue keep
//! what the import writes out of the measurement (leads, audit events and guards are counted
//! and dropped), so what is measured is the import's own memory, not the store's.

use async_trait::async_trait;
use shared::adapters::embedded::{DiskBlobs, EmbeddedQueue, EmbeddedTable};
use shared::ports::clock::SystemClock;
use shared::ports::queue::{Queue, QueueError, Received};
use shared::ports::table::*;
use shared::ports::Blobs;
use shared::usecases::import::{import_chunk, start_import, Chunk, ImportPorts, ObjectCreated, Started};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The embedded table, except that the import's own writes are kept out of the measured heap:
/// leads are counted and dropped (reads of one give back an open lead), email guards live in a
/// map reserved before measuring starts, with their conditions checked as DynamoDB would.
struct DroppingTable {
    inner: EmbeddedTable,
    leads: AtomicU64,
    guards: Mutex<HashMap<[u8; 16], [u8; 26]>>,
    template: Mutex<Option<Item>>,
}

impl DroppingTable {
    fn new(inner: EmbeddedTable) -> DroppingTable {
        DroppingTable {
            inner,
            leads: AtomicU64::new(0),
            guards: Mutex::new(HashMap::with_capacity(250_000)),
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
impl Table for DroppingTable {
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
    async fn increment(&self, key: &Key, attr: &str, delta: i64) -> Result<i64, StoreError> {
        self.inner.increment(key, attr, delta).await
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

/// The embedded queue, minus the `lead.captured` messages (counted, then dropped).
struct DroppingQueue {
    inner: EmbeddedQueue,
    captured: AtomicU64,
}

#[async_trait]
impl Queue for DroppingQueue {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        self.inner.send(queue, body).await
    }
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        if queue == "scoring" {
            self.captured.fetch_add(bodies.len() as u64, Ordering::SeqCst);
            return Ok(());
        }
        self.inner.send_batch(queue, bodies).await
    }
    async fn receive(&self, queue: &str, max: u32, wait: u32) -> Result<Vec<Received>, QueueError> {
        self.inner.receive(queue, max, wait).await
    }
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(queue, receipt).await
    }
    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        Queue::depth(&self.inner, queue).await
    }
}

/// `rows` data rows: every 40th has a bad email, every 40th (another) repeats the row before.
fn prospect_list(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Email,Company Name,Job Title,Country,Notes\n");
    for i in 0..rows {
        let email = match i % 40 {
            11 => format!("not-an-email-{i}"),
            29 => format!("buyer{}@company{}.example", i - 1, (i - 1) % 997),
            _ => format!("buyer{i}@company{}.example", i % 997),
        };
        csv.push_str(&format!(
            "{email},Company {i},Purchase Manager,India,\"needs inventory, billing\"\n"
        ));
    }
    csv.into_bytes()
}

struct Run {
    peak_bytes: usize,
    summary: serde_json::Value,
    leads: u64,
    captured: u64,
}

async fn import(rows: usize) -> Run {
    let dir = e2e_tests::temp_dir("import-memory");
    let blobs = DiskBlobs::open(dir.join("blobs")).expect("blobs");
    let key = format!("prospects/memory/list-{rows}.csv");
    blobs.put(&key, prospect_list(rows), "text/csv").await.expect("upload");
    let table = DroppingTable::new(EmbeddedTable::open(&dir.join("table")).expect("table"));
    let queue = DroppingQueue {
        inner: EmbeddedQueue::new(&["scoring", "import"], Duration::from_secs(60), 5, None).expect("queue"),
        captured: AtomicU64::new(0),
    };
    let ports = ImportPorts {
        table: &table,
        blobs: &blobs,
        queue: &queue,
        clock: &SystemClock,
        scoring_queue: "scoring",
        import_queue: "import",
        // several chunks for either size: 7 for 20,000 rows, 33 for 100,000
        chunk_bytes: 256 * 1024,
    };
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let object = ObjectCreated {
        key: key.clone(),
        version_id: None,
        etag: Some(format!("etag-{rows}")),
    };
    match start_import(&ports, &object).await.expect("import starts") {
        Started::Imported { .. } => {}
        Started::FannedOut { .. } => loop {
            let got = queue.receive("import", 10, 0).await.expect("receive");
            if got.is_empty() {
                break;
            }
            for m in got {
                let env: shared::events::Envelope = serde_json::from_str(&m.body).expect("envelope");
                let chunk: Chunk = serde_json::from_value(env.payload).expect("chunk");
                import_chunk(&ports, &chunk).await.expect("chunk imports");
                queue.delete("import", &m.receipt).await.expect("delete");
            }
        },
        other => panic!("unexpected {other:?}"),
    }
    let peak_bytes = PEAK.load(Ordering::SeqCst).saturating_sub(before);
    let summary_key = shared::domain::prospects::summary_key(&key);
    let summary = serde_json::from_slice(&blobs.get(&summary_key).await.expect("summary")).expect("json");
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        peak_bytes,
        summary,
        leads: table.leads.load(Ordering::SeqCst),
        captured: queue.captured.load(Ordering::SeqCst),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_100k_row_file_in_flat_memory_with_every_row_accounted_for() {
    // (the small file is already larger than one 1 MB read, as the large one is)
    let small = import(20_000).await;
    let large = import(100_000).await;
    let s = &large.summary;
    assert_eq!(s["status"], "complete", "{s}");
    assert!(s["chunks"].as_u64().is_some_and(|c| c >= 30), "{s}");
    assert_eq!(s["rows_read"], 100_000);
    assert_eq!(s["rejected"], 2_500);
    assert_eq!(s["duplicates"], 2_500);
    assert_eq!(s["created"], 95_000);
    let sum = ["created", "duplicates", "rejected"]
        .iter()
        .map(|k| s[k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(sum, 100_000, "every row is created, a duplicate or rejected");
    assert_eq!(large.leads, 95_000, "one lead written per created row");
    assert_eq!(large.captured, 95_000, "each queued for scoring");
    let ratio = large.peak_bytes as f64 / small.peak_bytes as f64;
    println!(
        "peak heap: 20,000 rows {} KB, 100,000 rows {} KB (×{ratio:.2} for 5× the rows)",
        small.peak_bytes / 1024,
        large.peak_bytes / 1024
    );
    assert!(
        ratio < 1.5,
        "peak heap grew ×{ratio:.2} for 5× the rows: {} → {} bytes",
        small.peak_bytes,
        large.peak_bytes
    );
}
