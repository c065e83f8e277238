//! In-process queues with SQS's delivery rules: a received message is hidden for the
//! visibility timeout and comes back unless deleted; after `max_receives` it moves to the
//! queue's dead-letter queue (`<name>-dlq`). State is snapshotted to `queues.json`.

use crate::ports::queue::*;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Msg {
    id: String,
    body: String,
    receive_count: u32,
}

#[derive(Default)]
struct Q {
    ready: VecDeque<Msg>,
    in_flight: HashMap<String, (Msg, Instant)>,
}

pub struct EmbeddedQueue {
    queues: Mutex<BTreeMap<String, Q>>,
    notify: Notify,
    visibility: Duration,
    max_receives: u32,
    snapshot: Option<PathBuf>,
}

pub fn dlq_name(queue: &str) -> String {
    dead_letter_queue_of(queue)
}

impl EmbeddedQueue {
    /// Declares `names` (each with its dead-letter queue); sending anywhere else is an error,
    /// as it is for a queue URL that does not exist.
    pub fn new(
        names: &[&str],
        visibility: Duration,
        max_receives: u32,
        dir: Option<PathBuf>,
    ) -> std::io::Result<EmbeddedQueue> {
        let mut queues = BTreeMap::new();
        for n in names {
            queues.insert(n.to_string(), Q::default());
            queues.insert(dlq_name(n), Q::default());
        }
        let snapshot = match dir {
            Some(d) => {
                std::fs::create_dir_all(&d)?;
                Some(d.join("queues.json"))
            }
            None => None,
        };
        if let Some(path) = &snapshot {
            if let Ok(bytes) = std::fs::read(path) {
                if let Ok(saved) = serde_json::from_slice::<BTreeMap<String, Vec<Msg>>>(&bytes) {
                    for (name, msgs) in saved {
                        if let Some(q) = queues.get_mut(&name) {
                            q.ready.extend(msgs);
                        }
                    }
                }
            }
        }
        Ok(EmbeddedQueue {
            queues: Mutex::new(queues),
            notify: Notify::new(),
            visibility,
            max_receives,
            snapshot,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Q>> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn save(&self, queues: &BTreeMap<String, Q>) {
        let Some(path) = &self.snapshot else { return };
        let saved: BTreeMap<&String, Vec<&Msg>> = queues
            .iter()
            .map(|(n, q)| (n, q.ready.iter().chain(q.in_flight.values().map(|(m, _)| m)).collect()))
            .collect();
        if let Ok(bytes) = serde_json::to_vec(&saved) {
            let tmp = path.with_extension("json.tmp");
            if std::fs::write(&tmp, bytes).is_ok() {
                let _ = std::fs::rename(tmp, path);
            }
        }
    }

    /// Messages waiting or in flight in `queue`.
    pub fn depth(&self, queue: &str) -> usize {
        self.lock()
            .get(queue)
            .map(|q| q.ready.len() + q.in_flight.len())
            .unwrap_or(0)
    }

    /// The bodies waiting in `queue` (to show dead letters).
    pub fn peek(&self, queue: &str) -> Vec<String> {
        self.lock()
            .get(queue)
            .map(|q| q.ready.iter().map(|m| m.body.clone()).collect())
            .unwrap_or_default()
    }

    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Returns expired in-flight messages to the queue, or to its DLQ after too many receives.
    fn expire(&self, queues: &mut BTreeMap<String, Q>, name: &str) {
        let now = Instant::now();
        let mut dead = Vec::new();
        if let Some(q) = queues.get_mut(name) {
            let expired: Vec<String> = q
                .in_flight
                .iter()
                .filter(|(_, (_, until))| *until <= now)
                .map(|(r, _)| r.clone())
                .collect();
            for receipt in expired {
                if let Some((msg, _)) = q.in_flight.remove(&receipt) {
                    if msg.receive_count >= self.max_receives && !name.ends_with("-dlq") {
                        dead.push(msg);
                    } else {
                        q.ready.push_back(msg);
                    }
                }
            }
        }
        if !dead.is_empty() {
            if let Some(dlq) = queues.get_mut(&dlq_name(name)) {
                for mut m in dead {
                    m.receive_count = 0;
                    dlq.ready.push_back(m);
                }
            }
        }
    }
}

#[async_trait]
impl QueueSender for EmbeddedQueue {
    async fn send(&self, queue: &str, body: String) -> Result<String, QueueError> {
        if body.len() > MAX_MESSAGE_BYTES {
            return Err(QueueError::TooLarge(body.len()));
        }
        let id = crate::ids::random_id();
        {
            let mut queues = self.lock();
            let q = queues
                .get_mut(queue)
                .ok_or_else(|| QueueError::UnknownQueue(queue.into()))?;
            q.ready.push_back(Msg {
                id: id.clone(),
                body,
                receive_count: 0,
            });
            self.save(&queues);
        }
        self.notify.notify_waiters();
        Ok(id)
    }

    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), QueueError> {
        for b in bodies {
            self.send(queue, b).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn receive(&self, queue: &str, max: u32, wait_seconds: u32) -> Result<Vec<Received>, QueueError> {
        let deadline = Instant::now() + Duration::from_secs(wait_seconds as u64);
        loop {
            let notified = self.notify.notified();
            {
                let mut queues = self.lock();
                if !queues.contains_key(queue) {
                    return Err(QueueError::UnknownQueue(queue.into()));
                }
                self.expire(&mut queues, queue);
                let q = queues
                    .get_mut(queue)
                    .ok_or_else(|| QueueError::UnknownQueue(queue.into()))?;
                let mut out = Vec::new();
                while out.len() < max.clamp(1, 10) as usize {
                    let Some(mut msg) = q.ready.pop_front() else {
                        break;
                    };
                    msg.receive_count += 1;
                    let receipt = crate::ids::random_id();
                    out.push(Received {
                        message_id: msg.id.clone(),
                        receipt: receipt.clone(),
                        body: msg.body.clone(),
                        receive_count: msg.receive_count,
                    });
                    q.in_flight.insert(receipt, (msg, Instant::now() + self.visibility));
                }
                if !out.is_empty() {
                    return Ok(out);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(vec![]);
            }
            // wake on a send, or in time to return in-flight messages whose visibility ends
            let nap = (deadline - now).min(self.visibility).min(Duration::from_millis(200));
            let _ = tokio::time::timeout(nap, notified).await;
        }
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        let mut queues = self.lock();
        let q = queues
            .get_mut(queue)
            .ok_or_else(|| QueueError::UnknownQueue(queue.into()))?;
        // deleting with a stale receipt is not an error in SQS either
        q.in_flight.remove(receipt);
        self.save(&queues);
        Ok(())
    }

    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        if !self.lock().contains_key(queue) {
            return Err(QueueError::UnknownQueue(queue.into()));
        }
        Ok(EmbeddedQueue::depth(self, queue) as u64)
    }
}
