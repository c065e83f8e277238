//! The scoring function's SQS handler: each record in its own span; a record that fails (bad
//! JSON, unknown lead, a store outage) is reported alone as a batch item failure.

use crate::config::{env, Rules};
use crate::events::{Envelope, LeadCaptured, LEAD_CAPTURED};
use crate::ports::{Clock, Queue, Table};
use crate::usecases::score_route::{score_and_route, RosterCache, ScorePorts, Scored};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

pub struct Scoring {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub roster: RosterCache,
    pub sequence_queue: String,
}

/// How long the reseller roster is cached between leads (`ROSTER_CACHE_SECONDS`, default 30).
pub fn roster_ttl_from_env() -> Duration {
    Duration::from_secs(
        std::env::var(env::ROSTER_CACHE_SECONDS)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30),
    )
}

impl Scoring {
    pub fn sequence_queue_from_env() -> Result<String, String> {
        std::env::var(env::SEQUENCE_QUEUE_URL)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{} is not set", env::SEQUENCE_QUEUE_URL))
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut failures = Vec::new();
        for record in event.records {
            let id = record.message_id.clone().unwrap_or_default();
            let span = tracing::info_span!("record", message_id = %id);
            if let Err(reason) = self.handle_record(&record).instrument(span.clone()).await {
                span.in_scope(|| tracing::warn!(error = %reason, "record failed; it will be retried"));
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                failures.push(failure);
            }
        }
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures;
        response
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), String> {
        let body = record.body.as_deref().ok_or("empty message")?;
        let env: Envelope = serde_json::from_str(body).map_err(|e| format!("not an event envelope: {e}"))?;
        if env.kind != LEAD_CAPTURED {
            // not ours: acknowledge rather than loop it through the DLQ
            tracing::warn!(kind = %env.kind, "ignoring unexpected event type");
            return Ok(());
        }
        let payload: LeadCaptured =
            serde_json::from_value(env.payload).map_err(|e| format!("bad lead.captured payload: {e}"))?;
        let ports = ScorePorts {
            table: self.table.as_ref(),
            queue: self.queue.as_ref(),
            clock: self.clock.as_ref(),
            roster: &self.roster,
            rules: &self.rules,
            sequence_queue: &self.sequence_queue,
        };
        match score_and_route(&ports, &payload.lead_id, &env.correlation_id)
            .await
            .map_err(|e| e.to_string())?
        {
            Scored::Qualified {
                lead_id,
                score,
                band,
                owner,
            } => {
                tracing::info!(lead_id = %lead_id, score, band = %band, owner = ?owner, "lead qualified")
            }
            Scored::AlreadyScored { lead_id } => {
                tracing::info!(lead_id = %lead_id, "already scored; nothing changed")
            }
            Scored::Spam { lead_id } => tracing::info!(lead_id = %lead_id, "spam; not scored"),
        }
        Ok(())
    }
}
