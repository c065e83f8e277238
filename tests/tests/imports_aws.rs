//! Prospect-list imports through the local stack on the AWS adapters: S3 ranged reads,
//! BatchGetItem dedupe reads and TransactWriteItems against the emulator.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, aws_stack_with_chunks, imports};

#[tokio::test]
async fn csv_edge_cases() {
    let stack = aws_stack().await;
    imports::csv_edge_cases(&Api::of(&stack), "aws").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn same_event_twice() {
    let stack = aws_stack().await;
    imports::same_event_twice(&Api::of(&stack), "aws").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn chunked_import() {
    // (small: the emulator copies the whole table once per item of every transaction)
    let stack = aws_stack_with_chunks(512).await;
    imports::chunked_import(&Api::of(&stack), "aws", 100).await;
    e2e_tests::stop(stack).await;
}
