//! The sequence-sender function: `lead.qualified` (enrol, or the hot alert), portal login
//! requests (the link is mailed from here, so that the portal's answer takes the same time
//! whether or not the address is known) and SES bounce and complaint notifications (SNS → SQS:
//! suppress) arrive over SQS; every 5 minutes a schedule sends the steps now due.

use crate::config::{env, Rules};
use crate::ports::{Clock, Mailer, Table};
use crate::usecases::sequences::{on_qualified, send_due, suppress, SendReport, SequencePorts};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

pub struct Sequencer {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub mail_from: String,
    pub public_base_url: String,
    pub tracking_secret: String,
    /// addresses that log in to the portal as the admin
    pub admin_emails: Vec<String>,
}

impl Sequencer {
    /// The public base URL and the tracking secret (both required).
    pub fn secrets(env: &mut crate::config::Env) -> (String, String) {
        // links are signed with the first of a rotating `new,old` secret
        let tracking = env.secrets(env::TRACKING_SECRET);
        (env.required(env::PUBLIC_BASE_URL), tracking.signing().to_string())
    }

    fn ports(&self) -> SequencePorts<'_> {
        SequencePorts {
            table: self.table.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            rules: &self.rules,
            mail_from: &self.mail_from,
            public_base_url: &self.public_base_url,
            tracking_secret: &self.tracking_secret,
        }
    }

    /// The scheduled run: sends what is due by `now` (the clock's time when `None`).
    pub async fn run(&self, now: Option<DateTime<Utc>>) -> Result<SendReport, crate::ports::table::StoreError> {
        let now = now.unwrap_or_else(|| self.clock.now());
        let report = send_due(&self.ports(), now).await?;
        tracing::info!(
            due = report.due,
            sent = report.sent,
            deferred = report.deferred,
            skipped = report.skipped,
            "sequence run"
        );
        Ok(report)
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        super::sqs::each_record(event, None, |record| async move { self.handle_record(&record).await }).await
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), super::sqs::RecordError> {
        let body: Value =
            serde_json::from_str(record.body.as_deref().unwrap_or("")).map_err(|e| format!("not JSON: {e}"))?;
        // an SES notification delivered through SNS
        if body.get("Type").and_then(Value::as_str) == Some("Notification") {
            let message: Value = serde_json::from_str(body.get("Message").and_then(Value::as_str).unwrap_or(""))
                .map_err(|e| format!("SNS message: {e}"))?;
            return self.ses_notification(&message).await;
        }
        let env = super::sqs::envelope(record)?;
        let q = match env.event {
            crate::events::Event::LeadQualified(q) => q,
            crate::events::Event::LoginRequested(r) => return self.login_link(&r.email).await,
            _ => {
                tracing::warn!(kind = %env.kind(), "ignoring unexpected event type");
                return Ok(());
            }
        };
        let lead_id = q.lead_id.as_str();
        let outcome = on_qualified(&self.ports(), lead_id).await.map_err(|e| {
            if e.is_permanent() {
                super::sqs::RecordError::Permanent(e.to_string())
            } else {
                super::sqs::RecordError::Retry(e.to_string())
            }
        })?;
        tracing::info!(lead_id = %lead_id, outcome = ?outcome, "qualified lead handled");
        Ok(())
    }

    /// Mails a portal login link if the address belongs to someone (a redelivery mails another
    /// link; each works once).
    async fn login_link(&self, email: &str) -> Result<(), super::sqs::RecordError> {
        let ports = crate::usecases::portal_auth::LoginPorts {
            table: self.table.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            mail_from: &self.mail_from,
            admin_emails: &self.admin_emails,
            portal_url: &self.public_base_url,
        };
        crate::usecases::portal_auth::request_link(&ports, email)
            .await
            .map_err(|e| super::sqs::RecordError::Retry(e.to_string()))
    }

    /// Bounces and complaints suppress the address: no sequence mails it again.
    async fn ses_notification(&self, m: &Value) -> Result<(), super::sqs::RecordError> {
        let kind = m
            .get("notificationType")
            .or_else(|| m.get("eventType"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let recipients: Vec<&str> = match kind {
            "Bounce" => m["bounce"]["bouncedRecipients"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["emailAddress"].as_str()).collect())
                .unwrap_or_default(),
            "Complaint" => m["complaint"]["complainedRecipients"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["emailAddress"].as_str()).collect())
                .unwrap_or_default(),
            _ => vec![],
        };
        for r in recipients {
            suppress(self.table.as_ref(), r, &kind.to_lowercase(), self.clock.now())
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(kind = %kind, "address suppressed");
        }
        Ok(())
    }
}
