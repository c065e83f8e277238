//! Benchmark figures for the functions (run through `./scripts/bench`, which starts the emulator
//! and builds the release binaries first):
//! - init: process start → first poll of the Lambda runtime API (a local stub);
//! - cold start: process start → the function's response to a realistic first event
//!   (lead-capture: a website lead through API Gateway v2; scoring: an SQS batch of one
//!   lead.captured), beside a hello-world lambda_runtime binary of the same profile;
//! - stripped release binary sizes;
//! - AWS requests per lead captured and scored, counted at the adapters (against the emulator);
//! - prospect imports (see `imports`).

mod dashboards;
mod imports;
mod load;
mod pages;
mod payout_run;
mod startup;

#[global_allocator]
static ALLOC: imports::HeapCounter = imports::HeapCounter;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use shared::adapters::aws::{sdk_config, DynamoTable, SqsQueue};
use shared::adapters::counting::{CountingQueue, CountingTable, Counts};
use shared::config::Rules;
use shared::domain::lead::validate;
use shared::handlers::scoring::Scoring;
use shared::ports::clock::SystemClock;
use shared::ports::Queue;
use shared::usecases::capture::{capture_lead, CapturePorts, Captured};
use shared::usecases::score_route::RosterCache;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

const RUNS: usize = 15;

/// A Lambda runtime API that hands out a cold event and then a warm one, and times both.
#[derive(Default)]
struct Stub {
    events: Mutex<std::collections::VecDeque<Value>>,
    first_poll: Mutex<Option<Instant>>,
    delivered: Mutex<Vec<Instant>>,
    responses: Mutex<Vec<(Instant, Value)>>,
    done: Notify,
}

impl Stub {
    fn record(&self, v: Value) {
        let mut r = self.responses.lock().expect("lock");
        r.push((Instant::now(), v));
        if r.len() == 2 {
            self.done.notify_one();
        }
    }
}

async fn next(State(stub): State<Arc<Stub>>) -> (HeaderMap, String) {
    stub.first_poll.lock().expect("lock").get_or_insert_with(Instant::now);
    let event = stub.events.lock().expect("lock").pop_front();
    match event {
        Some(e) => {
            stub.delivered.lock().expect("lock").push(Instant::now());
            let mut h = HeaderMap::new();
            h.insert(
                "lambda-runtime-aws-request-id",
                HeaderValue::from_static("bench-request-1"),
            );
            h.insert("lambda-runtime-deadline-ms", HeaderValue::from(4_102_444_800_000u64));
            h.insert(
                "lambda-runtime-invoked-function-arn",
                HeaderValue::from_static("arn:aws:lambda:ap-south-1:123456789012:function:bench"),
            );
            h.insert(
                "lambda-runtime-trace-id",
                HeaderValue::from_static("Root=1-00000000-000000000000000000000000"),
            );
            (h, e.to_string())
        }
        None => {
            // no third event: hold the poll until the process is killed
            tokio::time::sleep(Duration::from_secs(3600)).await;
            (HeaderMap::new(), String::new())
        }
    }
}

async fn respond(State(stub): State<Arc<Stub>>, Path(_id): Path<String>, body: String) -> &'static str {
    stub.record(serde_json::from_str(&body).unwrap_or(Value::String(body)));
    "{}"
}

async fn failed(State(stub): State<Arc<Stub>>, body: String) -> &'static str {
    stub.record(json!({ "runtime_error": body }));
    "{}"
}

struct Sample {
    /// process start → first poll of the runtime API
    init: Duration,
    /// process start → response to the first event
    cold: Duration,
    /// the second event, delivered → answered (the event's own work, warm)
    warm: Duration,
    response: Value,
}

/// Starts the binary against a fresh runtime-API stub and times its first two invocations.
async fn invoke_once(binary: &PathBuf, events: [Value; 2], env: &[(String, String)]) -> Result<Sample, String> {
    let stub = Arc::new(Stub::default());
    stub.events.lock().expect("lock").extend(events);
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .route("/2018-06-01/runtime/init/error", post(failed))
        .with_state(stub.clone());
    let (addr, server) = startup::serve(app).await?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .envs(startup::lambda_variables(&addr.to_string()))
        .envs(env.iter().cloned())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let waited = tokio::time::timeout(Duration::from_secs(20), stub.done.notified()).await;
    let _ = child.kill().await;
    server.abort();
    waited.map_err(|_| format!("{} did not answer twice in 20 s", binary.display()))?;
    let first_poll = stub.first_poll.lock().expect("lock").ok_or("no poll")?;
    let delivered = stub.delivered.lock().expect("lock").clone();
    let mut responses = std::mem::take(&mut *stub.responses.lock().expect("lock"));
    if responses.len() < 2 || delivered.len() < 2 {
        return Err(format!("{}: expected two responses", binary.display()));
    }
    let (warm_at, _) = responses.pop().ok_or("no warm response")?;
    let (cold_at, response) = responses.pop().ok_or("no cold response")?;
    Ok(Sample {
        init: first_poll - started,
        cold: cold_at - started,
        warm: warm_at - delivered[1],
        response,
    })
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn api_gateway_event(email: &str) -> Value {
    let body = json!({"email": email, "name": "Bench Lead", "company": "Shree Textile Industries", "title": "CEO",
                      "country": "India", "state": "Maharashtra", "budget": "5-10 lakh", "timeline": "next quarter"});
    json!({
        "version": "2.0", "routeKey": "POST /leads", "rawPath": "/leads", "rawQueryString": "",
        "headers": {"content-type": "application/json", "accept": "application/json", "host": "api.example.com"},
        "requestContext": {"accountId": "123456789012", "apiId": "bench", "domainName": "api.example.com", "domainPrefix": "api",
            "http": {"method": "POST", "path": "/leads", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": format!("req-{email}"), "routeKey": "POST /leads", "stage": "$default", "time": "02/Nov/2026:10:00:00 +0000", "timeEpoch": 1793613600000u64},
        "body": body.to_string(), "isBase64Encoded": false
    })
}

fn sqs_event(lead_id: &str) -> Value {
    let body = json!({"type": "lead.captured", "version": 1, "id": format!("captured-{lead_id}"), "occurred_at": "2026-11-02T10:00:00Z",
                      "correlation_id": "bench", "payload": {"lead_id": lead_id}});
    json!({"Records": [{"messageId": format!("m-{lead_id}"), "receiptHandle": "r", "body": body.to_string(),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1793613600000", "SenderId": "bench", "ApproximateFirstReceiveTimestamp": "1793613600000"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:scoring", "awsRegion": "ap-south-1"}]})
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("dashboards") {
        return dashboards::reads_per_dashboard().await;
    }
    if args.get(1).map(String::as_str) == Some("payout-run") {
        return payout_run::payout_run().await;
    }
    if args.get(1).map(String::as_str) == Some("startup") {
        let dir = args
            .get(2)
            .map(PathBuf::from)
            .unwrap_or_else(|| "target/release".into());
        return startup::init_ratios(dir, args.get(3..).unwrap_or_default()).await;
    }
    if args.get(1).map(String::as_str) == Some("pages") {
        return pages::page_times().await;
    }
    if args.get(1).map(String::as_str) == Some("load") {
        return load::load_and_cost(args.get(2).map(String::as_str) == Some("--aws")).await;
    }
    if args.get(1).map(String::as_str) == Some(imports::CHILD) {
        let rows = args.get(4).and_then(|r| r.parse().ok()).ok_or("rows")?;
        return imports::child(PathBuf::from(&args[2]), &args[3], rows).await;
    }
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/release".into()));
    if std::env::var("AWS_ENDPOINT_URL").is_err() {
        return Err("AWS_ENDPOINT_URL is not set: run ./scripts/bench, which starts the emulator".into());
    }
    let sdk = sdk_config().await;
    let suffix = shared::ids::random_id().to_lowercase();
    let table_name = format!("bench-{suffix}");
    let dynamo = DynamoTable::new(&sdk, table_name.clone());
    dynamo.ensure_table().await.map_err(|e| e.to_string())?;
    let sqs = SqsQueue::new(&sdk);
    let scoring_q = sqs
        .ensure_queue(&format!("bench-{suffix}-scoring"))
        .await
        .map_err(|e| e.to_string())?;
    let sequence_q = sqs
        .ensure_queue(&format!("bench-{suffix}-sequence"))
        .await
        .map_err(|e| e.to_string())?;
    let clock = SystemClock;
    let seed = shared::usecases::resellers::NewReseller {
        name: Some("Bench Partner".into()),
        email: Some("bench@partner.example".into()),
        regions: vec!["IN".into()],
        industries: vec![],
        tier: Some("gold".into()),
        capacity: Some(100_000),
        status: None,
        win_rate: None,
        plan: None,
        parent_reseller_id: None,
    };
    shared::usecases::resellers::create(&dynamo, &clock, &seed)
        .await
        .map_err(|e| e.to_string())?;

    let env: Vec<(String, String)> = [
        ("TABLE_NAME", table_name.as_str()),
        ("SCORING_QUEUE_URL", scoring_q.as_str()),
        ("SEQUENCE_QUEUE_URL", sequence_q.as_str()),
        ("ADMIN_API_KEY", "bench-admin-key-0123456789"),
        ("THANK_YOU_URL", "https://www.example.com/thanks"),
        ("ERROR_URL", "https://www.example.com/error"),
        ("TRACKING_SECRET", "bench-tracking-secret"),
        ("REFERRAL_LANDING_URL", "https://www.example.com/"),
        ("RUST_LOG", "info"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    // Leads for the scoring runs to score, captured through the real use case.
    let capture_ports = CapturePorts {
        table: &dynamo,
        queue: &sqs,
        clock: &clock,
        scoring_queue: &scoring_q,
    };
    let mut lead_ids = Vec::new();
    for i in 0..2 * RUNS {
        let fields = json!({"email": format!("score-{i}-{suffix}@example.in"), "country": "IN", "title": "CEO"});
        let input = validate(fields.as_object().ok_or("object")?).map_err(|e| format!("{e:?}"))?;
        if let Captured::Created { lead_id } = capture_lead(&capture_ports, &input, None, "bench")
            .await
            .map_err(|e| e.to_string())?
        {
            lead_ids.push(lead_id);
        }
    }

    let binaries = ["hello-lambda", "lead-capture", "scoring"];
    let mut samples: Vec<Vec<Sample>> = binaries.iter().map(|_| Vec::new()).collect();
    for (run, pair) in lead_ids.chunks(2).enumerate() {
        // interleaved, so a noisy moment hurts every binary alike
        for (b, name) in binaries.iter().enumerate() {
            let events = match *name {
                "lead-capture" => [0, 1].map(|i| api_gateway_event(&format!("cold-{run}-{i}-{suffix}@example.in"))),
                "scoring" => [sqs_event(&pair[0]), sqs_event(&pair[1])],
                _ => [json!({"hello": "world"}), json!({"hello": "again"})],
            };
            let s = invoke_once(&dir.join(name), events, &env).await?;
            samples[b].push(s);
        }
    }
    // every measured first response must be the real thing, not an error
    for s in &samples[1] {
        if s.response["statusCode"] != 201 {
            return Err(format!("lead-capture answered {}", s.response));
        }
    }
    for s in &samples[2] {
        if s.response.get("runtime_error").is_some()
            || s.response["batchItemFailures"].as_array().is_none_or(|f| !f.is_empty())
        {
            return Err(format!("scoring answered {}", s.response));
        }
    }

    let base_init = median(samples[0].iter().map(|s| s.init).collect());
    let base_cold = median(samples[0].iter().map(|s| s.cold).collect());
    println!("\n## Start-up ({RUNS} runs each, medians; runtime-API stub on loopback, emulator for AWS calls)\n");
    println!("| binary | init (start → first poll) | init ratio | cold start (start → first response) | cold ratio | warm event | cold − warm | (cold − warm) ratio | size |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (b, name) in binaries.iter().enumerate() {
        let init = median(samples[b].iter().map(|s| s.init).collect());
        let cold = median(samples[b].iter().map(|s| s.cold).collect());
        let warm = median(samples[b].iter().map(|s| s.warm).collect());
        let overhead = median(samples[b].iter().map(|s| s.cold.saturating_sub(s.warm)).collect());
        let size = std::fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
        println!(
            "| {name} | {} | {:.2}× | {} | {:.2}× | {} | {} | {:.2}× | {:.2} MB |",
            ms(init),
            init.as_secs_f64() / base_init.as_secs_f64(),
            ms(cold),
            cold.as_secs_f64() / base_cold.as_secs_f64(),
            ms(warm),
            ms(overhead),
            overhead.as_secs_f64() / base_cold.as_secs_f64(),
            size as f64 / 1_000_000.0
        );
    }
    println!("(warm event: the same kind of event again in the warm process, i.e. the event's own work, mostly the emulator's round trips; cold − warm: what starting cold adds)");
    // `BENCH_ONLY=startup ./scripts/bench`: the start-up table alone (a quick, quiet re-measure)
    if std::env::var("BENCH_ONLY").as_deref() == Ok("startup") {
        return Ok(());
    }

    // Requests per lead, counted at the AWS adapters.
    let counts = Arc::new(Counts::default());
    let table = Arc::new(CountingTable {
        inner: dynamo.clone(),
        counts: counts.clone(),
    });
    let queue = Arc::new(CountingQueue {
        inner: sqs.clone(),
        counts: counts.clone(),
    });
    let scoring = Scoring {
        table: table.clone(),
        queue: queue.clone(),
        clock: Arc::new(SystemClock),
        rules: Rules::default(),
        roster: RosterCache::new(Duration::from_secs(30)),
        sequence_queue: sequence_q.clone(),
    };
    let counted_ports = CapturePorts {
        table: table.as_ref(),
        queue: queue.as_ref(),
        clock: &clock,
        scoring_queue: &scoring_q,
    };
    let leads = 20u64;
    let mut capture_total = shared::adapters::counting::Snapshot::default();
    let mut score_total = shared::adapters::counting::Snapshot::default();
    for i in 0..leads {
        let fields = json!({"email": format!("count-{i}-{suffix}@example.in"), "country": "IN"});
        let input = validate(fields.as_object().ok_or("object")?).map_err(|e| format!("{e:?}"))?;
        let before = counts.snapshot();
        let Captured::Created { lead_id } = capture_lead(&counted_ports, &input, None, "bench")
            .await
            .map_err(|e| e.to_string())?
        else {
            return Err("not created".into());
        };
        let mid = counts.snapshot();
        let body = sqs_event(&lead_id)["Records"][0]["body"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let batch = local_stack::consumers::event(&[("m", &body)]);
        let res = scoring.handle_batch(batch).await;
        if !res.batch_item_failures.is_empty() {
            return Err("scoring failed".into());
        }
        let after = counts.snapshot();
        capture_total.reads += mid.reads - before.reads;
        capture_total.writes += mid.writes - before.writes;
        capture_total.sends += mid.sends - before.sends;
        score_total.reads += after.reads - mid.reads;
        score_total.writes += after.writes - mid.writes;
        score_total.transactions += after.transactions - mid.transactions;
        score_total.sends += after.sends - mid.sends;
    }
    // drain what the counted runs queued, so the emulator's queues are left empty
    let _ = queue.depth(&scoring_q).await;
    println!("\n## AWS requests per lead ({leads} leads, counted at the adapters)\n");
    println!("| step | DynamoDB reads | DynamoDB writes (transactions) | SQS sends |");
    println!("|---|---|---|---|");
    let per = |n: u64| n as f64 / leads as f64;
    println!(
        "| capture | {:.2} | {:.2} | {:.2} |",
        per(capture_total.reads),
        per(capture_total.writes),
        per(capture_total.sends)
    );
    println!(
        "| scoring | {:.2} | {:.2} ({:.2}) | {:.2} |",
        per(score_total.reads),
        per(score_total.writes),
        per(score_total.transactions),
        per(score_total.sends)
    );
    println!("(scoring reads include one roster query on the first lead; the roster is then cached for 30 s)");

    commission_throughput();
    renewal_scan().await?;
    dashboards::reads_per_dashboard().await?;
    pages::page_times().await?;
    payout_run::payout_run().await?;
    load::load_and_cost(false).await?;
    load::load_and_cost(true).await?;
    sequence_sending(&dynamo, &sqs, &scoring_q).await?;
    commission_requests(&dynamo, &sqs, &scoring_q, &suffix).await?;
    imports::aws_requests(&suffix).await?;
    imports::embedded().await?;
    Ok(())
}

/// Commission computation in-process: a synthetic month of 100,000 payments on 10,000 orders.
fn commission_throughput() {
    use shared::domain::commission::{for_payment, CommissionRules, Deal, Earned, PaymentKind, Plan};
    use shared::domain::reseller::Tier;
    let rules = CommissionRules::default();
    let orders = 10_000usize;
    let deals: Vec<Deal> = (0..orders)
        .map(|i| Deal {
            currency: if i % 20 == 0 { "USD".into() } else { "INR".into() },
            licence_value: rust_decimal::Decimal::from(200_000 + (i as i64 % 97) * 150_000),
            closer: format!("R{}", i % 500),
            closer_tier: Tier::Registered,
            closer_plan: Plan::Tiered,
            parent: (i % 7 == 0).then(|| format!("P{}", i % 50)),
            ancestors: vec![],
            rates: None,
            referring_reseller: (i % 5 == 0).then(|| format!("R{}", (i + 1) % 500)),
            customer_referrer: (i % 11 == 0).then(|| format!("C{}", i % 300)),
            sell_price: None,
        })
        .collect();
    let mut earned = vec![Earned::default(); orders];
    let payments = 100_000usize;
    let started = Instant::now();
    let mut entries = 0usize;
    for n in 0..payments {
        let o = n % orders;
        let kind = match n % 10 {
            0..=5 => PaymentKind::Licence,
            6 | 7 => PaymentKind::Amc,
            8 => PaymentKind::Renewal,
            _ => PaymentKind::Milestone,
        };
        let amount = rust_decimal::Decimal::new(1_000_000 + (n as i64 * 7919) % 5_000_000, 2);
        match for_payment(&deals[o], kind, amount, &earned[o], &rules) {
            Ok((drafts, next)) => {
                entries += drafts.len();
                earned[o] = next;
            }
            Err(e) => eprintln!("payment {n}: {e}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("\n## Commission computation (in-process, {payments} payments on {orders} orders)\n");
    println!("| payments | entries | time | payments/s | entries/s |");
    println!("|---|---|---|---|---|");
    println!(
        "| {payments} | {entries} | {:.0} ms | {:.0} | {:.0} |",
        secs * 1000.0,
        payments as f64 / secs,
        entries as f64 / secs
    );
}

/// AWS requests per payment applied by the commission step, counted at the adapters.
async fn commission_requests(
    dynamo: &DynamoTable,
    sqs: &SqsQueue,
    queue_url: &str,
    suffix: &str,
) -> Result<(), String> {
    use shared::domain::billing::{validate_order, validate_payment, OrderIn, PaymentIn};
    use shared::usecases::billing::{record_order, record_payment, BillingPorts};
    use shared::usecases::commission::{process_payment, CommissionPorts};
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: dynamo.clone(),
        counts: counts.clone(),
    };
    let clock = SystemClock;
    let seed = shared::usecases::resellers::NewReseller {
        name: Some("Bench Closer".into()),
        email: Some("closer@partner.example".into()),
        regions: vec!["IN".into()],
        industries: vec![],
        tier: None,
        capacity: Some(10),
        status: None,
        win_rate: None,
        plan: None,
        parent_reseller_id: None,
    };
    let (closer, _) = shared::usecases::resellers::create(dynamo, &clock, &seed)
        .await
        .map_err(|e| e.to_string())?;
    let lead_input = validate(
        json!({"email": format!("order-{suffix}@example.in")})
            .as_object()
            .ok_or("object")?,
    )
    .map_err(|e| format!("{e:?}"))?;
    let capture = CapturePorts {
        table: dynamo,
        queue: sqs,
        clock: &clock,
        scoring_queue: queue_url,
    };
    let Captured::Created { lead_id } = capture_lead(&capture, &lead_input, None, "bench")
        .await
        .map_err(|e| e.to_string())?
    else {
        return Err("lead not created".into());
    };
    let billing = BillingPorts {
        table: dynamo,
        queue: sqs,
        clock: &clock,
        commission_queue: queue_url,
    };
    let order: OrderIn = serde_json::from_value(json!({
        "order_id": format!("ORD-{suffix}"), "lead_id": lead_id, "reseller_id": closer.reseller_id,
        "customer": {"name": "Bench Customer"}, "currency": "INR",
        "lines": [{"kind": "licence", "product": "ERP", "amount": "1000000"}, {"kind": "amc", "product": "AMC", "amount": "200000"}]
    }))
    .map_err(|e| e.to_string())?;
    record_order(
        &billing,
        validate_order(&order, &Default::default()).map_err(|e| format!("{e:?}"))?,
        "h",
    )
    .await
    .map_err(|e| e.to_string())?;
    let rules = Rules::default();
    let ports = CommissionPorts {
        table: &table,
        clock: &clock,
        rules: &rules,
    };
    let n = 10u64;
    let before = counts.snapshot();
    for i in 0..n {
        let kind = if i % 2 == 0 { "licence" } else { "amc" };
        let p: PaymentIn = serde_json::from_value(json!({
            "payment_id": format!("PAY-{suffix}-{i}"), "order_id": format!("ORD-{suffix}"), "kind": kind,
            "amount": "10000.00", "currency": "INR", "paid_at": "2026-10-05T10:00:00Z"
        }))
        .map_err(|e| e.to_string())?;
        record_payment(
            &billing,
            validate_payment(&p, &Default::default()).map_err(|e| format!("{e:?}"))?,
            "h",
        )
        .await
        .map_err(|e| e.to_string())?;
        process_payment(&ports, &format!("PAY-{suffix}-{i}"))
            .await
            .map_err(|e| e.to_string())?;
    }
    let after = counts.snapshot();
    let per = |a: u64, b: u64| (a - b) as f64 / n as f64;
    println!("\n## AWS requests per payment applied ({n} payments, commission step, counted at the adapters)\n");
    println!("| DynamoDB reads | DynamoDB writes | of which transactions |");
    println!("|---|---|---|");
    println!(
        "| {:.2} | {:.2} | {:.2} |",
        per(after.reads, before.reads),
        per(after.writes, before.writes),
        per(after.transactions, before.transactions)
    );
    println!("(reads: the payment and its order, plus the lead on an order's first payment; the one transaction holds every entry, its guard, the order's totals and the payment's status)");
    Ok(())
}

/// The nightly renewal scan on the embedded table: 100,000 contracts, 2,000 renewing in the
/// next 60 days. Items read ÷ items in the window shows whether it scans (target 1.0).
async fn renewal_scan() -> Result<(), String> {
    use shared::adapters::embedded::{EmbeddedTable, OutboxMailer};
    use shared::usecases::renewals::{scan, ScanPorts};
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-02T02:00:00+05:30")
        .map_err(|e| e.to_string())?
        .with_timezone(&chrono::Utc);
    let (total, window) = (100_000usize, 2_000usize);
    local_stack::demo::seed_contracts(&table, now, total, window).await;
    let dir = std::env::temp_dir().join(format!("bench-outbox-{}", shared::ids::random_id()));
    let mailer = OutboxMailer::open(dir).map_err(|e| e.to_string())?;
    let rules = Rules::default();
    let ports = ScanPorts {
        table: &table,
        mailer: &mailer,
        clock: &SystemClock,
        rules: &rules,
        mail_from: "alerts@partners.example",
    };
    let before = counts.snapshot();
    let started = Instant::now();
    let report = scan(&ports, now).await.map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let after = counts.snapshot();
    println!("\n## Renewal scan (embedded table: {total} contracts, {window} renewing within 60 days)\n");
    println!("| contracts in window | items read | items read ÷ in window | queries | time |");
    println!("|---|---|---|---|---|");
    println!(
        "| {} | {} | {:.2} | {} | {} |",
        window,
        after.items_read - before.items_read,
        (after.items_read - before.items_read) as f64 / window as f64,
        after.reads - before.reads,
        ms(elapsed)
    );
    if report.read != window {
        return Err(format!("the scan read {} contracts, expected {window}", report.read));
    }
    Ok(())
}

/// Counts SES calls.
struct CountingMailer<M> {
    inner: M,
    calls: std::sync::atomic::AtomicU64,
}

#[async_trait::async_trait]
impl<M: shared::ports::Mailer> shared::ports::Mailer for CountingMailer<M> {
    async fn send_raw(
        &self,
        from: &str,
        to: &[String],
        mime: Vec<u8>,
    ) -> Result<String, shared::ports::mailer::MailError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.send_raw(from, to, mime).await
    }
}

/// Leads captured and enrolled in the drip sequence (its first step due at once).
async fn enrolled_leads(
    table: &dyn shared::ports::Table,
    queue: &dyn Queue,
    queue_id: &str,
    ports: &shared::usecases::sequences::SequencePorts<'_>,
    n: usize,
    tag: &str,
) -> Result<(), String> {
    let clock = SystemClock;
    let capture = CapturePorts {
        table,
        queue,
        clock: &clock,
        scoring_queue: queue_id,
    };
    for i in 0..n {
        let fields = json!({"email": format!("seq-{tag}-{i}@example.in"), "name": "Asha <Rao>", "company": "Acme & Sons", "country": "IN"});
        let input = validate(fields.as_object().ok_or("object")?).map_err(|e| format!("{e:?}"))?;
        let Captured::Created { lead_id } = capture_lead(&capture, &input, None, "bench")
            .await
            .map_err(|e| e.to_string())?
        else {
            return Err("not created".into());
        };
        shared::usecases::sequences::on_qualified(ports, &lead_id)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Sequence emails: rendered and handed to the mailer per second (embedded, 1,000 due steps);
/// AWS requests per email sent (emulator, counted at the adapters).
async fn sequence_sending(dynamo: &DynamoTable, sqs: &SqsQueue, queue_url: &str) -> Result<(), String> {
    use shared::adapters::embedded::{EmbeddedQueue, EmbeddedTable, OutboxMailer};
    use shared::usecases::sequences::{send_due, SequencePorts};
    let mut rules = Rules::default();
    rules.sequences.sends_per_run = 1_000;
    let table = EmbeddedTable::in_memory();
    let queue = EmbeddedQueue::new(&["scoring"], Duration::from_secs(30), 5, None).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("bench-seq-{}", shared::ids::random_id()));
    let mailer = OutboxMailer::open(dir).map_err(|e| e.to_string())?;
    let clock = SystemClock;
    let ports = SequencePorts {
        table: &table,
        mailer: &mailer,
        clock: &clock,
        rules: &rules,
        mail_from: "Partner Programme <alerts@partners.example>",
        public_base_url: "https://api.example.com",
        tracking_secret: "bench-secret",
    };
    enrolled_leads(&table, &queue, "scoring", &ports, 1_000, "emb").await?;
    // a weekday inside Indian business hours, after every first step fell due
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-07T10:00:00+05:30")
        .map_err(|e| e.to_string())?
        .with_timezone(&chrono::Utc);
    let started = Instant::now();
    let report = send_due(&ports, now).await.map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "\n## Sequence emails (embedded: {} due steps rendered and handed to the outbox mailer)\n",
        report.due
    );
    println!("| sent | time | emails/s |");
    println!("|---|---|---|");
    println!(
        "| {} | {:.0} ms | {:.0} |",
        report.sent,
        secs * 1000.0,
        report.sent as f64 / secs
    );

    // against the emulator
    let ses = shared::adapters::aws::SesMailer::new(&sdk_config().await);
    ses.verify_domain("partners.example").await.map_err(|e| e.to_string())?;
    let counting_mailer = CountingMailer {
        inner: ses,
        calls: Default::default(),
    };
    let counts = Arc::new(Counts::default());
    let counted = CountingTable {
        inner: dynamo.clone(),
        counts: counts.clone(),
    };
    let aws_ports = SequencePorts {
        table: &counted,
        mailer: &counting_mailer,
        clock: &clock,
        rules: &rules,
        mail_from: "Partner Programme <alerts@partners.example>",
        public_base_url: "https://api.example.com",
        tracking_secret: "bench-secret",
    };
    let tag = shared::ids::random_id().to_lowercase();
    enrolled_leads(dynamo, sqs, queue_url, &aws_ports, 20, &tag).await?;
    let before = counts.snapshot();
    let calls_before = counting_mailer.calls.load(std::sync::atomic::Ordering::SeqCst);
    let report = send_due(&aws_ports, now).await.map_err(|e| e.to_string())?;
    let after = counts.snapshot();
    let sent = report.sent.max(1) as f64;
    let ses_calls = counting_mailer.calls.load(std::sync::atomic::Ordering::SeqCst) - calls_before;
    println!(
        "\n## AWS requests per sequence email ({} sent, against the emulator)\n",
        report.sent
    );
    println!("| DynamoDB reads | DynamoDB writes | SES calls |");
    println!("|---|---|---|");
    println!(
        "| {:.2} | {:.2} | {:.2} |",
        (after.reads - before.reads) as f64 / sent,
        (after.writes - before.writes) as f64 / sent,
        ses_calls as f64 / sent
    );
    println!("(reads: the due-index page, the lead, its suppression entry and its reseller; the one write is the conditional claim)");
    Ok(())
}
