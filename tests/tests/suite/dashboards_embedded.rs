//! The dashboards (issue 14) on the embedded stack.

use e2e_tests::flows::Api;
use e2e_tests::{dashboards, embedded_stack};

#[tokio::test]
async fn a_month_equals_the_ledger_and_a_payment_counts_once() {
    let stack = embedded_stack().await;
    dashboards::equals_the_ledger_and_counts_once(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn follow_up_recurring_and_referrals_count_once() {
    let stack = embedded_stack().await;
    dashboards::follow_up_recurring_and_referrals(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}
