//! The sla-watch function: run every 15 minutes by EventBridge Scheduler; the event carries
//! nothing the watch needs. Each run also sweeps leads stuck at R001 back to scoring.

use crate::config::{env, Rules};
use crate::ports::{Clock, Mailer, Queue, Table};
use crate::usecases::sla::{watch, SlaPorts, WatchReport};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub struct SlaWatch {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub mail_from: String,
    pub admin_email: String,
    /// where a stuck lead's `lead.captured` goes again
    pub scoring_queue: String,
}

/// Who hears of escalations and the admin queue: the first of `ADMIN_EMAILS` (the addresses
/// that log in to the portal as the admin — one name for the programme's admins everywhere).
pub fn admin_email(env: &mut crate::config::Env) -> String {
    env.parsed(env::ADMIN_EMAILS, String::new(), |v| {
        match v.split(',').map(str::trim).find(|a| !a.is_empty()) {
            Some(first) if first.contains('@') => Ok(first.to_string()),
            _ => Err("must list at least one email address".into()),
        }
    })
}

impl SlaWatch {
    /// Handles every lead overdue at `now` (the clock's time when `None`).
    pub async fn run(&self, now: Option<DateTime<Utc>>) -> Result<WatchReport, crate::ports::table::StoreError> {
        let now = now.unwrap_or_else(|| self.clock.now());
        let ports = SlaPorts {
            table: self.table.as_ref(),
            mailer: self.mailer.as_ref(),
            clock: self.clock.as_ref(),
            rules: &self.rules,
            mail_from: &self.mail_from,
            admin_email: &self.admin_email,
        };
        let mut report = watch(&ports, now).await?;
        report.requeue = crate::usecases::requeue::sweep(
            &crate::usecases::requeue::RequeuePorts {
                table: self.table.as_ref(),
                queue: self.queue.as_ref(),
                scoring_queue: &self.scoring_queue,
                rules: &self.rules.pipeline,
            },
            now,
        )
        .await?;
        report.outbox = crate::usecases::outbox::sweep(self.table.as_ref(), self.mailer.as_ref(), now).await?;
        tracing::info!(
            overdue = report.overdue,
            reassigned = report.reassigned,
            escalated = report.escalated,
            admin_queue = report.admin_queue,
            conflicts = report.conflicts,
            failed = report.failed,
            stuck = report.requeue.stuck,
            requeued = report.requeue.requeued,
            letters_sent = report.outbox.sent,
            letters_retrying = report.outbox.retrying,
            letters_given_up = report.outbox.given_up,
            "SLA watch done"
        );
        Ok(report)
    }
}
