//! Server time per portal page (p50, p95) and page weight (issue 14), on the embedded local
//! stack: a reseller with 100, then 1,000 routed leads and the worked example's payments, its admin.
//! Requests go through the stack's whole router in-process (`tower::ServiceExt::oneshot`),
//! so the times are the server's, without sockets.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};
use tower::ServiceExt;

pub(crate) const ADMIN_KEY: &str = "bench-admin-key";
const SECRET: &str = "local-webhook-secret";
const RUNS: usize = 60;

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

pub(crate) async fn call(app: &axum::Router, req: Request<Body>) -> Result<Reply, String> {
    let res = app.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 8 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?
        .to_vec();
    Ok(Reply { status, headers, body })
}

pub(crate) fn json_req(
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> Result<Request<Body>, String> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        b = b.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    b.body(Body::from(body.to_string())).map_err(|e| e.to_string())
}

pub(crate) async fn signed(app: &axum::Router, path: &str, body: &serde_json::Value) -> Result<(), String> {
    let bytes = body.to_string().into_bytes();
    let sig = shared::handlers::signature::sign(SECRET, chrono::Utc::now().timestamp(), &bytes);
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-signature", sig)
        .body(Body::from(bytes))
        .map_err(|e| e.to_string())?;
    let r = call(app, req).await?;
    if r.status != StatusCode::ACCEPTED {
        return Err(format!("{path}: {}", r.status));
    }
    Ok(())
}

pub(crate) async fn drain(app: &axum::Router) -> Result<(), String> {
    let req = Request::builder()
        .method("POST")
        .uri("/_local/drain")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    match call(app, req).await?.status {
        StatusCode::OK => Ok(()),
        s => Err(format!("drain: {s}")),
    }
}

/// Logs `email` in through the emailed link: the session cookie.
async fn log_in(app: &axum::Router, stack: &local_stack::Stack, email: &str) -> Result<String, String> {
    let req = Request::builder()
        .method("POST")
        .uri("/portal/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("email={}", email.replace('@', "%40"))))
        .map_err(|e| e.to_string())?;
    call(app, req).await?;
    // the link is mailed by the sequence sender, from the queue
    drain(app).await?;
    let outbox = stack.outbox.clone().ok_or("no outbox")?;
    let mails = outbox.list().map_err(|e| e.to_string())?;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == email) && m.subject.contains("login link"))
        .ok_or("no login email")?;
    let link = mail.text[mail.text.find("http").ok_or("no link")?..]
        .split_whitespace()
        .next()
        .ok_or("no link")?;
    let path = &link[link.find("/portal/").ok_or("no path")?..];
    let req = Request::builder()
        .uri(path)
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let r = call(app, req).await?;
    let cookie = r
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no session cookie")?;
    Ok(cookie.to_string())
}

/// The `p` quantile (0–1) of sorted latencies, in milliseconds (a time, not money).
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// The pages at 100, 1,000 and 10,000 leads of one reseller, each on a fresh stack; then how
/// much slower each page is at 10,000 than at 100 (the ratio of the p50s: flat is about 1).
pub async fn page_times() -> Result<(), String> {
    let mut runs = Vec::new();
    for leads in [100, 1_000, 10_000] {
        runs.push((leads, page_times_at(leads).await?));
    }
    if let (Some((small, first)), Some((large, last))) = (runs.first(), runs.last()) {
        println!("\n## p50 at {large} leads ÷ p50 at {small}\n");
        println!("| page | who | ratio |");
        println!("|---|---|---|");
        for ((path, who, a), (_, _, b)) in first.iter().zip(last) {
            // the lead page's id differs between the runs
            let path = if path.starts_with("/portal/leads/") {
                "/portal/leads/{id}"
            } else {
                path
            };
            println!("| `{path}` | {who} | {:.2}× |", b / a);
        }
    }
    Ok(())
}

/// A fresh embedded local stack in a temporary folder (its requests counted when asked), its
/// whole router, and the folder to remove after.
pub(crate) async fn bench_stack(
    name: &str,
    counts: Option<std::sync::Arc<shared::adapters::counting::Counts>>,
) -> Result<(local_stack::Running, axum::Router, std::path::PathBuf), String> {
    bench_stack_on(name, counts, false).await
}

/// The same on the AWS adapters (`aws`: at `AWS_ENDPOINT_URL`, with a table, queues and bucket
/// of its own).
pub(crate) async fn bench_stack_on(
    name: &str,
    counts: Option<std::sync::Arc<shared::adapters::counting::Counts>>,
    aws: bool,
) -> Result<(local_stack::Running, axum::Router, std::path::PathBuf), String> {
    let dir = std::env::temp_dir().join(format!("bench-{name}-{}", std::process::id()));
    let mut o = local_stack::Options::defaults(dir.clone());
    o.port = 0;
    o.admin_key = ADMIN_KEY.into();
    o.visibility = Duration::from_millis(300);
    o.counts = counts;
    if aws {
        let unique = format!("bench-{name}-{}", shared::ids::random_id().to_lowercase());
        o.aws = true;
        o.table_name = unique.clone();
        o.bucket = unique.clone();
        o.queue_prefix = unique;
        o.visibility = Duration::from_secs(30);
    }
    let running = local_stack::start(o).await?;
    let app = local_stack::app(running.stack.clone());
    Ok((running, app, dir))
}

/// A gold reseller covering India with room for `capacity` leads: its id.
pub(crate) async fn gold_reseller(app: &axum::Router, name: &str, capacity: u32) -> Result<String, String> {
    let email = format!("{}@resellers.example", name.to_lowercase().replace(' ', ""));
    let r = call(
        app,
        json_req(
            "POST",
            "/resellers",
            Some(ADMIN_KEY),
            &json!({"name": name, "email": email, "regions": ["IN"], "tier": "gold", "capacity": capacity}),
        )?,
    )
    .await?;
    let created: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
    created["reseller_id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no reseller: {created}"))
}

/// Each page's path, who asked, and its p50 in milliseconds.
async fn page_times_at(leads: usize) -> Result<Vec<(String, &'static str, f64)>, String> {
    let (running, app, dir) = bench_stack(&format!("pages-{leads}"), None).await?;
    let capacity = u32::try_from(leads).map_err(|e| e.to_string())?;
    let reseller = gold_reseller(&app, "Bench Reseller", capacity).await?;
    let mut first_lead = String::new();
    for i in 0..leads {
        let mut req = json_req(
            "POST",
            "/leads",
            None,
            &json!({"email": format!("buyer{i}@company{i}.in"), "country": "IN", "title": "CEO",
                    "company": format!("Company {i}"), "budget": "10 lakh", "timeline": "this quarter"}),
        )?;
        // each buyer from its own address (one address may post so many leads an hour)
        let from = format!("10.{}.{}.{}", i / 62_500, i / 250 % 250, i % 250 + 1);
        req.headers_mut()
            .insert("x-forwarded-for", from.parse().map_err(|_| "address".to_string())?);
        let r = call(&app, req).await?;
        if r.status != StatusCode::CREATED {
            return Err(format!("lead {i}: {}", r.status));
        }
        if i == 0 {
            let b: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
            first_lead = b["lead_id"].as_str().unwrap_or_default().to_string();
        }
    }
    drain(&app).await?;
    let order = json!({"order_id": "ORD-BENCH", "lead_id": first_lead, "reseller_id": reseller,
        "customer": {"name": "Shree Textile Industries", "domain": "shreetextiles.in"}, "currency": "INR",
        "lines": [{"kind": "licence", "product": "ERP", "amount": "1000000"}, {"kind": "amc", "product": "AMC", "amount": "200000"}]});
    signed(&app, "/billing/orders", &order).await?;
    let now = chrono::Utc::now().to_rfc3339();
    for (id, kind, amount) in [("PAY-BENCH-1", "licence", "1000000"), ("PAY-BENCH-2", "amc", "200000")] {
        let p = json!({"payment_id": id, "order_id": "ORD-BENCH", "kind": kind, "amount": amount, "currency": "INR", "paid_at": now});
        signed(&app, "/billing/payments", &p).await?;
    }
    drain(&app).await?;
    let reseller_cookie = log_in(&app, &running.stack, "benchreseller@resellers.example").await?;
    let admin_cookie = log_in(&app, &running.stack, "partner-admin@partners.example").await?;

    println!(
        "\n## Portal pages: server time and weight ({leads} leads of one reseller, {RUNS} requests each, in-process)\n"
    );
    println!("| page | who | p50 | p95 | HTML bytes |");
    println!("|---|---|---|---|---|");
    let month = now[..7].to_string();
    let pages: Vec<(String, &'static str, &str)> = vec![
        ("/portal".into(), "reseller", &reseller_cookie),
        ("/portal/pipeline".into(), "reseller", &reseller_cookie),
        (format!("/portal/leads/{first_lead}"), "reseller", &reseller_cookie),
        (format!("/portal/ledger?month={month}"), "reseller", &reseller_cookie),
        ("/portal/payouts".into(), "reseller", &reseller_cookie),
        ("/portal/referrals".into(), "reseller", &reseller_cookie),
        ("/portal/registrations".into(), "reseller", &reseller_cookie),
        ("/portal/keys".into(), "reseller", &reseller_cookie),
        ("/portal".into(), "admin", &admin_cookie),
        ("/portal/admin/queue".into(), "admin", &admin_cookie),
        ("/portal/admin/resellers".into(), "admin", &admin_cookie),
        ("/portal/admin/applications".into(), "admin", &admin_cookie),
    ];
    let mut p50s = Vec::new();
    for (path, who, cookie) in pages {
        let mut times = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for i in 0..RUNS + 5 {
            let req = Request::builder()
                .uri(&path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .map_err(|e| e.to_string())?;
            let started = Instant::now();
            let r = call(&app, req).await?;
            let took = started.elapsed();
            if r.status != StatusCode::OK {
                return Err(format!("{path}: {}", r.status));
            }
            bytes = r.body.len();
            if i >= 5 {
                times.push(took);
            }
        }
        times.sort();
        println!(
            "| `{path}` | {who} | {:.2} ms | {:.2} ms | {bytes} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        p50s.push((path, who, percentile(&times, 0.5)));
    }
    running.stop().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(p50s)
}
