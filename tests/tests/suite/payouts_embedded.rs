//! The monthly payout through the local stack on the embedded adapters (mail in the outbox).

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use e2e_tests::payouts;

#[tokio::test]
async fn monthly_payout() {
    let stack = embedded_stack().await;
    payouts::monthly_payout(&Api::of(&stack), "emb", e2e_tests::outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

/// Two workers at once, and a crash between issuing the tickets and emailing finance: one
/// ticket, one statement, one finance email, and no entry paid twice.
#[tokio::test]
async fn concurrent_workers_and_a_crash_before_the_finance_email() {
    use async_trait::async_trait;
    use shared::adapters::embedded::{EmbeddedQueue, EmbeddedTable, OutboxMailer};
    use shared::config::Rules;
    use shared::ports::mailer::{MailError, Mailer};
    use shared::ports::{Clock, Table};
    use shared::usecases::commission::Entry;
    use shared::usecases::payout::{pay_payee, start_month, PayoutPorts};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// Refuses finance's email while `down` is set, as if the process died before sending it.
    struct Flaky {
        inner: OutboxMailer,
        down: AtomicBool,
    }
    #[async_trait]
    impl Mailer for Flaky {
        async fn send_raw(&self, from: &str, to: &[String], mime: Vec<u8>) -> Result<String, MailError> {
            if self.down.load(Ordering::SeqCst) && to.iter().any(|t| t == "finance@example.in") {
                return Err(MailError::Unavailable("crashed".into()));
            }
            self.inner.send_raw(from, to, mime).await
        }
    }

    let table = EmbeddedTable::in_memory();
    let queue = EmbeddedQueue::new(&["payout"], std::time::Duration::from_secs(5), 5, None).expect("queue");
    let outbox_dir = e2e_tests::temp_dir("payout-outbox");
    let mailer = Arc::new(Flaky {
        inner: OutboxMailer::open(outbox_dir.clone()).expect("outbox"),
        down: AtomicBool::new(true),
    });
    let clock = shared::ports::clock::SystemClock;
    let seed = shared::usecases::resellers::NewReseller {
        name: Some("Crash Partner".into()),
        email: Some("crash@partner.example".into()),
        regions: vec!["IN".into()],
        industries: vec![],
        tier: None,
        capacity: None,
        status: None,
        win_rate: None,
        plan: None,
        parent_reseller_id: None,
    };
    let (r, _) = shared::usecases::resellers::create(&table, &clock, &seed)
        .await
        .expect("reseller");
    // three entries in October
    for (i, amount) in ["250000.00", "40000.00", "-1000.00"].iter().enumerate() {
        let at = chrono::DateTime::parse_from_rfc3339(&format!("2026-10-{:02}T10:00:00Z", 5 + i))
            .expect("t")
            .with_timezone(&chrono::Utc);
        let component = ["licence", "amc_first_year", "clawback"][i];
        let e = Entry {
            payee: r.reseller_id.clone(),
            source: shared::domain::ledger::EntrySource::Payment,
            source_id: format!("P{i}"),
            order_id: "O1".into(),
            component: shared::domain::commission::Component::parse(component).expect("a component"),
            base: amount.parse().expect("decimal"),
            rate: "1".parse().expect("decimal"),
            amount: amount.parse().expect("decimal"),
            currency: "INR".into(),
            earned_at: at,
            explanation: String::new(),
            recorded_at: clock.now(),
            lead_id: None,
            payout_id: None,
            tax_kind: None,
        };
        table
            .put(shared::repo::item(&e).expect("item"), None)
            .await
            .expect("entry");
    }
    table
        .put(
            shared::repo::item(&shared::repo::Payee {
                payee: r.reseller_id.clone(),
                owed: true,
                marker: "m1".into(),
            })
            .expect("item"),
            None,
        )
        .await
        .expect("payee");
    let rules = Rules::default();
    let ports = PayoutPorts {
        table: &table,
        queue: &queue,
        mailer: mailer.as_ref(),
        clock: &clock,
        rules: &rules,
        payout_queue: "payout",
        mail_from: "Partner Programme <alerts@partners.example>",
        finance_email: "finance@example.in",
        platform_gstin: local_stack::DEMO_PLATFORM_GSTIN,
        hold_until_invoice: false,
    };
    assert_eq!(start_month(&ports, "2026-10").await.expect("start"), 1);
    // two workers for the same payee at once; finance's email "crashes"
    let (x, y) = tokio::join!(
        pay_payee(&ports, &r.reseller_id, "2026-10"),
        pay_payee(&ports, &r.reseller_id, "2026-10")
    );
    assert!(
        x.is_err() || y.is_err(),
        "the interrupted finance email surfaces as an error to retry"
    );
    let outbox = || {
        OutboxMailer::open(outbox_dir.clone())
            .expect("outbox")
            .list()
            .expect("list")
    };
    let statements = || {
        outbox()
            .iter()
            .filter(|m| m.to.contains(&"crash@partner.example".to_string()))
            .count()
    };
    let finance = || {
        outbox()
            .iter()
            .filter(|m| m.to.contains(&"finance@example.in".to_string()))
            .count()
    };
    assert_eq!((statements(), finance()), (1, 0));
    let tickets = shared::usecases::payout::month_tickets(&table, "2026-10")
        .await
        .expect("tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].lines[0].payable.to_string(), "289000.00");
    // the job runs again after the "restart": finance gets its email, once
    mailer.down.store(false, Ordering::SeqCst);
    start_month(&ports, "2026-10").await.expect("re-run");
    pay_payee(&ports, &r.reseller_id, "2026-10")
        .await
        .expect("worker again");
    start_month(&ports, "2026-10").await.expect("and again");
    assert_eq!((statements(), finance()), (1, 1));
    // every entry is settled by that one ticket, and left the unpaid list
    let unpaid = table
        .query(
            &shared::ports::table::Query::new(shared::repo::unpaid_index_pk(&r.reseller_id))
                .index(shared::ports::table::Index::Gsi2),
        )
        .await
        .expect("query");
    assert!(unpaid.items.is_empty());
}
