//! Prospect-list import figures:
//! - rows per second and peak RSS for 100,000 and 1,000,000 rows on the embedded adapters, each
//!   run in a fresh child process (peak RSS is a process's high-water mark): once with the
//!   embedded store holding every lead (the local stack's default), once with the leads
//!   dropped as written (the import's own footprint: its heap peak is counted by the
//!   allocator, since the stand-in store's guard map is part of the process too);
//! - AWS requests per imported row, counted at the adapters against the emulator.

use serde_json::{json, Value};
use shared::adapters::counting::{CountingBlobs, CountingQueue, CountingTable, Counts};
use shared::adapters::discarding::{DiscardingQueue, DiscardingTable};
use shared::adapters::embedded::{DiskBlobs, EmbeddedQueue, EmbeddedTable};
use shared::ports::clock::SystemClock;
use shared::ports::{BlobWriter, Blobs, Queue, Table};
use shared::usecases::import::{run_in_process, ImportPorts, ObjectCreated};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Counts live heap bytes and their peak, in the import child only (off elsewhere).
pub struct HeapCounter;
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for HeapCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Ordering::Relaxed) {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
}
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The argument that makes the bench binary run one import and print its figures as JSON.
pub const CHILD: &str = "import-child";
const KEY: &str = "prospects/bench/list.csv";

/// A prospect list of `rows` data rows: 1 in 40 with a bad email, 1 in 40 repeating the row before.
fn write_list(dir: &Path, rows: usize) -> Result<(), String> {
    let path = dir.join(KEY);
    std::fs::create_dir_all(path.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| e.to_string())?);
    writeln!(f, "Email,Name,Company Name,Job Title,Country,Employees,Budget,Notes").map_err(|e| e.to_string())?;
    for i in 0..rows {
        let email = match i % 40 {
            11 => format!("not-an-email-{i}"),
            29 => format!("buyer{}@company{}.example", i - 1, (i - 1) % 997),
            _ => format!("buyer{i}@company{}.example", i % 997),
        };
        writeln!(
            f,
            "{email},Buyer {i},Company {i} Pvt Ltd,Purchase Manager,India,{},5-10 lakh,\"needs inventory, GST billing\"",
            50 + i % 900
        )
        .map_err(|e| e.to_string())?;
    }
    f.flush().map_err(|e| e.to_string())
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// In the child: import the list under `dir` and print rows, seconds, peak RSS and the summary.
pub async fn child(dir: PathBuf, mode: &str, rows: usize) -> Result<(), String> {
    let blobs = DiskBlobs::open(dir.join("blobs")).map_err(|e| e.to_string())?;
    let store = EmbeddedTable::open(&dir.join(format!("table-{mode}"))).map_err(|e| e.to_string())?;
    // in-memory queues: nothing consumes them here, and a persisted queue rewrites its snapshot
    let queues =
        EmbeddedQueue::new(&["scoring", "import"], Duration::from_secs(600), 5, None).map_err(|e| e.to_string())?;
    let (table, queue): (Box<dyn Table>, Box<dyn Queue>) = if mode == "store" {
        (Box::new(store), Box::new(queues))
    } else {
        (
            Box::new(DiscardingTable::new(store, rows + rows / 10)),
            Box::new(DiscardingQueue {
                inner: queues,
                dropped_queue: "scoring".into(),
                dropped: AtomicU64::new(0),
            }),
        )
    };
    let ports = ImportPorts {
        table: table.as_ref(),
        blobs: &blobs,
        queue: queue.as_ref(),
        clock: &SystemClock,
        scoring_queue: "scoring",
        import_queue: "import",
        chunk_bytes: shared::handlers::import::DEFAULT_CHUNK_BYTES,
    };
    let object = ObjectCreated {
        key: KEY.into(),
        version_id: None,
        etag: Some(format!("bench-{mode}-{rows}")),
    };
    // the import's own heap from here on (what the store keeps is the store's: in "alone"
    // mode its guard map was reserved above, before counting starts)
    COUNTING.store(true, Ordering::SeqCst);
    let started = Instant::now();
    run_in_process(&ports, &object).await.map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    let heap_peak = PEAK.load(Ordering::SeqCst);
    let summary: Value = serde_json::from_slice(
        &blobs
            .get(&shared::domain::prospects::summary_key(KEY))
            .await
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    println!(
        "{}",
        json!({"rows": rows, "secs": secs, "peak_rss_kb": peak_rss_kb(), "heap_peak_bytes": heap_peak, "summary": summary})
    );
    Ok(())
}

async fn run_child(exe: &Path, dir: &Path, mode: &str, rows: usize) -> Result<Value, String> {
    let out = tokio::process::Command::new(exe)
        .arg(CHILD)
        .arg(dir)
        .arg(mode)
        .arg(rows.to_string())
        .env("RUST_LOG", "warn")
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("import child failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.starts_with('{')).ok_or("no figures")?;
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// Rows per second and peak RSS for 100,000 and 1,000,000 rows, embedded.
pub async fn embedded() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!("\n## Prospect import on the embedded adapters (one child process per run; 16 MB chunks)\n");
    println!(
        "| rows | file | store | rows/s | peak RSS (process) | import's heap peak | created | duplicates | rejected |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for rows in [100_000usize, 1_000_000] {
        let dir = std::env::temp_dir().join(format!("bench-import-{}", shared::ids::random_id()));
        write_list(&dir.join("blobs"), rows)?;
        let size = std::fs::metadata(dir.join("blobs").join(KEY))
            .map(|m| m.len())
            .unwrap_or(0);
        for mode in ["store", "alone"] {
            let r = run_child(&exe, &dir, mode, rows).await?;
            let s = &r["summary"];
            let accounted = ["created", "duplicates", "rejected"]
                .iter()
                .map(|k| s[k].as_u64().unwrap_or(0))
                .sum::<u64>();
            if accounted != rows as u64 || s["rows_read"].as_u64() != Some(rows as u64) {
                return Err(format!("rows unaccounted for: {s}"));
            }
            println!(
                "| {rows} | {:.1} MB | {} | {:.0} | {:.1} MB | {} | {} | {} | {} |",
                size as f64 / 1e6,
                if mode == "store" {
                    "embedded table, every lead kept"
                } else {
                    "leads dropped as written (the import alone)"
                },
                rows as f64 / r["secs"].as_f64().unwrap_or(f64::NAN),
                r["peak_rss_kb"].as_f64().unwrap_or(0.0) / 1024.0,
                if mode == "store" {
                    "(includes the store)".to_string()
                } else {
                    format!("{:.1} MB", r["heap_peak_bytes"].as_f64().unwrap_or(0.0) / 1e6)
                },
                s["created"],
                s["duplicates"],
                s["rejected"]
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// AWS requests per imported row, counted at the adapters against the emulator.
pub async fn aws_requests(suffix: &str) -> Result<(), String> {
    use shared::adapters::aws::{sdk_config, DynamoTable, S3Blobs, SqsQueue};
    let sdk = &sdk_config().await;
    let dynamo = DynamoTable::new(sdk, format!("bench-import-{suffix}"));
    dynamo.ensure_table().await.map_err(|e| e.to_string())?;
    let s3 = S3Blobs::new(sdk, format!("bench-import-{suffix}"));
    s3.ensure_bucket().await.map_err(|e| e.to_string())?;
    let sqs = SqsQueue::new(sdk);
    let scoring = sqs
        .ensure_queue(&format!("bench-import-{suffix}-scoring"))
        .await
        .map_err(|e| e.to_string())?;
    let import_q = sqs
        .ensure_queue(&format!("bench-import-{suffix}-import"))
        .await
        .map_err(|e| e.to_string())?;
    // a small file: the emulator copies the whole table once per item of every transaction
    let rows = 400usize;
    let dir = std::env::temp_dir().join(format!("bench-import-aws-{suffix}"));
    write_list(&dir, rows)?;
    let bytes = std::fs::read(dir.join(KEY)).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    s3.put(KEY, bytes.clone(), "text/csv")
        .await
        .map_err(|e| e.to_string())?;
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: dynamo,
        counts: counts.clone(),
    };
    let blobs = CountingBlobs {
        inner: s3,
        counts: counts.clone(),
    };
    let queue = CountingQueue {
        inner: sqs,
        counts: counts.clone(),
    };
    let ports = ImportPorts {
        table: &table,
        blobs: &blobs,
        queue: &queue,
        clock: &SystemClock,
        scoring_queue: &scoring,
        import_queue: &import_q,
        // three chunks, to count the fan-out too
        chunk_bytes: (bytes.len() / 3 + 1) as u64,
    };
    let object = ObjectCreated {
        key: KEY.into(),
        version_id: None,
        etag: Some("bench".into()),
    };
    let started = Instant::now();
    run_in_process(&ports, &object).await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    let c = counts.snapshot();
    let summary: Value = serde_json::from_slice(
        &blobs
            .inner
            .get(&shared::domain::prospects::summary_key(KEY))
            .await
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let created = summary["created"].as_u64().unwrap_or(0);
    let per = |n: u64| n as f64 / rows as f64;
    println!("\n## AWS requests per imported row ({rows} rows in 3 chunks, counted at the adapters against the emulator; {:.1} s there)\n", took.as_secs_f64());
    println!("| DynamoDB writes | of which lead transactions | DynamoDB reads (batch + single) | SQS sends | S3 requests | rows per lead transaction |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.1} |",
        per(c.writes),
        per(c.transactions),
        per(c.reads),
        per(c.sends),
        per(c.blob_requests),
        created as f64 / c.transactions.max(1) as f64
    );
    println!(
        "(target: ≤ 1/25 = 0.04 write requests per row plus the dedupe reads; {} rows created, {} duplicates, {} rejected)",
        created, summary["duplicates"], summary["rejected"]
    );
    Ok(())
}
