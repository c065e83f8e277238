//! The monthly payout through the local stack on the AWS adapters; mail read back from the
//! emulator's SES.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, payouts, ses_sent};

#[tokio::test]
async fn monthly_payout() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    payouts::monthly_payout(&Api::of(&stack), &tag, |to| {
        let endpoint = endpoint.clone();
        async move {
            ses_sent(&endpoint)
                .await
                .into_iter()
                .filter(|(recipients, _)| recipients.contains(&to))
                .filter_map(|(_, raw)| shared::adapters::embedded::mailer::parse_eml("x.eml", &raw))
                .collect()
        }
    })
    .await;
    stack.stop().await;
}
