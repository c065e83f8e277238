//! The port contracts on the embedded adapters (in memory and persisted to a folder).

use e2e_tests::{contract, temp_dir};
use shared::adapters::embedded::{DiskBlobs, EmbeddedQueue, EmbeddedTable, OutboxMailer};
use shared::ports::table::{Key, Table};
use std::time::Duration;

#[tokio::test]
async fn table_in_memory() {
    contract::table_suite(&EmbeddedTable::in_memory()).await;
}

#[tokio::test]
async fn table_persisted_and_reopened() {
    let dir = temp_dir("table");
    {
        let t = EmbeddedTable::open(&dir).expect("open");
        contract::table_suite(&t).await;
    }
    // everything written survives a restart, deletes included
    let t = EmbeddedTable::open(&dir).expect("reopen");
    assert!(t.get(&Key::new("RT#1", "A")).await.expect("get").is_some());
    assert!(t.get(&Key::new("TX#b", "B")).await.expect("get").is_none());
}

#[tokio::test]
async fn queue() {
    let q = EmbeddedQueue::new(&["jobs"], Duration::from_secs(5), 5, Some(temp_dir("queue"))).expect("queue");
    contract::queue_suite(&q, "jobs", "nope").await;
}

#[tokio::test]
async fn queue_redelivers_then_dead_letters() {
    use shared::ports::{Queue, QueueSender};
    let q = EmbeddedQueue::new(&["jobs"], Duration::from_millis(20), 3, None).expect("queue");
    q.send("jobs", "poison".into()).await.expect("send");
    for n in 1..=3 {
        let got = q.receive("jobs", 10, 1).await.expect("receive");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].receive_count, n);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(q.receive("jobs", 10, 0).await.expect("receive").is_empty());
    assert_eq!(q.peek("jobs-dlq"), vec!["poison".to_string()]);
}

#[tokio::test]
async fn mailer() {
    let dir = temp_dir("outbox");
    let m = OutboxMailer::open(dir.clone()).expect("outbox");
    contract::mailer_suite(&m, "alerts@mail.partners.example", || {
        let dir = dir.clone();
        async move {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            files.iter().map(|f| std::fs::read(f).expect("read")).collect()
        }
    })
    .await;
    let listed = m.list().expect("list");
    assert_eq!(listed[0].to, vec!["priya@example.in".to_string()]);
    assert_eq!(listed[0].from, "alerts@mail.partners.example");
}

#[tokio::test]
async fn blobs() {
    let b = DiskBlobs::open(temp_dir("blobs")).expect("blobs");
    contract::blobs_suite(&b).await;
    use shared::ports::BlobWriter;
    assert!(b.put("../escape.csv", vec![], "text/csv").await.is_err());
}
