//! The monthly payout through the local stack on the AWS adapters; mail read back from the
//! emulator's SES.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, payouts};

#[tokio::test]
async fn monthly_payout() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    payouts::monthly_payout(&Api::of(&stack), &tag, emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}
