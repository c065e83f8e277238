//! The partial-batch pattern every SQS consumer shares: each record in its own span; a record
//! that fails is reported alone and comes back later, the rest of the batch succeeds. A record
//! that can never succeed — a permanent failure, or a panic while handling it — is moved to
//! the dead-letter queue at once (when the consumer has one) instead of being retried until
//! the redrive policy gives up; a panic never takes the batch, or the process, with it.

use crate::events::Envelope;
use crate::ports::Queue;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tracing::Instrument;

/// Why a record failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordError {
    /// may succeed later (contention, throttling, an order not there yet): comes back
    Retry(String),
    /// will never succeed (not an event, unknown reference): moved aside
    Permanent(String),
}

impl From<String> for RecordError {
    fn from(reason: String) -> Self {
        RecordError::Retry(reason)
    }
}

/// Where a consumer moves the records that can never succeed.
#[derive(Clone)]
pub struct DeadLetters {
    pub queue: Arc<dyn Queue>,
    /// the dead-letter queue's URL (or name, on the embedded queue)
    pub url: String,
}

impl DeadLetters {
    /// The dead-letter queue of `queue_url`, by this project's naming (`<queue>-dlq`, in the
    /// template and on every adapter).
    pub fn of(queue: Arc<dyn Queue>, queue_url: &str) -> DeadLetters {
        DeadLetters {
            queue,
            url: crate::ports::queue::dead_letter_queue_of(queue_url),
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

pub async fn each_record<'a, F, Fut, E>(
    event: SqsEvent,
    dead_letters: Option<&DeadLetters>,
    handle: F,
) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>> + 'a,
    E: Into<RecordError>,
{
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let body = record.body.clone().unwrap_or_default();
        let span = tracing::info_span!("record", message_id = %id);
        let outcome = AssertUnwindSafe(handle(record).instrument(span.clone()))
            .catch_unwind()
            .await;
        let error = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e.into(),
            Err(panic) => RecordError::Permanent(format!("panicked: {}", panic_text(panic.as_ref()))),
        };
        let moved = match (&error, dead_letters) {
            (RecordError::Permanent(reason), Some(dlq)) => {
                match dlq.queue.send(&dlq.url, body).await {
                    Ok(_) => {
                        span.in_scope(|| tracing::error!(error = %reason, "record can never succeed; moved to the dead-letter queue"));
                        true
                    }
                    Err(e) => {
                        span.in_scope(|| tracing::error!(error = %reason, dlq_error = %e, "record can never succeed; the dead-letter queue refused it, so it will be retried"));
                        false
                    }
                }
            }
            (RecordError::Permanent(reason), None) => {
                span.in_scope(|| tracing::error!(error = %reason, "record can never succeed; it is retried until the redrive policy moves it"));
                false
            }
            (RecordError::Retry(reason), _) => {
                span.in_scope(|| tracing::warn!(error = %reason, "record failed; it will be retried"));
                false
            }
        };
        if !moved {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

/// The record's event envelope, or why it is not one (a permanent failure).
pub fn envelope(record: &SqsMessage) -> Result<Envelope, RecordError> {
    let body = record
        .body
        .as_deref()
        .ok_or(RecordError::Permanent("empty message".into()))?;
    serde_json::from_str(body).map_err(|e| RecordError::Permanent(format!("not an event envelope: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedQueue;
    use std::time::Duration;

    fn event(bodies: &[&str]) -> SqsEvent {
        let mut e = SqsEvent::default();
        e.records = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut m = SqsMessage::default();
                m.message_id = Some(format!("m{i}"));
                m.body = Some(b.to_string());
                m
            })
            .collect();
        e
    }

    #[tokio::test]
    async fn a_panic_or_a_permanent_failure_moves_that_record_alone() {
        let queue = Arc::new(EmbeddedQueue::new(&["work"], Duration::from_secs(30), 5, None).unwrap());
        let dlq = DeadLetters::of(queue.clone(), "work");
        let seen = std::sync::Mutex::new(Vec::new());
        let response = each_record(event(&["ok-1", "panic", "retry", "bad", "ok-2"]), Some(&dlq), |m| {
            let body = m.body.unwrap_or_default();
            seen.lock().unwrap().push(body.clone());
            async move {
                match body.as_str() {
                    "panic" => panic!("attempt to add with overflow"),
                    "retry" => Err(RecordError::Retry("not yet".into())),
                    "bad" => Err(RecordError::Permanent("never".into())),
                    _ => Ok(()),
                }
            }
        })
        .await;
        // every record was handled, the ones after the panic too
        assert_eq!(seen.lock().unwrap().len(), 5);
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["m2"], "only the retryable record comes back");
        assert_eq!(
            queue.peek("work-dlq"),
            ["panic", "bad"],
            "moved aside at once, body unchanged"
        );
    }

    #[tokio::test]
    async fn without_a_dead_letter_queue_a_permanent_failure_is_retried() {
        let response = each_record(event(&["bad"]), None, |_| async {
            Err::<(), _>(RecordError::Permanent("never".into()))
        })
        .await;
        assert_eq!(response.batch_item_failures.len(), 1);
    }
}
