//! Reseller applications through the local stack on the AWS adapters against the emulator.

use e2e_tests::applications;
use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator};

#[tokio::test]
async fn apply_and_approve() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    applications::apply_and_approve(&Api::of(&stack), "aws", e2e_tests::emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn reject_once() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    applications::reject_once(&Api::of(&stack), "aws", e2e_tests::emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn forms_honeypot_and_rate_limits() {
    let stack = aws_stack().await;
    applications::forms_honeypot_and_rate_limits(&Api::of(&stack), "aws").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn suspension_and_deactivation() {
    let stack = aws_stack().await;
    applications::suspension_and_deactivation(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn sub_resellers_three_levels() {
    let stack = aws_stack().await;
    applications::sub_resellers_three_levels(&Api::of(&stack), "aws").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn margin_reseller() {
    let stack = aws_stack().await;
    applications::margin_reseller(&Api::of(&stack), "aws").await;
    e2e_tests::stop(stack).await;
}

/// Fewer leads on the emulator (moto copies the whole table per transacted item: 101 leads take
/// minutes); paging across the export's pages is the embedded test's (1,000 leads), over the
/// same cursor code the AWS-backed list tests page with.
#[tokio::test]
async fn lead_export() {
    let stack = aws_stack().await;
    applications::lead_export(&Api::of(&stack), 24).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn revenue_and_usage_reports() {
    let stack = aws_stack().await;
    applications::revenue_and_usage_reports(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn tax_profile() {
    let stack = aws_stack().await;
    applications::tax_profile(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
