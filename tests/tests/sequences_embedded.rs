//! The sequence sender through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::sequences::{header, links};
use e2e_tests::{embedded_stack, outbox_mail};
use reqwest::StatusCode;
use serde_json::json;

/// A warm lead captured on a Friday at 20:00 IST gets its first email on Monday at 09:00 IST,
/// under its reseller's brand, with one-click unsubscribe, a pixel and tracked links, the
/// lead's name escaped in HTML; after unsubscribing, nothing more.
#[tokio::test]
async fn business_hours_branding_escaping_and_unsubscribe() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let mail = outbox_mail(&stack);
    let (_, _) = api.reseller("Mumbai ERP", &["IN"], &[], "gold", 10).await;
    api.set_clock("2026-11-20T20:00:00+05:30").await;
    let (s, b) = api
        .post_json("/leads", json!({"email": "tom@jerry.in", "name": "<b>Tom & \"Jerry\"</b>", "company": "Acme", "country": "IN", "budget": "3L", "timeline": "ASAP"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["band"], "warm");
    let r = api.run_sequences("2026-11-20T20:05:00+05:30").await;
    assert_eq!((r["sent"].as_u64(), r["deferred"].as_u64()), (Some(0), Some(1)), "{r}");
    assert_eq!(api.run_sequences("2026-11-23T08:59:00+05:30").await["sent"], 0);
    assert!(mail("tom@jerry.in".into()).await.is_empty());
    let r = api.run_sequences("2026-11-23T09:00:00+05:30").await;
    assert_eq!(r["sent"], 1, "{r}");
    let sent = mail("tom@jerry.in".into()).await;
    assert_eq!(sent.len(), 1);
    let m = &sent[0];
    assert_eq!(m.from, "partners@partners.example");
    assert!(header(m, "From").unwrap_or("").contains("Mumbai ERP"));
    assert!(header(m, "Reply-To")
        .unwrap_or("")
        .contains("mumbaierp@resellers.example"));
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
    assert_eq!(mail("tom@jerry.in".into()).await.len(), 1);
    stack.stop().await;
}

/// A hot lead: one reseller alert, however often lead.qualified is delivered.
#[tokio::test]
async fn one_hot_alert_for_three_deliveries() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let mail = outbox_mail(&stack);
    api.reseller("Hot Partner", &["IN"], &[], "gold", 10).await;
    let (_, b) = api.post_json("/leads", json!({"email": "ceo@bigco.in", "name": "Anita", "title": "CEO", "budget": "₹5L+", "timeline": "next quarter", "country": "IN"})).await;
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let qualified = json!({"type": "lead.qualified", "version": 1, "id": "again", "occurred_at": "2026-11-02T10:00:00Z", "correlation_id": "x", "payload": {"lead_id": lead_id}}).to_string();
    api.queue_message(&stack, "sequence", qualified.clone()).await;
    api.queue_message(&stack, "sequence", qualified).await;
    api.drain().await;
    let alerts = mail("hotpartner@resellers.example".into()).await;
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("call within 4 hours"));
    assert!(alerts[0].text.contains("authority"));
    stack.stop().await;
}

/// Click tokens: one changed character → 404 and nothing recorded; a valid one redirects only
/// to the URL that was in the email. A bounce suppresses the address and stops its sequence.
#[tokio::test]
async fn click_tokens_and_bounces() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let mail = outbox_mail(&stack);
    api.reseller("Click Partner", &["IN"], &[], "gold", 10).await;
    api.set_clock("2026-11-23T10:00:00+05:30").await;
    let (_, b) = api
        .post_json(
            "/leads",
            json!({"email": "clicker@example.in", "country": "IN", "budget": "3L", "timeline": "ASAP"}),
        )
        .await;
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    api.run_sequences("2026-11-23T10:05:00+05:30").await;
    let m = mail("clicker@example.in".into()).await.pop().expect("first step");
    let click = links(&m, "/t/c/").pop().expect("click link");
    let mut tampered = click.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == '0' { '1' } else { '0' });
    let res = api.http.get(&tampered).send().await.expect("click");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get("location").is_none());
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["engagement"]["clicks"], 0);
    let res = api.http.get(&click).send().await.expect("click");
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "https://www.example.com/erp-buyers-guide");
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["engagement"]["clicks"], 1);

    // SES reports a bounce through SNS: the address is suppressed, the sequence stops
    let bounce = json!({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "clicker@example.in"}]}});
    let sns = json!({"Type": "Notification", "MessageId": "m1", "TopicArn": "arn:aws:sns:ap-south-1:123456789012:ses", "Message": bounce.to_string()});
    api.queue_message(&stack, "sequence", sns.to_string()).await;
    api.drain().await;
    let r = api.run_sequences("2026-11-28T10:00:00+05:30").await;
    assert_eq!((r["sent"].as_u64(), r["skipped"].as_u64()), (Some(0), Some(1)), "{r}");
    assert_eq!(mail("clicker@example.in".into()).await.len(), 1);
    stack.stop().await;
}
