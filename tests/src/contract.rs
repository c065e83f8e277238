//! One contract suite per port, run unchanged against the embedded adapters and against the
//! AWS adapters over HTTP to the emulator, so the two cannot drift apart.

use serde_json::{json, Value};
use shared::ports::blobs::{BlobError, Blobs};
use shared::ports::mailer::Mailer;
use shared::ports::queue::{Queue, QueueError};
use shared::ports::table::*;

fn item(pk: &str, sk: &str, extra: Value) -> Item {
    let mut m = extra.as_object().cloned().unwrap_or_default();
    m.insert("pk".into(), json!(pk));
    m.insert("sk".into(), json!(sk));
    m
}

pub async fn table_suite(t: &dyn Table) {
    round_trip(t).await;
    conditions(t).await;
    transactions(t).await;
    queries_and_pages(t).await;
    index_queries(t).await;
    one_megabyte_pages(t).await;
    batches(t).await;
    counters(t).await;
}

async fn round_trip(t: &dyn Table) {
    let original = item(
        "RT#1",
        "A",
        json!({"s": "प्रिया 🚀 <script>", "n": 42, "neg": -7, "b": true, "nul": null, "empty": "",
               "list": ["x", 1, {"deep": "yes"}], "map": {"amount": "290000.00", "nested": {"k": [1, 2]}}}),
    );
    t.put(original.clone(), None).await.expect("put");
    let back = t.get(&Key::new("RT#1", "A")).await.expect("get").expect("present");
    assert_eq!(Value::Object(back), Value::Object(original));
    assert!(t.get(&Key::new("RT#1", "missing")).await.expect("get").is_none());
}

async fn conditions(t: &dyn Table) {
    let k = Key::new("COND#1", "A");
    t.put(item("COND#1", "A", json!({"version": 1})), Some(Cond::NotExists))
        .await
        .expect("first create");
    let again = t
        .put(item("COND#1", "A", json!({"version": 1})), Some(Cond::NotExists))
        .await;
    assert!(matches!(again, Err(StoreError::ConditionFailed)), "{again:?}");
    // optimistic concurrency: only the writer holding the current version wins
    t.put(
        item("COND#1", "A", json!({"version": 2})),
        Some(Cond::Equals("version".into(), json!(1))),
    )
    .await
    .expect("v1→v2");
    let stale = t
        .put(
            item("COND#1", "A", json!({"version": 3})),
            Some(Cond::Equals("version".into(), json!(1))),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::ConditionFailed)));
    let missing = t.put(item("COND#2", "A", json!({})), Some(Cond::Exists)).await;
    assert!(matches!(missing, Err(StoreError::ConditionFailed)));
    let unset = t
        .put(
            item("COND#1", "A", json!({"version": 2, "payout_id": "p1"})),
            Some(Cond::Missing("payout_id".into())),
        )
        .await;
    assert!(unset.is_ok(), "payout_id was absent: {unset:?}");
    let set = t
        .put(
            item("COND#1", "A", json!({"version": 2, "payout_id": "p2"})),
            Some(Cond::Missing("payout_id".into())),
        )
        .await;
    assert!(
        matches!(set, Err(StoreError::ConditionFailed)),
        "payout_id is present: {set:?}"
    );
    let both = Cond::All(vec![Cond::Exists, Cond::Equals("version".into(), json!(2))]);
    t.put(item("COND#1", "A", json!({"version": 3})), Some(both))
        .await
        .expect("all");
    assert_eq!(t.get(&k).await.expect("get").expect("item")["version"], json!(3));
}

async fn transactions(t: &dyn Table) {
    t.put(item("TX#guard", "G", json!({})), None).await.expect("guard");
    // all or nothing: the third write's condition fails, so the first two never happen
    let writes = vec![
        Write::Put {
            item: item("TX#a", "A", json!({"v": 1})),
            cond: Some(Cond::NotExists),
        },
        Write::Put {
            item: item("TX#b", "B", json!({"v": 1})),
            cond: None,
        },
        Write::Put {
            item: item("TX#guard", "G", json!({"v": 2})),
            cond: Some(Cond::NotExists),
        },
    ];
    match t.transact(writes).await {
        Err(StoreError::TransactionCancelled { failed }) => {
            assert_eq!(failed, vec![false, false, true])
        }
        other => panic!("expected a cancelled transaction, got {other:?}"),
    }
    assert!(t.get(&Key::new("TX#a", "A")).await.expect("get").is_none());
    assert!(t.get(&Key::new("TX#b", "B")).await.expect("get").is_none());
    // a check, a put and a delete together
    let writes = vec![
        Write::Check {
            key: Key::new("TX#guard", "G"),
            cond: Cond::Exists,
        },
        Write::Put {
            item: item("TX#a", "A", json!({"v": 1})),
            cond: Some(Cond::NotExists),
        },
        Write::Delete {
            key: Key::new("TX#guard", "G"),
            cond: None,
        },
    ];
    let same_item = t.transact(writes.clone()).await;
    assert!(
        matches!(same_item, Err(StoreError::Invalid(_))),
        "two actions on one item: {same_item:?}"
    );
    let writes = vec![
        Write::Check {
            key: Key::new("TX#guard", "G"),
            cond: Cond::Exists,
        },
        Write::Put {
            item: item("TX#a", "A", json!({"v": 1})),
            cond: Some(Cond::NotExists),
        },
        Write::Delete {
            key: Key::new("TX#b", "B"),
            cond: None,
        },
    ];
    t.transact(writes).await.expect("transaction");
    assert!(t.get(&Key::new("TX#a", "A")).await.expect("get").is_some());
    let too_many: Vec<Write> = (0..101)
        .map(|i| Write::Put {
            item: item(&format!("TX#n{i}"), "A", json!({})),
            cond: None,
        })
        .collect();
    assert!(matches!(t.transact(too_many).await, Err(StoreError::Invalid(_))));
}

async fn collect_all(t: &dyn Table, q: Query) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = t.query(&q.clone().after(cursor)).await.expect("query");
        out.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["sk"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn queries_and_pages(t: &dyn Table) {
    for i in 0..7 {
        t.put(item("Q#1", &format!("E#{i:02}"), json!({"i": i})), None)
            .await
            .expect("put");
    }
    t.put(item("Q#1", "Z", json!({})), None).await.expect("put");
    t.put(item("Q#2", "E#00", json!({})), None)
        .await
        .expect("other partition");
    let all = collect_all(t, Query::new("Q#1").sk(SkRange::BeginsWith("E#".into())).limit(3)).await;
    assert_eq!(sks(&all), (0..7).map(|i| format!("E#{i:02}")).collect::<Vec<_>>());
    let page = t
        .query(&Query::new("Q#1").sk(SkRange::BeginsWith("E#".into())).limit(3))
        .await
        .expect("page");
    assert_eq!(page.items.len(), 3);
    assert!(page.cursor.is_some());
    let between = t
        .query(&Query::new("Q#1").sk(SkRange::Between("E#02".into(), "E#04".into())))
        .await
        .expect("between");
    assert_eq!(sks(&between.items), vec!["E#02", "E#03", "E#04"]);
    let back = t.query(&Query::new("Q#1").backward().limit(2)).await.expect("backward");
    assert_eq!(sks(&back.items), vec!["Z", "E#06"]);
    let up_to = t
        .query(&Query::new("Q#1").sk(SkRange::UpTo("E#01".into())))
        .await
        .expect("up to");
    assert_eq!(sks(&up_to.items), vec!["E#00", "E#01"]);
    let from = t
        .query(&Query::new("Q#1").sk(SkRange::From("E#06".into())))
        .await
        .expect("from");
    assert_eq!(sks(&from.items), vec!["E#06", "Z"]);
    let backward_all = collect_all(t, Query::new("Q#1").backward().limit(3)).await;
    assert_eq!(backward_all.len(), 8);
    assert!(matches!(
        t.query(&Query::new("Q#1").after(Some("not-a-cursor".into()))).await,
        Err(StoreError::BadCursor)
    ));
    // a cursor pages only the partition it came from
    assert!(matches!(
        t.query(&Query::new("Q#2").after(page.cursor.clone())).await,
        Err(StoreError::BadCursor)
    ));
}

async fn index_queries(t: &dyn Table) {
    for (i, due) in ["2026-12-01", "2026-12-15", "2027-01-10", "2027-03-01"]
        .iter()
        .enumerate()
    {
        t.put(
            item(&format!("IX#{i}"), "C", json!({"gsi1pk": "RENEWAL", "gsi1sk": due})),
            None,
        )
        .await
        .expect("put");
    }
    t.put(item("IX#none", "C", json!({"other": 1})), None)
        .await
        .expect("not indexed");
    let window = collect_all(
        t,
        Query::new("RENEWAL")
            .index(Index::Gsi1)
            .sk(SkRange::Between("2026-12-01".into(), "2027-01-31".into()))
            .limit(2),
    )
    .await;
    let pks: Vec<&str> = window.iter().map(|i| i["pk"].as_str().unwrap_or_default()).collect();
    assert_eq!(pks, vec!["IX#0", "IX#1", "IX#2"]);
    // moving an item's index key moves it in the index
    t.put(
        item("IX#0", "C", json!({"gsi1pk": "RENEWAL", "gsi1sk": "2028-01-01"})),
        None,
    )
    .await
    .expect("move");
    let window = collect_all(
        t,
        Query::new("RENEWAL")
            .index(Index::Gsi1)
            .sk(SkRange::UpTo("2027-12-31".into())),
    )
    .await;
    assert_eq!(window.len(), 3);
    let gsi3 = t
        .query(&Query::new("RENEWAL").index(Index::Gsi3))
        .await
        .expect("other index");
    assert!(gsi3.items.is_empty());
}

async fn one_megabyte_pages(t: &dyn Table) {
    let blob = "x".repeat(100 * 1024);
    for i in 0..12 {
        t.put(item("BIG#1", &format!("I#{i:02}"), json!({"blob": blob})), None)
            .await
            .expect("put big");
    }
    let first = t.query(&Query::new("BIG#1")).await.expect("query");
    assert!(
        first.items.len() < 12,
        "a page stops at about 1 MB, got {} items",
        first.items.len()
    );
    assert!(first.cursor.is_some());
    assert_eq!(collect_all(t, Query::new("BIG#1")).await.len(), 12);
}

async fn counters(t: &dyn Table) {
    let k = Key::new("COUNT#1", "RUN");
    assert_eq!(t.increment(&k, "done", 1, None).await.expect("first"), 1);
    let racing = futures::future::join_all((0..10).map(|_| t.increment(&k, "done", 1, None))).await;
    assert!(racing.iter().all(|r| r.is_ok()));
    assert_eq!(
        t.increment(&k, "done", 0, None).await.expect("read"),
        11,
        "no increment lost"
    );
    t.put(item("COUNT#2", "RUN", json!({"expected": 3})), None)
        .await
        .expect("put");
    assert_eq!(
        t.increment(&Key::new("COUNT#2", "RUN"), "done", 2, None)
            .await
            .expect("add"),
        2
    );
    let kept = t.get(&Key::new("COUNT#2", "RUN")).await.expect("get").expect("item");
    assert_eq!(kept["expected"], json!(3), "the rest of the item is kept");
    // a short-lived counter carries the table's expiry attribute, set again on each increment
    let short = Key::new("COUNT#3", "2026-12-04T10");
    t.increment(&short, "count", 1, Some(1_800_000_000))
        .await
        .expect("expiring");
    assert_eq!(
        t.increment(&short, "count", 1, Some(1_800_000_060))
            .await
            .expect("again"),
        2
    );
    let stored = t.get(&short).await.expect("get").expect("item");
    assert_eq!(
        stored[shared::ports::table::EXPIRES_ATTRIBUTE],
        json!(1_800_000_060),
        "{stored:?}"
    );

    // counters that move with the write they count: once per successful transaction
    let agg = Key::new("AGG#1", "2026-10");
    let counted = |n: &str| {
        vec![
            Write::Put {
                item: item("EVENT#1", n, json!({})),
                cond: Some(Cond::NotExists),
            },
            Write::Add {
                key: agg.clone(),
                deltas: vec![("events".into(), 1), ("paise".into(), 29_000_000)],
            },
        ]
    };
    t.transact(counted("a")).await.expect("first");
    assert!(
        t.transact(counted("a")).await.is_err(),
        "the same event again is refused"
    );
    t.transact(counted("b")).await.expect("another event");
    let a = t.get(&agg).await.expect("get").expect("aggregate");
    assert_eq!((a["events"].clone(), a["paise"].clone()), (json!(2), json!(58_000_000)));
    t.transact(vec![Write::Add {
        key: agg.clone(),
        deltas: vec![("paise".into(), -58_000_000)],
    }])
    .await
    .expect("subtract");
    let a = t.get(&agg).await.expect("get").expect("aggregate");
    assert_eq!((a["events"].clone(), a["paise"].clone()), (json!(2), json!(0)));
}

async fn batches(t: &dyn Table) {
    let items: Vec<Item> = (0..60)
        .map(|i| item("BATCH#1", &format!("I#{i:03}"), json!({"i": i})))
        .collect();
    t.batch_put(items).await.expect("batch of 60 in 25s");
    assert_eq!(collect_all(t, Query::new("BATCH#1")).await.len(), 60);
    // reads in batches of 100; absent keys are left out
    let mut keys: Vec<Key> = (0..60).map(|i| Key::new("BATCH#1", format!("I#{i:03}"))).collect();
    keys.extend((0..90).map(|i| Key::new("BATCH#1", format!("NONE#{i:03}"))));
    let got = t.batch_get(&keys).await.expect("batch get of 150");
    let mut seen: Vec<i64> = got.iter().filter_map(|i| i.get("i").and_then(Value::as_i64)).collect();
    seen.sort();
    assert_eq!(seen, (0..60).collect::<Vec<i64>>());
    assert!(t.batch_get(&[]).await.expect("empty batch get").is_empty());
}

/// `queue` must exist; `missing` must not.
pub async fn queue_suite(q: &dyn Queue, queue: &str, missing: &str) {
    let id = q.send(queue, "one".into()).await.expect("send");
    assert!(!id.is_empty());
    q.send_batch(queue, (0..12).map(|i| format!("batch-{i}")).collect())
        .await
        .expect("batch of 12 in 10s");
    assert_eq!(q.depth(queue).await.expect("depth"), 13);
    let mut bodies = Vec::new();
    for _ in 0..10 {
        let got = q.receive(queue, 10, 1).await.expect("receive");
        for m in &got {
            assert!(m.receive_count >= 1);
            bodies.push(m.body.clone());
            q.delete(queue, &m.receipt).await.expect("delete");
        }
        if bodies.len() >= 13 {
            break;
        }
    }
    bodies.sort();
    let mut expected: Vec<String> = (0..12)
        .map(|i| format!("batch-{i}"))
        .chain(["one".to_string()])
        .collect();
    expected.sort();
    assert_eq!(bodies, expected);
    assert_eq!(q.depth(queue).await.expect("depth"), 0);
    assert!(q.receive(queue, 10, 0).await.expect("empty").is_empty());
    assert!(matches!(
        q.send(missing, "x".into()).await,
        Err(QueueError::UnknownQueue(_))
    ));
    assert!(matches!(
        q.send(queue, "x".repeat(300 * 1024)).await,
        Err(QueueError::TooLarge(_))
    ));
}

/// `read_back` returns every raw message the mailer has sent so far.
pub async fn mailer_suite<F, Fut>(m: &dyn Mailer, from: &str, read_back: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Vec<Vec<u8>>>,
{
    let before = read_back().await.len();
    let mime = format!(
        "From: Mumbai ERP Partners <{from}>\r\nTo: priya@example.in\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Namaste Priya\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Namaste &lt;Priya&gt;</p>\r\n--b1--\r\n",
        base64_encode("नमस्ते — your ERP demo".as_bytes())
    );
    let id = m
        .send_raw(from, &["priya@example.in".to_string()], mime.into_bytes())
        .await
        .expect("send");
    assert!(!id.is_empty());
    let sent = read_back().await;
    assert_eq!(sent.len(), before + 1);
    let parsed = shared::adapters::embedded::mailer::parse_eml("x.eml", sent.last().expect("one")).expect("parses");
    assert_eq!(parsed.subject, "नमस्ते — your ERP demo");
    assert_eq!(parsed.text.trim(), "Namaste Priya");
    assert!(parsed.html.contains("&lt;Priya&gt;"));
    assert!(m.send_raw(from, &[], b"Subject: x\r\n\r\nx".to_vec()).await.is_err());
}

fn base64_encode(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub async fn blobs_suite(b: &dyn Blobs) {
    let body = "email,name\npriya@example.in,Priya\n".repeat(100).into_bytes();
    b.put("prospects/diwali/list.csv", body.clone(), "text/csv")
        .await
        .expect("put");
    assert_eq!(b.get("prospects/diwali/list.csv").await.expect("get"), body);
    assert_eq!(
        b.size("prospects/diwali/list.csv").await.expect("size"),
        body.len() as u64
    );
    assert_eq!(
        b.get_range("prospects/diwali/list.csv", 6, 10).await.expect("range"),
        body[6..10].to_vec()
    );
    let tail = b
        .get_range(
            "prospects/diwali/list.csv",
            body.len() as u64 - 3,
            body.len() as u64 + 100,
        )
        .await
        .expect("tail");
    assert_eq!(tail, body[body.len() - 3..].to_vec());
    assert!(matches!(
        b.get("prospects/diwali/missing.csv").await,
        Err(BlobError::NotFound(_))
    ));

    // compose: small sources make one object; large ones a multipart upload (3 × 3 MB: a
    // 6 MB part, then the last 3 MB)
    b.put("parts/a", b"row,email\n".to_vec(), "text/csv")
        .await
        .expect("put a");
    b.put("parts/b", b"3,x@y.co\n".to_vec(), "text/csv")
        .await
        .expect("put b");
    b.compose("reports/small.csv", &["parts/a".into(), "parts/b".into()], "text/csv")
        .await
        .expect("compose small");
    assert_eq!(
        b.get("reports/small.csv").await.expect("get"),
        b"row,email\n3,x@y.co\n".to_vec()
    );
    let mb3 = |c: u8| vec![c; 3 * 1024 * 1024];
    for (k, c) in [("parts/x", b'x'), ("parts/y", b'y'), ("parts/z", b'z')] {
        b.put(k, mb3(c), "text/csv").await.expect("put big part");
    }
    let sources = ["parts/x".to_string(), "parts/y".into(), "parts/z".into()];
    b.compose("reports/big.csv", &sources, "text/csv")
        .await
        .expect("compose big");
    let big = b.get("reports/big.csv").await.expect("get big");
    assert_eq!(big.len(), 9 * 1024 * 1024);
    assert_eq!(
        (big[0], big[3 * 1024 * 1024], big[9 * 1024 * 1024 - 1]),
        (b'x', b'y', b'z')
    );
    assert!(matches!(
        b.compose("reports/none.csv", &["parts/missing".into()], "text/csv")
            .await,
        Err(BlobError::NotFound(_))
    ));
}
