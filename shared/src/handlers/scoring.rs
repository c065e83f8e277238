//! The scoring function's SQS handler: each record in its own span; a record that fails (bad
//! JSON, unknown lead, a store outage) is reported alone as a batch item failure.

use crate::config::{env, Rules};
use crate::ports::{Clock, Queue, Table};
use crate::usecases::score_route::{score_and_route, RosterCache, ScorePorts, Scored};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::sync::Arc;
use std::time::Duration;

pub struct Scoring {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub roster: RosterCache,
    pub sequence_queue: String,
}

/// How long the reseller roster is cached between leads (`ROSTER_CACHE_SECONDS`, default 30).
pub fn roster_ttl(env: &mut crate::config::Env) -> Duration {
    Duration::from_secs(env.parsed(env::ROSTER_CACHE_SECONDS, 30, |v| {
        v.parse().map_err(|_| format!("must be a number of seconds, not {v:?}"))
    }))
}

impl Scoring {
    fn ports(&self) -> ScorePorts<'_> {
        ScorePorts {
            table: self.table.as_ref(),
            queue: self.queue.as_ref(),
            clock: self.clock.as_ref(),
            roster: &self.roster,
            rules: &self.rules,
            sequence_queue: &self.sequence_queue,
        }
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        super::sqs::each_record(event, None, |record| async move { self.handle_record(&record).await }).await
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), super::sqs::RecordError> {
        let env = super::sqs::envelope(record)?;
        let payload = match env.event {
            crate::events::Event::LeadEngaged(e) => {
                let ports = self.ports();
                let applied = crate::usecases::score_route::apply_engagement(
                    &ports,
                    &e.lead_id,
                    &e.kind,
                    &env.id,
                    &env.correlation_id,
                )
                .await
                .map_err(|e| e.to_string())?;
                tracing::info!(applied, "engagement");
                return Ok(());
            }
            crate::events::Event::LeadCaptured(c) => c,
            other => {
                // not ours: acknowledge rather than loop it through the DLQ
                tracing::warn!(kind = %other.kind(), "ignoring unexpected event type");
                return Ok(());
            }
        };
        let ports = self.ports();
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
