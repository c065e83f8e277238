//! The AWS adapters, over the official SDK crates. `AWS_ENDPOINT_URL` points them at an
//! emulator (moto) in tests and in the local stack's `--aws` mode.

pub mod dynamo;
pub mod s3;
pub mod ses;
pub mod sqs;

pub use dynamo::DynamoTable;
pub use s3::S3Blobs;
pub use ses::SesMailer;
pub use sqs::SqsQueue;

/// Loads the shared SDK configuration once (region, credentials, endpoint override).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}

/// An emulator on a custom endpoint serves S3 by path, not by virtual host.
pub fn uses_custom_endpoint() -> bool {
    std::env::var("AWS_ENDPOINT_URL").is_ok_and(|v| !v.is_empty())
}
