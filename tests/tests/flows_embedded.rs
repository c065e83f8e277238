//! Whole flows through the local stack on the embedded adapters.

use e2e_tests::embedded_stack;
use e2e_tests::flows::{self, Api};

#[tokio::test]
async fn capture_score_route() {
    let stack = embedded_stack().await;
    flows::capture_score_route(&Api::of(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn duplicates_idempotency_and_races() {
    let stack = embedded_stack().await;
    flows::duplicates_idempotency_and_races(&Api::of(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn capacity_overflow_goes_to_admin_queue() {
    let stack = embedded_stack().await;
    flows::capacity_overflow_goes_to_admin_queue(&Api::of(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn poison_is_moved_aside_and_redriven() {
    let stack = e2e_tests::embedded_stack().await;
    e2e_tests::poison::poison_is_moved_aside_and_redriven(&Api::of(&stack), "emb").await;
    stack.stop().await;
}
