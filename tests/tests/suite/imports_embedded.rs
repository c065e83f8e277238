//! Prospect-list imports through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, embedded_stack_with_chunks, imports};

#[tokio::test]
async fn csv_edge_cases() {
    let stack = embedded_stack().await;
    imports::csv_edge_cases(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn same_event_twice() {
    let stack = embedded_stack().await;
    imports::same_event_twice(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn chunked_import() {
    let stack = embedded_stack_with_chunks(4096).await;
    imports::chunked_import(&Api::of(&stack), "emb", 2_000).await;
    e2e_tests::stop(stack).await;
}
