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
    pub platform_gstin: String,
    pub hold_until_invoice: bool,
}

/// Where the month's payout CSV goes (`FINANCE_EMAIL`, required).
pub fn finance_email(env: &mut crate::config::Env) -> String {
    env.required(env::FINANCE_EMAIL)
}

/// `PLATFORM_GSTIN`, required and checked (its check character too).
pub fn platform_gstin(env: &mut crate::config::Env) -> String {
    match env.optional(env::PLATFORM_GSTIN) {
        None => env.required(env::PLATFORM_GSTIN),
        Some(_) => env.parsed(env::PLATFORM_GSTIN, String::new(), |v| {
            crate::domain::tax_id::gstin(v).map(|g| g.gstin)
        }),
    }
}

/// `HOLD_UNTIL_INVOICE`: `true` or `false` (unset: false).
pub fn hold_until_invoice(env: &mut crate::config::Env) -> bool {
    env.parsed(env::HOLD_UNTIL_INVOICE, false, |v| {
        match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            other => Err(format!("{other:?} is not true or false")),
        }
    })
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
            platform_gstin: &self.platform_gstin,
            hold_until_invoice: self.hold_until_invoice,
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
