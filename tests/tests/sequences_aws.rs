//! The sequence sender on the AWS adapters: the hot alert read back from the emulator's SES.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, sequences};

#[tokio::test]
async fn one_hot_alert_for_three_deliveries() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    sequences::one_hot_alert(&Api::of(&stack), &stack, &tag, emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn business_hours_branding_escaping_and_unsubscribe() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    sequences::business_hours_and_unsubscribe(&Api::of(&stack), &tag, emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_backlog_is_spread_not_sent_at_once() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    sequences::a_backlog_is_spread_not_sent_at_once(&Api::of(&stack), &tag[..8], emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}
