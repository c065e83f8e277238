//! In-process queue consumers: each polls its queue and hands batches to the function's real
//! SQS handler, as the Lambda event source mapping would — deleting what succeeded and leaving
//! failures to come back after the visibility timeout (and to the DLQ after 5 receives).

use crate::{Stack, QUEUES};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use shared::ports::queue::Received;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

fn to_event(batch: &[Received]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = batch
        .iter()
        .map(|m| {
            let mut msg = SqsMessage::default();
            msg.message_id = Some(m.message_id.clone());
            msg.receipt_handle = Some(m.receipt.clone());
            msg.body = Some(m.body.clone());
            msg.attributes = HashMap::from([("ApproximateReceiveCount".to_string(), m.receive_count.to_string())]);
            msg
        })
        .collect();
    event
}

/// An SQS event as Lambda delivers it, from (message id, body) pairs; for tests and benchmarks.
pub fn event(messages: &[(&str, &str)]) -> SqsEvent {
    let batch: Vec<Received> = messages
        .iter()
        .map(|(id, body)| Received {
            message_id: id.to_string(),
            receipt: format!("r-{id}"),
            body: body.to_string(),
            receive_count: 1,
        })
        .collect();
    to_event(&batch)
}

pub fn spawn(stack: Arc<Stack>, stop: tokio::sync::watch::Receiver<bool>) {
    for (logical, function) in QUEUES {
        let Some(function) = function else { continue };
        let Some(queue) = stack.queue_id(logical).map(str::to_string) else {
            continue;
        };
        let stack = stack.clone();
        let function = function.to_string();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            loop {
                if *stop.borrow() {
                    return;
                }
                let batch = tokio::select! {
                    r = stack.queue.receive(&queue, 10, 1) => r,
                    _ = stop.changed() => return,
                };
                let batch = match batch {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::error!(queue = %queue, error = %e, "receive failed");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                };
                if batch.is_empty() {
                    continue;
                }
                let response = match function.as_str() {
                    "scoring" => stack.scoring.handle_batch(to_event(&batch)).await,
                    "commission" => stack.commission.handle_batch(to_event(&batch)).await,
                    "payout" => stack.payout.handle_batch(to_event(&batch)).await,
                    "sequence" => stack.sequencer.handle_batch(to_event(&batch)).await,
                    "import" => stack.importer.handle_batch(to_event(&batch)).await,
                    _ => continue,
                };
                let failed: Vec<String> = response
                    .batch_item_failures
                    .iter()
                    .map(|f| f.item_identifier.clone())
                    .collect();
                for m in &batch {
                    if !failed.contains(&m.message_id) {
                        if let Err(e) = stack.queue.delete(&queue, &m.receipt).await {
                            tracing::error!(queue = %queue, error = %e, "delete failed");
                        }
                    }
                }
            }
        });
    }
}
