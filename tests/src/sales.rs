//! The sales API over HTTP (issue 12): quotes with the commission estimate (and the ledger
//! agreeing with it), discount approvals, pricing recommendations, proposals, co-selling,
//! support tickets feeding renewal risk, and the sweep of leads stuck at R001. Shared by both
//! stacks.

use crate::billing::{order, payment};
use crate::flows::Api;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

impl Api {
    /// A catalogue product (a unique SKU per call).
    pub async fn product(&self, prefix: &str, kind: &str, price: &str, amc_percent: &str) -> String {
        let sku = crate::unique(prefix);
        let (s, b) = self
            .admin_post(
                "/products",
                json!({"sku": sku, "name": format!("{prefix} <edition>"), "kind": kind, "list_price": price, "amc_percent": amc_percent}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        sku
    }

    pub async fn quote(&self, key: &str, lead: &str, lines: Value) -> (StatusCode, Value) {
        self.post_as(
            &format!("/leads/{lead}/quotes"),
            Some(key),
            json!({"lines": lines, "valid_days": 30, "payment_terms": "50% on order, 50% on go-live",
                   "notes": "Finance, inventory and GST e-invoicing for 3 plants"}),
        )
        .await
    }

    pub async fn put_as(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("put");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// `GET` returning the raw body (for HTML).
    pub async fn get_text(&self, path: &str, key: &str) -> (StatusCode, String, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
            .send()
            .await
            .expect("get");
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, res.text().await.expect("text"))
    }
}

/// A gold reseller quotes ₹10,00,000 of licence with 20% AMC: the estimate is ₹2,50,000 +
/// ₹40,000 = ₹2,90,000 and ₹20,000 per renewal; paid exactly as quoted, the ledger earns exactly
/// that. The quote moves the lead to R003 and gives the kanban its expected value; the
/// proposal is branded, in Indian grouping, stored in the bucket, and never shows commission.
pub async fn quote_estimate_matches_the_ledger(api: &Api, blobs: &dyn shared::ports::Blobs) {
    let (gold, gold_key) = api.reseller("Quote Gold", &["IN"], &[], "gold", 10).await;
    let (_, other_key) = api
        .reseller("Quote Other", &["US"], &["retail"], "registered", 10)
        .await;
    let sku = api.product("ERP-STD", "licence", "1000000.00", "20").await;
    let lead = api.scored_lead("quote@kalyanisteels.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["owner_reseller_id"].as_str(), Some(gold.as_str()));

    let (s, q) = api.quote(&gold_key, &lead, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    assert_eq!(q["status"], "issued");
    let t = &q["totals"];
    assert_eq!(
        (dec(&t["licence"]), dec(&t["amc_first_year"]), dec(&t["subtotal"])),
        (d("1000000"), d("200000"), d("1200000"))
    );
    assert_eq!((dec(&t["gst"]), dec(&t["total"])), (d("216000"), d("1416000")));
    let e = &q["commission_estimate"];
    assert_eq!(
        (dec(&e["licence"]), dec(&e["amc_first_year"]), dec(&e["first_year"])),
        (d("250000"), d("40000"), d("290000"))
    );
    assert_eq!(dec(&e["per_renewal"]), d("20000"));
    assert!(q["recommendation"].is_null(), "no won deals yet: {q}");
    let quote_id = q["quote_id"].as_str().expect("id").to_string();

    // the lead moved to R003; the kanban counts the quote's value
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["stage"], "R003");
    let (_, board) = api.get_as("/pipeline", Some(&gold_key)).await;
    let r003 = board["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|c| c["stage"] == "R003"))
        .expect("R003 column");
    assert_eq!(
        (r003["count"].as_u64(), dec(&r003["expected_value"])),
        (Some(1), d("1200000"))
    );
    // a lead without a quote is valued by its deal registration
    let (s, reg) = api
        .post_as(
            "/registrations",
            Some(&gold_key),
            json!({"company": {"name": "Narmada Forgings", "domain": "narmadaforgings.in"},
                   "contact": {"name": "Ravi", "email": "ravi@narmadaforgings.in"}, "expected_value": "750000.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let registered = reg["lead_id"].as_str().expect("registration lead").to_string();
    api.drain().await;
    let (_, board) = api.get_as("/pipeline", Some(&gold_key)).await;
    let card = board["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["leads"].as_array().into_iter().flatten())
        .find(|l| l["lead_id"] == registered.as_str())
        .unwrap_or_else(|| panic!("the registered lead {registered} on the board: {board}"));
    assert_eq!(dec(&card["expected_value"]), d("750000"), "{card}");

    // only its reseller (or an admin) sees it
    let (s, list) = api.get_as(&format!("/leads/{lead}/quotes"), Some(&gold_key)).await;
    assert_eq!((s, list["quotes"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    assert_eq!(
        api.get_as(&format!("/leads/{lead}/quotes"), Some(&other_key)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get_as(&format!("/quotes/{quote_id}"), Some(&other_key)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.quote(&other_key, &lead, json!([{"sku": sku}])).await.0,
        StatusCode::NOT_FOUND
    );

    // the proposal, white-labelled
    let (s, b) = api
        .put_as(
            &format!("/resellers/{gold}/brand"),
            &gold_key,
            json!({"display_name": "Kalyani ERP Partners", "primary_colour": "#0b5394", "signature": "Asha Rao\nSales Director"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        api.put_as(&format!("/resellers/{gold}/brand"), &other_key, json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = api
        .put_as(
            &format!("/resellers/{gold}/brand"),
            &gold_key,
            json!({"primary_colour": "red;}"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, ct, html) = api.get_text(&format!("/quotes/{quote_id}/proposal"), &gold_key).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("Kalyani ERP Partners") && html.contains("#0b5394"));
    assert!(html.contains("₹10,00,000.00") && html.contains("₹2,16,000.00") && html.contains("₹14,16,000.00"));
    assert!(html.contains("50% on order, 50% on go-live") && html.contains("@media print"));
    assert!(html.contains("ERP-STD &lt;edition&gt;"), "escaped product name");
    assert!(!html.to_lowercase().contains("commission") && !html.contains("2,90,000"));
    let stored = blobs
        .get(&format!("proposals/{lead}/{quote_id}.html"))
        .await
        .expect("stored proposal");
    assert_eq!(String::from_utf8(stored).expect("utf-8"), html);
    assert_eq!(
        api.get_text(&format!("/quotes/{quote_id}/proposal"), &other_key)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // paid exactly as quoted: the ledger is the estimate
    let order_id = crate::unique("ORD-Q");
    let (s, b) = api
        .signed(
            "/billing/orders",
            &order(&order_id, &lead, &gold, "1000000.00", "200000.00"),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    for (kind, amount) in [("licence", "1000000.00"), ("amc", "200000.00")] {
        let (s, b) = api
            .signed(
                "/billing/payments",
                &payment(
                    &crate::unique("PAY-Q"),
                    &order_id,
                    kind,
                    amount,
                    "2026-10-05T10:00:00+05:30",
                ),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    }
    api.drain().await;
    let ledger = api.ledger(&gold, "2026-10").await;
    let earned: Decimal = ledger["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| dec(&e["amount"]))
        .sum();
    assert_eq!(earned, dec(&e["first_year"]), "{ledger}");
    // a year on, the renewal is paid
    api.set_clock("2027-10-05T12:00:00+05:30").await;
    let (s, b) = api
        .signed(
            "/billing/payments",
            &payment(
                &crate::unique("PAY-R"),
                &order_id,
                "renewal",
                "200000.00",
                "2027-10-05T10:00:00+05:30",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    api.drain().await;
    let renewal = api.ledger(&gold, "2027-10").await;
    assert_eq!(dec(&renewal["totals"]["amc_renewal"]), dec(&e["per_renewal"]));
    // past negotiation: no more quotes
    assert_eq!(
        api.quote(&gold_key, &lead, json!([{"sku": sku}])).await.0,
        StatusCode::CONFLICT
    );
}

/// A 30% discount by a registered reseller waits for an admin, and the lead moves to R004;
/// approval makes it `approved` (once); a rejected quote never becomes a proposal.
pub async fn discounts_beyond_the_tier_need_an_admin(api: &Api) {
    let (_, key) = api.reseller("Quote Registered", &["IN"], &[], "registered", 10).await;
    let sku = api.product("ERP-LITE", "licence", "500000.00", "18").await;
    let lead = api.scored_lead("discount@shreetextiles.in").await;

    // bad input first: nothing is stored
    let (s, b) = api.quote(&key, &lead, json!([{"sku": "NOPE-1"}])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "lines[0].sku");
    let (s, b) = api.quote(&key, &lead, json!([])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = api
        .quote(&key, &lead, json!([{"sku": sku, "discount_percent": "12.345"}]))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = api.quote(&key, "NO-SUCH-LEAD", json!([{"sku": sku}])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let res = api
        .http
        .post(format!("{}/leads/{lead}/quotes", api.base))
        .bearer_auth(&key)
        .header("content-type", "text/plain")
        .body("lines")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["stage"], "R002", "refused quotes move nothing");

    let (s, q) = api
        .quote(&key, &lead, json!([{"sku": sku, "discount_percent": "30"}]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    assert_eq!(q["status"], "pending_approval");
    assert!(q["approval_reason"].as_str().unwrap_or("").contains("10%"), "{q}");
    assert_eq!(dec(&q["totals"]["licence"]), d("350000"));
    let id = q["quote_id"].as_str().expect("id").to_string();
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["stage"], "R004");
    // not yet for the customer
    assert_eq!(
        api.get_text(&format!("/quotes/{id}/proposal"), &key).await.0,
        StatusCode::CONFLICT
    );
    // the admin's approval queue has it; a reseller cannot approve
    let (s, queue) = api.admin_get("/quotes?status=pending_approval").await;
    assert_eq!(s, StatusCode::OK);
    assert!(queue["quotes"]
        .as_array()
        .is_some_and(|q| q.iter().any(|x| x["quote_id"] == id.as_str())));
    assert_eq!(
        api.post_as(&format!("/quotes/{id}/approve"), Some(&key), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, a) = api
        .admin_post(&format!("/quotes/{id}/approve"), json!({"note": "strategic account"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(
        (a["status"].as_str(), a["decision"]["note"].as_str()),
        (Some("approved"), Some("strategic account"))
    );
    assert_eq!(
        api.admin_post(&format!("/quotes/{id}/reject"), json!({})).await.0,
        StatusCode::CONFLICT,
        "decided once"
    );
    assert_eq!(
        api.get_text(&format!("/quotes/{id}/proposal"), &key).await.0,
        StatusCode::OK
    );
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    let actions: Vec<&str> = l["audit"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"quote.created") && actions.contains(&"quote.approved"),
        "{actions:?}"
    );

    // a second, rejected: stays off the customer's desk
    let (_, q2) = api
        .quote(&key, &lead, json!([{"sku": sku, "discount_percent": "40"}]))
        .await;
    let id2 = q2["quote_id"].as_str().expect("id").to_string();
    let (s, r) = api.admin_post(&format!("/quotes/{id2}/reject"), json!({})).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("rejected")));
    assert_eq!(
        api.get_text(&format!("/quotes/{id2}/proposal"), &key).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        api.admin_post("/quotes/NOPE/approve", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
}

/// Won deal by won deal: below five of the segment there is no recommendation; at five, the
/// median of their discounts, with the count it came from.
pub async fn pricing_recommendation_from_won_deals(api: &Api) {
    let (closer, key) = api.reseller("Quote Segment", &["IN"], &[], "platinum", 50).await;
    let sku = api.product("ERP-MFG", "licence", "400000.00", "20").await;
    let segment_lead = |n: usize| {
        json!({"email": format!("buyer{n}@plant{n}.in"), "country": "IN", "title": "CEO",
               "company": format!("Plant {n} Forgings"), "employees": "120", "industry": "manufacturing"})
    };
    let mut last = json!(null);
    for (n, discount) in ["5", "20", "10", "15", "12.5", "0"].iter().enumerate() {
        let (s, b) = api.post_json("/leads", segment_lead(n)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        api.drain().await;
        let lead = b["lead_id"].as_str().expect("lead").to_string();
        let (s, q) = api
            .quote(&key, &lead, json!([{"sku": sku, "discount_percent": discount}]))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{q}");
        last = q.clone();
        match n {
            0..=4 => assert!(q["recommendation"].is_null(), "{n} won deals: {q}"),
            _ => {
                let r = &q["recommendation"];
                assert_eq!(
                    (dec(&r["discount_percent"]), r["deals"].as_u64()),
                    (d("12.5"), Some(5)),
                    "{q}"
                );
                assert_eq!(
                    (r["erp_size"].as_str(), r["industry"].as_str()),
                    (Some("mid"), Some("manufacturing"))
                );
            }
        }
        if n < 5 {
            // won: the order and its first payment
            let licence = q["totals"]["licence"].as_str().expect("licence").to_string();
            let order_id = crate::unique("ORD-S");
            let mut o = order(&order_id, &lead, &closer, &licence, "1000.00");
            o["lines"] = json!([{"kind": "licence", "product": "ERP", "amount": licence}]);
            assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
            let pay = payment(
                &crate::unique("PAY-S"),
                &order_id,
                "licence",
                &licence,
                "2026-10-05T10:00:00+05:30",
            );
            assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
            api.drain().await;
        }
    }
    assert!(last["recommendation"]["explanation"]
        .as_str()
        .unwrap_or("")
        .contains("median"));
    // one column of the board, paged
    let (s, page) = api.get_as("/pipeline?stage=R006&limit=2", Some(&key)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let col = &page["stages"][0];
    assert_eq!(
        (page["stages"].as_array().map(Vec::len), col["count"].as_u64()),
        (Some(1), Some(5))
    );
    assert_eq!(
        (col["leads"].as_array().map(Vec::len), col["next_offset"].as_u64()),
        (Some(2), Some(2))
    );
    let (_, last_page) = api.get_as("/pipeline?stage=R006&limit=2&offset=4", Some(&key)).await;
    let col = &last_page["stages"][0];
    assert_eq!(
        (col["leads"].as_array().map(Vec::len), col["more"].as_bool()),
        (Some(1), Some(false))
    );
    assert!(col["next_offset"].is_null());
    assert_eq!(
        api.get_as("/pipeline?stage=R042", Some(&key)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// Co-selling: the owner asks presales, who is mailed; the admin assigns and completes it,
/// each audited on the lead; another reseller cannot ask on the lead.
pub async fn co_selling<F, Fut>(api: &Api, presales: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (_, key) = api.reseller("Cosell Owner", &["IN"], &[], "silver", 10).await;
    let (_, other_key) = api.reseller("Cosell Other", &["US"], &["retail"], "silver", 10).await;
    let lead = api.scored_lead("cosell@sunrisepharma.in").await;
    let path = format!("/leads/{lead}/co-sell");
    let (s, b) = api.post_as(&path, Some(&key), json!({"kind": "lunch"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        api.post_as(&path, Some(&other_key), json!({"kind": "joint_demo"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (s, c) = api
        .post_as(
            &path,
            Some(&key),
            json!({"kind": "joint_demo", "note": "CFO wants to see GST e-invoicing", "preferred_times": ["Tue 10:00-12:00 IST"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["status"], "open");
    let id = c["cosell_id"].as_str().expect("id").to_string();
    let created = chrono::DateTime::parse_from_rfc3339(c["created_at"].as_str().expect("created")).expect("time");
    let due = chrono::DateTime::parse_from_rfc3339(c["respond_by"].as_str().expect("due")).expect("time");
    assert_eq!((due - created).num_hours(), 24, "the configured presales SLA");
    let mails = sent_to(presales.to_string()).await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains(&lead) && m.subject.contains("joint demo")),
        "{mails:?}"
    );
    let (_, queue) = api.admin_get("/co-sell?status=open").await;
    assert!(queue["requests"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x["cosell_id"] == id.as_str())));
    assert_eq!(api.get_as("/co-sell", Some(&key)).await.0, StatusCode::FORBIDDEN);
    let (s, a) = api
        .admin_post(
            &format!("/co-sell/{id}/assign"),
            json!({"assignee": "Meera (presales)"}),
        )
        .await;
    assert_eq!((s, a["status"].as_str()), (StatusCode::OK, Some("assigned")), "{a}");
    let (s, done) = api
        .admin_post(
            &format!("/co-sell/{id}/complete"),
            json!({"note": "demo held, CFO convinced"}),
        )
        .await;
    assert_eq!(
        (s, done["status"].as_str()),
        (StatusCode::OK, Some("completed")),
        "{done}"
    );
    assert_eq!(
        api.admin_post(&format!("/co-sell/{id}/complete"), json!({})).await.0,
        StatusCode::CONFLICT
    );
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    let actions: Vec<&str> = l["audit"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    for a in ["cosell.requested", "cosell.assigned", "cosell.completed"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

/// An S1 ticket opened at L1 and escalated to L3 raises its contract's renewal risk on the
/// next scan; each level has its response deadline; another reseller sees none of it.
pub async fn support_tickets_raise_renewal_risk(api: &Api) {
    let (closer, key) = api.reseller("Support Owner", &["IN"], &[], "gold", 10).await;
    let (_, other_key) = api.reseller("Support Other", &["US"], &["retail"], "gold", 10).await;
    api.set_clock("2026-11-01T10:00:00+05:30").await;
    let lead = api.scored_lead("support@deccanpolymers.in").await;
    let contract = crate::unique("ORD-SUP");
    assert_eq!(
        api.signed(
            "/billing/orders",
            &order(&contract, &lead, &closer, "1000000", "200000")
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    let pay = payment(
        &crate::unique("PAY-SUP"),
        &contract,
        "amc",
        "200000",
        "2025-12-20T12:00:00+05:30",
    );
    assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    // a contract already close to the line: low usage and a late invoice
    for body in [
        json!({"signal_id": format!("{contract}-U"), "type": "usage", "active_users": 20, "licensed_users": 100, "at": "2026-10-25T10:00:00Z"}),
        json!({"signal_id": format!("{contract}-L"), "type": "late_payment", "invoice_id": "INV-7", "days_late": 45, "at": "2026-10-01T10:00:00Z"}),
    ] {
        let (s, b) = api.admin_post(&format!("/contracts/{contract}/signals"), body).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    }
    let tickets = format!("/contracts/{contract}/tickets");
    let (s, b) = api
        .post_as(
            &tickets,
            Some(&key),
            json!({"severity": "s9", "subject": "", "description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        api.post_as(
            &tickets,
            Some(&other_key),
            json!({"severity": "s1", "subject": "down", "description": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (s, t) = api
        .post_as(
            &tickets,
            Some(&key),
            json!({"severity": "s1", "subject": "Invoicing down", "description": "GST e-invoices fail since 09:00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(
        (t["level"].as_str(), t["team"].as_str()),
        (Some("L1"), Some("the reseller"))
    );
    let hours = |t: &Value| {
        let opened = chrono::DateTime::parse_from_rfc3339(
            t["history"].as_array().and_then(|h| h.last()).expect("step")["at"]
                .as_str()
                .expect("at"),
        )
        .expect("at");
        let due = chrono::DateTime::parse_from_rfc3339(t["respond_by"].as_str().expect("due")).expect("due");
        (due - opened).num_hours()
    };
    assert_eq!(hours(&t), 1);
    let id = t["ticket_id"].as_str().expect("id").to_string();

    let first = api.run_job("renewal-risk-scan", "2026-11-02T02:00:00+05:30").await;
    assert_eq!(first["alerted"], 1, "{first}");
    let (_, view) = api.get_as(&format!("/contracts/{contract}"), Some(&key)).await;
    let before = view["risk"]["score"].as_u64().expect("score");

    let escalate = format!("/tickets/{id}/escalate");
    assert_eq!(
        api.post_as(&escalate, Some(&other_key), json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, t) = api
        .post_as(&escalate, Some(&key), json!({"note": "needs vendor"}))
        .await;
    assert_eq!((s, t["level"].as_str()), (StatusCode::OK, Some("L2")), "{t}");
    assert_eq!(hours(&t), 2);
    let (s, t) = api.admin_post(&escalate, json!({})).await;
    assert_eq!(
        (s, t["level"].as_str(), t["team"].as_str()),
        (StatusCode::OK, Some("L3"), Some("the core team"))
    );
    assert_eq!(hours(&t), 4);
    assert_eq!(
        api.admin_post(&escalate, json!({})).await.0,
        StatusCode::CONFLICT,
        "L3 is the last level"
    );

    let second = api.run_job("renewal-risk-scan", "2026-11-03T02:00:00+05:30").await;
    assert_eq!(
        second["alerted"], 1,
        "the risk rose, so the reseller hears again: {second}"
    );
    let (_, view) = api.get_as(&format!("/contracts/{contract}"), Some(&key)).await;
    let after = view["risk"]["score"].as_u64().expect("score");
    assert!(after > before, "{before} → {after}: {view}");
    let support = view["risk"]["reasons"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["factor"] == "support"))
        .expect("support reason");
    assert!(
        support["evidence"].as_str().unwrap_or("").contains("1 escalated"),
        "{support}"
    );

    let (s, r) = api
        .post_as(&format!("/tickets/{id}/resolve"), Some(&key), json!({}))
        .await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("resolved")), "{r}");
    let (s, list) = api.get_as(&tickets, Some(&key)).await;
    assert_eq!((s, list["tickets"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    assert_eq!(
        list["tickets"][0]["history"]
            .as_array()
            .map(|h| h.iter().filter_map(|x| x["action"].as_str()).collect::<Vec<_>>()),
        Some(vec!["opened", "escalated", "escalated", "resolved"])
    );
    assert_eq!(api.get_as(&tickets, Some(&other_key)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        api.get_as(&format!("/tickets/{id}"), Some(&other_key)).await.0,
        StatusCode::NOT_FOUND
    );
}

/// A queue whose sends fail: the capture commits, its `lead.captured` never leaves.
struct FailingQueue;

#[async_trait::async_trait]
impl shared::ports::QueueSender for FailingQueue {
    async fn send(&self, _: &str, _: String) -> Result<String, shared::ports::queue::QueueError> {
        Err(shared::ports::queue::QueueError::Unavailable(
            "injected: SQS is down".into(),
        ))
    }
    async fn send_batch(&self, _: &str, _: Vec<String>) -> Result<(), shared::ports::queue::QueueError> {
        Err(shared::ports::queue::QueueError::Unavailable(
            "injected: SQS is down".into(),
        ))
    }
}

/// A lead whose `lead.captured` send failed stays at R001 only until the sweep (sla-watch's
/// run, a key-range query on the stage index); then it is scored once, however often the
/// message arrives.
pub async fn stuck_leads_are_swept_back_to_scoring(api: &Api, stack: &local_stack::Running) {
    use shared::usecases::capture::{capture_lead, CapturePorts, Captured};
    api.reseller("Sweep Owner", &["IN"], &[], "gold", 10).await;
    api.set_clock("2026-11-02T10:00:00+05:30").await;
    let scoring_queue = stack.stack.queue_id("scoring").expect("scoring queue").to_string();
    let fields =
        json!({"email": "stuck@narmadacables.in", "country": "IN", "title": "CFO", "company": "Narmada Cables"});
    let input = shared::domain::lead::validate(fields.as_object().expect("object")).expect("valid lead");
    let ports = CapturePorts {
        table: stack.stack.table.as_ref(),
        queue: &FailingQueue,
        clock: stack.stack.clock.as_ref(),
        scoring_queue: &scoring_queue,
    };
    let Captured::Created { lead_id } = capture_lead(&ports, &input, None, "sweep-test")
        .await
        .expect("captured")
    else {
        panic!("a new lead")
    };
    api.drain().await;
    let (_, l) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(
        (l["stage"].as_str(), l["score"].as_u64()),
        (Some("R001"), None),
        "nothing was queued"
    );

    // within the grace period the sweep leaves it (its message may only be slow)
    let early = api.run_job("sla-watch", "2026-11-02T10:05:00+05:30").await;
    assert_eq!(early["requeue"]["requeued"], 0, "{early}");
    let swept = api.run_job("sla-watch", "2026-11-02T10:15:00+05:30").await;
    assert_eq!(
        (
            swept["requeue"]["stuck"].as_u64(),
            swept["requeue"]["requeued"].as_u64()
        ),
        (Some(1), Some(1)),
        "{swept}"
    );
    api.drain().await;
    let (_, l) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(l["stage"], "R002", "{l}");
    assert!(l["score"].as_u64().is_some());
    // the same message again (a redelivery, or a second sweep) scores nothing twice
    api.deliver(
        "scoring",
        shared::events::Event::LeadCaptured(shared::events::LeadCaptured {
            lead_id: lead_id.clone(),
        }),
        "sweep-again",
    )
    .await;
    api.drain().await;
    let (_, again) = api.admin_get(&format!("/leads/{lead_id}")).await;
    let qualified = |l: &Value| {
        l["audit"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["action"] == "lead.qualified").count())
            .unwrap_or(0)
    };
    assert_eq!(qualified(&again), 1, "scored once: {again}");
    assert_eq!(
        again["audit"].as_array().map(Vec::len),
        l["audit"].as_array().map(Vec::len)
    );
    let later = api.run_job("sla-watch", "2026-11-02T11:00:00+05:30").await;
    assert_eq!(later["requeue"]["stuck"], 0, "it left R001: {later}");
}

/// SPEC §5: a sequence stops on conversion (stage ≥ R003) and on closed-lost — moved by hand
/// here. Of three warm leads due their first nurture email, only the one left alone gets it.
pub async fn hand_moves_stop_sequences<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (rid, key) = api
        .reseller(&format!("Nurture Mover {tag}"), &["IN"], &[], "gold", 10)
        .await;
    // its white label, used by its sequence emails
    let (s, b) = api
        .put_as(
            &format!("/resellers/{rid}/brand"),
            &key,
            json!({"display_name": format!("Warm Leads Co {tag}"), "reply_to": "Replies@WarmLeads.example", "signature": "Asha Rao\nWarm Leads Co"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["brand"]["reply_to"], "replies@warmleads.example");
    api.set_clock("2026-11-23T10:00:00+05:30").await;
    let mut leads = Vec::new();
    for who in ["moved", "lost", "left"] {
        let to = format!("{who}-{tag}@warmleads.in");
        let (s, b) = api
            .post_json("/leads", json!({"email": to, "name": who, "company": "Acme", "country": "IN", "budget": "3L", "timeline": "ASAP"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        leads.push((to, b["lead_id"].as_str().expect("id").to_string()));
    }
    api.drain().await;
    for (_, lead) in &leads {
        let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
        assert_eq!(l["band"], "warm", "{l}");
    }
    let (s, b) = api
        .post_as(
            &format!("/leads/{}/stage", leads[0].1),
            Some(&key),
            json!({"to": "R003", "note": "demo booked"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = api
        .post_as(
            &format!("/leads/{}/stage", leads[1].1),
            Some(&key),
            json!({"to": "closed_lost", "reason": "no_budget"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let report = api.run_sequences("2026-11-23T10:05:00+05:30").await;
    assert_eq!(report["sent"], 1, "{report}");
    assert!(mail(leads[0].0.clone()).await.is_empty(), "converted: no more nurture");
    assert!(mail(leads[1].0.clone()).await.is_empty(), "lost: no more nurture");
    let nurtured = mail(leads[2].0.clone()).await;
    assert_eq!(nurtured.len(), 1, "the lead left alone is nurtured");
    let from = crate::sequences::header(&nurtured[0], "From").unwrap_or("");
    assert!(from.contains(&format!("Warm Leads Co {tag}")), "{from}");
    let reply_to = crate::sequences::header(&nurtured[0], "Reply-To").unwrap_or("");
    assert!(reply_to.contains("replies@warmleads.example"), "{reply_to}");
}
