//! The second probe's findings, each pinned on the embedded stack and (where the store or the
//! mailer matter) on the AWS adapters against the emulator.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, defects, embedded_stack, emulator, emulator_mail, outbox_mail};

fn tag() -> String {
    shared::ids::random_id().to_lowercase()[..8].to_string()
}

#[tokio::test]
async fn a_deactivated_reseller_loses_its_session_and_keys_embedded() {
    let stack = embedded_stack().await;
    defects::deactivated_and_suspended(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_deactivated_reseller_loses_its_session_and_keys_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    defects::deactivated_and_suspended(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_reseller_cannot_grant_itself_a_lower_deduction_embedded() {
    let stack = embedded_stack().await;
    defects::lower_deduction_only_by_staff(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_reseller_cannot_grant_itself_a_lower_deduction_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    defects::lower_deduction_only_by_staff(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

/// Nobody can lock an address out: more requests for one address than its hourly links are all
/// answered `303` (no `429`), and only the allowed links are mailed.
#[tokio::test]
async fn too_many_login_requests_for_an_address_lock_nobody_out() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let name = "Lockout Partner";
    api.reseller(name, &["IN"], &[], "gold", 10).await;
    let email = e2e_tests::portal::email_of(name);
    for _ in 0..7 {
        let res = e2e_tests::portal::browserless()
            .post(format!("{}/portal/login", api.base))
            .form(&[("email", email.as_str())])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/portal/login?m=sent")
        );
    }
    api.drain_queues("sequence").await;
    let links = outbox_mail(&stack)(email.clone())
        .await
        .into_iter()
        .filter(|m| m.subject.contains("login link"))
        .count();
    assert_eq!(links, 5, "five links an hour for one address, the rest answered alike");
    // the owner is not locked out: its latest link opens a session
    let link = e2e_tests::portal::login_link(&outbox_mail(&stack), &email).await;
    let res = e2e_tests::portal::browserless().get(&link).send().await.expect("auth");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/portal")
    );
    e2e_tests::stop(stack).await;
}

/// The portal does the same work for a known and an unknown address (the same reads, writes and
/// one queued request each, no mail sent while answering), so its answer's time cannot tell
/// them apart; the link is mailed by the sequence sender afterwards.
#[tokio::test]
async fn a_login_request_costs_the_same_for_known_and_unknown_addresses() {
    use shared::adapters::counting::{CountingQueue, CountingTable, Counts};
    use shared::adapters::embedded::{EmbeddedQueue, EmbeddedTable, OutboxMailer};
    use shared::ports::{Clock, Mailer, Queue, Table};
    use std::sync::Arc;
    use tower::ServiceExt;
    let counts = Arc::new(Counts::default());
    let table: Arc<dyn Table> = Arc::new(CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    });
    let queue: Arc<dyn Queue> = Arc::new(CountingQueue {
        inner: EmbeddedQueue::new(&["scoring", "sequence"], std::time::Duration::from_secs(30), 5, None)
            .expect("queue"),
        counts: counts.clone(),
    });
    let outbox = Arc::new(OutboxMailer::open(e2e_tests::temp_dir("login-mail")).expect("outbox"));
    let mailer: Arc<dyn Mailer> = outbox.clone();
    let clock: Arc<dyn Clock> = Arc::new(shared::ports::clock::SystemClock);
    shared::usecases::resellers::create(
        table.as_ref(),
        clock.as_ref(),
        &serde_json::from_value(serde_json::json!({"name": "Known Partner", "email": "known@partner.example"}))
            .expect("reseller"),
    )
    .await
    .expect("created");
    let vars: std::collections::HashMap<&str, &str> = [
        ("TABLE_NAME", "t"),
        ("MAIL_FROM", "partners@platform.example"),
        ("PUBLIC_BASE_URL", "http://localhost:3000"),
        ("ADMIN_EMAILS", "admin@platform.example"),
        ("SCORING_QUEUE_URL", "scoring"),
        ("SEQUENCE_QUEUE_URL", "sequence"),
        ("PRESALES_EMAIL", "presales@platform.example"),
    ]
    .into_iter()
    .collect();
    let owned: std::collections::HashMap<String, String> =
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut env = shared::config::Env::from_fn(move |n| owned.get(n).cloned());
    let portal = shared::wiring::portal(&mut env, table, mailer, queue.clone(), clock);
    env.finish().expect("config");
    let app = shared::handlers::portal::app(Arc::new(portal));
    let mut work = Vec::new();
    for email in ["known@partner.example", "nobody@nowhere.example"] {
        let before = counts.snapshot();
        let res = app
            .clone()
            .oneshot(
                axum::http::Request::post("/portal/login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", "203.0.113.9")
                    .body(axum::body::Body::from(format!("email={}", email.replace('@', "%40"))))
                    .expect("request"),
            )
            .await
            .expect("answer");
        assert_eq!(res.status(), 303);
        let after = counts.snapshot();
        work.push((
            after.reads - before.reads,
            after.writes - before.writes,
            after.sends - before.sends,
        ));
    }
    assert_eq!(work[0], work[1], "known vs unknown: (reads, writes, queue sends)");
    assert_eq!(work[0].2, 1, "one queued request each");
    assert!(outbox.list().expect("outbox").is_empty(), "no mail while answering");
    assert_eq!(queue.depth("sequence").await.expect("depth"), 2);
}

#[tokio::test]
async fn proposals_mail_nobody_on_a_resellers_say_so_embedded() {
    let stack = embedded_stack().await;
    defects::proposals_mail_nobody_on_a_resellers_say_so(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn proposals_mail_nobody_on_a_resellers_say_so_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    defects::proposals_mail_nobody_on_a_resellers_say_so(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_reseller_sees_no_competitors_routing_figures() {
    let stack = embedded_stack().await;
    defects::routing_shows_no_competitor(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

/// Every answer of every GET route in the description — JSON, CSV, bank files, statements,
/// proposals, pages, errors — carries the private headers: never cached, never framed.
#[tokio::test]
async fn every_answer_carries_the_private_headers() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if ops.get("get").is_none() {
            continue;
        }
        let concrete = path
            .replace("{month}", "2026-10")
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for key in [Some(e2e_tests::ADMIN_KEY), None] {
            let mut req = api.http.get(format!("{}{concrete}", api.base));
            if let Some(k) = key {
                req = req.bearer_auth(k);
            }
            let res = req.send().await.expect("answer");
            let h = res.headers();
            let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            // the API's own description is public and may be cached; everything else is private
            if concrete != "/openapi.json" {
                assert!(get("cache-control").contains("no-store"), "{concrete}: {h:?}");
            }
            assert_eq!(get("x-frame-options"), "DENY", "{concrete}");
            assert!(
                get("content-security-policy").contains("frame-ancestors 'none'"),
                "{concrete}"
            );
            assert_eq!(get("x-content-type-options"), "nosniff", "{concrete}");
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} answers checked");
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_pan_is_masked_in_every_resellers_read() {
    let stack = embedded_stack().await;
    defects::pan_masked_everywhere(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn money_events_are_bounded_in_time_and_ownership() {
    let stack = embedded_stack().await;
    defects::money_events_are_bounded(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn quotes_stay_within_what_billing_takes() {
    let stack = embedded_stack().await;
    defects::quotes_within_what_billing_takes(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn portal_notices_show_only_what_the_portal_said() {
    let stack = embedded_stack().await;
    defects::notices_only_from_the_portal(&Api::of(&stack), outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn unknown_fields_on_json_writes_are_refused() {
    let stack = embedded_stack().await;
    defects::unknown_fields_are_refused(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn one_account_per_email_whatever_its_case_embedded() {
    let stack = embedded_stack().await;
    defects::one_account_per_email(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn one_account_per_email_whatever_its_case_aws() {
    emulator();
    let stack = aws_stack().await;
    defects::one_account_per_email(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_linkedin_export_loses_no_rows_embedded() {
    let stack = embedded_stack().await;
    defects::a_linkedin_export_keeps_its_rows(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_linkedin_export_loses_no_rows_aws() {
    emulator();
    let stack = aws_stack().await;
    defects::a_linkedin_export_keeps_its_rows(&Api::of(&stack), &tag()).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_referred_lead_reaches_a_reseller_the_cache_does_not_know() {
    let stack = e2e_tests::embedded_stack_with(|o| o.roster_cache = std::time::Duration::from_secs(300)).await;
    defects::referrals_reach_new_resellers(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
