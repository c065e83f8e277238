//! The commission function's SQS handler: `payment.received` and `refund.received`, each record
//! in its own span. A record that cannot be applied yet fails alone and comes back later; one
//! that never can (not an event, a payment that does not exist, a panic) goes straight to the
//! dead-letter queue; a payment that can be decided but not applied (an overpayment, amounts
//! no decimal holds) is recorded as rejected with its reason.

use super::sqs::{DeadLetters, RecordError};
use crate::config::Rules;
use crate::events::Event;
use crate::ports::{Clock, Table};
use crate::usecases::commission::{process_payment, process_refund, CommissionError, CommissionPorts, Outcome};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::sync::Arc;

pub struct Commission {
    pub table: Arc<dyn Table>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    /// the commission queue's DLQ, for records that can never succeed
    pub dead_letters: Option<DeadLetters>,
}

impl From<CommissionError> for RecordError {
    fn from(e: CommissionError) -> Self {
        match e {
            CommissionError::Unknown(_) => RecordError::Permanent(e.to_string()),
            CommissionError::NotYet(_) | CommissionError::Store(_) => RecordError::Retry(e.to_string()),
        }
    }
}

impl Commission {
    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        super::sqs::each_record(event, self.dead_letters.as_ref(), |record| async move {
            self.handle_record(&record).await
        })
        .await
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), RecordError> {
        let env = super::sqs::envelope(record)?;
        let ports = CommissionPorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            rules: &self.rules,
        };
        let outcome = match &env.event {
            Event::PaymentReceived(p) => process_payment(&ports, &p.payment_id).await?,
            Event::RefundReceived(r) => process_refund(&ports, &r.refund_id).await?,
            other => {
                tracing::warn!(kind = %other.kind(), "ignoring unexpected event type");
                return Ok(());
            }
        };
        match outcome {
            Outcome::Applied { entries } => tracing::info!(kind = %env.kind(), entries, "ledger entries written"),
            Outcome::AlreadyDone => tracing::info!(kind = %env.kind(), "already applied; nothing changed"),
            Outcome::Held => tracing::info!(kind = %env.kind(), "payment held until its order arrives"),
            Outcome::Rejected(reason) => tracing::warn!(kind = %env.kind(), reason = %reason, "not applied"),
        }
        Ok(())
    }
}
