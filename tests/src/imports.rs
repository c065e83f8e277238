//! Prospect-list imports through the local stack's stand-in for S3 (`/_local/objects`).

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The CSV with every awkward thing the issue lists (BOM, semicolons, CRLF, a quoted field
/// with a separator and a line break, an empty line, a bad email, a duplicate).
pub const EDGE_CSV: &[u8] = include_bytes!("../fixtures/prospects-edge.csv");

impl Api {
    /// Uploads an object as S3 would take it; the response carries the S3 event sent, if any.
    pub async fn put_object(&self, key: &str, bytes: Vec<u8>) -> Value {
        let res = self
            .http
            .put(format!("{}/_local/objects/{key}", self.base))
            .header("content-type", "text/csv")
            .body(bytes)
            .send()
            .await
            .expect("put object");
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("json")
    }

    pub async fn get_object(&self, key: &str) -> (StatusCode, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}/_local/objects/{key}", self.base))
            .send()
            .await
            .expect("get object");
        let status = res.status();
        (status, res.bytes().await.expect("body").to_vec())
    }

    pub async fn enqueue(&self, queue: &str, body: String) {
        let res = self
            .http
            .post(format!("{}/_local/queues/{queue}", self.base))
            .body(body)
            .send()
            .await
            .expect("enqueue");
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }

    pub async fn summary(&self, csv_key: &str) -> Value {
        let key = shared::domain::prospects::summary_key(csv_key);
        let (s, body) = self.get_object(&key).await;
        assert_eq!(s, StatusCode::OK, "no summary at {key}");
        serde_json::from_slice(&body).expect("summary JSON")
    }

    /// The report's rows as (row, email, outcome, reason).
    pub async fn report(&self, csv_key: &str) -> Vec<(u64, String, String, String)> {
        let (s, body) = self.get_object(&shared::domain::prospects::report_key(csv_key)).await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(body).expect("UTF-8 report");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("row,email,outcome,reason"));
        lines
            .map(|l| {
                let cells: Vec<&str> = l.splitn(4, ',').collect();
                (
                    cells[0].parse().expect("row number"),
                    cells[1].to_string(),
                    cells[2].to_string(),
                    cells.get(3).unwrap_or(&"").trim_matches('"').to_string(),
                )
            })
            .collect()
    }

    pub async fn leads_with_email(&self, email: &str) -> Vec<Value> {
        let (s, body) = self.admin_get(&format!("/leads?email={email}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["leads"].as_array().cloned().unwrap_or_default()
    }
}

pub async fn csv_edge_cases(api: &Api, tag: &str) {
    // an open lead from the website already has one of the list's addresses
    let (s, web) = api
        .post_json("/leads", json!({"email": "meena@clinic.example", "name": "Meena"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{web}");
    let key = format!("prospects/diwali-{tag}/west region.csv");
    let put = api.put_object(&key, EDGE_CSV.to_vec()).await;
    assert!(put["event"]["Records"][0]["s3"]["object"]["key"]
        .as_str()
        .is_some_and(|k| k.ends_with("west+region.csv")));
    api.drain().await;

    let summary = api.summary(&key).await;
    assert_eq!(summary["status"], "complete", "{summary}");
    assert_eq!(summary["rows_read"], 5);
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["duplicates"], 2);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["blank_rows"], 1);
    let report = api.report(&key).await;
    let outcome = |row: u64| report.iter().find(|r| r.0 == row).cloned();
    assert_eq!(report.len(), 3, "{report:?}");
    let bad = outcome(3).expect("row 3 reported");
    assert_eq!((bad.1.as_str(), bad.2.as_str()), ("bad-email", "rejected"));
    assert!(bad.3.contains("not a valid email"), "{}", bad.3);
    let dup = outcome(6).expect("row 6 reported");
    assert_eq!(dup.2, "duplicate");
    assert!(dup.3.contains("row 2"), "{}", dup.3);
    let open = outcome(7).expect("row 7 reported");
    assert_eq!(open.2, "duplicate");
    assert!(open.3.contains(web["lead_id"].as_str().expect("id")), "{}", open.3);

    // the rows became leads, scored and routed like any other
    let asha = api.leads_with_email("asha@kirana-retail.in").await;
    assert_eq!(asha.len(), 1, "one lead for two rows of the same address");
    assert_eq!(asha[0]["channel"], "prospect_list");
    assert_eq!(asha[0]["attribution"]["campaign"], format!("diwali-{tag}"));
    assert_eq!(asha[0]["import"]["row"], 2);
    assert_eq!(asha[0]["stage"], "R002");
    assert_eq!(asha[0]["company"], "Kirana Retail");
    assert_eq!(asha[0]["message"], "Needs GST billing, inventory");
    let ravi = api.leads_with_email("ravi@steelworks.co.in").await;
    assert_eq!(ravi.len(), 1);
    assert_eq!(ravi[0]["company"], "Steel Works; Pune");
    assert!(ravi[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Line one") && m.contains("line two, with comma")));
    assert_eq!(api.leads_with_email("meena@clinic.example").await.len(), 1);
    assert!(api.leads_with_email("bad-email").await.is_empty());
}

/// S3 may deliver an event twice, and marketing may upload the same file twice.
pub async fn same_event_twice(api: &Api, tag: &str) {
    let key = format!("prospects/replay-{tag}/list.csv");
    let csv = "email,company\nfirst@replay.example,One\nsecond@replay.example,Two\n";
    let put = api.put_object(&key, csv.as_bytes().to_vec()).await;
    api.drain().await;
    let before = api.summary(&key).await;
    assert_eq!(before["created"], 2);
    api.enqueue("import", put["event"].to_string()).await;
    api.drain().await;
    api.put_object(&key, csv.as_bytes().to_vec()).await;
    api.drain().await;
    for email in ["first@replay.example", "second@replay.example"] {
        assert_eq!(api.leads_with_email(email).await.len(), 1, "{email}");
    }
    assert_eq!(api.summary(&key).await, before, "the same import, untouched");
    // a changed file at the same key is a new version: only its new row becomes a lead
    let changed = format!("{csv}third@replay.example,Three\n");
    api.put_object(&key, changed.into_bytes()).await;
    api.drain().await;
    let after = api.summary(&key).await;
    assert_eq!(
        (after["created"].as_u64(), after["duplicates"].as_u64()),
        (Some(1), Some(2)),
        "{after}"
    );
    assert_eq!(api.leads_with_email("third@replay.example").await.len(), 1);
    // an event for an object deleted before it was handled: refused with the reason, not retried
    let mut gone = put["event"].clone();
    gone["Records"][0]["s3"]["object"]["key"] = json!(format!("prospects/replay-{tag}/gone.csv"));
    gone["Records"][0]["s3"]["object"]["eTag"] = json!("0123");
    api.enqueue("import", gone.to_string()).await;
    api.drain().await;
    let refused = api.summary(&format!("prospects/replay-{tag}/gone.csv")).await;
    assert_eq!(refused["status"], "rejected");
    assert_eq!(refused["reason"], "the object no longer exists");
}

/// A file over the chunk size is cut at record boundaries and fanned out; rows keep their
/// numbers across chunks (the stack runs with a small chunk size).
pub async fn chunked_import(api: &Api, tag: &str, rows: usize) {
    let key = format!("prospects/big-{tag}/list.csv");
    let mut csv = String::from("Email;Name;Notes\n");
    for i in 0..rows {
        match i % 50 {
            // a quoted note with line breaks, so that chunk edges cannot be found by lines alone
            7 => csv.push_str(&format!("p{i}@bulk.example;P {i};\"multi\nline; note\"\n")),
            13 => csv.push_str(&format!("broken-{i};P {i};\n")),
            // the same address as the row before
            21 => csv.push_str(&format!("p{}@bulk.example;P {i};\n", i - 1)),
            _ => csv.push_str(&format!("p{i}@bulk.example;P {i};\n")),
        }
    }
    api.put_object(&key, csv.into_bytes()).await;
    // the import's own queue only: scoring the new leads goes on behind
    api.drain_queues("import").await;
    let summary = api.summary(&key).await;
    assert_eq!(summary["status"], "complete", "{summary}");
    assert!(summary["chunks"].as_u64().is_some_and(|c| c > 1), "{summary}");
    let per50 = rows as u64 / 50;
    assert_eq!(summary["rows_read"].as_u64(), Some(rows as u64));
    assert_eq!(summary["rejected"].as_u64(), Some(per50));
    assert_eq!(summary["duplicates"].as_u64(), Some(per50));
    assert_eq!(summary["created"].as_u64(), Some(rows as u64 - 2 * per50));
    let report = api.report(&key).await;
    // data row i is spreadsheet row i + 2
    let rejected: Vec<u64> = report.iter().filter(|r| r.2 == "rejected").map(|r| r.0).collect();
    assert_eq!(
        rejected,
        (0..rows as u64)
            .filter(|i| i % 50 == 13)
            .map(|i| i + 2)
            .collect::<Vec<_>>()
    );
    let dups: Vec<u64> = report.iter().filter(|r| r.2 == "duplicate").map(|r| r.0).collect();
    assert_eq!(
        dups,
        (0..rows as u64)
            .filter(|i| i % 50 == 21)
            .map(|i| i + 2)
            .collect::<Vec<_>>()
    );
}
