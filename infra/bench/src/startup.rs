//! `bench startup [dir [function…]]`: every function's init against hello-lambda's, pair by pair.
//!
//! Init is process start → the first poll of the Lambda runtime API (a stub on loopback that
//! holds the poll). Each run starts hello-lambda and then the function, one after the other,
//! and takes the ratio of that pair, so a noisy moment hurts both sides of a ratio alike; the
//! figure is the median of the runs' ratios. No AWS call happens before the first poll, so no
//! emulator is needed: every function gets the same environment (every variable any function
//! requires, with well-formed stand-in values).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Runs per function (the figure: median of 21).
const RUNS: usize = 21;

/// The budget: a function's init at most this many times hello-lambda's.
pub const INIT_RATIO_BUDGET: f64 = 1.3;

#[derive(Default)]
struct FirstPoll {
    at: Mutex<Option<Instant>>,
    polled: Notify,
}

async fn next(State(poll): State<Arc<FirstPoll>>) -> &'static str {
    poll.at.lock().expect("lock").get_or_insert_with(Instant::now);
    poll.polled.notify_one();
    // no event: hold the poll until the process is killed
    tokio::time::sleep(Duration::from_secs(3600)).await;
    ""
}

/// Every variable some function requires, with values its configuration accepts, and the
/// files the template's layers give every function (`/opt/aws.json` and the domain lists there).
fn environment() -> Vec<(&'static str, String)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let partitions = here.join("../sdk-partitions/aws.json");
    let mut vars: Vec<(&'static str, String)> = vec![
        (
            shared::config::env::SDK_PARTITIONS_FILE,
            partitions.to_string_lossy().into_owned(),
        ),
        (
            shared::config::env::DOMAIN_LISTS_DIR,
            here.join("../../shared/data").to_string_lossy().into_owned(),
        ),
    ];
    vars.extend(
        [
            ("AWS_REGION", "ap-south-1"),
            ("AWS_ACCESS_KEY_ID", "bench"),
            ("AWS_SECRET_ACCESS_KEY", "bench"),
            ("TABLE_NAME", "bench"),
            ("BUCKET_NAME", "bench"),
            (
                "SCORING_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/scoring",
            ),
            (
                "SEQUENCE_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/sequence",
            ),
            (
                "COMMISSION_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/commission",
            ),
            (
                "PAYOUT_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/payout",
            ),
            (
                "IMPORT_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/import",
            ),
            (
                "DEAD_LETTER_QUEUE_URL",
                "https://sqs.ap-south-1.amazonaws.com/123456789012/dlq",
            ),
            ("ADMIN_API_KEY", "bench-admin-key-0123456789"),
            ("BILLING_WEBHOOK_SECRET", "bench-billing-secret-0123456789"),
            ("TRACKING_SECRET", "bench-tracking-secret-0123456789"),
            ("THANK_YOU_URL", "https://www.example.com/thanks"),
            ("ERROR_URL", "https://www.example.com/error"),
            ("REFERRAL_LANDING_URL", "https://www.example.com/"),
            ("PUBLIC_BASE_URL", "https://api.example.com"),
            ("MAIL_FROM", "partners@example.com"),
            ("FINANCE_EMAIL", "finance@example.com"),
            ("PRESALES_EMAIL", "presales@example.com"),
            ("PLATFORM_GSTIN", "27AAACP0001Q1ZL"),
            ("RUST_LOG", "info"),
        ]
        .map(|(k, v)| (k, v.to_string())),
    );
    vars
}

/// The variables Lambda gives every function, its runtime API at `runtime_api`.
pub fn lambda_variables(runtime_api: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("_HANDLER", "bootstrap".into()),
    ]
}

/// Serves a runtime-API stub on a free loopback port.
pub async fn serve(app: Router) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, server))
}

/// A process started against a runtime-API stub that records and holds its first poll.
struct AgainstStub {
    poll: Arc<FirstPoll>,
    server: tokio::task::JoinHandle<()>,
    child: tokio::process::Child,
    /// just before the process was spawned
    started: Instant,
}

/// Starts `program args…` with the Lambda variables and every function's environment, its
/// runtime API a fresh stub.
async fn start_against_stub(program: &str, args: &[&std::ffi::OsStr]) -> Result<AgainstStub, String> {
    let poll = Arc::new(FirstPoll::default());
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .with_state(poll.clone());
    let (addr, server) = serve(app).await?;
    let started = Instant::now();
    let child = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .envs(lambda_variables(&addr.to_string()))
        .envs(environment())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    Ok(AgainstStub {
        poll,
        server,
        child,
        started,
    })
}

/// Starts `binary` and times its start → first poll.
async fn init_once(binary: &Path) -> Result<Duration, String> {
    let AgainstStub {
        poll,
        server,
        mut child,
        started,
    } = start_against_stub(&binary.to_string_lossy(), &[]).await?;
    let waited = tokio::time::timeout(Duration::from_secs(10), poll.polled.notified()).await;
    let _ = child.kill().await;
    server.abort();
    if waited.is_err() {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            use tokio::io::AsyncReadExt;
            let _ = stderr.read_to_string(&mut err).await;
        }
        return Err(format!("{} did not poll in 10 s: {err}", binary.display()));
    }
    let at = poll.at.lock().expect("lock").ok_or("no poll")?;
    Ok(at - started)
}

/// The functions of the workspace (`functions/*`), by name.
pub fn function_names() -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir("functions")
        .map_err(|e| format!("functions/: {e} (run from the project root)"))?
        .filter_map(|d| d.ok())
        .filter(|d| d.path().join("Cargo.toml").exists())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// The instructions `binary` executes from its start to its first poll (callgrind: the same
/// count on every run, whatever else the machine is doing). The stub holds that poll and the
/// process is then stopped with SIGTERM, on which callgrind reports what it counted: the init
/// alone, none of a process's teardown (an earlier version let the first poll fail, and so
/// also counted the drop of everything built: 0.3 M instructions in scoring). `None` without
/// valgrind.
async fn init_instructions(binary: &Path) -> Option<u64> {
    let AgainstStub {
        poll, server, child, ..
    } = start_against_stub(
        "valgrind",
        &[
            "--tool=callgrind".as_ref(),
            "--callgrind-out-file=/dev/null".as_ref(),
            binary.as_os_str(),
        ],
    )
    .await
    .ok()?;
    let polled = tokio::time::timeout(Duration::from_secs(120), poll.polled.notified()).await;
    let pid = child.id()?.to_string();
    let _ = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await;
    let out = child.wait_with_output().await.ok()?;
    server.abort();
    polled.ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Prints each function's init ratio and size (a benchmark: the figures go in the closing note
/// and docs/BENCHMARKS.md, never into a pass or fail — a busy machine moves them).
/// `only`: these functions (all of them when empty).
pub async fn init_ratios(dir: PathBuf, only: &[String]) -> Result<(), String> {
    let hello = dir.join("hello-lambda");
    let mut rows = Vec::new();
    let names = function_names()?
        .into_iter()
        .filter(|n| only.is_empty() || only.contains(n));
    for name in names {
        let binary = dir.join(&name);
        let (mut ratios, mut base, mut own) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let h = init_once(&hello).await?;
            let f = init_once(&binary).await?;
            ratios.push(f.as_secs_f64() / h.as_secs_f64());
            base.push(h.as_secs_f64() * 1000.0);
            own.push(f.as_secs_f64() * 1000.0);
        }
        let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
        rows.push((
            name,
            median(own),
            median(base),
            median(ratios),
            size,
            init_instructions(&binary).await,
        ));
    }
    let hello_instructions = init_instructions(&hello).await;
    println!("\n## Init against hello-lambda ({RUNS} pairs each; ratio = median of the pairs' ratios)\n");
    println!("| function | init | hello-lambda's | ratio | budget ≤ {INIT_RATIO_BUDGET}× | instructions to the first poll | ÷ hello-lambda's | size (MiB) |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, own, base, ratio, size, instructions) in &rows {
        let within = if *ratio <= INIT_RATIO_BUDGET { "yes" } else { "**no**" };
        let (count, times) = match (instructions, hello_instructions) {
            (Some(i), Some(h)) => (
                format!("{:.2} M", *i as f64 / 1e6),
                format!("{:.2}×", *i as f64 / h as f64),
            ),
            _ => ("(no valgrind)".to_string(), String::new()),
        };
        println!(
            "| {name} | {own:.2} ms | {base:.2} ms | {ratio:.2}× | {within} | {count} | {times} | {:.2} |",
            *size as f64 / (1024.0 * 1024.0)
        );
    }
    if let Some(h) = hello_instructions {
        println!("(hello-lambda: {:.2} M instructions to its first poll)", h as f64 / 1e6);
    }
    Ok(())
}
