//! Issue 16 item 6: `BILLING_WEBHOOK_SECRET` and `TRACKING_SECRET` take a comma-separated list —
//! the first signs, every one verifies — so either can be rotated without downtime.

use e2e_tests::billing::order;
use e2e_tests::embedded_stack_with;
use e2e_tests::flows::Api;
use reqwest::StatusCode;

const OLD_TRACKING: &str = "0ld-tracking-secret-0123456789abcdef0123456789";
const NEW_TRACKING: &str = "n3w-tracking-secret-0123456789abcdef0123456789";

#[tokio::test]
async fn webhooks_and_links_signed_with_the_old_or_the_new_secret_are_both_accepted() {
    let stack = embedded_stack_with(|o| {
        o.webhook_secret = "new-webhook-secret,local-webhook-secret".into();
        std::fs::create_dir_all(&o.data_dir).expect("data dir");
        std::fs::write(
            o.data_dir.join("tracking-secret"),
            format!("{NEW_TRACKING},{OLD_TRACKING}"),
        )
        .expect("tracking secret");
    })
    .await;
    let api = Api::of(&stack);
    let (closer, _) = api.reseller("Rotation", &["IN"], &[], "gold", 10).await;
    let lead = api.scored_lead("rotation@example.in").await;
    let now = chrono::Utc::now().timestamp();
    let body = |id: &str| order(id, &lead, &closer, "100000", "20000");
    // the billing system still signs with the old secret, then switches to the new one
    for (id, secret) in [
        ("ORD-ROT-OLD", "local-webhook-secret"),
        ("ORD-ROT-NEW", "new-webhook-secret"),
    ] {
        let (s, b) = api.signed_with("/billing/orders", &body(id), secret, now).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{secret}: {b}");
    }
    let (s, _) = api
        .signed_with("/billing/orders", &body("ORD-ROT-BAD"), "retired-secret", now)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a secret not in the list is refused");

    // links mailed before the rotation (old secret) and after (new) both open
    let payload = format!("u|{lead}|rotation@example.in");
    for secret in [OLD_TRACKING, NEW_TRACKING] {
        let token = shared::domain::token::sign(secret, &payload);
        let res = api
            .http
            .get(format!("{}/u/{token}", api.base))
            .send()
            .await
            .expect("unsubscribe page");
        assert_eq!(res.status(), StatusCode::OK, "{secret}");
    }
    let forged = shared::domain::token::sign("some-other-secret-0123456789abcdef", &payload);
    let res = api
        .http
        .get(format!("{}/u/{forged}", api.base))
        .send()
        .await
        .expect("forged");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    e2e_tests::stop(stack).await;
}
