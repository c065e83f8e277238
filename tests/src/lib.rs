//! Helpers for the black-box tests: the emulator's address (required, never skipped), the
//! contract suites every adapter set must pass, and a local stack to drive over HTTP.

pub mod applications;
pub mod billing;
pub mod contract;
pub mod dashboards;
pub mod defects;
pub mod faults;
pub mod flows;
pub mod imports;
pub mod isolation;
pub mod payouts;
pub mod payouts_abroad;
pub mod people;
pub mod pipeline;
pub mod poison;
pub mod portal;
pub mod portal_workspace;
pub mod registrations;
pub mod renewals;
pub mod roles;
pub mod sales;
pub mod sequences;
pub mod sla;
pub mod tax_payouts;

use local_stack::{start, Options, Running};
use std::path::PathBuf;

/// The emulator endpoint. AWS-backed tests fail, never skip, when it is missing: run them
/// through `./scripts/test`, which starts moto and sets `AWS_ENDPOINT_URL`.
pub fn emulator() -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(v) if !v.is_empty() => {
            assert!(
                v.starts_with("http://127.") || v.starts_with("http://localhost"),
                "AWS_ENDPOINT_URL must point at the local emulator, not {v}"
            );
            FRESH_EMULATOR.call_once(|| fresh_emulator(&v));
            v
        }
        _ => panic!("AWS_ENDPOINT_URL is not set: AWS-backed tests need the emulator; run ./scripts/test"),
    }
}

static FRESH_EMULATOR: std::sync::Once = std::sync::Once::new();

/// One POST to the emulator's own API, over a plain socket (callable from sync and async code).
fn moto_post(endpoint: &str, path: &str, body: &str) {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = std::net::TcpStream::connect(host).expect("the emulator is reachable");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).expect("request sent");
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    let status = answer.split_whitespace().nth(1).unwrap_or("");
    assert!(status.starts_with('2'), "{path}: {answer}");
}

/// Test binaries run one after another against one emulator: each starts from an empty one
/// (before any of its tests creates anything), so that the emulator's full-state dump, which
/// the SES tests read, stays the size of one binary's data.
fn fresh_emulator(endpoint: &str) {
    moto_post(endpoint, "/moto-api/reset", "");
    // moto's dump trips over multipart-upload parts once S3's "restore" state machine moves
    moto_post(
        endpoint,
        "/moto-api/state-manager/set-transition",
        r#"{"model_name": "s3::keyrestore", "transition": {"progression": "manual", "times": 1000000000}}"#,
    );
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", shared::ids::random_id().to_lowercase())
}

pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The first programme admin's key (the local stack registers it for `ADMIN_EMAILS`' first).
pub const ADMIN_KEY: &str = "test-admin-key";
/// `ADMIN_API_KEY`: the bootstrap key, which only creates staff.
pub const BOOTSTRAP_KEY: &str = "test-bootstrap-key";

fn options(aws: bool) -> Options {
    let mut o = Options::defaults(temp_dir("stack"));
    o.port = 0;
    o.aws = aws;
    o.admin_key = ADMIN_KEY.into();
    o.bootstrap_key = BOOTSTRAP_KEY.into();
    o.visibility = std::time::Duration::from_millis(200);
    if aws {
        let name = unique("pp");
        o.table_name = name.clone();
        o.bucket = name.clone();
        o.queue_prefix = name;
        o.visibility = std::time::Duration::from_secs(30);
    }
    o
}

/// A local stack on the embedded adapters, on a free port.
pub async fn embedded_stack() -> Running {
    start(options(false)).await.expect("embedded stack starts")
}

/// An embedded stack with some options changed.
pub async fn embedded_stack_with(change: impl FnOnce(&mut Options)) -> Running {
    let mut o = options(false);
    change(&mut o);
    start(o).await.expect("embedded stack starts")
}

/// An embedded stack that splits prospect lists into chunks of about `bytes`.
pub async fn embedded_stack_with_chunks(bytes: u64) -> Running {
    let mut o = options(false);
    o.import_chunk_bytes = Some(bytes);
    start(o).await.expect("embedded stack starts")
}

/// An AWS-backed stack that splits prospect lists into chunks of about `bytes`.
pub async fn aws_stack_with_chunks(bytes: u64) -> Running {
    emulator();
    let mut o = options(true);
    o.import_chunk_bytes = Some(bytes);
    start(o).await.expect("AWS stack starts against the emulator")
}

/// A local stack on the AWS adapters against the emulator, with its own table and queues.
pub async fn aws_stack() -> Running {
    emulator();
    start(options(true))
        .await
        .expect("AWS stack starts against the emulator")
}

pub fn base(r: &Running) -> String {
    format!("http://{}", r.addr)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// Every raw message the emulator's SES sent, with its recipients.
pub async fn ses_sent(endpoint: &str) -> Vec<(Vec<String>, Vec<u8>)> {
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .expect("moto api")
        .json()
        .await
        .expect("json");
    data["ses"]["RawMessage"]
        .as_array()
        .map(|msgs| {
            msgs.iter()
                .map(|m| {
                    let to = m["destinations"]
                        .as_array()
                        .map(|d| d.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    (to, m["raw_data"].as_str().unwrap_or("").as_bytes().to_vec())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the embedded stack's mailer sent to an address (read from its outbox).
pub fn outbox_mail(
    r: &Running,
) -> impl Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<shared::adapters::embedded::SentMail>> + Send>>
{
    let outbox = r.stack.outbox.clone().expect("the embedded stack keeps an outbox");
    move |to: String| {
        let outbox = outbox.clone();
        Box::pin(async move {
            outbox
                .list()
                .expect("outbox")
                .into_iter()
                .filter(|m| m.to.contains(&to))
                .collect()
        })
    }
}

/// What the emulator's SES sent to an address.
pub fn emulator_mail(
    endpoint: String,
) -> impl Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<shared::adapters::embedded::SentMail>> + Send>>
{
    move |to: String| {
        let endpoint = endpoint.clone();
        Box::pin(async move {
            ses_sent(&endpoint)
                .await
                .into_iter()
                .filter(|(recipients, _)| recipients.contains(&to))
                .filter_map(|(_, raw)| shared::adapters::embedded::mailer::parse_eml("x.eml", &raw))
                .collect()
        })
    }
}

/// Stops the stack, then requires every reseller's board counts to be what its leads make them
/// (every write of a lead moves them in its own transaction): a lead written any other way
/// fails here, whichever test wrote it.
pub async fn stop(stack: Running) {
    let table = stack.stack.table.clone();
    stack.stop().await;
    boards_agree(table.as_ref()).await;
}

/// Every reseller's board counts against a recount of its leads.
pub async fn boards_agree(table: &dyn shared::ports::Table) {
    use shared::domain::reseller::ResellerStatus;
    use shared::ports::table::{Index, Query};
    for status in ResellerStatus::ALL {
        let q = Query::new(shared::repo::resellers_index_pk(status.as_str())).index(Index::Gsi1);
        for item in shared::repo::query_all(table, q).await.expect("resellers") {
            let Some(id) = shared::repo::string_attr(&item, "reseller_id") else {
                continue;
            };
            let (expected, stored) = shared::usecases::pipeline::recount_board(table, &id)
                .await
                .expect("recount");
            assert_eq!(stored, expected, "reseller {id}'s board counts differ from its leads");
        }
    }
}
