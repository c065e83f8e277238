//! The monthly payout over HTTP, shared by the embedded and AWS stacks; `sent_to` reads back
//! the mail each stack sent to an address.

use crate::billing::{order, payment};
use crate::flows::Api;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

pub const FINANCE: &str = "finance@partners.example";

pub async fn run_payout(api: &Api, now: &str) -> Value {
    let report = api.run_job("monthly-payout", now).await;
    api.drain().await;
    report
}

/// A licence deal for `closer`, paid in full at `paid_at`.
pub async fn deal(api: &Api, closer: &str, n: &str, currency: &str, amount: &str, paid_at: &str) -> String {
    let lead = api.lead_of(closer, &format!("payout-{n}@example.in")).await;
    let order_id = format!("ORD-PO-{n}");
    let mut o = order(&order_id, &lead, closer, amount, "200000");
    o["currency"] = json!(currency);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    let mut p = payment(&format!("PAY-PO-{n}"), &order_id, "licence", amount, paid_at);
    p["currency"] = json!(currency);
    let (s, b) = api.signed("/billing/payments", &p).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    api.drain().await;
    lead
}

pub fn line<'a>(payouts: &'a Value, payee: &str, currency: &str) -> &'a Value {
    payouts["payouts"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["payee"] == payee))
        .and_then(|p| p["lines"].as_array())
        .and_then(|ls| ls.iter().find(|l| l["currency"] == currency))
        .unwrap_or_else(|| panic!("no {currency} line for {payee} in {payouts}"))
}

/// The CSV row that starts with `prefix`, by column name (cells without commas).
pub fn csv_row(csv: &str, prefix: &str) -> std::collections::HashMap<String, String> {
    let header = csv.lines().next().unwrap_or("").split(',');
    let row = csv
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no row for {prefix} in {csv}"));
    header
        .map(str::to_string)
        .zip(row.split(',').map(str::to_string))
        .collect()
}

pub fn csv_of(mail: &SentMail) -> String {
    let a = mail
        .attachments
        .iter()
        .find(|a| a.filename.ends_with(".csv"))
        .expect("a CSV attachment");
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&a.content_base64)
            .expect("base64"),
    )
    .expect("utf-8")
}

pub async fn monthly_payout<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (a, _) = api
        .reseller(&format!("Payout A {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (b, _) = api
        .reseller(&format!("Payout B {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (c, _) = api
        .reseller(&format!("Payout C {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (d, d_key) = api
        .reseller(&format!("Payout D {tag}"), &["US"], &[], "registered", 10)
        .await;
    let email = |name: &str| {
        format!(
            "{}@resellers.example",
            format!("Payout {name} {tag}").to_lowercase().replace(' ', "")
        )
    };

    // September: C earns ₹20,000 and is paid on 1 October
    deal(api, &c, "c1", "INR", "100000", "2026-09-10T10:00:00Z").await;
    run_payout(api, "2026-10-01T02:30:00+05:30").await;
    let (_, sept) = api.admin_get("/payouts/2026-09").await;
    assert_eq!(line(&sept, &c, "INR")["net_payable"], "20000.00", "{sept}");

    // October: the worked example for A, ₹999.99 for B, a refund bigger than C's new earnings,
    // and D's US dollars
    // (reported by the billing system at the end of the month)
    api.set_clock("2026-10-31T12:00:00Z").await;
    let lead_a = deal(api, &a, "a1", "INR", "1000000", "2026-10-05T10:00:00Z").await;
    let amc = json!({"payment_id": "PAY-PO-a2", "order_id": "ORD-PO-a1", "kind": "amc", "amount": "200000", "currency": "INR", "paid_at": "2026-10-20T10:00:00Z"});
    assert_eq!(api.signed("/billing/payments", &amc).await.0, StatusCode::ACCEPTED);
    deal(api, &b, "b1", "INR", "4999.95", "2026-10-07T10:00:00Z").await;
    deal(api, &c, "c2", "INR", "5000", "2026-10-08T10:00:00Z").await;
    let refund = json!({"refund_id": "REF-PO-c1", "payment_id": "PAY-PO-c1", "amount": "100000", "reason": "cancelled", "refunded_at": "2026-10-15T10:00:00Z"});
    assert_eq!(api.signed("/billing/refunds", &refund).await.0, StatusCode::ACCEPTED);
    deal(api, &d, "d1", "USD", "10000", "2026-10-09T10:00:00Z").await;

    let report = run_payout(api, "2026-11-01T02:30:00+05:30").await;
    assert_eq!(report["month"], "2026-10");
    let (s, oct) = api.admin_get("/payouts/2026-10").await;
    assert_eq!(s, StatusCode::OK);
    let la = line(&oct, &a, "INR");
    // A has no PAN on file: TDS at 20% (section 206AA) of ₹2,90,000 = ₹58,000 (issue 15)
    assert_eq!(
        (
            la["licence"].as_str(),
            la["amc_first_year"].as_str(),
            la["gross_payable"].as_str(),
            la["tax"]["tds_total"].as_str(),
            la["net_payable"].as_str()
        ),
        (
            Some("250000.00"),
            Some("40000.00"),
            Some("290000.00"),
            Some("58000.00"),
            Some("232000.00")
        )
    );
    let lb = line(&oct, &b, "INR");
    assert_eq!(
        (lb["net_payable"].as_str(), lb["carried_out"].as_str()),
        (Some("0"), Some("999.99"))
    );
    let lc = line(&oct, &c, "INR");
    assert_eq!(
        (lc["clawbacks"].as_str(), lc["carried_out"].as_str()),
        (Some("-20000.00"), Some("-19000.00"))
    );
    assert_eq!(line(&oct, &d, "USD")["net_payable"], "2000.00");
    assert_eq!(oct["totals"]["INR"], "232000.00");
    assert_eq!(oct["totals"]["USD"], "2000.00");
    // the ticket is issued and the lead it pays reaches R010
    assert!(oct["payouts"]
        .as_array()
        .expect("payouts")
        .iter()
        .all(|p| p["status"] == "issued"));
    let (_, lead) = api.admin_get(&format!("/leads/{lead_a}")).await;
    assert_eq!(
        (lead["stage"].as_str(), lead["progress"].as_u64()),
        (Some("R010"), Some(100))
    );
    // a reseller sees its own payouts only
    assert_eq!(
        api.get_as(&format!("/resellers/{d}/payouts"), Some(&d_key)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.get_as(&format!("/resellers/{a}/payouts"), Some(&d_key)).await.0,
        StatusCode::FORBIDDEN
    );

    // one finance email with the CSV; one statement per reseller, in Indian grouping
    let finance: Vec<SentMail> = sent_to(FINANCE.into())
        .await
        .into_iter()
        .filter(|m| m.subject.contains("October 2026"))
        .collect();
    assert_eq!(finance.len(), 1);
    assert!(
        finance[0].text.contains("₹2,32,000.00") && finance[0].text.contains("USD 2,000.00"),
        "{}",
        finance[0].text
    );
    let csv = csv_of(&finance[0]);
    let row = csv_row(&csv, &a);
    let col = |name: &str| row.get(name).map(String::as_str).expect("column");
    assert_eq!(
        (
            col("licence"),
            col("amc_first_year"),
            col("gross_payable"),
            col("tds"),
            col("net_payable"),
            col("currency")
        ),
        ("250000.00", "40000.00", "290000.00", "58000.00", "232000.00", "INR")
    );
    let statements = sent_to(email("A")).await;
    assert_eq!(
        statements.iter().filter(|m| m.subject.contains("October 2026")).count(),
        1
    );
    assert!(statements.iter().any(|m| m.html.contains("₹2,90,000.00")));

    // the same month again, sequentially and concurrently: nothing new
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    futures::future::join(
        run_payout(api, "2026-11-01T03:00:00+05:30"),
        run_payout(api, "2026-11-01T03:00:00+05:30"),
    )
    .await;
    let (_, again) = api.admin_get("/payouts/2026-10").await;
    assert_eq!(
        again["payouts"].as_array().map(Vec::len),
        oct["payouts"].as_array().map(Vec::len)
    );
    assert_eq!(
        sent_to(FINANCE.into())
            .await
            .iter()
            .filter(|m| m.subject.contains("October 2026"))
            .count(),
        1
    );
    assert_eq!(
        sent_to(email("A"))
            .await
            .iter()
            .filter(|m| m.subject.contains("October 2026"))
            .count(),
        1
    );

    // November: B's carried ₹999.99 is paid with November's ₹500; C's debt is carried on
    api.set_clock("2026-11-07T12:00:00Z").await;
    deal(api, &b, "b2", "INR", "2500", "2026-11-07T10:00:00Z").await;
    run_payout(api, "2026-12-01T02:30:00+05:30").await;
    let (_, nov) = api.admin_get("/payouts/2026-11").await;
    let lb = line(&nov, &b, "INR");
    assert_eq!(
        (lb["carried_in"].as_str(), lb["net_payable"].as_str()),
        (Some("999.99"), Some("1499.99"))
    );
    assert_eq!(line(&nov, &c, "INR")["carried_out"], "-19000.00");
    // A was paid in October, carries nothing and earned nothing since: the run does not ask
    // for it (no ticket, no statement); B (a carried balance and new earnings) and C (a debt
    // carried on) are asked
    let payees: Vec<&str> = nov["payouts"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["payee"].as_str()).collect())
        .unwrap_or_default();
    assert!(!payees.contains(&a.as_str()), "{nov}");
    assert!(payees.contains(&b.as_str()) && payees.contains(&c.as_str()), "{nov}");
    // and A earns again in December: it is back on the list
    api.set_clock("2026-12-07T12:00:00Z").await;
    deal(api, &a, "a-december", "INR", "2500", "2026-12-07T10:00:00Z").await;
    run_payout(api, "2027-01-01T02:30:00+05:30").await;
    let (_, dec) = api.admin_get("/payouts/2026-12").await;
    assert!(
        dec["payouts"].as_array().is_some_and(|ps| ps
            .iter()
            .any(|p| p["payee"] == a.as_str() && !p["lines"].as_array().is_some_and(Vec::is_empty))),
        "{dec}"
    );
    assert!(sent_to(email("A"))
        .await
        .iter()
        .all(|m| !m.subject.contains("November 2026")));
}
