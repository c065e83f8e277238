//! The monthly payout: the coordinator (1st of the month, 02:30 Asia/Kolkata, for the month
//! before) enumerates payees and queues one request each; the worker settles one payee-month.

use crate::config::{env, Rules};
use crate::domain::payout::previous_month;
use crate::ports::{Clock, Mailer, Queue, Table};
use crate::usecases::payout::{pay_payee, start_month, PayoutPorts};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

pub struct Payout {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub payout_queue: String,
    pub mail_from: String,
    pub finance_email: String,
}

/// Where the month's payout CSV goes (`FINANCE_EMAIL`, required).
pub fn finance_email(env: &mut crate::config::Env) -> String {
    env.required(env::FINANCE_EMAIL)
}

impl Payout {
    fn ports(&self) -> PayoutPorts<'_> {
        PayoutPorts {
            table: self.table.as_ref(),
            queue: self.queue.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            rules: &self.rules,
            payout_queue: &self.payout_queue,
            mail_from: &self.mail_from,
            finance_email: &self.finance_email,
        }
    }

    /// The coordinator: the month before `now` (the clock's time when `None`).
    pub async fn coordinate(&self, now: Option<DateTime<Utc>>) -> Result<Value, crate::usecases::payout::PayoutError> {
        let month = previous_month(now.unwrap_or_else(|| self.clock.now()));
        let payees = start_month(&self.ports(), &month).await?;
        tracing::info!(month = %month, payees, "payout requests queued");
        Ok(json!({"month": month, "payees": payees}))
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        super::sqs::each_record(event, None, |record| async move { self.handle_record(&record).await }).await
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), super::sqs::RecordError> {
        let env = super::sqs::envelope(record)?;
        let crate::events::Event::PayoutRequested(crate::events::PayoutRequested { payee, month }) = env.event else {
            tracing::warn!(kind = %env.kind(), "ignoring unexpected event type");
            return Ok(());
        };
        let ticket = pay_payee(&self.ports(), &payee, &month)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(payout_id = %ticket.payout_id, lines = ticket.lines.len(), "payout issued");
        Ok(())
    }
}
