//! The prospect-import function's SQS handler. Its queue carries two kinds of message: S3's
//! `ObjectCreated` notifications for `prospects/` (the bucket notifies the queue) and this
//! function's own `import.chunk` events for large files. Each record fails alone.

use crate::ports::{Blobs, Clock, Queue, Table};
use crate::usecases::import::{import_chunk, start_import, ImportPorts, ObjectCreated, Started, IMPORT_CHUNK};
use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::sync::Arc;

/// Files larger than this (in bytes) are split into chunks of about this size.
pub const DEFAULT_CHUNK_BYTES: u64 = 16 * 1024 * 1024;

pub struct Importer {
    pub table: Arc<dyn Table>,
    pub blobs: Arc<dyn Blobs>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub scoring_queue: String,
    pub import_queue: String,
    pub chunk_bytes: u64,
}

impl Importer {
    fn ports(&self) -> ImportPorts<'_> {
        ImportPorts {
            table: self.table.as_ref(),
            blobs: self.blobs.as_ref(),
            queue: self.queue.as_ref(),
            clock: self.clock.as_ref(),
            scoring_queue: &self.scoring_queue,
            import_queue: &self.import_queue,
            chunk_bytes: self.chunk_bytes,
        }
    }

    pub async fn handle_batch(&self, event: SqsEvent) -> SqsBatchResponse {
        super::sqs::each_record(event, None, |record| async move { self.handle_record(&record).await }).await
    }

    async fn handle_record(&self, record: &SqsMessage) -> Result<(), super::sqs::RecordError> {
        let body = record
            .body
            .as_deref()
            .ok_or(super::sqs::RecordError::Permanent("empty message".into()))?;
        let value: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("type").and_then(|t| t.as_str()) == Some(IMPORT_CHUNK) {
            let crate::events::Event::ImportChunk(chunk) = super::sqs::envelope(record)?.event else {
                return Err(super::sqs::RecordError::Permanent(
                    "an import.chunk that is not a chunk".into(),
                ));
            };
            import_chunk(&self.ports(), &chunk).await.map_err(|e| e.to_string())?;
            return Ok(());
        }
        if value.get("Event").and_then(|t| t.as_str()) == Some("s3:TestEvent") {
            // S3 sends one when the notification is set up
            return Ok(());
        }
        let event: S3Event =
            serde_json::from_value(value).map_err(|e| format!("neither a chunk nor an S3 event: {e}"))?;
        for r in event.records {
            if !r.event_name.as_deref().unwrap_or("").starts_with("ObjectCreated") {
                continue;
            }
            let Some(raw_key) = r.s3.object.key.as_deref() else {
                continue;
            };
            let object = ObjectCreated {
                key: crate::domain::prospects::decode_event_key(raw_key),
                version_id: r.s3.object.version_id.clone(),
                etag: r.s3.object.e_tag.clone(),
            };
            match start_import(&self.ports(), &object).await.map_err(|e| e.to_string())? {
                Started::Ignored => tracing::info!("not a prospect list; ignored"),
                Started::AlreadySeen { import_id } => {
                    tracing::info!(import_id = %import_id, "this object version was imported already")
                }
                other => tracing::info!(result = ?other, "import handled"),
            }
        }
        Ok(())
    }
}

/// The chunk size from `IMPORT_CHUNK_BYTES` (at least 256 bytes: a header and a row), or the
/// default.
pub fn chunk_bytes(env: &mut crate::config::Env) -> u64 {
    env.parsed(crate::config::env::IMPORT_CHUNK_BYTES, DEFAULT_CHUNK_BYTES, |v| {
        v.parse::<u64>()
            .ok()
            .filter(|n| *n >= 256)
            .ok_or_else(|| format!("must be a number of bytes ≥ 256, not {v:?}"))
    })
}
