//! The renewal-risk scan through the local stack on the embedded adapters (mail in the outbox).

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use e2e_tests::renewals;

#[tokio::test]
async fn nightly_scan() {
    let stack = embedded_stack().await;
    renewals::nightly_scan(&Api::of(&stack), "Renewals Embedded", e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

/// The scan reads only contracts in the window: 100 contracts, 3 renewing within 60 days.
#[tokio::test]
async fn the_scan_reads_only_the_window() {
    use shared::adapters::counting::{CountingTable, Counts};
    use shared::adapters::embedded::{EmbeddedTable, OutboxMailer};
    use shared::config::Rules;
    use shared::ports::clock::SystemClock;
    use shared::usecases::renewals::{scan, ScanPorts};
    use std::sync::Arc;
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-02T02:00:00+05:30")
        .expect("now")
        .with_timezone(&chrono::Utc);
    local_stack::demo::seed_contracts(&table, now, 100, 3).await;
    let mailer = OutboxMailer::open(e2e_tests::temp_dir("scan-outbox")).expect("outbox");
    let rules = Rules::default();
    let ports = ScanPorts {
        table: &table,
        mailer: &mailer,
        clock: &SystemClock,
        rules: &rules,
        mail_from: "alerts@partners.example",
    };
    let before = counts.snapshot();
    let report = scan(&ports, now).await.expect("scan");
    assert_eq!(report.read, 3);
    assert_eq!(
        counts.snapshot().items_read - before.items_read,
        3,
        "items read = items in the window"
    );
}

#[tokio::test]
async fn renewal_index_uses_the_india_date() {
    let stack = e2e_tests::embedded_stack().await;
    renewals::renewal_index_uses_the_india_date(&Api::of(&stack), stack.stack.table.as_ref()).await;
    e2e_tests::stop(stack).await;
}
