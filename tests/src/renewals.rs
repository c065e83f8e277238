//! Renewal signals and the nightly scan, over HTTP. Shared by the embedded and AWS stacks;
//! `sent_to` reads back the mail each stack sent to an address.

use crate::billing::{order, payment};
use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::future::Future;

/// A contract whose renewal falls on `renewal` (an India date), made through real webhooks.
pub async fn contract(api: &Api, closer: &str, n: &str, renewal: &str) -> String {
    let lead = api.lead_of(closer, &format!("renewal-{n}@example.in")).await;
    let order_id = format!("ORD-REN-{n}");
    assert_eq!(
        api.signed("/billing/orders", &order(&order_id, &lead, closer, "1000000", "200000"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let year: i32 = renewal[..4].parse().expect("year");
    let paid_at = format!("{}{}T12:00:00+05:30", year - 1, &renewal[4..]);
    assert_eq!(
        api.signed(
            "/billing/payments",
            &payment(&format!("PAY-REN-{n}"), &order_id, "amc", "200000", &paid_at)
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    api.drain().await;
    order_id
}

async fn signal(api: &Api, contract: &str, body: Value) {
    let (s, b) = api.admin_post(&format!("/contracts/{contract}/signals"), body).await;
    assert!(s == StatusCode::ACCEPTED || s == StatusCode::OK, "{s} {b}");
}

/// Signals that put a contract at risk: two open critical tickets, 20% usage, a late payment.
pub async fn troubled(api: &Api, contract: &str) {
    for t in ["T1", "T2"] {
        signal(api, contract, json!({"signal_id": format!("{contract}-{t}"), "type": "support_ticket", "ticket_id": t, "severity": "critical", "status": "opened", "at": "2026-10-20T10:00:00Z"})).await;
    }
    signal(api, contract, json!({"signal_id": format!("{contract}-U"), "type": "usage", "active_users": 20, "licensed_users": 100, "at": "2026-10-25T10:00:00Z"})).await;
    signal(api, contract, json!({"signal_id": format!("{contract}-L"), "type": "late_payment", "invoice_id": "INV-9", "days_late": 45, "at": "2026-09-01T10:00:00Z"})).await;
}

async fn run_scan(api: &Api, now: &str) -> Value {
    api.run_job("renewal-risk-scan", now).await
}

pub async fn nightly_scan<F, Fut>(api: &Api, reseller_name: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<shared::adapters::embedded::SentMail>>,
{
    let (closer, closer_key) = api.reseller(reseller_name, &["IN"], &[], "registered", 10).await;
    let (other, other_key) = api
        .reseller(&format!("{reseller_name} Other"), &["IN"], &[], "registered", 10)
        .await;
    let _ = other;
    let email = format!("{}@resellers.example", reseller_name.to_lowercase().replace(' ', ""));
    // the scan runs at 02:00 India time on 2 Nov 2026: renewals in 59, 60 and 61 days
    let now = "2026-11-02T02:00:00+05:30";
    let in59 = contract(api, &closer, "59", "2026-12-31").await;
    let in60 = contract(api, &closer, "60", "2027-01-01").await;
    let in61 = contract(api, &closer, "61", "2027-01-02").await;
    for c in [&in59, &in60, &in61] {
        troubled(api, c).await;
    }
    let report = run_scan(api, now).await;
    assert_eq!(
        report["read"], 2,
        "59 and 60 days are in the window, 61 is not: {report}"
    );
    assert_eq!(report["alerted"], 2, "{report}");
    let mails = sent_to(email.clone()).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.subject.contains("Renewal at risk")));

    // the contract shows its signals and risk to its reseller, not to another
    let (s, view) = api.get_as(&format!("/contracts/{in59}"), Some(&closer_key)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(view["renewal_date"], "2026-12-31");
    assert_eq!(view["signals"].as_array().map(Vec::len), Some(4));
    let score = view["risk"]["score"].as_u64().expect("score");
    assert!(score >= 60, "{view}");
    assert_eq!(view["risk"]["reasons"].as_array().map(Vec::len), Some(5));
    assert_eq!(view["risk_tickets"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        api.get_as(&format!("/contracts/{in59}"), Some(&other_key)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.admin_get("/contracts/NOPE").await.0, StatusCode::NOT_FOUND);

    // the next night: the 61-day contract has entered the window and is alerted; the two
    // flagged yesterday with the same risk are not emailed again
    let report = run_scan(api, "2026-11-03T02:00:00+05:30").await;
    assert_eq!(
        (
            report["read"].as_u64(),
            report["at_risk"].as_u64(),
            report["alerted"].as_u64()
        ),
        (Some(3), Some(3), Some(1)),
        "{report}"
    );
    assert_eq!(sent_to(email.clone()).await.len(), 3);
    // the risk rises on one contract: one more email, for that one
    signal(api, &in60, json!({"signal_id": "in60-T3", "type": "support_ticket", "ticket_id": "T3", "severity": "critical", "status": "opened", "at": "2026-11-03T10:00:00Z"})).await;
    let report = run_scan(api, "2026-11-04T02:00:00+05:30").await;
    assert_eq!(report["alerted"], 1, "{report}");
    let mails = sent_to(email.clone()).await;
    assert_eq!(mails.len(), 4);
    assert!(mails.iter().any(|m| m.subject.contains("Renewal risk up")));
    // a replayed signal changes nothing; the same id with another body conflicts
    let (s, _) = api.admin_post(&format!("/contracts/{in60}/signals"), json!({"signal_id": "in60-T3", "type": "support_ticket", "ticket_id": "T3", "severity": "critical", "status": "opened", "at": "2026-11-03T10:00:00Z"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = api.admin_post(&format!("/contracts/{in60}/signals"), json!({"signal_id": "in60-T3", "type": "support_ticket", "ticket_id": "T3", "severity": "low", "status": "opened", "at": "2026-11-03T10:00:00Z"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = api
        .admin_post(
            &format!("/contracts/{in60}/signals"),
            json!({"signal_id": "x", "type": "weather"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A contract's place on the renewal index is its India renewal date, however it was written:
/// an AMC paid at 02:00 IST (the evening before, in UTC) renews on the India date a year on.
pub async fn renewal_index_uses_the_india_date(api: &Api, table: &dyn shared::ports::Table) {
    let (closer, _) = api.reseller("Early Bird", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("early-bird@example.in").await;
    let (s, _) = api
        .signed(
            "/billing/orders",
            &order("ORD-EARLY", &lead, &closer, "1000000", "200000"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-EARLY", "ORD-EARLY", "amc", "200000", "2026-10-05T02:00:00+05:30"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;
    let item = table
        .get(&shared::repo::contract_key("ORD-EARLY"))
        .await
        .expect("read")
        .expect("the contract");
    let sk = item.get("gsi1sk").and_then(Value::as_str).unwrap_or("");
    assert!(
        sk.starts_with("2027-10-05#"),
        "indexed under {sk}, not the India date 2027-10-05"
    );
}

/// The portal's home (issue 14): the renewal-risk chart draws every AMC renewing in the window
/// on a 0–100 scale (red from the alert threshold) and lists the ones at risk; the dashboard
/// counts a contract first flagged at risk once, however many scans see it again.
pub async fn at_risk_on_the_portal<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<shared::adapters::embedded::SentMail>>,
{
    use crate::portal::{email_of, log_in, page};
    let name = format!("Risk Portal {tag}");
    let (r, key) = api.reseller(&name, &["IN"], &[], "registered", 10).await;
    let risky = contract(api, &r, &format!("risky-{tag}"), "2026-12-31").await;
    let calm = contract(api, &r, &format!("calm-{tag}"), "2027-01-01").await;
    troubled(api, &risky).await;
    let now = "2026-11-02T02:00:00+05:30";
    let report = run_scan(api, now).await;
    assert_eq!(report["alerted"], 1, "{report}");
    run_scan(api, "2026-11-03T02:00:00+05:30").await;
    let (_, dash) = api
        .get_as(&format!("/resellers/{r}/dashboard?month=2026-11"), Some(&key))
        .await;
    assert_eq!(dash["recurring"]["at_risk"], 1, "flagged once: {dash}");
    let (_, view) = api.get_as(&format!("/contracts/{risky}"), Some(&key)).await;
    let score = view["risk"]["score"].as_u64().expect("risk score");
    assert!(score >= 60, "{view}");

    api.set_clock("2026-11-03T10:00:00+05:30").await;
    let cookie = log_in(api, &sent_to, &email_of(&name)).await;
    let (s, _, home) = page(api, Some(&cookie), "/portal").await;
    assert_eq!(s, StatusCode::OK);
    let chart = home
        .split("data-testid=\"risk-chart\"")
        .nth(1)
        .and_then(|c| c.split("</figure>").next())
        .unwrap_or_else(|| panic!("no risk chart: {home}"));
    // 430 units of width for 100 points: the risky contract red, the calm one grey at 0
    let width = f64::from(score as u32) * 4.3;
    assert!(
        chart.contains(&format!("width=\"{width:.1}\" height=\"18.0\" fill=\"#b3261e\"")),
        "{chart}"
    );
    assert!(chart.contains(&format!("{score}/100")));
    assert!(
        chart.contains("width=\"0.0\" height=\"18.0\" fill=\"#7a8a99\""),
        "{chart}"
    );
    let table = home.split("Renewals at risk").nth(1).unwrap_or("");
    assert!(
        table.contains(&format!("<td class=\"num\">{score}/100</td>")),
        "{table}"
    );
    assert_eq!(table.matches("<td>2026-12-31</td>").count(), 1, "{table}");
    assert!(!table.contains("2027-01-01"), "the calm contract is not listed: {calm}");
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;
}
