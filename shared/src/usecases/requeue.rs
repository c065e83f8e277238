//! No lead left at R001 (SPEC §2): a lead whose `lead.captured` message was never sent (the
//! send failed after the capture transaction) is found by a key-range query on the stage
//! index — lead ids are time-ordered, so "captured more than N minutes ago" is a range — and
//! queued for scoring again. Scoring ignores a lead it has already scored, so a message that
//! was only slow costs nothing. A per-lead counter bounds the attempts.

use crate::domain::pipeline::PipelineRules;
use crate::events::Envelope;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table};
use crate::ports::QueueSender;
use crate::repo::{self, Requeued};
use chrono::{DateTime, Duration, Utc};

pub struct RequeuePorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub scoring_queue: &'a str,
    pub rules: &'a PipelineRules,
}

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct RequeueReport {
    /// leads at R001 captured before the grace period
    pub stuck: u32,
    pub requeued: u32,
    /// out of attempts: left for a person
    pub gave_up: u32,
    pub failed: u32,
}

/// Queues every lead stuck at R001 for scoring again (at most the configured attempts each).
pub async fn sweep(ports: &RequeuePorts<'_>, now: DateTime<Utc>) -> Result<RequeueReport, StoreError> {
    let grace = Duration::minutes(i64::from(ports.rules.requeue_after_minutes));
    let (from, to) = repo::captured_before(&(now - grace));
    let items = repo::query_all(
        ports.table,
        Query::new(repo::stage_index_pk("R001"))
            .index(Index::Gsi3)
            .sk(SkRange::Between(from, to)),
    )
    .await?;
    let mut report = RequeueReport::default();
    for item in items {
        let lead_id = match repo::string_attr(&item, "lead_id") {
            Some(id) => id,
            None => continue,
        };
        report.stuck += 1;
        let counter: Option<Requeued> = repo::get_record(ports.table, &repo::requeue_key(&lead_id)).await?;
        let attempts = counter.as_ref().map_or(0, |c| c.attempts);
        if counter.as_ref().is_some_and(|c| c.last_at > now - grace) {
            continue;
        }
        if attempts >= ports.rules.requeue_max_attempts {
            report.gave_up += 1;
            continue;
        }
        let next = Requeued {
            lead_id: lead_id.clone(),
            attempts: attempts + 1,
            last_at: now,
            version: repo::version_after(counter.as_ref()),
        };
        let write = match &counter {
            None => repo::put_new(repo::item(&next)?),
            Some(c) => repo::put_if_version(repo::item(&next)?, c.version),
        };
        // another sweep got there first: it queues the lead
        match ports.table.transact(vec![write]).await {
            Ok(()) => {}
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e),
        }
        let body = Envelope::lead_captured(&lead_id, now, "requeue-sweep")
            .to_body()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        match ports.queue.send(ports.scoring_queue, body).await {
            Ok(_) => {
                tracing::warn!(lead_id = %lead_id, attempt = attempts + 1, "lead stuck at R001 queued for scoring again");
                report.requeued += 1;
            }
            Err(e) => {
                tracing::error!(lead_id = %lead_id, error = %e, "stuck lead not queued; the next sweep tries again");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}
