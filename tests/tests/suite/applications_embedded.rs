//! Reseller applications through the local stack on the embedded adapters.

use e2e_tests::applications;
use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;

#[tokio::test]
async fn apply_and_approve() {
    let stack = embedded_stack().await;
    applications::apply_and_approve(&Api::of(&stack), "emb", e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn reject_once() {
    let stack = embedded_stack().await;
    applications::reject_once(&Api::of(&stack), "emb", e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn forms_honeypot_and_rate_limits() {
    let stack = embedded_stack().await;
    applications::forms_honeypot_and_rate_limits(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

/// `cargo run -p local-stack` seeds one pending application on a first run.
#[tokio::test]
async fn the_demo_seeds_one_pending_application() {
    let stack = embedded_stack().await;
    let id = local_stack::demo::seed_application(&stack.stack.partner_api)
        .await
        .expect("seeded");
    let (status, queue) = Api::of(&stack).admin_get("/reseller-applications").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let ids: Vec<&str> = queue["applications"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["application_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, [id.as_str()]);
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn suspension_and_deactivation() {
    let stack = embedded_stack().await;
    applications::suspension_and_deactivation(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn sub_resellers_three_levels() {
    let stack = embedded_stack().await;
    applications::sub_resellers_three_levels(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn margin_reseller() {
    let stack = embedded_stack().await;
    applications::margin_reseller(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn lead_export_of_a_thousand() {
    // a thousand leads from the one local client: over the default per-address hour
    let stack = e2e_tests::embedded_stack_with(|o| {
        o.rules_json = Some(r#"{"public_limits": {"leads_per_client_per_hour": 5000}}"#.into());
    })
    .await;
    applications::lead_export(&Api::of(&stack), 1000).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn revenue_and_usage_reports() {
    let stack = embedded_stack().await;
    applications::revenue_and_usage_reports(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn tax_profile() {
    let stack = embedded_stack().await;
    applications::tax_profile(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
