//! The renewal-risk scan through the local stack on the AWS adapters; alerts are read back
//! from what the emulator's SES sent.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, renewals};
use serde_json::Value;

#[tokio::test]
async fn nightly_scan() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    renewals::nightly_scan(
        &Api::of(&stack),
        &format!("Renewals Aws {}", shared::ids::random_id().to_lowercase()),
        |to| {
            let url = format!("{endpoint}/moto-api/data.json");
            async move {
                let data: Value = reqwest::get(url).await.expect("moto api").json().await.expect("json");
                data["ses"]["RawMessage"]
                    .as_array()
                    .map(|msgs| {
                        msgs.iter()
                            .filter(|m| {
                                m["destinations"]
                                    .as_array()
                                    .is_some_and(|d| d.iter().any(|x| x.as_str() == Some(to.as_str())))
                            })
                            .filter_map(|m| m["raw_data"].as_str())
                            .filter_map(|raw| shared::adapters::embedded::mailer::parse_eml("x.eml", raw.as_bytes()))
                            .map(|m| format!("{}\n{}\n{}", m.subject, m.text, m.html))
                            .collect()
                    })
                    .unwrap_or_default()
            }
        },
    )
    .await;
    stack.stop().await;
}
