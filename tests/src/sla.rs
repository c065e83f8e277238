//! The 4-hour first-response SLA over HTTP: the watch job at 3 h 59 and 4 h 01, two
//! reassignments then the admin queue, a first response that stops the clock, and a
//! partner-owned lead escalated instead of moved.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;

fn mailbox(name: &str) -> String {
    format!("{}@resellers.example", name.to_lowercase().replace(' ', ""))
}

async fn owner(api: &Api, lead_id: &str) -> Value {
    let (s, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(s, StatusCode::OK, "{lead}");
    lead
}

pub async fn reassignment_then_admin_queue<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<SentMail>>,
{
    let names: Vec<String> = ["North", "South", "East", "West"]
        .iter()
        .map(|n| format!("Sla {n} {tag}"))
        .collect();
    let mut ids = Vec::new();
    for n in &names {
        ids.push(api.reseller(n, &["IN"], &[], "silver", 20).await.0);
    }
    let name_of = |id: &str| names[ids.iter().position(|i| i == id).expect("one of ours")].clone();
    api.set_clock("2026-11-23T10:00:00+05:30").await;
    let who = format!("Kavya {tag}");
    let (s, created) = api
        .post_json(
            "/leads",
            json!({"email": format!("kavya-{tag}@mills.example"), "name": who, "company": "Kaveri Mills", "country": "India"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let lead_id = created["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let first = owner(api, &lead_id).await;
    let a = first["owner_reseller_id"]
        .as_str()
        .expect("routed to one of ours")
        .to_string();
    assert_eq!(first["sla"]["status"], "waiting");

    // 3 h 59 min: nothing is overdue yet
    let report = api.run_job("sla-watch", "2026-11-23T13:59:00+05:30").await;
    assert_eq!(report["overdue"], 0, "{report}");
    assert_eq!(owner(api, &lead_id).await["owner_reseller_id"], a.as_str());

    // 4 h 01 min: reassigned once, and both resellers told
    let report = api.run_job("sla-watch", "2026-11-23T14:01:00+05:30").await;
    assert_eq!(report["reassigned"], 1, "{report}");
    let second = owner(api, &lead_id).await;
    let b = second["owner_reseller_id"].as_str().expect("a new owner").to_string();
    assert_ne!(a, b);
    assert_eq!(second["sla"]["reassignments"], 1);
    assert_eq!(second["routing"]["rule"], "sla_reassignment");
    let told_a = mail(mailbox(&name_of(&a))).await;
    assert!(told_a
        .iter()
        .any(|m| m.subject.starts_with("Lead reassigned") && m.text.contains(&lead_id)));
    let told_b = mail(mailbox(&name_of(&b))).await;
    assert!(told_b
        .iter()
        .any(|m| m.subject.starts_with("New lead for you") && m.text.contains(&lead_id)));
    // the same run again changes nothing: the new owner's clock restarted
    let again = api.run_job("sla-watch", "2026-11-23T14:02:00+05:30").await;
    assert_eq!(again["overdue"], 0, "{again}");

    // the second owner misses it too: the second (and last) reassignment
    let report = api.run_job("sla-watch", "2026-11-23T18:02:00+05:30").await;
    assert_eq!(report["reassigned"], 1, "{report}");
    let third = owner(api, &lead_id).await;
    let c = third["owner_reseller_id"].as_str().expect("a third owner").to_string();
    assert!(c != a && c != b, "never back to one that missed it");
    assert_eq!(third["sla"]["reassignments"], 2);

    // after two reassignments: the admin queue, not a fourth reseller
    let report = api.run_job("sla-watch", "2026-11-23T22:03:00+05:30").await;
    assert_eq!(report["admin_queue"], 1, "{report}");
    let last = owner(api, &lead_id).await;
    assert!(last["owner_reseller_id"].is_null());
    assert_eq!(last["queue"], "admin");
    assert_eq!(last["sla"]["status"], "admin_queue");
    let actions: Vec<&str> = last["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("sla."))
        .collect();
    assert_eq!(actions, vec!["sla.reassigned", "sla.reassigned", "sla.admin_queue"]);
    let told_c = mail(mailbox(&name_of(&c))).await;
    assert!(told_c.iter().any(|m| m.subject.starts_with("Lead withdrawn")));
    let admin = mail("partner-admin@partners.example".into()).await;
    assert!(admin
        .iter()
        .any(|m| m.subject.contains(&who) && m.subject.starts_with("Admin queue")));
}

pub async fn first_response_stops_the_clock_and_protected_leads_escalate<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<SentMail>>,
{
    let name = format!("Sla Owner {tag}");
    let (rid, key) = api.reseller(&name, &["IN"], &[], "gold", 20).await;
    api.reseller(&format!("Sla Other {tag}"), &["IN"], &[], "registered", 20)
        .await;
    api.set_clock("2026-11-24T09:00:00+05:30").await;
    // a platform lead the owner calls after an hour
    let (_, created) = api
        .post_json(
            "/leads",
            json!({"email": format!("ops-{tag}@forge.example"), "name": "Ops", "country": "IN", "title": "CEO", "budget": "20 lakh", "timeline": "this month"}),
        )
        .await;
    let lead_id = created["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let lead = owner(api, &lead_id).await;
    let owner_id = lead["owner_reseller_id"].as_str().expect("owned").to_string();
    let owner_key = if owner_id == rid { Some(key.as_str()) } else { None };
    api.set_clock("2026-11-24T10:00:00+05:30").await;
    let (s, body) = api
        .post_as(
            &format!("/leads/{lead_id}/activities"),
            owner_key.or(Some(crate::ADMIN_KEY)),
            json!({"type": "call", "note": "intro call booked"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["first_response"]["minutes"], 60);
    let (_, second) = api
        .post_as(
            &format!("/leads/{lead_id}/activities"),
            Some(crate::ADMIN_KEY),
            json!({"type": "note"}),
        )
        .await;
    assert!(second["first_response"].is_null(), "only the first counts");

    // a partner-owned lead nobody answers: escalated, not moved
    let domain = format!("protected-{tag}.in");
    let (s, reg) = api
        .post_as(
            "/registrations",
            Some(&key),
            json!({"company": {"name": format!("Protected {tag}"), "domain": domain}, "contact": {"name": "Ravi", "email": format!("ravi@{domain}")}, "expected_value": "800000.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let protected_id = reg["lead_id"].as_str().expect("id").to_string();
    api.drain().await;

    let report = api.run_job("sla-watch", "2026-11-24T13:30:00+05:30").await;
    assert_eq!(
        report["overdue"], 0,
        "the call stopped one clock; the other runs to 14:00: {report}"
    );
    let report = api.run_job("sla-watch", "2026-11-24T14:31:00+05:30").await;
    assert_eq!(
        (report["escalated"].as_u64(), report["reassigned"].as_u64()),
        (Some(1), Some(0)),
        "{report}"
    );
    assert_eq!(owner(api, &lead_id).await["sla"]["status"], "responded");
    let protected = owner(api, &protected_id).await;
    assert_eq!(protected["owner_reseller_id"], rid.as_str(), "stays with its reseller");
    assert_eq!(protected["sla"]["status"], "escalated");
    assert!(mail(mailbox(&name))
        .await
        .iter()
        .any(|m| m.subject.starts_with("Overdue: first response")));
    assert!(mail("partner-admin@partners.example".into())
        .await
        .iter()
        .any(|m| m.subject.starts_with("Escalation:") && m.subject.contains(&name)));
    // escalated once: the next run leaves it alone
    let report = api.run_job("sla-watch", "2026-11-24T20:00:00+05:30").await;
    assert_eq!(report["overdue"], 0, "{report}");
}
