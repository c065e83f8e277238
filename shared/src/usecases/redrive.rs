//! Redriving a dead-letter queue: every message there goes back to its queue, to be handled
//! again (after the cause was fixed: a deploy, a missing record created). A message is deleted
//! from the dead-letter queue only after it is on the queue again (at least once: a crash in
//! between leaves a copy in both, and every consumer is idempotent).

use crate::ports::queue::{dead_letter_queue_of, QueueError};
use crate::ports::Queue;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Redriven {
    pub moved: u64,
}

/// Moves the messages in `queue`'s dead-letter queue (at most `max`) back to `queue`. Only as
/// many as were there when it started: a poison message the consumer moves aside again while
/// this runs is not picked up a second time.
pub async fn redrive(q: &dyn Queue, queue: &str, max: u64) -> Result<Redriven, QueueError> {
    let dlq = dead_letter_queue_of(queue);
    let max = max.min(q.depth(&dlq).await?);
    let mut report = Redriven::default();
    while report.moved < max {
        let batch = q.receive(&dlq, 10, 0).await?;
        if batch.is_empty() {
            break;
        }
        for m in batch {
            if report.moved >= max {
                break;
            }
            q.send(queue, m.body).await?;
            q.delete(&dlq, &m.receipt).await?;
            report.moved += 1;
        }
    }
    Ok(report)
}
