//! The port contracts on the AWS adapters, over HTTP to the emulator (moto). These never skip:
//! without `AWS_ENDPOINT_URL` they fail and say how to run them.

use e2e_tests::{contract, emulator, unique};
use shared::adapters::aws::{sdk_config, DynamoTable, S3Blobs, SesMailer, SqsQueue};

#[tokio::test]
async fn dynamodb_table() {
    emulator();
    let sdk = sdk_config().await;
    let t = DynamoTable::new(&sdk, unique("contract"));
    t.ensure_table().await.expect("create table");
    contract::table_suite(&t).await;
}

#[tokio::test]
async fn sqs_queue() {
    let endpoint = emulator();
    let sdk = sdk_config().await;
    let q = SqsQueue::new(&sdk);
    let url = q.ensure_queue(&unique("contract")).await.expect("create queue");
    contract::queue_suite(&q, &url, &format!("{endpoint}/123456789012/no-such-queue")).await;
}

#[tokio::test]
async fn ses_mailer() {
    let endpoint = emulator();
    let sdk = sdk_config().await;
    let m = SesMailer::new(&sdk);
    m.verify_domain("mail.partners.example").await.expect("verify domain");
    // the emulator keeps what SES sent; read it back through its API
    contract::mailer_suite(&m, "alerts@mail.partners.example", || {
        let endpoint = endpoint.clone();
        async move {
            e2e_tests::ses_sent(&endpoint)
                .await
                .into_iter()
                .map(|(_, raw)| raw)
                .collect()
        }
    })
    .await;
}

#[tokio::test]
async fn s3_blobs() {
    emulator();
    let sdk = sdk_config().await;
    let b = S3Blobs::new(&sdk, unique("contract"));
    b.ensure_bucket().await.expect("create bucket");
    contract::blobs_suite(&b).await;
}
