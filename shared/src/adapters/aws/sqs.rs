//! The queue port on SQS (queues named by URL).

use crate::ports::queue::*;
use async_trait::async_trait;
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry};
use aws_sdk_sqs::Client;

#[derive(Clone)]
pub struct SqsQueue {
    client: super::OnFirstUse<Client>,
}

fn map_err<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    queue: &str,
    e: SdkError<E, R>,
) -> QueueError {
    match e.code() {
        Some(c) if c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist") => {
            QueueError::UnknownQueue(queue.into())
        }
        Some(c) => QueueError::Unavailable(format!("{c}: {}", e.message().unwrap_or(""))),
        None => QueueError::Unavailable(format!("{e:?}")),
    }
}

impl SqsQueue {
    pub fn new(config: &aws_types::SdkConfig) -> SqsQueue {
        SqsQueue {
            client: super::OnFirstUse::new(config, Client::new),
        }
    }

    /// Creates `name` and `<name>-dlq` (redrive after 5 receives) unless they exist; returns
    /// the queue's URL. Used by the local stack's `--aws` mode and tests.
    pub async fn ensure_queue(&self, name: &str) -> Result<String, QueueError> {
        let dlq = self
            .client
            .get()
            .create_queue()
            .queue_name(crate::ports::queue::dead_letter_queue_of(name))
            .send()
            .await
            .map_err(|e| map_err(name, e))?;
        let dlq_url = dlq.queue_url.unwrap_or_default();
        let arn = self
            .client
            .get()
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| map_err(name, e))?
            .attributes
            .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
            .unwrap_or_default();
        let policy = serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": "5"}).to_string();
        let out = self
            .client
            .get()
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, policy)
            .attributes(QueueAttributeName::VisibilityTimeout, "30")
            .send()
            .await
            .map_err(|e| map_err(name, e))?;
        Ok(out.queue_url.unwrap_or_default())
    }
}

#[async_trait]
impl QueueSender for SqsQueue {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        if body.len() > MAX_MESSAGE_BYTES {
            return Err(QueueError::TooLarge(body.len()));
        }
        let out = self
            .client
            .get()
            .send_message()
            .queue_url(queue)
            .message_body(body)
            .send()
            .await
            .map_err(|e| map_err(queue, e))?;
        Ok(out.message_id.unwrap_or_default())
    }

    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        for chunk in bodies.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(b)
                        .build()
                        .map_err(|e| QueueError::Unavailable(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .client
                .get()
                .send_message_batch()
                .queue_url(queue)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| map_err(queue, e))?;
            // failed entries are an error for the caller, never silently dropped
            if !out.failed.is_empty() {
                return Err(QueueError::PartialBatch {
                    failed: out.failed.len(),
                });
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn receive(&self, queue: &str, max: u32, wait_seconds: u32) -> Result<Vec<Received>, QueueError> {
        let out = self
            .client
            .get()
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .wait_time_seconds(wait_seconds.min(20) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| map_err(queue, e))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| Received {
                receive_count: m
                    .attributes
                    .as_ref()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1),
                message_id: m.message_id.unwrap_or_default(),
                receipt: m.receipt_handle.unwrap_or_default(),
                body: m.body.unwrap_or_default(),
            })
            .collect())
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.client
            .get()
            .delete_message()
            .queue_url(queue)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| map_err(queue, e))?;
        Ok(())
    }

    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        let attrs = self
            .client
            .get()
            .get_queue_attributes()
            .queue_url(queue)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| map_err(queue, e))?
            .attributes
            .unwrap_or_default();
        Ok(attrs.values().filter_map(|v| v.parse::<u64>().ok()).sum())
    }
}
