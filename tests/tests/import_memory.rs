//! A 100,000-row prospect list: the import's peak heap stays flat (measured by a counting
//! allocator against a 20,000-row file), and every row is accounted for in the summary.
//!
//! The import runs on the embedded blob store and queue; the table and the scoring queue keep
//! what the import writes out of the measurement (leads, audit events and guards are counted
//! and dropped), so what is measured is the import's own memory, not the store's.

use shared::adapters::discarding::{DiscardingQueue, DiscardingTable};
use shared::adapters::embedded::{DiskBlobs, EmbeddedQueue, EmbeddedTable};
use shared::ports::clock::SystemClock;
use shared::ports::{BlobWriter, Blobs};
use shared::usecases::import::{run_in_process, ImportPorts, ObjectCreated, Started};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    let table = DiscardingTable::new(EmbeddedTable::open(&dir.join("table")).expect("table"), 250_000);
    let queue = DiscardingQueue {
        inner: EmbeddedQueue::new(&["scoring", "import"], Duration::from_secs(60), 5, None).expect("queue"),
        dropped_queue: "scoring".into(),
        dropped: AtomicU64::new(0),
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
    let started = run_in_process(&ports, &object).await.expect("import runs");
    assert!(matches!(started, Started::FannedOut { .. }), "{started:?}");
    let peak_bytes = PEAK.load(Ordering::SeqCst).saturating_sub(before);
    let summary_key = shared::domain::prospects::summary_key(&key);
    let summary = serde_json::from_slice(&blobs.get(&summary_key).await.expect("summary")).expect("json");
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        peak_bytes,
        summary,
        leads: table.leads.load(Ordering::SeqCst),
        captured: queue.dropped.load(Ordering::SeqCst),
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
