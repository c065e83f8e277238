//! Load and cost (issue 16): concurrent website leads, each followed by its order and its
//! payment, through the embedded local stack's whole router for a fixed time; throughput,
//! latency per request kind, errors; then every request the functions made of the table, the
//! queues and the mailer, counted at the adapters, priced at AWS list prices: the cost per
//! 1,000 leads carried from capture to a paid order (scored, routed, nurtured, commissioned).

use crate::pages::{call, drain, json_req, percentile};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use shared::adapters::counting::Counts;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "local-webhook-secret";
const WORKERS: usize = 8;
const RUN: Duration = Duration::from_secs(15);

/// USD list prices used (us-east-1 as published in 2025; ap-south-1 differs by a few percent:
/// replace them with the region's current page before relying on the figure).
mod price {
    /// API Gateway HTTP API, per request
    pub const HTTP_API: f64 = 1.00 / 1e6;
    /// Lambda, per request and per GB-second on arm64
    pub const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
    pub const LAMBDA_GB_S: f64 = 0.000_013_333_4;
    /// DynamoDB on demand, per write and per read request unit
    pub const WRU: f64 = 0.625 / 1e6;
    pub const RRU: f64 = 0.125 / 1e6;
    /// SQS standard, per request (a message costs a send, a receive and a delete)
    pub const SQS_REQUEST: f64 = 0.40 / 1e6;
    /// SES, per email
    pub const SES_EMAIL: f64 = 0.10 / 1e3;
}
/// Billed per invocation: the template's memory, and an assumed duration (the in-process
/// times below leave out DynamoDB's network round trips, which dominate in AWS).
const LAMBDA_GB: f64 = 0.25;
const LAMBDA_SECONDS: f64 = 0.05;

#[derive(Default)]
struct Timings {
    lead: Vec<Duration>,
    order: Vec<Duration>,
    payment: Vec<Duration>,
}

fn signed_req(path: &str, body: &serde_json::Value) -> Result<Request<Body>, String> {
    let bytes = body.to_string().into_bytes();
    let sig = shared::handlers::signature::sign(SECRET, chrono::Utc::now().timestamp(), &bytes);
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-signature", sig)
        .body(Body::from(bytes))
        .map_err(|e| e.to_string())
}

async fn timed(app: &axum::Router, req: Request<Body>, ok: StatusCode) -> Result<(Duration, bool, Vec<u8>), String> {
    let started = Instant::now();
    let r = call(app, req).await?;
    Ok((started.elapsed(), r.status == ok, r.body))
}

/// `aws`: the same load, smaller (4 clients, 10 s), on the AWS adapters against the emulator
/// (`AWS_ENDPOINT_URL`, required): throughput, latency and errors; the cost comes from the
/// embedded run, whose adapters count the requests.
pub async fn load_and_cost(aws: bool) -> Result<(), String> {
    let counts = Arc::new(Counts::default());
    let (running, app, dir) = if aws {
        if std::env::var("AWS_ENDPOINT_URL").is_err() {
            return Err("load --aws drives the emulator: set AWS_ENDPOINT_URL (./scripts/bench starts one)".into());
        }
        crate::pages::bench_stack_on("load", None, true).await?
    } else {
        crate::pages::bench_stack("load", Some(counts.clone())).await?
    };
    let (workers, run) = if aws {
        (4, Duration::from_secs(10))
    } else {
        (WORKERS, RUN)
    };
    let reseller = crate::pages::gold_reseller(&app, "Load Reseller", 100_000).await?;
    let mails_before = running
        .stack
        .outbox
        .as_ref()
        .map(|o| o.list().map(|l| l.len()).unwrap_or(0))
        .unwrap_or(0);
    let before = counts.snapshot();

    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let timings = Arc::new(Mutex::new(Timings::default()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (app, next, errors, timings, reseller) = (
            app.clone(),
            next.clone(),
            errors.clone(),
            timings.clone(),
            reseller.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < run {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let mut req = json_req(
                    "POST",
                    "/leads",
                    None,
                    &json!({"email": format!("buyer{i}@load{i}.in"), "country": "IN", "title": "CFO",
                            "company": format!("Load {i}"), "budget": "10 lakh", "timeline": "this quarter"}),
                )?;
                let from = format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256);
                req.headers_mut()
                    .insert("x-forwarded-for", from.parse().map_err(|_| "address".to_string())?);
                let (t, ok, body) = timed(&app, req, StatusCode::CREATED).await?;
                if !ok {
                    errors.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                let lead: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                let lead = lead["lead_id"].as_str().unwrap_or_default().to_string();
                let order_id = format!("ORD-LOAD-{i}");
                let order = json!({"order_id": order_id, "lead_id": lead, "reseller_id": reseller,
                    "customer": {"name": format!("Load {i}"), "domain": format!("load{i}.in")}, "currency": "INR",
                    "lines": [{"kind": "licence", "product": "ERP", "amount": "500000"}]});
                let (to, ok_o, _) = timed(&app, signed_req("/billing/orders", &order)?, StatusCode::ACCEPTED).await?;
                let payment = json!({"payment_id": format!("PAY-LOAD-{i}"), "order_id": order_id, "kind": "licence",
                    "amount": "500000", "currency": "INR", "paid_at": chrono::Utc::now().to_rfc3339()});
                let (tp, ok_p, _) =
                    timed(&app, signed_req("/billing/payments", &payment)?, StatusCode::ACCEPTED).await?;
                if !(ok_o && ok_p) {
                    errors.fetch_add(1, Ordering::SeqCst);
                }
                let mut t_all = timings.lock().map_err(|_| "timings".to_string())?;
                t_all.lead.push(t);
                t_all.order.push(to);
                t_all.payment.push(tp);
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    let driven = started.elapsed();
    drain(&app).await?;
    let after = counts.snapshot();
    let mails = running
        .stack
        .outbox
        .as_ref()
        .map(|o| o.list().map(|l| l.len()).unwrap_or(0))
        .unwrap_or(0)
        - mails_before;
    let mut t = std::mem::take(&mut *timings.lock().map_err(|_| "timings".to_string())?);
    let leads = t.lead.len() as f64;
    println!(
        "\n## Load: {workers} concurrent clients for {} s ({}, in-process)\n",
        run.as_secs(),
        if aws {
            "AWS adapters on the emulator"
        } else {
            "embedded stack"
        }
    );
    println!("| requests | kind | per second | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for (kind, v) in [
        ("POST /leads", &mut t.lead),
        ("POST /billing/orders", &mut t.order),
        ("POST /billing/payments", &mut t.payment),
    ] {
        v.sort();
        println!(
            "| {} | {kind} | {:.0} | {:.2} ms | {:.2} ms |",
            v.len(),
            v.len() as f64 / driven.as_secs_f64(),
            percentile(v, 0.5),
            percentile(v, 0.99)
        );
    }
    println!("\nErrors: {} (target: none).", errors.load(Ordering::SeqCst));
    if aws {
        running.stop().await;
        return Ok(());
    }

    // the cost of carrying those leads to a paid order, per 1,000
    let per = |n: u64| n as f64 / leads * 1000.0;
    let http = 3.0 * 1000.0;
    let sqs_messages = per(after.sends - before.sends);
    let invocations = http + sqs_messages;
    let rru = per((after.items_read - before.items_read).max(after.reads - before.reads));
    let single_writes = (after.writes - before.writes) - (after.transactions - before.transactions);
    let wru = per(single_writes) + per(after.transaction_items - before.transaction_items) * 2.0;
    let emails = per(mails as u64);
    let lines = [
        ("API Gateway HTTP API requests", http, http * price::HTTP_API),
        (
            "Lambda invocations (HTTP + one per queued message)",
            invocations,
            invocations * price::LAMBDA_REQUEST,
        ),
        (
            "Lambda GB-seconds (256 MB × 50 ms each, assumed)",
            invocations * LAMBDA_GB * LAMBDA_SECONDS,
            invocations * LAMBDA_GB * LAMBDA_SECONDS * price::LAMBDA_GB_S,
        ),
        ("DynamoDB write request units", wru, wru * price::WRU),
        ("DynamoDB read request units", rru, rru * price::RRU),
        (
            "SQS requests (send, receive, delete per message)",
            sqs_messages * 3.0,
            sqs_messages * 3.0 * price::SQS_REQUEST,
        ),
        ("SES emails", emails, emails * price::SES_EMAIL),
    ];
    println!(
        "\n## Cost per 1,000 leads, capture to a paid order ({} leads measured)\n",
        leads as u64
    );
    println!("| what | count per 1,000 leads | USD |");
    println!("|---|---|---|");
    let mut total = 0.0;
    for (what, n, usd) in lines {
        total += usd;
        println!("| {what} | {n:.0} | {usd:.4} |");
    }
    println!("| **total** | | **{total:.4}** |");
    running.stop().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
