//! The renewal-risk scan through the local stack on the AWS adapters; alerts are read back
//! from what the emulator's SES sent.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, renewals};

#[tokio::test]
async fn nightly_scan() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let reseller = format!("Renewals Aws {}", shared::ids::random_id().to_lowercase());
    renewals::nightly_scan(&Api::of(&stack), &reseller, emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn renewal_index_uses_the_india_date() {
    let stack = e2e_tests::aws_stack().await;
    renewals::renewal_index_uses_the_india_date(&Api::of(&stack), stack.stack.table.as_ref()).await;
    e2e_tests::stop(stack).await;
}
