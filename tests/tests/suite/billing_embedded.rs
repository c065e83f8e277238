//! Order-to-commission through the local stack on the embedded adapters.

use e2e_tests::billing::{self, order, payment};
use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use reqwest::StatusCode;

#[tokio::test]
async fn worked_example() {
    let stack = embedded_stack().await;
    billing::worked_example(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn instalments_referrals_and_refunds() {
    let stack = embedded_stack().await;
    billing::instalments_referrals_and_refunds(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn replays_races_and_early_payments() {
    let stack = embedded_stack().await;
    billing::replays_races_and_early_payments(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn signatures_fields_and_currencies() {
    let stack = embedded_stack().await;
    billing::signatures_fields_and_currencies(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

/// After a restart (same data folder), re-sending a payment and redelivering its message
/// change nothing.
#[tokio::test]
async fn replay_after_a_restart() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (closer, _) = api.reseller("Restart", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("restart@example.in").await;
    assert_eq!(
        api.signed("/billing/orders", &order("ORD-R", &lead, &closer, "1000000", "200000"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let p = payment("PAY-RS", "ORD-R", "licence", "1000000", "2026-10-05T10:00:00Z");
    assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let mut options = stack.stack.options.clone();
    e2e_tests::stop(stack).await;
    options.port = 0;
    let again = local_stack::start(options).await.expect("restart");
    let api = Api::of(&again);
    assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::OK);
    let redelivered = r#"{"type":"payment.received","version":1,"id":"x","occurred_at":"2026-10-05T10:00:00Z","correlation_id":"x","payload":{"payment_id":"PAY-RS"}}"#;
    again
        .stack
        .queue
        .send("commission", redelivered.into())
        .await
        .expect("send");
    api.drain().await;
    let l = api.ledger(&closer, "2026-10").await;
    assert_eq!(l["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(l["totals"]["licence"], "250000.00");
    e2e_tests::stop(again).await;
}

/// A payment's entries, their guards, the order's totals and the payment's status: one
/// transaction (reads: the payment, the order, and the lead on the first payment).
#[tokio::test]
async fn one_transaction_per_payment() {
    use shared::adapters::counting::{CountingTable, Counts};
    use shared::adapters::embedded::EmbeddedTable;
    use shared::config::Rules;
    use shared::ports::clock::SystemClock;
    use shared::usecases::commission::{process_payment, CommissionPorts, Outcome};
    use std::sync::Arc;

    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (closer, _) = api.reseller("Counted", &["IN"], &[], "registered", 10).await;
    let (referrer, _) = api.reseller("Counted Referrer", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("counted@example.in").await;
    let mut o = order("ORD-C", &lead, &closer, "1000000", "200000");
    o["referring_reseller_id"] = serde_json::json!(referrer);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    // the records go into a counted table of their own, so only the commission step is counted
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    };
    for key in [shared::repo::order_key("ORD-C"), shared::repo::lead_key(&lead)] {
        let item = stack.stack.table.get(&key).await.expect("get").expect("present");
        shared::ports::Table::put(&table, item, None).await.expect("copy");
    }
    let queue =
        shared::adapters::embedded::EmbeddedQueue::new(&["commission"], std::time::Duration::from_secs(5), 5, None)
            .expect("queue");
    let billing_ports = shared::usecases::billing::BillingPorts {
        table: &table,
        queue: &queue,
        clock: &SystemClock,
        commission_queue: "commission",
    };
    let p = payment("PAY-C1", "ORD-C", "licence", "1000000", "2026-10-05T10:00:00Z");
    let input: shared::domain::billing::PaymentIn = serde_json::from_value(p).expect("payment");
    let facts = shared::domain::billing::validate_payment(&input, &Default::default()).expect("valid");
    shared::usecases::billing::record_payment(&billing_ports, facts, "hash")
        .await
        .expect("recorded");
    let before = counts.snapshot();
    let rules = Rules::default();
    let ports = CommissionPorts {
        table: &table,
        clock: &SystemClock,
        rules: &rules,
    };
    let outcome = process_payment(&ports, "PAY-C1").await.expect("applied");
    assert_eq!(outcome, Outcome::Applied { entries: 2 }, "closer and referrer");
    let after = counts.snapshot();
    assert_eq!(after.transactions - before.transactions, 1);
    assert_eq!(after.writes - before.writes, 1);
    // payment, order, lead (first payment only); and since issue 12 a won deal refreshes its
    // closer's win rate after the transaction: one query of its outcomes, one read of it
    assert_eq!(
        after.reads - before.reads,
        5,
        "payment, order, lead, the closer's outcomes and record (first payment only)"
    );
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn poison_payments_and_overpayments() {
    let stack = e2e_tests::embedded_stack().await;
    billing::poison_payments_and_overpayments(&Api::of(&stack), stack.stack.table.as_ref()).await;
    e2e_tests::stop(stack).await;
}
