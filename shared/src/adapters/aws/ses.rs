//! The mailer port on SES (SendRawEmail: the caller builds the MIME).

use crate::ports::mailer::*;
use async_trait::async_trait;
use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use aws_sdk_ses::Client;

#[derive(Clone)]
pub struct SesMailer {
    client: super::OnFirstUse<Client>,
    /// SES reports this configuration set's bounces and complaints (`SES_CONFIGURATION_SET`)
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(config: &aws_types::SdkConfig) -> SesMailer {
        SesMailer {
            client: super::OnFirstUse::new(config, Client::new),
            configuration_set: std::env::var(crate::config::env::SES_CONFIGURATION_SET)
                .ok()
                .filter(|v| !v.is_empty()),
        }
    }

    /// Verifies a sending domain (the emulator, like SES's sandbox, refuses unverified senders).
    pub async fn verify_domain(&self, domain: &str) -> Result<(), MailError> {
        self.client
            .get()
            .verify_domain_identity()
            .domain(domain)
            .send()
            .await
            .map_err(|e| {
                MailError::Unavailable(format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or("")))
            })?;
        Ok(())
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_raw(&self, from: &str, to: &[String], mime: Vec<u8>) -> Result<String, MailError> {
        if to.is_empty() {
            return Err(MailError::Rejected("no recipients".into()));
        }
        let raw = RawMessage::builder()
            .data(Blob::new(mime))
            .build()
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        let out = self
            .client
            .get()
            .send_raw_email()
            .source(from)
            .set_destinations(Some(to.to_vec()))
            .raw_message(raw)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|e| match e.code() {
                Some("Throttling") | Some("ThrottlingException") => MailError::Throttled,
                Some(c @ ("MessageRejected" | "MailFromDomainNotVerifiedException" | "InvalidParameterValue")) => {
                    MailError::Rejected(format!("{c}: {}", e.message().unwrap_or("")))
                }
                c => MailError::Unavailable(format!("{}: {}", c.unwrap_or("?"), e.message().unwrap_or(""))),
            })?;
        Ok(out.message_id)
    }
}
