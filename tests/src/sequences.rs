//! Sequences over HTTP through the local stack: enrolment, business hours, the hot alert,
//! tracking, unsubscribe and bounces.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;

impl Api {
    pub async fn set_clock(&self, now: &str) {
        let res = self
            .http
            .post(format!("{}/_local/clock", self.base))
            .json(&json!({ "now": now }))
            .send()
            .await
            .expect("clock");
        assert_eq!(res.status(), StatusCode::OK);
    }

    pub async fn run_sequences(&self, now: &str) -> Value {
        self.run_job("sequence-sender", now).await
    }

    /// Puts a message on a logical queue of the stack (its name locally, its URL on AWS).
    pub async fn queue_message(&self, stack: &local_stack::Running, queue: &str, body: String) {
        let id = stack.stack.queue_id(queue).expect("queue").to_string();
        stack.stack.queue.send(&id, body).await.expect("send");
    }
}

/// The links of a mail's HTML part that point at `prefix` (tracking, unsubscribe).
pub fn links(mail: &SentMail, prefix: &str) -> Vec<String> {
    mail.html
        .split("\"")
        .filter(|s| s.contains(prefix))
        .map(str::to_string)
        .collect()
}

pub fn header<'a>(mail: &'a SentMail, name: &str) -> Option<&'a str> {
    mail.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A hot lead: one reseller alert, however often lead.qualified is delivered.
pub async fn one_hot_alert<F, Fut>(api: &Api, stack: &local_stack::Running, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<SentMail>>,
{
    let name = format!("Hot Partner {tag}");
    api.reseller(&name, &["IN"], &[], "gold", 10).await;
    let (_, b) = api
        .post_json("/leads", json!({"email": format!("ceo-{tag}@bigco.in"), "name": "Anita", "title": "CEO", "budget": "₹5L+", "timeline": "next quarter", "country": "IN"}))
        .await;
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let qualified = json!({"type": "lead.qualified", "version": 1, "id": "again", "occurred_at": "2026-11-02T10:00:00Z", "correlation_id": "x", "payload": {"lead_id": lead_id}}).to_string();
    api.queue_message(stack, "sequence", qualified.clone()).await;
    api.queue_message(stack, "sequence", qualified).await;
    api.drain().await;
    let alerts = mail(format!("{}@resellers.example", name.to_lowercase().replace(' ', ""))).await;
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("call within 4 hours"));
    assert!(alerts[0].text.contains("authority"));
}

/// A warm lead captured on a Friday at 20:00 IST gets its first email on Monday at 09:00 IST,
/// under its reseller's brand, with one-click unsubscribe, a pixel and tracked links, the
/// lead's name escaped in HTML; after unsubscribing, nothing more.
pub async fn business_hours_and_unsubscribe<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<SentMail>>,
{
    let brand = format!("Mumbai ERP {tag}");
    api.reseller(&brand, &["IN"], &[], "gold", 10).await;
    let to = format!("tom-{tag}@jerry.in");
    api.set_clock("2026-11-20T20:00:00+05:30").await;
    let (s, b) = api
        .post_json("/leads", json!({"email": to, "name": "<b>Tom & \"Jerry\"</b>", "company": "Acme", "country": "IN", "budget": "3L", "timeline": "ASAP"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["band"], "warm");
    let r = api.run_sequences("2026-11-20T20:05:00+05:30").await;
    assert_eq!((r["sent"].as_u64(), r["deferred"].as_u64()), (Some(0), Some(1)), "{r}");
    assert_eq!(api.run_sequences("2026-11-23T08:59:00+05:30").await["sent"], 0);
    assert!(mail(to.clone()).await.is_empty());
    let r = api.run_sequences("2026-11-23T09:00:00+05:30").await;
    assert_eq!(r["sent"], 1, "{r}");
    let sent = mail(to.clone()).await;
    assert_eq!(sent.len(), 1);
    let m = &sent[0];
    assert_eq!(m.from, "partners@partners.example");
    assert!(header(m, "From").unwrap_or("").contains(&brand));
    let reply_to = format!("{}@resellers.example", brand.to_lowercase().replace(' ', ""));
    assert!(header(m, "Reply-To").unwrap_or("").contains(&reply_to));
    assert_eq!(header(m, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert!(header(m, "List-Unsubscribe").unwrap_or("").contains("/u/"));
    assert!(
        m.html.contains("&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"),
        "{}",
        m.html
    );
    assert!(!m.html.contains("<b>Tom"));
    assert_eq!(links(m, "/t/o/").len(), 1, "a tracking pixel");
    assert_eq!(links(m, "/t/c/").len(), 1, "links go through the click tracker");
    // the same run again sends nothing more
    assert_eq!(api.run_sequences("2026-11-23T09:01:00+05:30").await["sent"], 0);

    // one-click unsubscribe, twice: both fine; nothing more is sent from any sequence
    let unsubscribe = links(m, "/u/").into_iter().next().expect("unsubscribe link");
    for _ in 0..2 {
        let res = api
            .http
            .post(&unsubscribe)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("unsubscribe");
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(
        api.http.get(&unsubscribe).send().await.expect("page").status(),
        StatusCode::OK
    );
    let r = api.run_sequences("2026-11-30T10:00:00+05:30").await;
    assert_eq!((r["sent"].as_u64(), r["skipped"].as_u64()), (Some(0), Some(1)), "{r}");
    assert_eq!(mail(to.clone()).await.len(), 1);
}

/// Issue 16 item 9: after downtime or a clock jump, a lead whose four nurture steps are all
/// due gets one email per run and then one a day — never the backlog at once.
pub async fn a_backlog_is_spread_not_sent_at_once<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<SentMail>>,
{
    api.reseller(&format!("Backlog {tag}"), &["IN"], &[], "gold", 10).await;
    let to = format!("backlog-{tag}@jerry.in");
    api.set_clock("2026-11-02T10:00:00+05:30").await;
    let (s, b) = api
        .post_json("/leads", json!({"email": to, "name": "Bina", "company": "Acme", "country": "IN", "budget": "3L", "timeline": "ASAP"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    api.drain().await;
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["band"], "warm", "a nurture lead: {lead}");
    // the sender was down for two months: every step is due at the first run
    let r = api.run_sequences("2027-01-04T10:00:00+05:30").await;
    assert_eq!((r["sent"].as_u64(), r["deferred"].as_u64()), (Some(1), Some(3)), "{r}");
    assert_eq!(mail(to.clone()).await.len(), 1);
    // runs every few minutes: nothing more that day
    for minute in ["05", "10", "15"] {
        let r = api.run_sequences(&format!("2027-01-04T10:{minute}:00+05:30")).await;
        assert_eq!(r["sent"], 0, "{r}");
    }
    assert_eq!(mail(to.clone()).await.len(), 1);
    // a day later, the next one; then the next
    let r = api.run_sequences("2027-01-05T10:01:00+05:30").await;
    assert_eq!(r["sent"], 1, "{r}");
    let r = api.run_sequences("2027-01-06T10:02:00+05:30").await;
    assert_eq!(r["sent"], 1, "{r}");
    let sent = mail(to.clone()).await;
    assert_eq!(sent.len(), 3);
    let subjects: Vec<&str> = sent.iter().map(|m| m.subject.as_str()).collect();
    let mut distinct = subjects.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "each email a different step, in order: {subjects:?}");
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;
}
