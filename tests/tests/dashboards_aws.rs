//! The dashboards (issue 14) on the AWS adapters against the emulator (TransactWriteItems with
//! `ADD` counters, BatchGetItem).

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, dashboards, emulator};

#[tokio::test]
async fn a_month_equals_the_ledger_and_a_payment_counts_once() {
    emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    dashboards::equals_the_ledger_and_counts_once(&Api::of(&stack), &tag[..8]).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn follow_up_recurring_and_referrals_count_once() {
    emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    dashboards::follow_up_recurring_and_referrals(&Api::of(&stack), &tag[..8]).await;
    e2e_tests::stop(stack).await;
}
