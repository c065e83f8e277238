//! Tax-aware payouts (issue 15) through the local stack on the AWS adapters (the emulator).

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, tax_payouts};

#[tokio::test]
async fn a_taxed_month_paid_settled_and_reported() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    tax_payouts::tax_month(&Api::of(&stack), &tag[..8], emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}
