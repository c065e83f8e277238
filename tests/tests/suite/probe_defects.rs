//! Regression tests for the black-box probe's findings (issue 10) that need no AWS adapter:
//! text with hidden characters, strict decimals and dates, JSON errors everywhere, content
//! types, refunds' status, reformatted webhook replays, and the local server's own hygiene.
//! (Poison payments, overpayments and public-domain registrations run on both stacks in the
//! billing and registrations suites.)

use e2e_tests::billing::{order, payment};
use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, embedded_stack_with, ADMIN_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn raw(
    api: &Api,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, String, Value) {
    let mut req = api
        .http
        .request(method, format!("{}{path}", api.base))
        .bearer_auth(ADMIN_KEY)
        .body(body.to_string());
    if let Some(t) = content_type {
        req = req.header("content-type", t);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hidden_characters_are_refused_in_every_text_field() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (_, key) = api.reseller("Text Partner", &["IN"], &[], "registered", 10).await;
    for name in [
        "Priya\r\nBcc: x@evil.example",
        "Priya\u{202E}gnp.exe",
        "Pri\u{200B}ya",
        "Priya\u{0}",
    ] {
        let (s, body) = api
            .post_json("/leads", json!({"email": "text@shreetextiles.in", "name": name}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {body}");
        assert_eq!(body["errors"][0]["field"], "name");
    }
    // a multi-line message keeps its line breaks
    let (s, lead) = api
        .post_json(
            "/leads",
            json!({"email": "text@shreetextiles.in", "message": "line one\nline two"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{lead}");
    api.drain().await;
    let lead_id = lead["lead_id"].as_str().expect("id");
    // activity notes: hidden characters refused, too long refused (never cut)
    let (s, body) = api
        .post_as(
            &format!("/leads/{lead_id}/activities"),
            Some(ADMIN_KEY),
            json!({"type": "call", "note": "ok\u{202E}"}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (s, body) = api
        .post_as(
            &format!("/leads/{lead_id}/activities"),
            Some(ADMIN_KEY),
            json!({"type": "call", "note": "x".repeat(2001)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("at most 2000"));
    // customer-referral names
    let (s, _) = api
        .post_json(
            "/referrals/customers",
            json!({"name": "Zero\u{200D}Width", "email": "cust@kaveriagro.in"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // registration company names
    let (s, _) = api
        .post_as(
            "/registrations",
            Some(&key),
            json!({"company": {"name": "Acme\u{0}Corp"}, "contact": {"email": "c@acme-hidden.in"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // signal ids and refund reasons
    let (s, body) = api
        .signed(
            "/contracts/ORD-X/signals",
            &json!({"signal_id": "S\r\n1", "type": "reseller_contact", "at": "2026-10-30T10:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "signal_id");
    let (s, body) = api
        .signed(
            "/billing/refunds",
            &json!({"refund_id": "RF-1", "payment_id": "PAY-1", "amount": "1.00", "reason": "oops\u{202E}", "refunded_at": "2026-10-30T10:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "reason");
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn strict_decimals_plausible_dates_and_field_named_errors() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    for amount in ["1_000", "+5", "10.", ".5", "1E2", "1e30"] {
        let (s, body) = api
            .signed(
                "/billing/payments",
                &payment("PAY-D", "ORD-D", "licence", amount, "2026-10-05T10:00:00Z"),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{amount}: {body}");
        assert_eq!(body["errors"][0]["field"], "amount", "{amount}");
    }
    for at in ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "2026-12-02 10:00:00Z"] {
        let (s, body) = api
            .signed("/billing/payments", &payment("PAY-D", "ORD-D", "licence", "10.00", at))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{at}: {body}");
        assert_eq!(body["errors"][0]["field"], "paid_at", "{at}");
    }
    // a bad signal date is reported on `at`, not on `type`
    let (s, body) = api
        .signed(
            "/contracts/ORD-X/signals",
            &json!({"signal_id": "S-1", "type": "reseller_contact", "at": "yesterday"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "at", "{body}");
    // a reseller name of 60 KB says it is too long, not that it is missing
    let (s, body) = api
        .admin_post(
            "/resellers",
            json!({"name": "N".repeat(60_000), "email": "long@resellers.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("at most 200"),
        "{body}"
    );
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn every_error_is_json() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (reseller, _) = api.reseller("Json Partner", &["IN"], &[], "registered", 10).await;
    // a query string that does not fit
    let (s, ct, body) = raw(&api, reqwest::Method::GET, "/leads?limit=lots", None, "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(body["error"], "bad_request");
    // a method a route does not take
    let (s, ct, body) = raw(&api, reqwest::Method::DELETE, "/leads", None, "").await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(body["error"], "method_not_allowed");
    let (s, _, body) = raw(&api, reqwest::Method::PUT, "/billing/orders", None, "").await;
    assert_eq!(
        (s, body["error"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    // an unknown currency is an error, not an empty ledger
    let (s, body) = api
        .admin_get(&format!("/resellers/{reseller}/ledger?month=2026-10&currency=XXX"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "currency");
    // activities take JSON only
    let lead = api.scored_lead("ct@shreetextiles.in").await;
    for ct in ["text/plain", "application/xml", "multipart/form-data; boundary=x"] {
        let (s, _, body) = raw(
            &api,
            reqwest::Method::POST,
            &format!("/leads/{lead}/activities"),
            Some(ct),
            r#"{"type":"call"}"#,
        )
        .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}: {body}");
    }
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn refunds_queued_count_and_show_their_status() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (closer, _) = api.reseller("Refund Partner", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("refunds@shreetextiles.in").await;
    let (s, _) = api
        .signed("/billing/orders", &order("ORD-RF", &lead, &closer, "1000.00", "200.00"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-RF", "ORD-RF", "licence", "1000.00", "2026-10-05T10:00:00Z"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;
    let refund = |id: &str, amount: &str| json!({"refund_id": id, "payment_id": "PAY-RF", "amount": amount, "reason": "partial return", "refunded_at": "2026-10-20T10:00:00Z"});
    // a refund accepted and still queued (written as the API writes it, not yet sent on)
    let queued = |id: &str, amount: &str| {
        let input: shared::domain::billing::RefundIn = serde_json::from_value(refund(id, amount)).expect("refund");
        let facts = shared::domain::billing::validate_refund(&input, &Default::default()).expect("valid");
        shared::usecases::billing::Refund {
            facts,
            status: shared::usecases::billing::Status::Received,
            status_reason: None,
            request_hash: "h".into(),
            received_at: chrono::Utc::now(),
            version: 1,
        }
    };
    let table = stack.stack.table.clone();
    let put = |r: shared::usecases::billing::Refund| {
        let table = table.clone();
        async move {
            table
                .put(shared::repo::item(&r).expect("item"), None)
                .await
                .expect("stored")
        }
    };
    let deliver = |id: &'static str| {
        let event = shared::events::Event::RefundReceived(shared::events::RefundReceived { refund_id: id.into() });
        api.deliver("commission", event, id)
    };
    put(queued("RF-1", "700.00")).await;
    // 700 is queued: 300 is left, not 1000 — a refund of 400 is refused up front
    let (s, body) = api.signed("/billing/refunds", &refund("RF-2", "400.00")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("300.00 INR left"), "{body}");
    deliver("RF-1").await;
    api.drain().await;
    // a refund that raced past the check is refused by the commission step: visible, with why
    put(queued("RF-3", "400.00")).await;
    deliver("RF-3").await;
    api.drain().await;
    let (_, o) = api.admin_get("/orders/ORD-RF").await;
    let refunds = &o["payments"][0]["refunds"];
    assert_eq!(o["payments"][0]["refunded"], "700.00", "{o}");
    assert_eq!(
        (refunds[0]["refund_id"].as_str(), refunds[0]["status"].as_str()),
        (Some("RF-1"), Some("processed")),
        "{o}"
    );
    assert_eq!(
        (refunds[1]["refund_id"].as_str(), refunds[1]["status"].as_str()),
        (Some("RF-3"), Some("rejected")),
        "{o}"
    );
    assert!(
        refunds[1]["status_reason"]
            .as_str()
            .unwrap_or("")
            .contains("exceeds the 300.00 left"),
        "{o}"
    );
    assert_eq!(refunds.as_array().map(Vec::len), Some(2), "RF-2 was never recorded");
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_reformatted_webhook_is_a_replay() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (closer, _) = api.reseller("Replay Partner", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("replay@shreetextiles.in").await;
    let (s, _) = api
        .signed("/billing/orders", &order("ORD-RE", &lead, &closer, "1000.00", "200.00"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let compact = r#"{"payment_id":"PAY-RE","order_id":"ORD-RE","kind":"licence","amount":500.50,"currency":"INR","paid_at":"2026-10-05T10:00:00Z"}"#;
    let pretty = "{\n  \"currency\": \"INR\",\n  \"paid_at\": \"2026-10-05T10:00:00Z\",\n  \"amount\": 500.5,\n  \"kind\": \"licence\",\n  \"order_id\": \"ORD-RE\",\n  \"payment_id\": \"PAY-RE\"\n}";
    let send = |body: &'static str| {
        let http = api.http.clone();
        let url = format!("{}/billing/payments", api.base);
        async move {
            let sig = shared::handlers::signature::sign(
                e2e_tests::billing::SECRET,
                chrono::Utc::now().timestamp(),
                body.as_bytes(),
            );
            http.post(url)
                .header("content-type", "application/json")
                .header("x-signature", sig)
                .body(body)
                .send()
                .await
                .expect("request")
                .status()
        }
    };
    assert_eq!(send(compact).await, StatusCode::ACCEPTED);
    assert_eq!(
        send(pretty).await,
        StatusCode::OK,
        "the same meaning, formatted differently"
    );
    let changed = r#"{"payment_id":"PAY-RE","order_id":"ORD-RE","kind":"licence","amount":500.51,"currency":"INR","paid_at":"2026-10-05T10:00:00Z"}"#;
    assert_eq!(send(changed).await, StatusCode::CONFLICT);
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_slow_client_is_cut_off_and_the_stack_keeps_no_fixed_secret() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = embedded_stack_with(|o| o.header_timeout = std::time::Duration::from_millis(300)).await;
    assert!(stack.addr.ip().is_loopback(), "loopback by default");
    // a request head that never ends: the server closes the connection
    let mut conn = tokio::net::TcpStream::connect(stack.addr).await.expect("connect");
    conn.write_all(b"GET /leads HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), conn.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 5 s");
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.starts_with("HTTP/1.1 408 "),
        "told why, not just hung up: {answer:?}"
    );
    assert!(answer.ends_with("did not arrive in time\"}"), "{answer}");
    let started = std::time::Instant::now();
    // the tracking secret: generated for the data folder, kept across restarts, never fixed
    let dir = stack.stack.options.data_dir.clone();
    let secret = std::fs::read_to_string(dir.join("tracking-secret")).expect("a secret for this data folder");
    assert_eq!(secret.trim().len(), 64);
    assert_ne!(secret.trim(), "local-tracking-secret");
    e2e_tests::stop(stack).await;
    let again = embedded_stack_with(|o| o.data_dir = dir.clone()).await;
    assert_eq!(
        std::fs::read_to_string(dir.join("tracking-secret")).expect("kept"),
        secret
    );
    let other = embedded_stack().await;
    let theirs = std::fs::read_to_string(other.stack.options.data_dir.join("tracking-secret")).expect("secret");
    assert_ne!(theirs, secret, "each data folder has its own");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    e2e_tests::stop(again).await;
    e2e_tests::stop(other).await;
}

/// A body over the limit is read to its end before the `413`: a client still sending reads the
/// answer, not a broken pipe.
#[tokio::test]
async fn an_oversized_body_is_answered_not_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = embedded_stack().await;
    let body = vec![b'x'; 3 * 1024 * 1024];
    let mut conn = tokio::net::TcpStream::connect(stack.addr).await.expect("connect");
    let head = format!(
        "POST /leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    for chunk in body.chunks(64 * 1024) {
        conn.write_all(chunk)
            .await
            .expect("the server reads the whole body before it answers");
    }
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut answer))
        .await
        .expect("answered")
        .expect("read");
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    e2e_tests::stop(stack).await;
}
