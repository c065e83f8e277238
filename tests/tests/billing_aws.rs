//! Order-to-commission through the local stack on the AWS adapters against the emulator.

use e2e_tests::aws_stack;
use e2e_tests::billing;
use e2e_tests::flows::Api;

#[tokio::test]
async fn worked_example() {
    let stack = aws_stack().await;
    billing::worked_example(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn instalments_referrals_and_refunds() {
    let stack = aws_stack().await;
    billing::instalments_referrals_and_refunds(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn replays_races_and_early_payments() {
    let stack = aws_stack().await;
    billing::replays_races_and_early_payments(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn signatures_fields_and_currencies() {
    let stack = aws_stack().await;
    billing::signatures_fields_and_currencies(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn poison_payments_and_overpayments() {
    let stack = aws_stack().await;
    billing::poison_payments_and_overpayments(&Api::of(&stack), stack.stack.table.as_ref()).await;
    e2e_tests::stop(stack).await;
}
