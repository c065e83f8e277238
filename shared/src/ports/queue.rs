//! A message queue with SQS's semantics: at-least-once delivery, receive with a visibility
//! timeout, delete by receipt handle.

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub message_id: String,
    pub receipt: String,
    pub body: String,
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("unknown queue {0}")]
    UnknownQueue(String),
    #[error("message too large ({0} bytes)")]
    TooLarge(usize),
    #[error("{failed} of the batch failed to send")]
    PartialBatch { failed: usize },
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

/// SQS's limit on a message body.
/// Every queue's dead-letter queue is named (or addressed) by this one rule, in the template's
/// local equivalents, the embedded queue, the emulator set-up and the consumers alike.
pub fn dead_letter_queue_of(queue: &str) -> String {
    format!("{queue}-dlq")
}

pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// Sending to queues: all a function that only produces messages holds. Apart from the rest of
/// [`Queue`] so that such a function's binary links the queue's sends alone (an
/// `Arc<dyn QueueSender>`'s vtable names nothing else: the portal links no SQS receive, delete
/// or attribute read).
#[async_trait]
pub trait QueueSender: Send + Sync {
    /// `queue` is the queue's URL on AWS, its name in the embedded queue.
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError>;
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError>;
}

#[async_trait]
pub trait Queue: QueueSender {
    async fn receive(&self, queue: &str, max: u32, wait_seconds: u32) -> Result<Vec<Received>, QueueError>;
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError>;
    /// Messages waiting plus in flight (approximate on AWS).
    async fn depth(&self, queue: &str) -> Result<u64, QueueError>;
}
