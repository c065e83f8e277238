//! The middle of the funnel through the local stack on the embedded adapters.

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use e2e_tests::pipeline;

#[tokio::test]
async fn stage_moves_and_closed_lost() {
    let stack = embedded_stack().await;
    pipeline::stage_moves_and_closed_lost(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn admin_lists_and_assigns() {
    let stack = embedded_stack().await;
    pipeline::admin_lists_and_assigns(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn win_rate_from_outcomes() {
    let stack = embedded_stack().await;
    pipeline::win_rate_from_outcomes(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn product_catalogue() {
    let stack = embedded_stack().await;
    pipeline::product_catalogue(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
