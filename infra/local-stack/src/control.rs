//! `/_local`: the local stack's control surface — set the clock, run a scheduled job, wait for
//! the queues to drain, read the outbox — and a demo form with its thank-you and error pages.

use crate::{Stack, QUEUES};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::handlers::http::QueryParams;
use shared::ports::queue::dead_letter_queue_of;
use shared::ports::Clock;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Scheduled functions the stack can run on demand.
pub const JOBS: &[&str] = &["renewal-risk-scan", "monthly-payout", "sequence-sender", "sla-watch"];

pub fn router(stack: Arc<Stack>) -> Router {
    Router::new()
        .route("/_local/clock", post(set_clock).get(get_clock).delete(reset_clock))
        .route("/_local/jobs/{name}", post(run_job))
        .route("/_local/drain", post(drain))
        .route("/_local/outbox", get(outbox))
        .route("/_local/queues", get(queues))
        .route("/_local/queues/{name}", post(enqueue))
        .route("/_local/queues/{name}/redrive", post(redrive))
        .route(
            "/_local/objects/{*key}",
            put(put_object)
                .get(get_object)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_OBJECT_BYTES)),
        )
        .route("/_local/form", get(demo_form))
        .route("/_local/thanks", get(|| async { Html("<!doctype html><title>Thank you</title><h1>Thank you!</h1><p>We will be in touch shortly.</p>") }))
        .route("/_local/form-error", get(|| async { Html("<!doctype html><title>Please check the form</title><h1>Please check the form</h1><p>The errors are listed in this page's address.</p>") }))
        .with_state(stack)
}

fn bad(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "bad_request", "message": message})),
    )
        .into_response()
}

/// Reads an optional `{"now": RFC3339}` body.
fn parse_now(body: &[u8]) -> Result<Option<DateTime<Utc>>, String> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    match v.get("now") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|e| format!("now must be RFC 3339: {e}")),
        Some(_) => Err("now must be an RFC 3339 string".into()),
    }
}

async fn set_clock(State(stack): State<Arc<Stack>>, body: axum::body::Bytes) -> Response {
    match parse_now(&body) {
        Ok(Some(now)) => {
            stack.clock.set(now);
            Json(json!({"now": stack.clock.now()})).into_response()
        }
        Ok(None) => bad("give {\"now\": \"2026-11-02T10:00:00+05:30\"}".into()),
        Err(e) => bad(e),
    }
}

/// Back to real time (a job run with `now`, or `POST /_local/clock`, leaves the clock there).
async fn reset_clock(State(stack): State<Arc<Stack>>) -> Json<Value> {
    stack.clock.reset();
    Json(json!({"now": stack.clock.now()}))
}

async fn get_clock(State(stack): State<Arc<Stack>>) -> Json<Value> {
    Json(json!({"now": stack.clock.now()}))
}

async fn run_job(State(stack): State<Arc<Stack>>, Path(name): Path<String>, body: axum::body::Bytes) -> Response {
    let now = match parse_now(&body) {
        Ok(n) => n,
        Err(e) => return bad(e),
    };
    if let Some(now) = now {
        stack.clock.set(now);
    }
    let result = match name.as_str() {
        "renewal-risk-scan" => stack
            .renewal_scan
            .run(now)
            .await
            .map(|r| json!(r))
            .map_err(|e| e.to_string()),
        "monthly-payout" => stack.payout.coordinate(now).await.map_err(|e| e.to_string()),
        "sequence-sender" => stack
            .sequencer
            .run(now)
            .await
            .map(|r| json!(r))
            .map_err(|e| e.to_string()),
        "sla-watch" => stack
            .sla_watch
            .run(now)
            .await
            .map(|r| json!(r))
            .map_err(|e| e.to_string()),
        _ => {
            let body = json!({"error": "not_found", "message": format!("no scheduled job {name}"), "jobs": JOBS});
            return (StatusCode::NOT_FOUND, Json(body)).into_response();
        }
    };
    match result {
        Ok(report) => Json(json!({"job": name, "now": now.unwrap_or_else(|| stack.clock.now()), "report": report}))
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "job_failed", "message": e})),
        )
            .into_response(),
    }
}

async fn depths(stack: &Stack) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (logical, id) in &stack.queue_ids {
        let d = stack.queue.depth(id).await.map(Value::from).unwrap_or(Value::Null);
        out.insert(logical.clone(), d);
        // every queue's DLQ is `<queue>-dlq`, on the embedded queue and in SQS alike
        let dlq = stack
            .queue
            .depth(&dead_letter_queue_of(id))
            .await
            .map(Value::from)
            .unwrap_or(Value::Null);
        out.insert(dead_letter_queue_of(logical), dlq);
    }
    out
}

#[derive(serde::Deserialize)]
struct DrainParams {
    /// comma-separated queue names; every consumed queue when absent
    queues: Option<String>,
}

/// Returns once every queue that has a consumer (or each one named in `?queues=`) is empty
/// (504 after 110 seconds).
async fn drain(State(stack): State<Arc<Stack>>, QueryParams(p): QueryParams<DrainParams>) -> Response {
    let only: Option<Vec<String>> = p.queues.map(|q| {
        q.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
    let started = Instant::now();
    loop {
        let mut busy = false;
        for (logical, consumer) in QUEUES {
            if consumer.is_none() || only.as_ref().is_some_and(|o| !o.iter().any(|n| n == logical)) {
                continue;
            }
            if let Some(id) = stack.queue_id(logical) {
                if stack.queue.depth(id).await.map(|d| d > 0).unwrap_or(true) {
                    busy = true;
                }
            }
        }
        if !busy {
            return Json(json!({"drained": true, "queues": depths(&stack).await})).into_response();
        }
        // inside the server's 120 s request timeout, so that the answer is this 504, not a 408
        if started.elapsed() > Duration::from_secs(110) {
            return (
                StatusCode::GATEWAY_TIMEOUT,
                Json(json!({"drained": false, "queues": depths(&stack).await})),
            )
                .into_response();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn queues(State(stack): State<Arc<Stack>>) -> Json<Value> {
    let mut dead = serde_json::Map::new();
    if let Some(q) = &stack.embedded_queue {
        for (logical, id) in &stack.queue_ids {
            dead.insert(logical.clone(), json!(q.peek(&dead_letter_queue_of(id))));
        }
    }
    Json(json!({"depths": depths(&stack).await, "dead_letters": dead}))
}

async fn outbox(State(stack): State<Arc<Stack>>) -> Response {
    match &stack.outbox {
        Some(o) => match o.list() {
            Ok(mails) => Json(json!({"emails": mails})).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e.to_string()}))).into_response(),
        },
        None => (
            StatusCode::NOT_IMPLEMENTED,
            Json(json!({"error": "the outbox is kept by the embedded mailer; with --aws, mail goes to SES"})),
        )
            .into_response(),
    }
}

/// The largest object `PUT /_local/objects/{key}` takes.
const MAX_OBJECT_BYTES: usize = 1024 * 1024 * 1024;

/// Stores an object, as S3 would; one under `prospects/` is announced to the import queue with
/// the `ObjectCreated` event S3's notification would send (returned in the response, so it can
/// be delivered again through `POST /_local/queues/import`).
async fn put_object(
    State(stack): State<Arc<Stack>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // curl's `--data-binary` says form-urlencoded; the object's type then comes from its name
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.starts_with("application/x-www-form-urlencoded"))
        .map(str::to_string)
        .unwrap_or_else(|| content_type_of(&key).to_string());
    let size = body.len();
    // an eTag as S3 gives one: the same bytes, the same tag
    let etag = shared::usecases::resellers::sha256_bytes_hex(&body)[..32].to_string();
    if let Err(e) = stack.blobs.put(&key, body.to_vec(), &content_type).await {
        return bad(e.to_string());
    }
    if shared::domain::prospects::upload(&key).is_none() {
        return (StatusCode::CREATED, Json(json!({"key": key, "etag": etag}))).into_response();
    }
    let event = s3_event(&stack, &key, size, &etag);
    let Some(queue) = stack.queue_id("import") else {
        return bad("no import queue".into());
    };
    if let Err(e) = stack.queue.send(queue, event.to_string()).await {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e.to_string()}))).into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({"key": key, "etag": etag, "event": event})),
    )
        .into_response()
}

/// What S3 sends an SQS queue for a new object (the fields the importer reads, and the usual rest).
fn s3_event(stack: &Stack, key: &str, size: usize, etag: &str) -> Value {
    let now = stack.clock.now();
    json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "ap-south-1",
        "eventTime": now, "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": shared::ids::random_id(), "x-amz-id-2": "local"},
        "s3": {
            "s3SchemaVersion": "1.0", "configurationId": "prospect-lists",
            "bucket": {"name": stack.options.bucket, "ownerIdentity": {"principalId": "local"},
                       "arn": format!("arn:aws:s3:::{}", stack.options.bucket)},
            "object": {"key": shared::domain::prospects::encode_event_key(key), "size": size,
                       "eTag": etag, "sequencer": format!("{:016X}", now.timestamp_micros())}
        }
    }]})
}

fn content_type_of(key: &str) -> &'static str {
    if key.ends_with(".json") {
        "application/json"
    } else if key.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

async fn get_object(State(stack): State<Arc<Stack>>, Path(key): Path<String>) -> Response {
    match stack.blobs.get(&key).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type_of(&key))], bytes).into_response(),
        Err(shared::ports::blobs::BlobError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "not_found", "message": format!("no object {key}")})),
        )
            .into_response(),
        Err(e) => bad(e.to_string()),
    }
}

/// Puts a raw message on one of the stack's queues (as `aws sqs send-message` would).
async fn enqueue(State(stack): State<Arc<Stack>>, Path(name): Path<String>, body: String) -> Response {
    let Some(queue) = stack.queue_id(&name) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "not_found", "message": format!("no queue {name}")})),
        )
            .into_response();
    };
    match stack.queue.send(queue, body).await {
        Ok(id) => (StatusCode::ACCEPTED, Json(json!({"message_id": id}))).into_response(),
        Err(e) => bad(e.to_string()),
    }
}

/// Moves every message of the queue's dead-letter queue back to it (what
/// `aws sqs start-message-move-task` does in AWS).
async fn redrive(State(stack): State<Arc<Stack>>, Path(name): Path<String>) -> Response {
    let Some(queue) = stack.queue_id(&name) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "not_found", "message": format!("no queue {name}")})),
        )
            .into_response();
    };
    match shared::usecases::redrive::redrive(stack.queue.as_ref(), queue, 10_000).await {
        Ok(r) => Json(json!({"queue": name, "moved": r.moved})).into_response(),
        Err(e) => bad(e.to_string()),
    }
}

/// The demo landing page: referral links land here with `ref` and `click`, which the form
/// carries on to `POST /leads` unchanged (only letters and digits are kept).
async fn demo_form(QueryParams(q): QueryParams<std::collections::HashMap<String, String>>) -> Html<String> {
    let clean = |k: &str| -> String {
        q.get(k)
            .map(|v| v.chars().filter(char::is_ascii_alphanumeric).take(64).collect())
            .unwrap_or_default()
    };
    Html(FORM.replace("{ref}", &clean("ref")).replace("{click}", &clean("click")))
}

const FORM: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Talk to an ERP expert</title>
<style>body{font-family:system-ui;max-width:32rem;margin:2rem auto}label{display:block;margin:.6rem 0}input,select,textarea{width:100%}.hp{position:absolute;left:-9999px}</style>
</head><body>
<h1>Talk to an ERP expert</h1>
<form method="post" action="/leads">
<label>Work email* <input name="email" type="email" required></label>
<label>Name <input name="name"></label>
<label>Company <input name="company"></label>
<label>Job title <input name="title"></label>
<label>Phone <input name="phone"></label>
<label>Country <input name="country" value="India"></label>
<label>State <input name="state"></label>
<label>Employees <input name="employees"></label>
<label>Budget <input name="budget" placeholder="e.g. 5-10 lakh"></label>
<label>Timeline <select name="timeline"><option>immediately</option><option>this quarter</option><option>6 months</option><option>next year</option><option>just looking</option></select></label>
<label>Message <textarea name="message"></textarea></label>
<input type="hidden" name="utm_source" value="local-demo">
<input type="hidden" name="ref" value="{ref}">
<input type="hidden" name="click" value="{click}">
<label class="hp">Leave this empty <input name="website" tabindex="-1" autocomplete="off"></label>
<button>Send</button>
</form></body></html>"#;
