//! Regression tests for the second black-box probe's findings (a deactivated reseller's session
//! and keys, self-granted lower TDS, login lock-out and timing, mail to any address, competitors'
//! routing data, private headers, dates and ownership of money events…), each written to fail
//! before its fix; the flows here run on both stacks.

use crate::flows::Api;
use crate::portal::{csrf_of, email_of, log_in, page, post_form};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

fn tax_profile() -> Value {
    json!({"pan": "AAAPL1234C", "legal_name": "Probe Partner Pvt Ltd",
           "bank": {"account_number": "001234567890", "ifsc": "HDFC0001234", "account_name": "Probe Partner Pvt Ltd"}})
}

/// A suspended reseller reads and changes nothing (API and portal); a deactivated one's session
/// ends and its keys stop, and it is issued no new key.
pub async fn deactivated_and_suspended<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let name = format!("Gone Partner {tag}");
    let (id, key) = api.reseller(&name, &["IN"], &[], "gold", 10).await;
    let cookie = log_in(api, &sent_to, &email_of(&name)).await;
    let (s, _, keys_page) = page(api, Some(&cookie), "/portal/keys").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&keys_page);

    // suspended: reads still answer, every change is refused
    let (s, body) = api
        .admin_post(&format!("/resellers/{id}/suspend"), json!({"reason": "probe"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = api.get_as(&format!("/resellers/{id}"), Some(&key)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = api.put_as(&format!("/resellers/{id}/tax"), &key, tax_profile()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap_or("").contains("suspended"), "{body}");
    let (s, _) = api
        .post_as(&format!("/resellers/{id}/keys"), Some(&key), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = page(api, Some(&cookie), "/portal/pipeline").await;
    assert_eq!(s, StatusCode::OK, "a suspended reseller still reads its pipeline");
    let (s, _) = post_form(api, &cookie, "/portal/keys", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no key for a suspended reseller's session");
    let (s, _) = post_form(
        api,
        &cookie,
        "/portal/brand",
        &[("csrf", &csrf), ("display_name", "Still Here")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no brand change while suspended");
    let (_, keys) = api.get_as(&format!("/resellers/{id}/keys"), Some(ADMIN)).await;
    assert_eq!(keys["keys"].as_array().map(Vec::len), Some(1), "{keys}");

    // reactivated: it writes again
    let (s, _) = api
        .admin_post(&format!("/resellers/{id}/reactivate"), json!({"reason": "probe over"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = api.put_as(&format!("/resellers/{id}/tax"), &key, tax_profile()).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // deactivated: the session ends on its next request, the key is refused, no key is issued
    let (s, body) = api
        .admin_post(&format!("/resellers/{id}/deactivate"), json!({"reason": "probe"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    for path in ["/portal/keys", "/portal/pipeline", "/portal"] {
        let (s, to, _) = page(api, Some(&cookie), path).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login"), "{path}");
    }
    let (s, to) = post_form(api, &cookie, "/portal/keys", &[("csrf", &csrf)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login"));
    let (s, _) = api.get_as(&format!("/resellers/{id}"), Some(&key)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = api.admin_post(&format!("/resellers/{id}/keys"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "no key for a deactivated reseller: {body}");
    let (_, keys) = api.get_as(&format!("/resellers/{id}/keys"), Some(ADMIN)).await;
    assert_eq!(keys["keys"].as_array().map(Vec::len), Some(0), "{keys}");
}

const ADMIN: &str = crate::ADMIN_KEY;

/// A reseller cannot grant itself a lower TDS rate: its certificate waits, the payout deducts
/// the full rate like an identical partner's; once the staff approve it, the next payout
/// deducts at the certificate's rate and finance's CSV names section, rate, reason and number.
pub async fn lower_deduction_only_by_staff<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    use crate::payouts::{csv_of, csv_row, deal, line, run_payout, FINANCE};
    use crate::tax_payouts::{taxed_reseller, worked_example_in_october};
    let (a, a_key) = taxed_reseller(api, &format!("Cert A {tag}"), "AAPCK1234L", "27").await;
    let (b, _) = taxed_reseller(api, &format!("Cert B {tag}"), "AAPCK1234L", "27").await;
    let mut profile = json!({"pan": "AAPCK1234L", "legal_name": "Cert A Pvt Ltd",
        "lower_deduction": {"certificate_number": "1111AA111A", "rate": "0", "valid_from": "2026-04-01",
                            "valid_to": "2027-03-31", "limit": "5000000"},
        "bank": {"account_number": "50100123456789", "ifsc": "HDFC0001234", "account_name": "Cert A Pvt Ltd"}});
    let (s, mine) = api
        .put_as(&format!("/resellers/{a}/tax"), &a_key, profile.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert!(mine["tax"]["lower_deduction"].is_null(), "{mine}");
    assert_eq!(mine["tax"]["pending_lower_deduction"]["rate"], "0");
    // a reseller cannot approve its own
    let (s, _) = api
        .post_as(
            &format!("/resellers/{a}/tax/lower-deduction/approve"),
            Some(&a_key),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    worked_example_in_october(api, &a, &format!("ca-{tag}")).await;
    worked_example_in_october(api, &b, &format!("cb-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let (la, lb) = (line(&oct, &a, "INR"), line(&oct, &b, "INR"));
    assert_eq!(
        la["tax"]["tds_total"], lb["tax"]["tds_total"],
        "the same TDS as an identical partner"
    );
    assert_eq!(la["tax"]["tds_total"], "5800.00");
    assert!(la["tax"]["tds"][0]["reason"].is_null(), "{la}");

    // the staff check the certificate and record it; November's payout deducts 0% under it
    let (s, recorded) = api
        .admin_post(&format!("/resellers/{a}/tax/lower-deduction/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{recorded}");
    assert_eq!(recorded["tax"]["lower_deduction"]["certificate_number"], "1111AA111A");
    assert_eq!(
        recorded["tax"]["lower_deduction"]["recorded_by"],
        api.admin_actor().await.as_str()
    );
    assert!(recorded["tax"]["pending_lower_deduction"].is_null());
    let (s, _) = api
        .admin_post(&format!("/resellers/{a}/tax/lower-deduction/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing waits any more");
    // sending the profile again changes nothing about the recorded certificate
    profile["lower_deduction"]["rate"] = json!("0.001");
    let (_, again) = api.put_as(&format!("/resellers/{a}/tax"), &a_key, profile).await;
    assert_eq!(again["tax"]["lower_deduction"]["rate"], "0");
    api.set_clock("2026-11-10T12:00:00Z").await;
    deal(api, &a, &format!("ca2-{tag}"), "INR", "100000", "2026-11-10T10:00:00Z").await;
    run_payout(api, "2026-12-01T02:30:00+05:30").await;
    let (_, nov) = api.admin_get("/payouts/2026-11").await;
    let ln = line(&nov, &a, "INR");
    assert_eq!(ln["tax"]["tds_total"], "0.00", "{ln}");
    assert_eq!(ln["tax"]["tds"][0]["reason"], "A");
    assert_eq!(ln["tax"]["tds"][0]["certificate"], "1111AA111A");
    let finance: Vec<SentMail> = sent_to(FINANCE.into())
        .await
        .into_iter()
        .filter(|m| m.subject.contains("November 2026"))
        .collect();
    let csv = csv_of(finance.last().expect("finance's email"));
    let row = csv_row(&csv, &a);
    let col = |name: &str| row.get(name).map(String::as_str).expect("column");
    assert_eq!(
        (
            col("tds_section"),
            col("tds_rate"),
            col("tds_reason"),
            col("certificate_number"),
            col("tds")
        ),
        ("393(1) [Table: Sl. No. 1(ii)]", "0", "A", "1111AA111A", "0.00")
    );
    let (_, q) = api.admin_get("/tds/certificates?quarter=2026-Q3").await;
    assert!(q.to_string().contains("1111AA111A"), "{q}");
}

/// A reseller's key cannot make the platform mail an address its own words: a proposed
/// sub-reseller hears nothing until the partner team approves it, the welcome then repeats
/// none of the proposer's text, and proposals are limited per reseller.
pub async fn proposals_mail_nobody_on_a_resellers_say_so<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (parent, key) = api.reseller(&format!("Proposer {tag}"), &["IN"], &[], "gold", 10).await;
    let lure = "Your account is locked: visit https://evil.example/unlock now";
    let propose = |n: u32| {
        let mut body = crate::applications::application(
            "Account Security Team",
            &format!("proposed{n}-{tag}.in"),
            &format!("victim{n}@proposed{n}-{tag}.in"),
        );
        body["message"] = json!(lure);
        body["contact"]["name"] = json!("Dear customer, your bank");
        let path = format!("/resellers/{parent}/sub-reseller-applications");
        let key = key.clone();
        async move { api.post_as(&path, Some(&key), body).await }
    };
    let (s, first) = propose(1).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    api.drain().await;
    assert!(
        sent_to(format!("victim1@proposed1-{tag}.in")).await.is_empty(),
        "nothing mailed to a proposed address before the partner team approves it"
    );
    for n in 2..=5 {
        assert_eq!(propose(n).await.0, StatusCode::CREATED);
    }
    let (s, limited) = propose(6).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{limited}");

    // approved by the partner team: a welcome without the proposer's words
    let id = first["application"]["application_id"].as_str().expect("id");
    let (s, b) = api
        .admin_post(
            &format!("/reseller-applications/{id}/approve"),
            json!({"tier": "registered"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    api.drain().await;
    let mails = sent_to(format!("victim1@proposed1-{tag}.in")).await;
    assert_eq!(mails.len(), 1, "the welcome only");
    let m = &mails[0];
    for words in ["Account Security Team", "evil.example", "Dear customer", "locked"] {
        assert!(
            !m.text.contains(words) && !m.subject.contains(words),
            "{words}: {}",
            m.text
        );
    }
}

/// A reseller reading its lead sees why it came to it, never the other candidates' figures;
/// the admin sees every candidate.
pub async fn routing_shows_no_competitor(api: &Api) {
    let (a, a_key) = api.reseller("Route One", &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller("Route Two", &["IN"], &[], "gold", 10).await;
    let lead = api.scored_lead("cfo@routed-company.in").await;
    let (_, admin) = api.admin_get(&format!("/leads/{lead}")).await;
    let owner = admin["owner_reseller_id"].as_str().expect("routed").to_string();
    assert_eq!(
        admin["routing"]["candidates"].as_array().map(Vec::len),
        Some(2),
        "{admin}"
    );
    let (key, other) = if owner == a { (&a_key, &b) } else { (&b_key, &a) };
    for path in [format!("/leads/{lead}"), "/leads".to_string()] {
        let (s, mine) = api.get_as(&path, Some(key)).await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        assert!(!mine.to_string().contains(other.as_str()), "{path}: {mine}");
    }
    let (_, mine) = api.get_as(&format!("/leads/{lead}"), Some(key)).await;
    let candidates = mine["routing"]["candidates"].as_array().expect("own entry");
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0]["reseller_id"], owner.as_str());
    assert_eq!(mine["routing"]["rule"], "platform");
}

/// The PAN (and the GSTIN that holds it) is masked in every read but the admin's: a reseller's
/// payout read, its statement and Form 16A data.
pub async fn pan_masked_everywhere<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    use crate::payouts::run_payout;
    use crate::tax_payouts::{taxed_reseller, worked_example_in_october};
    let name = format!("Masked {tag}");
    let (a, key) = taxed_reseller(api, &name, "AAPCK1234L", "27").await;
    worked_example_in_october(api, &a, &format!("mk-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (_, mine) = api.get_as(&format!("/resellers/{a}/payouts"), Some(&key)).await;
    let draft = &mine["payouts"][0]["invoice_draft"];
    assert!(
        draft["supplier_gstin"].as_str().is_some_and(|g| g.starts_with("XXXX")),
        "{draft}"
    );
    let (_, certs) = api.get_as("/tds/certificates?quarter=2026-Q3", Some(&key)).await;
    assert_eq!(certs["certificates"][0]["pan"], "XXXXXX234L", "{certs}");
    for read in [mine.to_string(), certs.to_string()] {
        assert!(!read.contains("PCK1234"), "{read}");
    }
    let statement = sent_to(email_of(&name))
        .await
        .into_iter()
        .find(|m| m.subject.contains("October 2026"))
        .expect("statement");
    assert!(!statement.text.contains("PCK1234") && !statement.html.contains("PCK1234"));
    // the admin sees them whole
    let (_, admin) = api.admin_get("/tds/certificates?quarter=2026-Q3").await;
    assert!(admin.to_string().contains("AAPCK1234L"), "{admin}");
    let (_, theirs) = api.admin_get(&format!("/resellers/{a}/payouts")).await;
    assert!(theirs["payouts"][0]["invoice_draft"]["supplier_gstin"]
        .as_str()
        .is_some_and(|g| g.contains("AAPCK1234L")));
}

/// Money events bounded in time and ownership: no payment, refund or transfer from the future;
/// no refund before its payment; no order closed by a reseller the lead does not belong to; no
/// settlement before the payout, as a JSON number, or naming two payouts at once.
pub async fn money_events_are_bounded(api: &Api, tag: &str) {
    use crate::billing::{order, payment};
    use crate::payouts::{line, run_payout};
    use crate::tax_payouts::{taxed_reseller, worked_example_in_october};
    let (a, _) = taxed_reseller(api, &format!("Bounded A {tag}"), "AAPCK1234L", "27").await;
    let (b, _) = api
        .reseller(&format!("Bounded B {tag}"), &["US"], &[], "gold", 10)
        .await;
    let lead = api.scored_lead(&format!("cfo@bounded-{tag}.in")).await;
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    let owner = l["owner_reseller_id"].as_str().expect("owned").to_string();
    let stranger = if owner == a { &b } else { &a };
    // an order naming another reseller than the lead's owner
    let (s, body) = api
        .signed(
            "/billing/orders",
            &order(&format!("ORD-B-{tag}"), &lead, stranger, "100000", "20000"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "reseller_id");
    let order_id = format!("ORD-OK-{tag}");
    assert_eq!(
        api.signed("/billing/orders", &order(&order_id, &lead, &owner, "100000", "20000"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    // a payment in 2099
    let (s, body) = api
        .signed(
            "/billing/payments",
            &payment(
                &format!("PAY-F-{tag}"),
                &order_id,
                "licence",
                "1000",
                "2099-01-01T10:00:00Z",
            ),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("paid_at")),
        "{body}"
    );
    let pay = format!("PAY-B-{tag}");
    assert_eq!(
        api.signed(
            "/billing/payments",
            &payment(&pay, &order_id, "licence", "1000", "2026-10-10T10:00:00Z")
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    api.drain().await;
    // a refund dated before its payment, and one in the future
    for (at, why) in [("2026-10-09T10:00:00Z", "before"), ("2099-01-01T10:00:00Z", "future")] {
        let refund =
            json!({"refund_id": format!("REF-{why}-{tag}"), "payment_id": pay, "amount": "100", "refunded_at": at});
        let (s, body) = api.signed("/billing/refunds", &refund).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert_eq!(body["errors"][0]["field"], "refunded_at");
        assert!(
            body["errors"][0]["message"].as_str().unwrap_or("").contains(why),
            "{body}"
        );
    }

    // settlements
    worked_example_in_october(api, &a, &format!("bd-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let net = line(&oct, &a, "INR")["net_payable"].as_str().expect("net").to_string();
    let ticket = oct["payouts"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["payee"] == a.as_str()))
        .expect("A's ticket");
    let reference = ticket["payment"]["reference"].as_str().expect("reference");
    let other = oct["payouts"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["payee"] != a.as_str()))
        .and_then(|p| p["payout_id"].as_str())
        .unwrap_or("2026-10/nobody")
        .to_string();
    let utr = format!("UTRB{}", tag.to_uppercase());
    // the bank's transfers are reported days after the payout
    api.set_clock("2026-11-04T10:00:00+05:30").await;
    let cases = [
        (
            json!({"reference": reference, "utr": utr, "paid_at": "2099-01-01T10:00:00Z", "amount": net}),
            "future",
        ),
        (
            json!({"reference": reference, "utr": utr, "paid_at": "2026-10-15T10:00:00Z", "amount": net}),
            "before the payout",
        ),
        (
            json!({"reference": reference, "utr": utr, "paid_at": "2026-11-03T10:00:00Z", "amount": net.parse::<f64>().expect("n")}),
            "decimal string",
        ),
        (
            json!({"reference": reference, "payout_id": other, "utr": utr, "paid_at": "2026-11-03T10:00:00Z", "amount": net}),
            "different payouts",
        ),
    ];
    for (line, why) in cases {
        let (s, answer) = api.admin_post("/payouts/2026-10/settlements", json!([line])).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {answer}");
        assert_eq!(answer["results"][0]["outcome"], "refused", "{why}: {answer}");
        assert!(
            answer["results"][0]["reason"].as_str().unwrap_or("").contains(why),
            "{why}: {answer}"
        );
    }
    let (_, still) = api.admin_get("/payouts/2026-10").await;
    assert!(
        still.to_string().contains("payable") && !still.to_string().contains(&utr),
        "nothing settled"
    );
}

/// A quote no order could carry is refused; a quote waiting for an admin (99.99% off) forecasts
/// nothing until approved; amounts keep their paise (`0.00`).
pub async fn quotes_within_what_billing_takes(api: &Api, tag: &str) {
    let (r, key) = api
        .reseller(&format!("Quote Caps {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let sku = api.product("CAP-ERP", "licence", "1000000.00", "20").await;
    let lead = api.lead_of(&r, &format!("buyer@quote-caps-{tag}.in")).await;
    let (s, b) = api.quote(&key, &lead, json!([{"sku": sku, "quantity": 100000}])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("largest order"), "{b}");
    // 100% off: every amount 0.00
    let (s, free) = api
        .quote(&key, &lead, json!([{"sku": sku, "discount_percent": "100"}]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{free}");
    for k in ["licence", "amc_first_year", "subtotal", "gst", "total"] {
        assert_eq!(free["totals"][k], "0.00", "{k}: {free}");
    }
    assert_eq!(free["lines"][0]["net"], "0.00");
    // 99.99% off waits for an admin and forecasts nothing; approved, it counts
    let (s, q) = api
        .quote(&key, &lead, json!([{"sku": sku, "discount_percent": "99.99"}]))
        .await;
    assert_eq!(
        (s, q["status"].as_str()),
        (StatusCode::CREATED, Some("pending_approval")),
        "{q}"
    );
    let value_of = |board: &Value| {
        board["stages"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["leads"].as_array().cloned().unwrap_or_default())
            .find(|l| l["lead_id"] == lead.as_str())
            .map(|l| l["expected_value"].clone())
            .unwrap_or(Value::Null)
    };
    let (_, board) = api.get_as("/pipeline", Some(&key)).await;
    assert!(value_of(&board).is_null(), "a pending quote forecasts nothing: {board}");
    let id = q["quote_id"].as_str().expect("id");
    let (s, _) = api.admin_post(&format!("/quotes/{id}/approve"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, board) = api.get_as("/pipeline", Some(&key)).await;
    // licence 100.00 and its first-year AMC at 20%: 120.00 ex GST
    assert_eq!(value_of(&board), json!("120.00"), "{board}");
}

/// A notice shows only what the portal itself said to this session: `?done=`/`?error=` text
/// in a link made by anyone else shows nothing; the portal's own redirect still shows its words.
pub async fn notices_only_from_the_portal<F, Fut>(api: &Api, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let name = "Notice Partner";
    api.reseller(name, &["IN"], &[], "gold", 10).await;
    let cookie = log_in(api, &sent_to, &email_of(name)).await;
    let lure = "Your account is locked: call +1 555 0100";
    for path in [
        "/portal/registrations",
        "/portal/keys",
        "/portal/sub-resellers",
        "/portal/brand",
    ] {
        for key in ["done", "error"] {
            let q = serde_urlencoded::to_string([(key, lure)]).expect("query");
            let (s, _, html) = page(api, Some(&cookie), &format!("{path}?{q}")).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            assert!(!html.contains("account is locked"), "{path}?{key}= shown: {html}");
        }
    }
    // the portal's own message, through its redirect
    let (_, _, reg) = page(api, Some(&cookie), "/portal/registrations").await;
    let (s, to) = post_form(
        api,
        &cookie,
        "/portal/registrations",
        &[
            ("csrf", &csrf_of(&reg)),
            ("company_name", "Notice Mills"),
            ("company_domain", "notice-mills.in"),
            ("contact_name", "R. Iyer"),
            ("contact_email", "iyer@notice-mills.in"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(!to.contains("Notice"), "the message travels signed, not as text: {to}");
    let (_, _, shown) = page(api, Some(&cookie), &to).await;
    assert!(shown.contains("Registered Notice Mills."), "{shown}");
    // … and not to another session
    api.reseller("Notice Other", &["IN"], &[], "gold", 10).await;
    let other = log_in(api, &sent_to, &email_of("Notice Other")).await;
    let (_, _, theirs) = page(api, Some(&other), &to).await;
    assert!(!theirs.contains("Registered Notice Mills."));
}

/// A misspelt or unknown field on a JSON write is `422` naming it, and nothing is stored.
pub async fn unknown_fields_are_refused(api: &Api) {
    let (id, key) = api.reseller("Strict Partner", &["IN"], &[], "gold", 10).await;
    let mut profile = tax_profile();
    profile["lower_deductoin"] = json!({"rate": "0"});
    let (s, b) = api.put_as(&format!("/resellers/{id}/tax"), &key, profile).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "lower_deductoin", "{b}");
    let (_, me) = api.admin_get(&format!("/resellers/{id}")).await;
    assert!(me["tax"].is_null(), "nothing stored: {me}");
    // nested, and more than one at once
    let mut nested = tax_profile();
    nested["bank"]["acount_number"] = json!("1");
    nested["gstn"] = json!("x");
    let (s, b) = api.put_as(&format!("/resellers/{id}/tax"), &key, nested).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"bank.acount_number") && fields.contains(&"gstn"),
        "{b}"
    );
    // a signed webhook too
    let lead = api.lead_of(&id, "cfo@strict-buyer.in").await;
    let mut o = crate::billing::order("ORD-STRICT", &lead, &id, "100000", "20000");
    o["lines"][0]["discount"] = json!("10");
    let (s, b) = api.signed("/billing/orders", &o).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "lines.0.discount", "{b}");
    assert_eq!(api.admin_get("/orders/ORD-STRICT").await.0, StatusCode::NOT_FOUND);
}

/// One address, one account: a reseller whose email differs from another's only in case is
/// refused (`409`), as is an application approved for an address already taken.
pub async fn one_account_per_email(api: &Api) {
    let email = "Owner@Case-Partner.example";
    let (s, first) = api
        .admin_post(
            "/resellers",
            json!({"name": "Case Partner", "email": email, "regions": ["IN"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["email"], "owner@case-partner.example", "kept lower-cased");
    for other in ["owner@case-partner.example", "OWNER@CASE-PARTNER.EXAMPLE"] {
        let (s, b) = api
            .admin_post(
                "/resellers",
                json!({"name": "Case Copy", "email": other, "regions": ["IN"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{other}: {b}");
    }
    let mut app = crate::applications::application("Case Copy Systems", "case-copy.in", "OWNER@case-partner.example");
    app["company"]["domain"] = json!("case-copy.in");
    let (s, applied) = api.apply(app).await;
    assert_eq!(s, StatusCode::CREATED, "{applied}");
    let id = applied["application_id"].as_str().expect("id");
    let (s, b) = api
        .admin_post(
            &format!("/reseller-applications/{id}/approve"),
            json!({"tier": "registered"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (_, still) = api.admin_get(&format!("/reseller-applications/{id}")).await;
    assert_eq!(still["status"], "pending", "nothing decided: {still}");
}

/// A LinkedIn connections export: quoted Position cells with line breaks inside are kept, on
/// one line; a name with a zero-width character is still refused.
pub async fn a_linkedin_export_keeps_its_rows(api: &Api, tag: &str) {
    let csv = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
        Priya,Rao,https://www.linkedin.com/in/priya,priya@li-export.in,\"Shree\nTextiles\",\"Head of Finance\r\n(West)\",04 Dec 2026\n\
        Ravi,Kumar,https://www.linkedin.com/in/ravi,ravi@li-export.in,Steel Works,\"CFO\t& Director\",03 Dec 2026\n\
        Zero,Width\u{200B},https://www.linkedin.com/in/zw,zw@li-export.in,Hidden Co,CEO,02 Dec 2026\n";
    let key = format!("prospects/linkedin-{tag}/connections.csv");
    api.put_object(&key, csv.as_bytes().to_vec()).await;
    api.drain().await;
    let summary = api.summary(&key).await;
    assert_eq!(
        (summary["created"].as_u64(), summary["rejected"].as_u64()),
        (Some(2), Some(1)),
        "{summary}"
    );
    let priya = api.leads_with_email("priya@li-export.in").await;
    assert_eq!(priya.len(), 1);
    assert_eq!(priya[0]["title"], "Head of Finance (West)");
    assert_eq!(priya[0]["company"], "Shree Textiles");
    assert_eq!(priya[0]["name"], "Priya Rao");
    let ravi = api.leads_with_email("ravi@li-export.in").await;
    assert_eq!(ravi[0]["title"], "CFO & Director");
    let report = api.report(&key).await;
    assert!(
        report.iter().any(|r| r.1 == "zw@li-export.in" && r.2 == "rejected"),
        "{report:?}"
    );
}

/// A referred lead goes to its referrer even when the cached roster predates the referrer, and
/// an empty roster is never cached.
pub async fn referrals_reach_new_resellers(api: &Api) {
    // no reseller yet: the admin queue, and nothing cached
    let (_, first) = api
        .post_json("/leads", json!({"email": "early@cache-buyer.in", "country": "IN"}))
        .await;
    api.drain().await;
    let (_, l) = api
        .admin_get(&format!("/leads/{}", first["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(l["queue"], "admin", "{l}");
    let (a, _) = api.reseller("Cache First", &["US"], &["retail"], "gold", 10).await;
    let (_, second) = api
        .post_json("/leads", json!({"email": "next@cache-buyer.in", "country": "IN"}))
        .await;
    api.drain().await;
    let (_, l) = api
        .admin_get(&format!("/leads/{}", second["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(l["owner_reseller_id"], a.as_str(), "the empty roster was not kept: {l}");
    // the roster (with A only) is cached now; B is created and its link brings a lead at once
    let (b, _) = api.reseller("Cache Newcomer", &["IN"], &[], "registered", 10).await;
    let (_, me) = api.admin_get(&format!("/resellers/{b}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    let click = api.click_id(&code).await;
    let (s, referred) = api
        .post_json(
            "/leads",
            json!({"email": "referred@cache-buyer.in", "country": "IN", "ref": code, "click": click}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{referred}");
    api.drain().await;
    let (_, l) = api
        .admin_get(&format!("/leads/{}", referred["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(
        (l["owner_reseller_id"].as_str(), l["routing"]["rule"].as_str()),
        (Some(b.as_str()), Some("referral")),
        "{l}"
    );
}
