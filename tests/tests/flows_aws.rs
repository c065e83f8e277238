//! The same flows through the local stack on the AWS adapters against the emulator: real
//! DynamoDB transactions, GSIs and SQS between the functions.

use e2e_tests::aws_stack;
use e2e_tests::flows::{self, Api};

#[tokio::test]
async fn capture_score_route() {
    let stack = aws_stack().await;
    flows::capture_score_route(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn duplicates_idempotency_and_races() {
    let stack = aws_stack().await;
    flows::duplicates_idempotency_and_races(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn capacity_overflow_goes_to_admin_queue() {
    let stack = aws_stack().await;
    flows::capacity_overflow_goes_to_admin_queue(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn poison_is_moved_aside_and_redriven() {
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    e2e_tests::poison::poison_is_moved_aside_and_redriven(&Api::of(&stack), &tag[..8]).await;
    e2e_tests::stop(stack).await;
}
