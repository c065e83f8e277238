//! Reseller applications through the local stack on the embedded adapters.

use e2e_tests::applications;
use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;

#[tokio::test]
async fn apply_and_approve() {
    let stack = embedded_stack().await;
    applications::apply_and_approve(&Api::of(&stack), "emb", e2e_tests::outbox_mail(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn reject_once() {
    let stack = embedded_stack().await;
    applications::reject_once(&Api::of(&stack), "emb", e2e_tests::outbox_mail(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn forms_honeypot_and_rate_limits() {
    let stack = embedded_stack().await;
    applications::forms_honeypot_and_rate_limits(&Api::of(&stack), "emb").await;
    stack.stop().await;
}
