//! The renewal-risk-scan function: run nightly by EventBridge Scheduler (02:00 Asia/Kolkata);
//! the event itself carries nothing the scan needs.

use crate::config::{env, Rules};
use crate::ports::{Clock, Mailer, Table};
use crate::usecases::renewals::{scan, ScanPorts, ScanReport};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub struct RenewalScan {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub mail_from: String,
}

/// The sender of every platform email (`MAIL_FROM`, with a local default).
pub fn mail_from(env: &mut crate::config::Env) -> String {
    env.optional(env::MAIL_FROM)
        .unwrap_or_else(|| "Partner Programme <alerts@partners.example>".into())
}

/// `MAIL_FROM` from the process environment.
pub fn mail_from_env() -> String {
    mail_from(&mut crate::config::Env::process())
}

impl RenewalScan {
    /// Scans as of `now` (the clock's time when `None`).
    pub async fn run(&self, now: Option<DateTime<Utc>>) -> Result<ScanReport, crate::ports::table::StoreError> {
        let now = now.unwrap_or_else(|| self.clock.now());
        let ports = ScanPorts {
            table: self.table.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            rules: &self.rules,
            mail_from: &self.mail_from,
        };
        let report = scan(&ports, now).await?;
        tracing::info!(
            read = report.read,
            at_risk = report.at_risk,
            alerted = report.alerted,
            failed = report.failed,
            "renewal scan done"
        );
        Ok(report)
    }
}
