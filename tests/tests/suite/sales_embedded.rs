//! Quotes, proposals, co-selling, support tickets and the stuck-lead sweep through the local
//! stack on the embedded adapters.

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use e2e_tests::sales;

#[tokio::test]
async fn quote_estimate_matches_the_ledger() {
    let stack = embedded_stack().await;
    sales::quote_estimate_matches_the_ledger(&Api::of(&stack), stack.stack.blobs.as_ref()).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn discounts_beyond_the_tier_need_an_admin() {
    let stack = embedded_stack().await;
    sales::discounts_beyond_the_tier_need_an_admin(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn pricing_recommendation_from_won_deals() {
    let stack = embedded_stack().await;
    sales::pricing_recommendation_from_won_deals(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn co_selling() {
    let stack = embedded_stack().await;
    let presales = stack.stack.options.presales_email.clone();
    sales::co_selling(&Api::of(&stack), &presales, e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn support_tickets_raise_renewal_risk() {
    let stack = embedded_stack().await;
    sales::support_tickets_raise_renewal_risk(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn stuck_leads_are_swept_back_to_scoring() {
    let stack = embedded_stack().await;
    sales::stuck_leads_are_swept_back_to_scoring(&Api::of(&stack), &stack).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn hand_moves_stop_sequences() {
    let stack = embedded_stack().await;
    sales::hand_moves_stop_sequences(&Api::of(&stack), "embedded", e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}
