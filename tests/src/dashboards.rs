//! The dashboards (issue 14) over HTTP, shared by both stacks: the month's figures equal the
//! ledger to the paisa, a payment delivered three more times counts once, the financial year
//! adds up, and a reseller reads only its own.

use crate::flows::Api;
use crate::tax_payouts::worked_example_in_october;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn d(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a decimal string"))
        .parse()
        .expect("decimal")
}

fn inr(dash: &Value) -> &Value {
    dash["earned"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["currency"] == "INR"))
        .unwrap_or_else(|| panic!("no INR figures in {dash}"))
}

pub async fn equals_the_ledger_and_counts_once(api: &Api, tag: &str) {
    let name = format!("Dash A {tag}");
    let (a, a_key) = api.reseller(&name, &["IN"], &[], "gold", 10).await;
    let (_, other_key) = api.reseller(&format!("Dash B {tag}"), &["IN"], &[], "gold", 10).await;
    let n = format!("dash-{tag}");
    worked_example_in_october(api, &a, &n).await;
    // a partial refund in October claws some back
    let refund = json!({"refund_id": format!("REF-{n}"), "payment_id": format!("PAY-PO-{n}"), "amount": "100000",
        "reason": "one module returned", "refunded_at": "2026-10-28T10:00:00Z"});
    assert_eq!(api.signed("/billing/refunds", &refund).await.0, StatusCode::ACCEPTED);
    api.drain().await;

    let path = format!("/resellers/{a}/dashboard?month=2026-10");
    let (s, dash) = api.get_as(&path, Some(&a_key)).await;
    assert_eq!(s, StatusCode::OK, "{dash}");
    // the ledger, summed here entry by entry
    let ledger = api.ledger(&a, "2026-10").await;
    let entries: Decimal = ledger["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| d(&e["amount"]))
        .sum();
    assert_eq!(d(&inr(&dash)["mtd"]), entries, "{dash} vs {ledger}");
    assert_eq!(
        entries,
        Decimal::new(26500000, 2),
        "2,90,000 less the 25,000 clawed back"
    );
    for (component, amount) in ledger["totals"].as_object().expect("totals") {
        assert_eq!(
            d(&dash["commission"]["INR"][component]),
            d(amount),
            "{component}: {dash}"
        );
    }
    // by product: the order's licence and AMC lines, adding up to the month, to the paisa
    let by_product: Decimal = dash["commission_by_product"]["INR"]
        .as_object()
        .unwrap_or_else(|| panic!("no products in {dash}"))
        .values()
        .map(d)
        .sum();
    assert_eq!(by_product, entries, "{dash}");
    assert!(dash["commission_by_product"]["INR"]["ERP Enterprise"].is_string());
    assert!(dash["commission_by_product"]["INR"]["ERP AMC year 1"].is_string());
    assert_eq!(dash["won"], 1);
    assert_eq!(d(&dash["won_value"]["INR"]), Decimal::from(1_000_000));
    assert!(dash["items_read"].as_u64().is_some_and(|n| n <= 12));

    // the same payment delivered three more times: every figure stays
    for i in 0..3 {
        let event = shared::events::Event::PaymentReceived(shared::events::PaymentReceived {
            payment_id: format!("PAY-PO-{n}"),
        });
        api.deliver("commission", event, &format!("{n}-again-{i}")).await;
    }
    api.drain().await;
    let (_, again) = api.get_as(&path, Some(&a_key)).await;
    assert_eq!(again, dash, "a redelivered payment counts once");

    // November: nothing this month, the year so far is October's
    let (_, nov) = api
        .get_as(&format!("/resellers/{a}/dashboard?month=2026-11"), Some(&a_key))
        .await;
    assert_eq!(
        (d(&inr(&nov)["mtd"]), d(&inr(&nov)["qtd"]), d(&inr(&nov)["ytd"])),
        (Decimal::ZERO, entries, entries)
    );
    // the programme counts it too
    let (s, programme) = api.admin_get("/programme/dashboard?month=2026-10").await;
    assert_eq!(s, StatusCode::OK);
    assert!(d(&inr(&programme)["mtd"]) >= entries);
    assert!(programme["won"].as_i64().is_some_and(|w| w >= 1));

    // the forecast: an open deal quoted at ₹10,00,000 (R003) is expected two months on, at
    // 25% of what the quote's estimate says A earns on it
    let sku = api.product("ERP-FC", "licence", "1000000.00", "0").await;
    let open = api.scored_lead(&format!("forecast-{tag}@example.in")).await;
    api.hand_to(&open, &a).await;
    let (s, q) = api.quote(&a_key, &open, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let estimate = d(&q["commission_estimate"]["licence"]);
    let (_, dash) = api.get_as(&path, Some(&a_key)).await;
    let forecast = dash["forecast"].as_array().expect("forecast");
    assert_eq!(forecast.len(), 3);
    let today = chrono::Utc::now().date_naive();
    let due = chrono::Datelike::with_day(&today, 1)
        .and_then(|f| f.checked_add_months(chrono::Months::new(2)))
        .map(|m| m.format("%Y-%m").to_string())
        .expect("month");
    let month = forecast
        .iter()
        .find(|m| m["month"] == due.as_str())
        .unwrap_or_else(|| panic!("no {due} in {forecast:?}"));
    let part = month["parts"]
        .as_array()
        .and_then(|p| p.iter().find(|x| x["id"] == open.as_str()))
        .unwrap_or_else(|| panic!("the deal is not in {month}"));
    assert_eq!(
        (d(&part["commission"]), part["stage"].as_str()),
        (estimate, Some("R003"))
    );
    assert_eq!(d(&part["expected"]), estimate * Decimal::new(25, 2));
    assert_eq!(d(&month["total"]), d(&month["pipeline"]) + d(&month["renewals"]));

    // this month's moves and losses, counted with them: R003 → R004, then lost on price
    let (_, before) = api.get_as(&format!("/resellers/{a}/dashboard"), Some(&a_key)).await;
    let (s, b) = api
        .post_as(&format!("/leads/{open}/stage"), Some(&a_key), json!({"to": "R004"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = api
        .post_as(
            &format!("/leads/{open}/stage"),
            Some(&a_key),
            json!({"to": "closed_lost", "reason": "price"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // the same loss again is refused and counts nothing
    let (s, _) = api
        .post_as(
            &format!("/leads/{open}/stage"),
            Some(&a_key),
            json!({"to": "closed_lost", "reason": "price"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, after) = api.get_as(&format!("/resellers/{a}/dashboard"), Some(&a_key)).await;
    let n = |v: &Value, k: &str| v.pointer(k).and_then(Value::as_i64).unwrap_or(0);
    assert_eq!(
        n(&after, "/stage_moves/R004") - n(&before, "/stage_moves/R004"),
        1,
        "{after}"
    );
    assert_eq!(
        n(&after, "/lost_by_reason/price") - n(&before, "/lost_by_reason/price"),
        1
    );
    assert_eq!(n(&after, "/lost") - n(&before, "/lost"), 1);
    // leads received this month, by channel: every lead routed (this test's two at least)
    let (_, now) = api.admin_get("/programme/dashboard").await;
    let by_channel: i64 = now["leads_by_channel"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_i64).sum())
        .unwrap_or(0);
    assert!(n(&now, "/leads") >= 2 && by_channel == n(&now, "/leads"), "{now}");

    // one table as CSV; bad input named; nobody else's
    let (s, ct, csv) = api
        .get_text(&format!("{path}&format=csv&table=commission"), &a_key)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("text/csv"));
    assert!(csv.lines().any(|l| l == "2026-10,INR,licence,250000.00"), "{csv}");
    assert!(csv.lines().any(|l| l == "2026-10,INR,clawback,-25000.00"), "{csv}");
    assert_eq!(
        api.get_as(&format!("{path}&format=csv&table=nope"), Some(&a_key))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.get_as(&format!("/resellers/{a}/dashboard?month=2026-13"), Some(&a_key))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(api.get_as(&path, Some(&other_key)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        api.get_as("/programme/dashboard?month=2026-10", Some(&a_key)).await.0,
        StatusCode::FORBIDDEN
    );
}

/// Follow-up, recurring revenue and referrals, counted by the events themselves: a referral
/// click, the referred lead routed to its referrer, a call 30 minutes later (the first
/// response, within the SLA) and a note, then the deal paid ten days after capture with an AMC
/// and a referring reseller. Every figure once, whatever is redelivered.
pub async fn follow_up_recurring_and_referrals(api: &Api, tag: &str) {
    use crate::billing::{order, payment};
    let (a, a_key) = api.reseller(&format!("Follow A {tag}"), &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller(&format!("Follow B {tag}"), &["US"], &[], "gold", 10).await;
    let (_, me) = api.admin_get(&format!("/resellers/{a}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    api.set_clock("2026-10-01T09:00:00Z").await;
    let click = api.click_id(&code).await;
    api.set_clock("2026-10-01T10:00:00Z").await;
    let (s, l) = api
        .post_json(
            "/leads",
            json!({"email": format!("follow-{tag}@buyer.in"), "country": "IN", "title": "CEO",
                   "referral_code": code, "referral_click": click}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{l}");
    let lead = l["lead_id"].as_str().expect("lead").to_string();
    api.drain().await;
    api.set_clock("2026-10-01T10:30:00Z").await;
    let activities = format!("/leads/{lead}/activities");
    let (s, call) = api.post_as(&activities, Some(&a_key), json!({"type": "call"})).await;
    assert_eq!(s, StatusCode::CREATED, "{call}");
    assert_eq!(call["first_response"]["minutes"], 30, "{call}");
    let (s, note) = api
        .post_as(
            &activities,
            Some(&a_key),
            json!({"type": "note", "note": "sent the brochure"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    assert!(note.get("first_response").is_none());

    api.set_clock("2026-10-11T11:00:00Z").await;
    let order_id = format!("ORD-FU-{tag}");
    let mut o = order(&order_id, &lead, &a, "500000", "100000");
    o["referring_reseller_id"] = json!(b);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    let pay = format!("PAY-FU-{tag}");
    for (id, kind, amount) in [
        (pay.clone(), "licence", "500000"),
        (format!("{pay}-amc"), "amc", "100000"),
    ] {
        let p = payment(&id, &order_id, kind, amount, "2026-10-11T10:00:00Z");
        assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::ACCEPTED);
    }
    api.drain().await;

    let a_path = format!("/resellers/{a}/dashboard?month=2026-10");
    let b_path = format!("/resellers/{b}/dashboard?month=2026-10");
    let (s, dash) = api.get_as(&a_path, Some(&a_key)).await;
    assert_eq!(s, StatusCode::OK, "{dash}");
    let act = &dash["activity"];
    assert_eq!(
        (act["activities"].as_i64(), act["first_responses"].as_i64()),
        (Some(2), Some(1)),
        "{dash}"
    );
    assert_eq!(act["avg_first_response_minutes"], 30);
    assert_eq!(d(&act["sla_met_pct"]), Decimal::ONE_HUNDRED);
    assert_eq!(dash["leads"], 1, "the referred lead, routed to its referrer");
    assert_eq!(d(&act["activities_per_lead"]), Decimal::TWO);
    assert_eq!(
        d(&act["avg_conversion_days"]),
        Decimal::TEN,
        "capture 1 Oct, paid 11 Oct"
    );
    assert_eq!(dash["stage_moves"]["R006"], 1, "{dash}");
    let referrals = &dash["referrals"];
    assert_eq!(
        (referrals["clicks"].as_i64(), referrals["leads"].as_i64()),
        (Some(1), Some(1)),
        "{dash}"
    );
    let recurring = &dash["recurring"];
    assert_eq!(recurring["amc_contracts"], 1, "{dash}");
    assert_eq!(d(&recurring["amc_base"]["INR"]), Decimal::from(100_000));
    let (_, next_year) = api
        .get_as(&format!("/resellers/{a}/dashboard?month=2027-10"), Some(&a_key))
        .await;
    assert_eq!(next_year["recurring"]["renewals_due"], 1, "{next_year}");
    // B referred the deal: its conversion and its fee, as its ledger has it
    let (s, bd) = api.get_as(&b_path, Some(&b_key)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bd["referrals"]["conversions"], 1, "{bd}");
    let b_ledger = api.ledger(&b, "2026-10").await;
    let fee: Decimal = b_ledger["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["component"] == "referral")
        .map(|e| d(&e["amount"]))
        .sum();
    assert!(fee > Decimal::ZERO, "{b_ledger}");
    assert_eq!(d(&bd["referrals"]["fees"]["INR"]), fee);

    // every event delivered again: no figure moves
    for (i, id) in [pay.clone(), format!("{pay}-amc")].into_iter().enumerate() {
        let event = shared::events::Event::PaymentReceived(shared::events::PaymentReceived { payment_id: id });
        api.deliver("commission", event, &format!("fu-{tag}-again-{i}")).await;
    }
    let event = shared::events::Event::LeadCaptured(shared::events::LeadCaptured { lead_id: lead.clone() });
    api.deliver("scoring", event, &format!("fu-{tag}-scored-again")).await;
    api.drain().await;
    assert_eq!(api.get_as(&a_path, Some(&a_key)).await.1, dash);
    assert_eq!(api.get_as(&b_path, Some(&b_key)).await.1, bd);

    let (s, _, csv) = api
        .get_text(&format!("{a_path}&format=csv&table=activity"), &a_key)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.lines().any(|l| l == "2026-10,1,2,2.00,1,30,100.0,10.0"), "{csv}");
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;
}
