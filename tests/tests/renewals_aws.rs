//! The renewal-risk scan through the local stack on the AWS adapters; alerts are read back
//! from what the emulator's SES sent.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, renewals, ses_sent};

#[tokio::test]
async fn nightly_scan() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let reseller = format!("Renewals Aws {}", shared::ids::random_id().to_lowercase());
    renewals::nightly_scan(&Api::of(&stack), &reseller, |to| {
        let endpoint = endpoint.clone();
        async move {
            ses_sent(&endpoint)
                .await
                .into_iter()
                .filter(|(recipients, _)| recipients.contains(&to))
                .filter_map(|(_, raw)| shared::adapters::embedded::mailer::parse_eml("x.eml", &raw))
                .map(|m| format!("{}\n{}\n{}", m.subject, m.text, m.html))
                .collect()
        }
    })
    .await;
    stack.stop().await;
}
