//! Billing flows over HTTP: signed webhooks in, ledger out. Shared by the embedded and the
//! AWS-backed stacks.

use crate::flows::Api;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The local stack's default webhook secret.
pub const SECRET: &str = "local-webhook-secret";

impl Api {
    /// Posts `body` signed with `secret` now (what a billing system does).
    pub async fn signed_with(&self, path: &str, body: &Value, secret: &str, at: i64) -> (StatusCode, Value) {
        let bytes = serde_json::to_vec(body).expect("json");
        let sig = shared::handlers::signature::sign(secret, at, &bytes);
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("x-signature", sig)
            .body(bytes)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn signed(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.signed_with(path, body, SECRET, chrono::Utc::now().timestamp())
            .await
    }

    /// A reseller's ledger for a month: (totals of one currency, every entry).
    pub async fn ledger(&self, reseller: &str, month: &str) -> Value {
        let (status, body) = self
            .admin_get(&format!("/resellers/{reseller}/ledger?month={month}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A lead, captured and scored, to hang an order on.
    /// Makes `reseller` the lead's owner (the admin assigns it when routing chose another): an
    /// order names the reseller its lead belongs to.
    pub async fn own(&self, lead: &str, reseller: &str) {
        let (_, l) = self.admin_get(&format!("/leads/{lead}")).await;
        if l["owner_reseller_id"].as_str() == Some(reseller) {
            return;
        }
        let (s, b) = self
            .admin_post(&format!("/leads/{lead}/assign"), json!({"reseller_id": reseller}))
            .await;
        assert_eq!(s, StatusCode::OK, "assign {lead} to {reseller}: {b}");
    }

    /// A scored lead that belongs to `reseller`.
    pub async fn lead_of(&self, reseller: &str, email: &str) -> String {
        let lead = self.scored_lead(email).await;
        self.own(&lead, reseller).await;
        lead
    }

    pub async fn scored_lead(&self, email: &str) -> String {
        let (s, b) = self
            .post_json("/leads", json!({"email": email, "country": "IN", "title": "CEO"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        self.drain().await;
        b["lead_id"].as_str().expect("lead id").to_string()
    }
}

pub fn order(order_id: &str, lead_id: &str, reseller_id: &str, licence: &str, amc: &str) -> Value {
    json!({
        "order_id": order_id, "lead_id": lead_id, "reseller_id": reseller_id,
        "customer": {"name": "Shree Textile Industries", "domain": "shreetextiles.in"},
        "customer_po": "PO-778", "vendor_po": "VPO-112", "currency": "INR",
        "lines": [
            {"kind": "licence", "product": "ERP Enterprise", "amount": licence},
            {"kind": "amc", "product": "ERP AMC year 1", "amount": amc}
        ]
    })
}

pub fn payment(id: &str, order_id: &str, kind: &str, amount: &str, paid_at: &str) -> Value {
    json!({"payment_id": id, "order_id": order_id, "kind": kind, "amount": amount, "currency": "INR", "paid_at": paid_at})
}

fn total(ledger: &Value, component: &str) -> String {
    ledger["totals"][component].as_str().unwrap_or("0").to_string()
}

/// The worked example: ₹10L licence + ₹2L AMC → ₹2,90,000; the renewal → ₹20,000.
pub async fn worked_example(api: &Api) {
    let (closer, _) = api.reseller("Worked Example", &["IN"], &[], "registered", 10).await;
    let lead = api.lead_of(&closer, "worked@shreetextiles.in").await;
    let (s, b) = api
        .signed(
            "/billing/orders",
            &order("ORD-1", &lead, &closer, "1000000.00", "200000.00"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!((l["stage"].as_str(), l["progress"].as_u64()), (Some("R005"), Some(50)));
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-1", "ORD-1", "licence", "1000000.00", "2026-10-05T10:00:00+05:30"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-2", "ORD-1", "amc", "200000.00", "2026-10-20T10:00:00+05:30"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;
    let october = api.ledger(&closer, "2026-10").await;
    assert_eq!(total(&october, "licence"), "250000.00");
    assert_eq!(total(&october, "amc_first_year"), "40000.00");
    assert_eq!(october["entries"].as_array().map(Vec::len), Some(2));
    let e = &october["entries"][0];
    assert_eq!(
        e["earned_at"], "2026-10-05T04:30:00Z",
        "earned when paid, not when processed"
    );
    assert!(
        e["explanation"].as_str().unwrap_or("").contains("25% × ₹10,00,000.00"),
        "{e}"
    );
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!((l["stage"].as_str(), l["progress"].as_u64()), (Some("R006"), Some(60)));
    let (s, o) = api.admin_get("/orders/ORD-1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(o["totals"]["licence"], "1000000.00");
    assert_eq!(o["payments"].as_array().map(Vec::len), Some(2));
    // the renewal a year later earns 10%, and the lead reaches AMC collection
    api.set_clock("2027-10-21T10:00:00+05:30").await;
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-3", "ORD-1", "renewal", "200000.00", "2027-10-20T10:00:00+05:30"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;
    assert_eq!(total(&api.ledger(&closer, "2027-10").await, "amc_renewal"), "20000.00");
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["stage"], "R008");
}

/// Instalments earn what one payment earns; a reseller referral is carved out; refunds net to 0.
pub async fn instalments_referrals_and_refunds(api: &Api) {
    let (closer, closer_key) = api.reseller("Closer", &["IN"], &[], "registered", 10).await;
    let (referrer, _) = api.reseller("Referrer", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("instalments@example.in").await;
    let mut o = order("ORD-2", &lead, &closer, "1000000", "200000");
    o["referring_reseller_id"] = json!(referrer);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    for (i, part) in ["123456.78", "500000.00", "376543.22"].iter().enumerate() {
        let p = payment(&format!("PAY-2-{i}"), "ORD-2", "licence", part, "2026-10-10T10:00:00Z");
        assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::ACCEPTED);
    }
    assert_eq!(
        api.signed(
            "/billing/payments",
            &payment("PAY-2-amc", "ORD-2", "amc", "200000", "2026-10-11T10:00:00Z")
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    api.drain().await;
    let c = api.ledger(&closer, "2026-10").await;
    assert_eq!(total(&c, "licence"), "225000.00");
    assert_eq!(total(&c, "amc_first_year"), "36000.00");
    let r = api.ledger(&referrer, "2026-10").await;
    assert_eq!(total(&r, "referral"), "29000.00");
    // the reseller reads its own ledger, not another's
    assert_eq!(
        api.get_as(&format!("/resellers/{closer}/ledger?month=2026-10"), Some(&closer_key))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        api.get_as(
            &format!("/resellers/{referrer}/ledger?month=2026-10"),
            Some(&closer_key)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // a full refund of the AMC payment nets its commission to zero; more than paid is refused
    let refund = json!({"refund_id": "REF-1", "payment_id": "PAY-2-amc", "amount": "200000.00", "reason": "cancelled", "refunded_at": "2026-11-02T10:00:00Z"});
    let too_much = json!({"refund_id": "REF-2", "payment_id": "PAY-2-amc", "amount": "200000.01", "reason": "x", "refunded_at": "2026-11-02T10:00:00Z"});
    let (s, b) = api.signed("/billing/refunds", &too_much).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(api.signed("/billing/refunds", &refund).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let nov = api.ledger(&closer, "2026-11").await;
    let (_, queues) = api.get_as("/_local/queues", None).await;
    assert_eq!(total(&nov, "clawback"), "-36000.00", "{nov} {queues}");
    let refs = api.ledger(&referrer, "2026-11").await;
    assert_eq!(total(&refs, "clawback"), "-4000.00");
    // the originals are untouched
    assert_eq!(
        total(&api.ledger(&closer, "2026-10").await, "amc_first_year"),
        "36000.00"
    );
    // nothing left to refund
    let again = json!({"refund_id": "REF-3", "payment_id": "PAY-2-amc", "amount": "0.01", "reason": "x", "refunded_at": "2026-11-03T10:00:00Z"});
    assert_eq!(
        api.signed("/billing/refunds", &again).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// One set of entries whatever is re-sent, concurrently or not; a payment before its order waits.
pub async fn replays_races_and_early_payments(api: &Api) {
    let (closer, _) = api.reseller("Replays", &["IN"], &[], "registered", 10).await;
    let lead = api.scored_lead("replays@example.in").await;
    // the payment arrives first: held, not lost
    let early = payment("PAY-E", "ORD-3", "licence", "400000", "2026-10-01T09:00:00Z");
    assert_eq!(api.signed("/billing/payments", &early).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    assert_eq!(
        api.ledger(&closer, "2026-10").await["entries"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(
        api.signed("/billing/orders", &order("ORD-3", &lead, &closer, "400000", "80000"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    api.drain().await;
    let l = api.ledger(&closer, "2026-10").await;
    assert_eq!(
        total(&l, "licence"),
        "80000.00",
        "20% tier below ₹5L, earned once the order arrived"
    );

    // the same payment, eight times at once and then again: one set of entries
    let p = payment("PAY-R", "ORD-3", "amc", "80000", "2026-10-02T09:00:00Z");
    let results = join_all((0..8).map(|_| api.signed("/billing/payments", &p))).await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == StatusCode::ACCEPTED).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .all(|(s, _)| *s == StatusCode::ACCEPTED || *s == StatusCode::OK));
    assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::OK);
    let mut changed = p.clone();
    changed["amount"] = json!("80001");
    assert_eq!(api.signed("/billing/payments", &changed).await.0, StatusCode::CONFLICT);
    api.drain().await;
    let l = api.ledger(&closer, "2026-10").await;
    assert_eq!(l["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(total(&l, "amc_first_year"), "16000.00");
}

/// Signatures, bad fields and currencies.
pub async fn signatures_fields_and_currencies(api: &Api) {
    let (closer, _) = api.reseller("Dollar Partner", &["US"], &[], "registered", 10).await;
    let lead = api.scored_lead("usd@example.com").await;
    let mut o = order("ORD-USD", &lead, &closer, "10000.00", "2000.00");
    o["currency"] = json!("USD");
    // a wrong secret or an old timestamp: 401, nothing stored
    let (s, _) = api
        .signed_with("/billing/orders", &o, "wrong-secret", chrono::Utc::now().timestamp())
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = api
        .signed_with("/billing/orders", &o, SECRET, chrono::Utc::now().timestamp() - 301)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let res = api
        .http
        .post(format!("{}/billing/orders", api.base))
        .json(&o)
        .send()
        .await
        .expect("unsigned");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.admin_get("/orders/ORD-USD").await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    // invalid fields
    let bad = json!({"payment_id": "PAY-BAD", "order_id": "ORD-USD", "kind": "gift", "amount": "-1", "currency": "XYZ", "paid_at": "2026-10-01T00:00:00Z"});
    let (s, b) = api.signed("/billing/payments", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["kind", "amount", "currency"]);
    let zero = json!({"payment_id": "PAY-0", "order_id": "ORD-USD", "kind": "licence", "amount": 0, "currency": "USD", "paid_at": "2026-10-01T00:00:00Z"});
    assert_eq!(
        api.signed("/billing/payments", &zero).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // an INR payment on a USD order is refused; USD stays USD
    let inr = json!({"payment_id": "PAY-INR", "order_id": "ORD-USD", "kind": "licence", "amount": "10000", "currency": "INR", "paid_at": "2026-10-01T00:00:00Z"});
    assert_eq!(
        api.signed("/billing/payments", &inr).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let usd = json!({"payment_id": "PAY-USD", "order_id": "ORD-USD", "kind": "licence", "amount": 10000.00, "currency": "USD", "paid_at": "2026-10-01T00:00:00Z"});
    assert_eq!(api.signed("/billing/payments", &usd).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let l = api.ledger(&closer, "2026-10").await;
    assert_eq!(l["currency"], "USD");
    assert_eq!(total(&l, "licence"), "2000.00");
    assert_eq!(l["entries"][0]["currency"], "USD");
    assert!(l["totals_by_currency"].get("INR").is_none());
    assert_eq!(
        api.admin_get(&format!("/resellers/{closer}/ledger?month=October"))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// Issue 10, high 1 and medium 3: amounts no order can hold are refused at the webhook, a
/// payment beyond what is left on its order line is refused (counting payments still queued),
/// and a poison message reaching the commission step — an overflow, a payment that does not
/// exist — fails alone: the ordinary renewal queued behind it is applied, the unknown one is in
/// the dead-letter queue after one delivery, the overflowing one is recorded as rejected.
pub async fn poison_payments_and_overpayments(api: &Api, table: &dyn shared::ports::Table) {
    use shared::domain::billing::PaymentFacts;
    use shared::domain::commission::PaymentKind;
    use shared::usecases::billing::{Payment, Status};
    let (a, _) = api.reseller("Poison A", &["IN"], &[], "registered", 10).await;
    let (b, _) = api.reseller("Poison B", &["IN"], &[], "registered", 10).await;
    let lead_a = api.scored_lead("poison-a@shreetextiles.in").await;
    let lead_b = api.scored_lead("poison-b@kaveriagro.in").await;

    // an order line no order can hold
    let (s, body) = api
        .signed(
            "/billing/orders",
            &order("ORD-PX", &lead_a, &a, "12345678901234567890123", "1.00"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "lines[0].amount", "{body}");

    let (s, _) = api
        .signed(
            "/billing/orders",
            &order("ORD-P1", &lead_a, &a, "1000000.00", "200000.00"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = api
        .signed("/billing/orders", &order("ORD-P2", &lead_b, &b, "500000.00", "1000.00"))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let paid_at = "2026-11-05T10:00:00+05:30";

    // the amount of the probe: refused whole, never queued
    let (s, body) = api
        .signed(
            "/billing/payments",
            &payment("PAY-PX", "ORD-P1", "licence", "79228162514264337593543950335", paid_at),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // 9 lakh queued, then 2 lakh more on a 10 lakh licence line: 1 lakh is left
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-P1", "ORD-P1", "licence", "900000.00", paid_at),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, body) = api
        .signed(
            "/billing/payments",
            &payment("PAY-P2", "ORD-P1", "licence", "200000.00", paid_at),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("100000.00 INR left"), "{body}");
    // exactly what is left is fine
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-P3", "ORD-P1", "licence", "100000.00", paid_at),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;

    // poison reaching the consumer anyway (written past the webhook, as a careless billing
    // system or an old record could): a renewal whose running total no decimal can hold
    let record = |id: &str, amount: &str| Payment {
        facts: PaymentFacts {
            payment_id: id.into(),
            order_id: "ORD-P1".into(),
            kind: PaymentKind::Renewal,
            amount: amount.parse().expect("decimal"),
            currency: "INR".into(),
            paid_at: chrono::Utc::now(),
        },
        status: Status::Received,
        status_reason: None,
        entries: vec![],
        refunded: Default::default(),
        request_hash: "direct".into(),
        received_at: chrono::Utc::now(),
        version: 1,
    };
    for (id, amount) in [
        ("PAY-BIG-1", "12345678901234567890123"),
        ("PAY-BIG-2", "79228162514264337593543950335"),
    ] {
        table
            .put(shared::repo::item(&record(id, amount)).expect("item"), None)
            .await
            .expect("stored");
    }
    for id in ["PAY-BIG-1", "PAY-BIG-2", "PAY-NEVER-EXISTED"] {
        let event = shared::events::Event::PaymentReceived(shared::events::PaymentReceived { payment_id: id.into() });
        api.deliver("commission", event, id).await;
    }
    // an ordinary ₹1,000 renewal of another reseller, queued behind the poison
    let (s, _) = api
        .signed(
            "/billing/payments",
            &payment("PAY-R1", "ORD-P2", "renewal", "1000.00", "2026-11-06T10:00:00+05:30"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    api.drain().await;

    let november = api.ledger(&b, "2026-11").await;
    assert_eq!(total(&november, "amc_renewal"), "100.00", "{november}");
    let (_, o) = api.admin_get("/orders/ORD-P1").await;
    let status_of = |id: &str| {
        o["payments"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["payment_id"] == id).cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(status_of("PAY-P1")["status"], "processed", "{o}");
    assert_eq!(status_of("PAY-P3")["status"], "processed", "{o}");
    let big = status_of("PAY-BIG-2");
    assert_eq!(big["status"], "rejected", "{o}");
    assert!(
        big["status_reason"].as_str().unwrap_or("").contains("overflow"),
        "{big}"
    );
    assert_eq!(o["paid"]["licence"], "1000000.00", "{o}");
    // the message naming a payment that never existed went aside after one delivery
    let (_, q) = api.get_as("/_local/queues", None).await;
    assert_eq!(q["depths"]["commission-dlq"], 1, "{q}");
    assert_eq!(q["depths"]["commission"], 0, "{q}");
}
