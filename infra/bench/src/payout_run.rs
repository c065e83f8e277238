//! `bench payout-run`: the monthly payout run's work follows the payees with something to pay
//! or carry, not the roster. On the embedded local stack: 10,000 resellers, of whom 500 close a
//! paid licence deal this month; then the month's payout (coordinator, workers, statements,
//! finance's email) with the table's requests counted. Printed: tickets issued and the reads
//! and items read by the run, beside the roster and the earners.

use crate::pages::{bench_stack, call, drain, gold_reseller, json_req, signed, ADMIN_KEY};
use chrono::{Datelike, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

/// The roster and its earners (`BENCH_ROSTER` for a quicker run: a twentieth of it earns).
fn sizes() -> (usize, usize) {
    let roster = std::env::var("BENCH_ROSTER")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10_000usize);
    (roster, (roster / 20).max(1))
}

async fn get_json(app: &axum::Router, path: &str) -> Result<Value, String> {
    let r = call(app, json_req("GET", path, Some(ADMIN_KEY), &Value::Null)?).await?;
    serde_json::from_slice(&r.body).map_err(|e| format!("{path}: {e}"))
}

/// A new lead from its own address: its id (scored and routed when the queues are drained).
async fn new_lead(app: &axum::Router, i: usize) -> Result<String, String> {
    let mut req = json_req(
        "POST",
        "/leads",
        None,
        &json!({"email": format!("buyer{i}@payrun{i}.in"), "country": "IN", "title": "CEO"}),
    )?;
    let from = format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256);
    req.headers_mut()
        .insert("x-forwarded-for", from.parse().map_err(|_| "address".to_string())?);
    let created: Value = serde_json::from_slice(&call(app, req).await?.body).map_err(|e| e.to_string())?;
    created["lead_id"]
        .as_str()
        .map(str::to_string)
        .ok_or(format!("no lead: {created}"))
}

/// Gives `lead` to `reseller` unless routing already did.
async fn assign(app: &axum::Router, lead: &str, reseller: &str) -> Result<(), String> {
    if get_json(app, &format!("/leads/{lead}")).await?["owner_reseller_id"].as_str() == Some(reseller) {
        return Ok(());
    }
    let r = call(
        app,
        json_req(
            "POST",
            &format!("/leads/{lead}/assign"),
            Some(ADMIN_KEY),
            &json!({"reseller_id": reseller}),
        )?,
    )
    .await?;
    if !r.status.is_success() {
        return Err(format!("assign {lead}: {}", r.status));
    }
    Ok(())
}

pub async fn payout_run() -> Result<(), String> {
    let (roster, earners) = sizes();
    let counts = Arc::new(shared::adapters::counting::Counts::default());
    let (running, app, dir) = bench_stack("payout-run", Some(counts.clone())).await?;
    let started = Instant::now();
    // the earners first, their deals routed among themselves (routing a lead against 10,000
    // resellers is the scoring benchmark's business, not this one's), then the rest of the roster
    let mut closers = Vec::with_capacity(earners);
    for i in 0..earners {
        closers.push(gold_reseller(&app, &format!("Earning Partner {i}"), 1_000).await?);
    }
    let now = Utc::now();
    let mut leads = Vec::with_capacity(closers.len());
    for n in 0..closers.len() {
        leads.push(new_lead(&app, n).await?);
        // scored and routed in batches, each within the local drain's time limit
        if n % 50 == 49 {
            drain(&app).await?;
        }
    }
    drain(&app).await?;
    for (lead, reseller) in leads.iter().zip(&closers) {
        assign(&app, lead, reseller).await?;
    }
    for (n, (lead, reseller)) in leads.iter().zip(&closers).enumerate() {
        let order_id = format!("ORD-PAYRUN-{n}");
        signed(
            &app,
            "/billing/orders",
            &json!({"order_id": order_id, "lead_id": lead, "reseller_id": reseller,
                    "customer": {"name": format!("Payrun {n}"), "domain": format!("payrun{n}.in")}, "currency": "INR",
                    "lines": [{"kind": "licence", "product": "ERP", "amount": "500000"}]}),
        )
        .await?;
        signed(
            &app,
            "/billing/payments",
            &json!({"payment_id": format!("PAY-PAYRUN-{n}"), "order_id": order_id, "kind": "licence",
                    "amount": "500000", "currency": "INR", "paid_at": now.to_rfc3339()}),
        )
        .await?;
    }
    drain(&app).await?;
    for i in earners..roster {
        if i % 1000 == 0 {
            eprintln!("{i} resellers, {:.1} s", started.elapsed().as_secs_f64());
        }
        gold_reseller(&app, &format!("Roster Partner {i}"), 1_000).await?;
    }
    let roster_time = started.elapsed();
    let month = format!("{:04}-{:02}", now.year(), now.month());
    let next = now
        .date_naive()
        .with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .ok_or("next month")?;
    let run_at = format!("{next}T02:30:00+05:30");

    let before = counts.snapshot();
    let run_started = Instant::now();
    let r = call(
        &app,
        json_req("POST", "/_local/jobs/monthly-payout", None, &json!({"now": run_at}))?,
    )
    .await?;
    if !r.status.is_success() {
        return Err(format!(
            "monthly-payout: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ));
    }
    drain(&app).await?;
    let run_time = run_started.elapsed();
    let after = counts.snapshot();
    let payouts = get_json(&app, &format!("/payouts/{month}")).await?;
    let tickets = payouts["payouts"].as_array().map(Vec::len).unwrap_or(0);

    println!("\n## The payout run at {roster} resellers, {earners} of them earning (embedded stack)\n");
    println!("| resellers | earned this month | tickets issued | table reads | items read | writes | run time |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {roster} | {earners} | {tickets} | {} | {} | {} | {:.2} s |",
        after.reads - before.reads,
        after.items_read - before.items_read,
        after.writes - before.writes,
        run_time.as_secs_f64()
    );
    println!(
        "(the deals and the roster took {:.1} s to make; the run reads the payees index, not the roster)",
        roster_time.as_secs_f64()
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(dir);
    if tickets != earners {
        return Err(format!("{tickets} tickets for {earners} earners"));
    }
    Ok(())
}
