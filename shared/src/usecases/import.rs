//! Prospect-list import (SPEC §2): an uploaded CSV becomes leads on channel `prospect_list`.
//!
//! - `start_import` (the S3 event): one import per object version (or eTag), read header,
//!   then either the whole file as one chunk, or a streamed scan that cuts it at record
//!   boundaries into byte-range chunks fanned out through SQS (`import.chunk`).
//! - `import_chunk`: streams its range, validates each row like a form submission, and per
//!   99 rows does one consistent BatchGetItem of the email guards (the dedupe reads) and one
//!   TransactWriteItems per 33 new leads (ticket + audit event + email guard, each conditioned),
//!   then queues `lead.captured` for scoring.
//! - The last chunk to finish writes `<file>.report.csv` (rows not imported, by row number) and
//!   `<file>.summary.json` beside the upload.
//!
//! Lead ids are derived from the import and the row, so a retried chunk recognises the leads
//! it created before instead of creating them twice.

use crate::csv_stream::RecordStream;
use crate::domain::audit::AuditEvent;
use crate::domain::lead::{email_key, ImportSource, Lead, LeadInput};
use crate::domain::prospects::{self, Columns, RowProblem};
use crate::events::Envelope;
use crate::ports::blobs::{BlobError, Blobs};
use crate::ports::table::{Cond, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, Queue};
use crate::repo;
use serde_json::json;
use std::collections::HashMap;

pub use crate::events::IMPORT_CHUNK;
/// Rows whose guards are read in one BatchGetItem.
pub const READ_BATCH_ROWS: usize = 99;
/// Rows created in one TransactWriteItems (3 items each, ≤ 100).
pub const WRITE_BATCH_ROWS: usize = 33;
const REPORT_TYPE: &str = "text/csv; charset=utf-8";
/// A header row longer than this is refused.
const MAX_HEADER_BYTES: u64 = 64 * 1024;

pub struct ImportPorts<'a> {
    pub table: &'a dyn Table,
    pub blobs: &'a dyn Blobs,
    pub queue: &'a dyn Queue,
    pub clock: &'a dyn Clock,
    /// where `lead.captured` goes
    pub scoring_queue: &'a str,
    /// where chunks of a large file go (this function's own queue)
    pub import_queue: &'a str,
    /// files with more bytes than this are split
    pub chunk_bytes: u64,
}

/// The object an S3 event names.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectCreated {
    pub key: String,
    pub version_id: Option<String>,
    pub etag: Option<String>,
}

pub use crate::domain::prospects::{Chunk, Counts, Import, ImportStatus};

#[derive(Debug, Clone, PartialEq)]
pub enum Started {
    /// not an upload this function imports (outside `prospects/`, not `.csv`, or a report)
    Ignored,
    /// this object version was imported (or is being) already
    AlreadySeen {
        import_id: String,
    },
    /// the file was refused whole (no header, no email column…); the report says why
    Rejected {
        import_id: String,
        reason: String,
    },
    /// a small file, imported in this invocation
    Imported {
        import_id: String,
        counts: Counts,
    },
    FannedOut {
        import_id: String,
        chunks: u32,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("queue: {0}")]
    Queue(String),
    #[error("rows kept conflicting with concurrent writes; retry the chunk")]
    Conflicting,
    #[error("{0}")]
    Invalid(String),
}

use crate::repo::chunk_key;
pub use crate::repo::import_key;
fn part_key(import_id: &str, index: u32) -> String {
    format!("imports/{import_id}/part-{index:06}.csv")
}

fn import_id(key: &str, version: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(format!("{key}\n{version}").as_bytes())[..16])
}

/// The report's lines: rows not imported, by row number. Cells a spreadsheet would run as a
/// formula are prefixed with `'`.
#[derive(Default)]
struct Report(Vec<(u64, String)>);

impl Report {
    const HEADER: &'static str = "row,email,outcome,reason\n";

    fn line(&mut self, row: u64, email: &str, outcome: &str, reason: &str) {
        use crate::csv_out::{line, Cell};
        let cells = [
            Cell::Number(row.into()),
            Cell::Text(email),
            Cell::Text(outcome),
            Cell::Text(reason),
        ];
        self.0.push((row, line(&cells)));
    }

    /// The lines in row order (duplicates are found a batch after rejections).
    fn into_bytes(mut self) -> Vec<u8> {
        self.0.sort_by_key(|(row, _)| *row);
        self.0.into_iter().flat_map(|(_, line)| line.into_bytes()).collect()
    }
}

pub async fn start_import(ports: &ImportPorts<'_>, object: &ObjectCreated) -> Result<Started, ImportError> {
    let Some(upload) = prospects::upload(&object.key) else {
        return Ok(Started::Ignored);
    };
    let version = object
        .version_id
        .clone()
        .filter(|v| !v.is_empty() && v != "null")
        .or_else(|| object.etag.clone().map(|e| e.trim_matches('"').to_string()))
        .ok_or_else(|| ImportError::Invalid("the event names neither a version nor an eTag".into()))?;
    let id = import_id(&upload.key, &version);
    let now = ports.clock.now();
    let mut import = Import {
        import_id: id.clone(),
        key: upload.key.clone(),
        campaign: upload.campaign.clone(),
        object_version: version,
        started_at: now,
        status: ImportStatus::Started,
        chunks: 0,
        finished_at: None,
        counts: Counts::default(),
        ignored_columns: vec![],
        reason: None,
    };
    // The claim: a second delivery of the event finds it. One that finds it merely `started`
    // (the first attempt died early) carries on; everything after is idempotent.
    let claim = repo::item(&import)?;
    match ports.table.put(claim, Some(Cond::NotExists)).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => match repo::get_record::<Import>(ports.table, &import_key(&id)).await? {
            Some(existing) if existing.status == ImportStatus::Started => import = existing,
            _ => return Ok(Started::AlreadySeen { import_id: id }),
        },
        Err(e) => return Err(e.into()),
    }
    tracing::info!(import_id = %id, key = %import.key, "import started");

    let size = match ports.blobs.size(&import.key).await {
        Ok(n) => n,
        // deleted before its event was handled: nothing to import, nothing to retry
        Err(BlobError::NotFound(_)) => return reject(ports, import, "the object no longer exists".into()).await,
        Err(e) => return Err(e.into()),
    };
    let header = match read_header(ports.blobs, &import.key, size).await? {
        Ok(h) => h,
        Err(reason) => return reject(ports, import, reason).await,
    };
    let columns = match prospects::columns(&header.cells) {
        Ok(c) => c,
        Err(e) => return reject(ports, import, e.to_string()).await,
    };
    import.ignored_columns = columns.ignored.clone();
    let chunk = |index, total, start, end, first_row| Chunk {
        import_id: id.clone(),
        key: import.key.clone(),
        campaign: import.campaign.clone(),
        started_at: import.started_at,
        index,
        total,
        start,
        end,
        first_row,
        delimiter: header.delimiter,
        columns: columns.clone(),
    };
    if size - header.end <= ports.chunk_bytes {
        save(ports.table, &import).await?;
        let counts = import_chunk(ports, &chunk(0, 1, header.end, size, 2)).await?;
        return Ok(Started::Imported { import_id: id, counts });
    }

    // A large file: one streamed pass finds record boundaries about `chunk_bytes` apart.
    let mut bounds = vec![(header.end, 2u64)];
    let mut stream = RecordStream::new(ports.blobs, &import.key, header.delimiter, header.end, size, 2);
    while let Some(rec) = stream.next().await? {
        let (last_start, _) = bounds[bounds.len() - 1];
        if rec.offset - last_start >= ports.chunk_bytes {
            bounds.push((rec.offset, rec.row));
        }
    }
    let total = bounds.len() as u32;
    let messages = bounds
        .iter()
        .enumerate()
        .map(|(i, &(start, first_row))| {
            let end = bounds.get(i + 1).map(|b| b.0).unwrap_or(size);
            let c = chunk(i as u32, total, start, end, first_row);
            let env = Envelope::new(crate::events::Event::ImportChunk(c), format!("{id}-{i}"), now, &id);
            env.to_body().map_err(|e| ImportError::Invalid(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // chunks go out before the status says so: a crash in between re-sends them (harmless)
    ports
        .queue
        .send_batch(ports.import_queue, messages)
        .await
        .map_err(|e| ImportError::Queue(e.to_string()))?;
    import.status = ImportStatus::FannedOut;
    import.chunks = total;
    // only over `started`: a quick last chunk may have completed the import already
    let item = repo::item(&import)?;
    match ports
        .table
        .put(item, Some(Cond::Equals("status".into(), json!("started"))))
        .await
    {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(import_id = %id, chunks = total, bytes = size, "import fanned out");
    Ok(Started::FannedOut {
        import_id: id,
        chunks: total,
    })
}

async fn save(table: &dyn Table, import: &Import) -> Result<(), StoreError> {
    table.put(repo::item(import)?, None).await
}

struct Header {
    cells: Vec<String>,
    /// offset of the first data row
    end: u64,
    delimiter: u8,
}

/// The header row (from the first 64 KB), or why the file is refused.
async fn read_header(blobs: &dyn Blobs, key: &str, size: u64) -> Result<Result<Header, String>, BlobError> {
    if size == 0 {
        return Ok(Err("the file is empty".into()));
    }
    // one read: the delimiter is judged from it, then the header row is parsed from it
    let prefix = blobs.get_range(key, 0, size.min(MAX_HEADER_BYTES)).await?;
    let body = prefix.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(&prefix);
    let delimiter = prospects::delimiter(body);
    let mut stream = RecordStream::new(blobs, key, delimiter, 0, size.min(MAX_HEADER_BYTES), 1).primed(prefix.clone());
    let Some(_) = stream.next().await? else {
        return Ok(Err("the file has no header row".into()));
    };
    let mut end = stream.offset();
    // a header ended by `\r\n` may leave its `\n` to the first data row's reader
    if end >= 1 && prefix.get(end as usize - 1) == Some(&b'\r') && prefix.get(end as usize) == Some(&b'\n') {
        end += 1;
    }
    if end >= MAX_HEADER_BYTES && size > MAX_HEADER_BYTES {
        return Ok(Err("the header row is longer than 64 KB".into()));
    }
    let cells = match stream.cells() {
        Ok(c) => c.iter().map(|c| c.to_string()).collect(),
        Err(_) => return Ok(Err("the header row is not UTF-8 text".into())),
    };
    Ok(Ok(Header { cells, end, delimiter }))
}

async fn reject(ports: &ImportPorts<'_>, mut import: Import, reason: String) -> Result<Started, ImportError> {
    let mut report = Report::default();
    report.line(1, "", "rejected", &reason);
    import.status = ImportStatus::Rejected;
    import.reason = Some(reason.clone());
    import.finished_at = Some(ports.clock.now());
    let mut body = Report::HEADER.as_bytes().to_vec();
    body.extend(report.into_bytes());
    ports
        .blobs
        .put(&prospects::report_key(&import.key), body, REPORT_TYPE)
        .await?;
    write_summary(ports.blobs, &import).await?;
    save(ports.table, &import).await?;
    tracing::warn!(import_id = %import.import_id, reason = %reason, "import rejected");
    Ok(Started::Rejected {
        import_id: import.import_id,
        reason,
    })
}

async fn write_summary(blobs: &dyn Blobs, import: &Import) -> Result<(), BlobError> {
    let summary = json!({
        "import_id": import.import_id, "key": import.key, "campaign": import.campaign,
        "object_version": import.object_version, "status": import.status, "reason": import.reason,
        "rows_read": import.counts.rows_read, "created": import.counts.created,
        "duplicates": import.counts.duplicates, "rejected": import.counts.rejected,
        "blank_rows": import.counts.blank_rows, "chunks": import.chunks,
        "ignored_columns": import.ignored_columns, "report": prospects::report_key(&import.key),
        "started_at": import.started_at, "finished_at": import.finished_at,
    });
    blobs
        .put(
            &prospects::summary_key(&import.key),
            serde_json::to_vec_pretty(&summary).unwrap_or_default(),
            "application/json",
        )
        .await
}

/// A row on its way to becoming a lead.
struct Pending {
    row: u64,
    input: LeadInput,
    lead_id: String,
}

/// Imports one chunk; the last chunk to finish completes the import. Returns this chunk's counts.
pub async fn import_chunk(ports: &ImportPorts<'_>, chunk: &Chunk) -> Result<Counts, ImportError> {
    let done_key = chunk_key(&chunk.import_id, chunk.index);
    if let Some(done) = ports.table.get(&done_key).await? {
        // a redelivery of a chunk already done: only make sure the import completes
        finish(ports, chunk).await?;
        return Ok(serde_json::from_value(done.get("counts").cloned().unwrap_or_default()).unwrap_or_default());
    }
    let mut counts = Counts::default();
    let mut report = Report::default();
    let mut batch: Vec<Pending> = Vec::with_capacity(READ_BATCH_ROWS);
    let started_ms = chunk.started_at.timestamp_millis().max(0) as u64;
    let mut stream = RecordStream::new(
        ports.blobs,
        &chunk.key,
        chunk.delimiter,
        chunk.start,
        chunk.end,
        chunk.first_row,
    );
    while let Some(rec) = stream.next().await? {
        let parsed = match stream.cells() {
            Ok(cells) => prospects::row_input(&chunk.columns, &cells, &chunk.campaign),
            Err(reason) => Err(RowProblem::Rejected(reason)),
        };
        match parsed {
            Err(RowProblem::Blank) => counts.blank_rows += 1,
            Err(RowProblem::Rejected(reason)) => {
                counts.rows_read += 1;
                counts.rejected += 1;
                let email = stream
                    .cells()
                    .ok()
                    .and_then(|cells| email_cell(&chunk.columns, &cells))
                    .unwrap_or_default();
                report.line(rec.row, &email, "rejected", &reason);
            }
            Ok(input) => {
                counts.rows_read += 1;
                batch.push(Pending {
                    row: rec.row,
                    lead_id: prospects::lead_id(&chunk.import_id, rec.row, started_ms),
                    input,
                });
                if batch.len() >= READ_BATCH_ROWS {
                    flush(ports, chunk, std::mem::take(&mut batch), &mut counts, &mut report).await?;
                }
            }
        }
    }
    counts.blank_rows += stream.blank_lines;
    flush(ports, chunk, batch, &mut counts, &mut report).await?;

    // the part first (the first one opens with the header), then the marker that says it exists
    let mut part = if chunk.index == 0 {
        Report::HEADER.as_bytes().to_vec()
    } else {
        vec![]
    };
    part.extend(report.into_bytes());
    ports
        .blobs
        .put(&part_key(&chunk.import_id, chunk.index), part, REPORT_TYPE)
        .await?;
    let marker = repo::item(&repo::ChunkResult {
        import_id: chunk.import_id.clone(),
        index: chunk.index,
        counts,
        finished_at: ports.clock.now(),
    })?;
    match ports.table.put(marker, Some(Cond::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(
        import_id = %chunk.import_id, chunk = chunk.index, rows = counts.rows_read,
        created = counts.created, duplicates = counts.duplicates, rejected = counts.rejected,
        "chunk imported"
    );
    finish(ports, chunk).await?;
    Ok(counts)
}

fn email_cell(columns: &Columns, cells: &[&str]) -> Option<String> {
    let at = columns.fields.iter().position(|f| f.as_deref() == Some("email"))?;
    cells.get(at).map(|c| c.trim().chars().take(254).collect())
}

/// When every chunk has its marker: sum them, join the report parts in order, write the
/// report and summary, mark the import complete. Safe to run more than once.
async fn finish(ports: &ImportPorts<'_>, chunk: &Chunk) -> Result<(), ImportError> {
    let mut markers = Vec::new();
    let mut cursor = None;
    loop {
        let page = ports
            .table
            .query(
                &Query::new(repo::import_pk(&chunk.import_id))
                    .sk(SkRange::BeginsWith(repo::CHUNK_PREFIX.into()))
                    .after(cursor),
            )
            .await?;
        markers.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    if markers.len() < chunk.total as usize {
        return Ok(());
    }
    let Some(mut import) = repo::get_record::<Import>(ports.table, &import_key(&chunk.import_id)).await? else {
        return Err(ImportError::Invalid(format!("no import {}", chunk.import_id)));
    };
    if !import.status.may_become(ImportStatus::Complete) {
        return Ok(());
    }
    let mut counts = Counts::default();
    for m in &markers {
        counts.add(&serde_json::from_value(m.get("counts").cloned().unwrap_or_default()).unwrap_or_default());
    }
    // the parts joined in order without holding the report in memory
    let parts: Vec<String> = (0..chunk.total).map(|i| part_key(&chunk.import_id, i)).collect();
    ports
        .blobs
        .compose(&prospects::report_key(&import.key), &parts, REPORT_TYPE)
        .await?;
    import.status = ImportStatus::Complete;
    import.chunks = chunk.total;
    import.counts = counts;
    import.finished_at = Some(ports.clock.now());
    write_summary(ports.blobs, &import).await?;
    save(ports.table, &import).await?;
    tracing::info!(
        import_id = %import.import_id, rows = counts.rows_read, created = counts.created,
        duplicates = counts.duplicates, rejected = counts.rejected, "import complete"
    );
    Ok(())
}

/// Dedupe and create a batch of valid rows: within the batch first, then against open leads
/// (one consistent batch read of the email guards), then conditioned transactions.
async fn flush(
    ports: &ImportPorts<'_>,
    chunk: &Chunk,
    batch: Vec<Pending>,
    counts: &mut Counts,
    report: &mut Report,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut first_row: HashMap<String, u64> = HashMap::new();
    let mut todo = Vec::with_capacity(batch.len());
    for p in batch {
        let ekey = email_key(&p.input.email);
        if let Some(row) = first_row.get(&ekey) {
            counts.duplicates += 1;
            report.line(
                p.row,
                &p.input.email,
                "duplicate",
                &format!("the same email as row {row}"),
            );
        } else {
            first_row.insert(ekey, p.row);
            todo.push(p);
        }
    }
    let mut created = Vec::new();
    for _attempt in 0..5 {
        if todo.is_empty() {
            break;
        }
        let guards = ports
            .table
            .batch_get(
                &todo
                    .iter()
                    .map(|p| repo::email_guard_key(&email_key(&p.input.email)))
                    .collect::<Vec<_>>(),
            )
            .await?;
        let guarded: HashMap<String, String> = guards
            .iter()
            .filter_map(|g| {
                let pk = repo::string_attr(g, "pk")?;
                Some((
                    repo::email_key_of_guard(&pk)?.to_string(),
                    repo::string_attr(g, "lead_id")?,
                ))
            })
            .collect();
        // the leads other guards name: open ones make duplicates, closed or missing ones are stale
        let mut other_ids: Vec<String> = todo
            .iter()
            .filter_map(|p| {
                guarded
                    .get(&email_key(&p.input.email))
                    .filter(|id| **id != p.lead_id)
                    .cloned()
            })
            .collect();
        other_ids.sort();
        other_ids.dedup();
        let others: HashMap<String, Lead> = if other_ids.is_empty() {
            HashMap::new()
        } else {
            ports
                .table
                .batch_get(&other_ids.iter().map(|id| repo::lead_key(id)).collect::<Vec<_>>())
                .await?
                .into_iter()
                .filter_map(|i| repo::record::<Lead>(i).ok())
                .map(|l| (l.lead_id.clone(), l))
                .collect()
        };
        let mut to_write: Vec<(Pending, Cond)> = Vec::new();
        for p in todo.drain(..) {
            match guarded.get(&email_key(&p.input.email)) {
                None => to_write.push((p, Cond::NotExists)),
                // created by an earlier attempt at this chunk
                Some(id) if *id == p.lead_id => created.push(p.lead_id),
                Some(id) => match others.get(id) {
                    Some(lead) if lead.is_open() => {
                        counts.duplicates += 1;
                        let reason = match &lead.import {
                            Some(src) if src.import_id == chunk.import_id => {
                                format!("the same email as row {}", src.row)
                            }
                            _ => format!("an open lead ({id}) has this email"),
                        };
                        report.line(p.row, &p.input.email, "duplicate", &reason);
                    }
                    _ => {
                        let stale = Cond::Equals("lead_id".into(), json!(id));
                        to_write.push((p, stale));
                    }
                },
            }
        }
        if !to_write.is_empty() {
            crate::usecases::leads::note_month(ports.table, chunk.started_at).await?;
        }
        while !to_write.is_empty() {
            let group: Vec<(Pending, Cond)> = to_write.drain(..to_write.len().min(WRITE_BATCH_ROWS)).collect();
            let mut writes = Vec::with_capacity(group.len() * 3);
            for (p, guard_cond) in &group {
                let (lead, audit) = imported_lead(chunk, p);
                writes.extend(repo::lead_put(None, &lead)?);
                writes.push(repo::put_new(repo::item(&repo::LeadAudit {
                    lead_id: &lead.lead_id,
                    event: &audit,
                })?));
                writes.push(Write::Put {
                    item: repo::item(&repo::EmailGuard {
                        email_key: email_key(&p.input.email),
                        lead_id: lead.lead_id.clone(),
                    })?,
                    cond: Some(guard_cond.clone()),
                });
            }
            // several leads in one transaction: one write per counts item
            let writes = repo::merge_adds(writes);
            match super::retry_throttled(|| ports.table.transact(writes.clone())).await {
                Ok(()) => created.extend(group.into_iter().map(|(p, _)| p.lead_id)),
                // someone took an address meanwhile: read that group again next round
                Err(StoreError::TransactionCancelled { .. }) => todo.extend(group.into_iter().map(|(p, _)| p)),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if !todo.is_empty() {
        return Err(ImportError::Conflicting);
    }
    counts.created += created.len() as u64;
    let now = ports.clock.now();
    let messages = created
        .iter()
        .map(|lead_id| {
            Envelope::lead_captured(lead_id, now, &chunk.import_id)
                .to_body()
                .map_err(|e| ImportError::Invalid(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !messages.is_empty() {
        // a failure here fails the chunk; its retry finds these leads created and sends again
        ports
            .queue
            .send_batch(ports.scoring_queue, messages)
            .await
            .map_err(|e| ImportError::Queue(e.to_string()))?;
    }
    Ok(())
}

fn imported_lead(chunk: &Chunk, p: &Pending) -> (Lead, AuditEvent) {
    // the import's start is every lead's creation time: a retry builds the same ticket
    let at = chunk.started_at;
    let mut lead = Lead::new(&p.input, &p.lead_id, at);
    lead.import = Some(ImportSource {
        import_id: chunk.import_id.clone(),
        key: chunk.key.clone(),
        row: p.row,
    });
    let audit = AuditEvent {
        event_id: p.lead_id.clone(),
        at,
        actor: "system:prospect-import".into(),
        role: None,
        action: "lead.imported".into(),
        before: None,
        after: Some(json!({"stage": "R001", "channel": "prospect_list", "campaign": chunk.campaign})),
        correlation_id: chunk.import_id.clone(),
        detail: format!("row {} of {}", p.row, chunk.key),
    };
    (lead, audit)
}

/// Runs an import and every chunk it fans out in this process, taking the chunks from the
/// import queue (in Lambda, SQS delivers them); for benchmarks and tests.
#[cfg(any(test, feature = "embedded"))]
pub async fn run_in_process(ports: &ImportPorts<'_>, object: &ObjectCreated) -> Result<Started, ImportError> {
    let started = start_import(ports, object).await?;
    if let Started::FannedOut { .. } = started {
        loop {
            let got = ports
                .queue
                .receive(ports.import_queue, 10, 0)
                .await
                .map_err(|e| ImportError::Queue(e.to_string()))?;
            if got.is_empty() {
                break;
            }
            for m in got {
                let env: Envelope = serde_json::from_str(&m.body).map_err(|e| ImportError::Invalid(e.to_string()))?;
                let crate::events::Event::ImportChunk(chunk) = env.event else {
                    return Err(ImportError::Invalid(format!("a {} on the import queue", env.kind())));
                };
                import_chunk(ports, &chunk).await?;
                ports
                    .queue
                    .delete(ports.import_queue, &m.receipt)
                    .await
                    .map_err(|e| ImportError::Queue(e.to_string()))?;
            }
        }
    }
    Ok(started)
}
