//! Sends raw MIME messages (SES SendRawEmail).

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("throttled, retry later")]
    Throttled,
    #[error("mailer unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Returns the provider's message id.
    async fn send_raw(&self, from: &str, to: &[String], mime: Vec<u8>) -> Result<String, MailError>;
}
