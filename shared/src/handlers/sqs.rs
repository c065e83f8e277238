//! The partial-batch pattern every SQS consumer shares: each record in its own span; a record
//! that fails is reported alone and comes back later, the rest of the batch succeeds.

use crate::events::Envelope;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use std::future::Future;
use tracing::Instrument;

pub async fn each_record<'a, F, Fut>(event: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), String>> + 'a,
{
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("record", message_id = %id);
        if let Err(reason) = handle(record).instrument(span.clone()).await {
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

/// The record's event envelope, or why it is not one.
pub fn envelope(record: &SqsMessage) -> Result<Envelope, String> {
    let body = record.body.as_deref().ok_or("empty message")?;
    serde_json::from_str(body).map_err(|e| format!("not an event envelope: {e}"))
}
