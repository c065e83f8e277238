//! The scoring function's SQS handler called as Lambda calls it: partial batch failures, and
//! redelivery that changes nothing. Plus the request budget of capture and scoring.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, embedded_stack};
use local_stack::consumers::event;
use serde_json::json;
use shared::adapters::counting::{CountingQueue, CountingTable, Counts};
use shared::adapters::embedded::{EmbeddedQueue, EmbeddedTable};
use shared::config::Rules;
use shared::domain::lead::validate;
use shared::handlers::scoring::Scoring;
use shared::ports::clock::SystemClock;
use shared::ports::Queue;
use shared::usecases::capture::{capture_lead, CapturePorts, Captured};
use shared::usecases::score_route::RosterCache;
use std::sync::Arc;
use std::time::Duration;

async fn one_bad_message_fails_alone(stack: &local_stack::Running) {
    let api = Api::of(stack);
    api.reseller("Solo", &["IN"], &[], "gold", 10).await;
    let (_, a) = api
        .post_json("/leads", json!({"email": "good@example.in", "country": "IN"}))
        .await;
    let lead_id = a["lead_id"].as_str().expect("id").to_string();
    let captured = json!({"type": "lead.captured", "version": 1, "id": "e1", "occurred_at": "2026-11-02T10:00:00Z",
                          "correlation_id": "c1", "payload": {"lead_id": lead_id}})
    .to_string();
    let unknown = json!({"type": "lead.captured", "version": 1, "id": "e2", "occurred_at": "2026-11-02T10:00:00Z",
                         "correlation_id": "c2", "payload": {"lead_id": "01NOSUCHLEAD"}})
    .to_string();
    let batch = event(&[
        ("m1", "{not json"),
        ("m2", &captured),
        ("m3", &unknown),
        ("m4", &captured),
    ]);
    let response = stack.stack.scoring.handle_batch(batch).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m1", "m3"]);
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(lead["stage"], "R002");
    let qualified = lead["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter(|e| e["action"] == "lead.qualified")
        .count();
    assert_eq!(qualified, 1, "delivered three times, scored once");
    let (_, reseller) = api
        .admin_get(&format!(
            "/resellers/{}",
            lead["owner_reseller_id"].as_str().unwrap_or("")
        ))
        .await;
    assert_eq!(reseller["open_leads"], 1, "the owner's load counts the lead once");
}

#[tokio::test]
async fn partial_batch_failures_embedded() {
    let stack = embedded_stack().await;
    one_bad_message_fails_alone(&stack).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn partial_batch_failures_aws() {
    let stack = aws_stack().await;
    one_bad_message_fails_alone(&stack).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_poison_message_ends_in_the_dead_letter_queue_and_the_rest_flows() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    stack
        .stack
        .queue
        .send("scoring", "{not json".into())
        .await
        .expect("send");
    let (_, a) = api.post_json("/leads", json!({"email": "flows@example.in"})).await;
    api.drain().await;
    let q = stack.stack.embedded_queue.as_ref().expect("embedded");
    assert_eq!(q.peek("scoring-dlq"), vec!["{not json".to_string()]);
    let (_, lead) = api
        .admin_get(&format!("/leads/{}", a["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(lead["stage"], "R002");
    e2e_tests::stop(stack).await;
}

/// Capture: one read (its month's marker for the all-leads list; written by the month's first
/// capture), one transaction and one send. Scoring (roster cached): one read, one transaction,
/// one send (lead.qualified).
#[tokio::test]
async fn requests_per_lead_captured_and_scored() {
    let counts = Arc::new(Counts::default());
    let table = Arc::new(CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    });
    let queue = Arc::new(CountingQueue {
        inner: EmbeddedQueue::new(&["scoring", "sequence"], Duration::from_secs(5), 5, None).expect("queue"),
        counts: counts.clone(),
    });
    let clock = SystemClock;
    let seed = shared::usecases::resellers::NewReseller::in_india("Counted", "c@partner.example");
    shared::usecases::resellers::create(table.as_ref(), &clock, &seed)
        .await
        .expect("reseller");
    let scoring = Scoring {
        table: table.clone(),
        queue: queue.clone(),
        clock: Arc::new(SystemClock),
        rules: Rules::default(),
        roster: RosterCache::new(Duration::from_secs(60)),
        sequence_queue: "sequence".into(),
    };
    let ports = CapturePorts {
        table: table.as_ref(),
        queue: queue.as_ref(),
        clock: &clock,
        scoring_queue: "scoring",
    };
    for i in 0..3 {
        let fields = json!({"email": format!("count{i}@example.in"), "country": "IN"});
        let input = validate(fields.as_object().expect("object")).expect("valid");
        let months = || async {
            shared::usecases::leads::lead_months(&table.inner)
                .await
                .expect("months")
                .len() as u64
        };
        let (before, marked) = (counts.snapshot(), months().await);
        let outcome = capture_lead(&ports, &input, None, "corr").await.expect("capture");
        assert!(matches!(outcome, Captured::Created { .. }));
        let after_capture = counts.snapshot();
        // the month's marker is written once: by the first capture (and a new month's first)
        let new_months = months().await - marked;
        assert!(
            new_months <= 1 && (i > 0 || new_months == 1),
            "{new_months} markers for capture {i}"
        );
        assert_eq!(
            (
                after_capture.writes - before.writes,
                after_capture.sends - before.sends,
                after_capture.reads - before.reads
            ),
            (1 + new_months, 1, 1)
        );
        let msgs = queue.receive("scoring", 10, 0).await.expect("receive");
        let batch = event(
            &msgs
                .iter()
                .map(|m| (m.message_id.as_str(), m.body.as_str()))
                .collect::<Vec<_>>(),
        );
        let response = scoring.handle_batch(batch).await;
        assert!(response.batch_item_failures.is_empty());
        let after = counts.snapshot();
        let reads = after.reads - after_capture.reads;
        // the first lead also loads the roster; after that it is cached
        assert_eq!(reads, if i == 0 { 2 } else { 1 }, "reads for lead {i}");
        assert_eq!(
            (
                after.transactions - after_capture.transactions,
                after.sends - after_capture.sends
            ),
            (1, 1)
        );
    }
}
