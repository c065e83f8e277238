//! The middle of the funnel through the local stack on the AWS adapters against the emulator.

use e2e_tests::aws_stack;
use e2e_tests::flows::Api;
use e2e_tests::pipeline;

#[tokio::test]
async fn stage_moves_and_closed_lost() {
    let stack = aws_stack().await;
    pipeline::stage_moves_and_closed_lost(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn admin_lists_and_assigns() {
    let stack = aws_stack().await;
    pipeline::admin_lists_and_assigns(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn win_rate_from_outcomes() {
    let stack = aws_stack().await;
    pipeline::win_rate_from_outcomes(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn product_catalogue() {
    let stack = aws_stack().await;
    pipeline::product_catalogue(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
