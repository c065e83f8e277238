//! The sequence sender through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::sequences::links;
use e2e_tests::{embedded_stack, outbox_mail};
use reqwest::StatusCode;
use serde_json::json;

/// A warm lead captured on a Friday at 20:00 IST gets its first email on Monday at 09:00 IST.
#[tokio::test]
async fn business_hours_branding_escaping_and_unsubscribe() {
    let stack = embedded_stack().await;
    e2e_tests::sequences::business_hours_and_unsubscribe(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

/// A hot lead: one reseller alert, however often lead.qualified is delivered.
#[tokio::test]
async fn one_hot_alert_for_three_deliveries() {
    let stack = embedded_stack().await;
    e2e_tests::sequences::one_hot_alert(&Api::of(&stack), &stack, "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
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
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_backlog_is_spread_not_sent_at_once() {
    let stack = embedded_stack().await;
    e2e_tests::sequences::a_backlog_is_spread_not_sent_at_once(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}
