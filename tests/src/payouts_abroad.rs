//! Payouts under the law of their date of credit, to partners abroad, in the partner's own
//! currency, to micro enterprises by their deadline, and to e-invoicing partners — shared by both
//! stacks. Every figure is worked out here from the rule (2% of ₹2,90,000 = ₹5,800; 18% IGST of
//! ₹2,90,000 = ₹52,200; ₹2,90,000 × 0.04415 = AED 12,803.50), never read from the code.

use crate::flows::Api;
use crate::payouts::{csv_of, deal, line, run_payout, FINANCE};
use crate::tax_payouts::{taxed_reseller, worked_example_in_october};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

fn ticket<'a>(payouts: &'a Value, payee: &str) -> &'a Value {
    payouts["payouts"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["payee"] == payee))
        .unwrap_or_else(|| panic!("no ticket for {payee} in {payouts}"))
}

/// The worked example paid in `month` (licence on the 5th, AMC on the 20th).
async fn worked_example_in(api: &Api, closer: &str, n: &str, month: &str) {
    deal(api, closer, n, "INR", "1000000", &format!("{month}-05T10:00:00Z")).await;
    let amc = json!({"payment_id": format!("PAY-PO-{n}-amc"), "order_id": format!("ORD-PO-{n}"), "kind": "amc",
        "amount": "200000", "currency": "INR", "paid_at": format!("{month}-20T10:00:00Z")});
    assert_eq!(api.signed("/billing/payments", &amc).await.0, StatusCode::ACCEPTED);
    api.drain().await;
}

/// A statement row of the quarterly export, by column name.
fn export_row(csv: &str, payee: &str) -> std::collections::HashMap<String, String> {
    let header: Vec<&str> = csv.lines().next().unwrap_or("").split(',').collect();
    let row = csv
        .lines()
        .find(|l| l.contains(payee))
        .unwrap_or_else(|| panic!("no row for {payee} in {csv}"));
    header
        .iter()
        .map(|h| h.to_string())
        .zip(row.split(',').map(str::to_string))
        .collect()
}

/// The same order paid in February 2026 is reported under section 194H of the 1961 Act in the
/// 2025-26 Q4 statement (Form 26Q); paid in October 2026, under section 393(1) of the 2025 Act,
/// payment code 1006, in the 2026-27 Q3 statement (Form 140) — line, statement and export alike.
pub async fn the_law_by_date_of_credit<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let old_name = format!("Law Old {tag}");
    let new_name = format!("Law New {tag}");
    let (old, _) = taxed_reseller(api, &old_name, "AAPCK1234L", "27").await;
    let (new, _) = taxed_reseller(api, &new_name, "AAPCK1234L", "27").await;
    api.set_clock("2026-02-25T12:00:00+05:30").await;
    worked_example_in(api, &old, &format!("lo-{tag}"), "2026-02").await;
    run_payout(api, "2026-03-01T02:30:00+05:30").await;
    api.set_clock("2026-10-25T12:00:00+05:30").await;
    worked_example_in_october(api, &new, &format!("ln-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;

    let (_, feb) = api.admin_get("/payouts/2026-02").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let (lf, lo) = (line(&feb, &old, "INR"), line(&oct, &new, "INR"));
    assert_eq!(
        (
            lf["tax"]["tds"][0]["section"].as_str(),
            lf["tax"]["tds"][0]["code"].as_str()
        ),
        (Some("194H"), None)
    );
    assert_eq!(lf["tax"]["tds"][0]["act"], "Income-tax Act, 1961");
    assert_eq!(
        (
            lo["tax"]["tds"][0]["section"].as_str(),
            lo["tax"]["tds"][0]["code"].as_str()
        ),
        (Some("393(1) [Table: Sl. No. 1(ii)]"), Some("1006"))
    );
    assert_eq!(lo["tax"]["tds"][0]["act"], "Income-tax Act, 2025");
    // the same 2% of ₹2,90,000 either side of 1 April 2026
    assert_eq!(
        (lf["tax"]["tds_total"].as_str(), lo["tax"]["tds_total"].as_str()),
        (Some("5800.00"), Some("5800.00"))
    );

    // the statements cite the law of their date of credit
    let statement = |who: String, month: &'static str| {
        let mail = sent_to(crate::portal::email_of(&who));
        async move {
            mail.await
                .into_iter()
                .find(|m| m.subject.contains(month))
                .unwrap_or_else(|| panic!("no {month} statement"))
        }
    };
    let s_old = statement(old_name.clone(), "February 2026").await;
    let s_new = statement(new_name.clone(), "October 2026").await;
    assert!(s_old.text.contains("TDS u/s 194H at 2%"), "{}", s_old.text);
    assert!(s_old.text.contains("Financial year 2025-26"), "{}", s_old.text);
    assert!(
        s_new
            .text
            .contains("TDS u/s 393(1) [Table: Sl. No. 1(ii)] (code 1006) at 2%"),
        "{}",
        s_new.text
    );
    assert!(s_new.text.contains("Tax year 2026-27"), "{}", s_new.text);
    assert!(!s_new.text.contains("194H"), "{}", s_new.text);

    // the quarterly statements: Form 26Q for 2025-Q4, Form 140 for 2026-Q3 (the same route)
    let (_, q4) = api
        .get_as("/tds/26q?quarter=2025-Q4&format=json", Some(crate::ADMIN_KEY))
        .await;
    let (_, q3) = api
        .get_as("/tds/26q?quarter=2026-Q3&format=json", Some(crate::ADMIN_KEY))
        .await;
    assert_eq!((q4["form"].as_str(), q3["form"].as_str()), (Some("26Q"), Some("140")));
    let (_, _, csv4) = api.get_text("/tds/26q?quarter=2025-Q4", crate::ADMIN_KEY).await;
    let (_, _, csv3) = api.get_text("/tds/26q?quarter=2026-Q3", crate::ADMIN_KEY).await;
    let (r4, r3) = (export_row(&csv4, &old), export_row(&csv3, &new));
    assert_eq!(
        (r4["section_code"].as_str(), r4["date_of_payment_or_credit"].as_str()),
        ("194H", "28/02/2026")
    );
    assert_eq!(
        (r3["section_code"].as_str(), r3["date_of_payment_or_credit"].as_str()),
        ("1006", "31/10/2026")
    );
    assert_eq!(r3["section"], "393(1) [Table: Sl. No. 1(ii)]");
    assert!(!csv3.contains("194H"), "{csv3}");
    let (_, certs) = api.admin_get("/tds/certificates?quarter=2026-Q3").await;
    assert!(certs["certificates"]
        .as_array()
        .is_some_and(|c| c.iter().all(|x| x["form"] == "131")));
}

/// A partner in Dubai: no Indian TDS, no GST added to its invoice, the platform's reverse-charge
/// IGST listed for finance; paid in dirhams at the payout date's reference rate — and a partner
/// whose currency the day's table lacks waits until finance adds it.
pub async fn a_partner_in_dubai<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let abroad = |name: &str, currency: &str| {
        let domain = format!("{}.ae", name.to_lowercase().replace(' ', "-"));
        let mut app = crate::applications::application(name, &domain, &format!("owner@{domain}"));
        app["company"].as_object_mut().map(|c| {
            c.remove("pan");
            c.remove("gstin")
        });
        let currency = currency.to_string();
        async move {
            let (s, applied) = api.apply(app).await;
            assert_eq!(s, StatusCode::CREATED, "{applied}");
            let id = applied["application_id"].as_str().expect("id");
            let (s, approved) = api
                .admin_post(
                    &format!("/reseller-applications/{id}/approve"),
                    json!({"tier": "gold", "payout": {"currency": currency, "threshold": "100"}}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{approved}");
            let rid = approved["reseller"]["reseller_id"].as_str().expect("id").to_string();
            let (s, b) = api
                .put_as(
                    &format!("/resellers/{rid}/tax"),
                    crate::ADMIN_KEY,
                    json!({"legal_name": format!("{domain} FZ-LLC"), "residency": "non_resident", "country": "AE",
                           "foreign_tax_id": "100123456700003"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
            (rid, format!("owner@{domain}"))
        }
    };
    let (dubai, dubai_email) = abroad(&format!("Gulf ERP {tag}"), "AED").await;
    let (dollars, _) = abroad(&format!("Gulf Dollar {tag}"), "USD").await;
    worked_example_in_october(api, &dubai, &format!("ae-{tag}")).await;
    worked_example_in_october(api, &dollars, &format!("ad-{tag}")).await;
    // finance has the payout date's rates for dirhams, not yet for dollars
    let (s, rates) = api
        .put_as(
            "/fx-rates/2026-11-01",
            crate::ADMIN_KEY,
            json!({"base": "INR", "rates": {"AED": "0.04415"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rates}");
    run_payout(api, "2026-11-01T02:30:00+05:30").await;

    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let l = line(&oct, &dubai, "INR");
    assert_eq!(l["gross_payable"], "290000.00");
    assert_eq!(
        (l["tax"]["tds_total"].as_str(), l["tax"]["gst"].is_null()),
        (Some("0.00"), true),
        "{l}"
    );
    assert_eq!(l["net_payable"], "290000.00");
    assert_eq!(l["tax"]["rcm_igst"], "52200.00");
    assert_eq!(l["tax"]["withholding_note"], "no withholding configured for AE");
    assert_eq!(
        (
            l["transfer"]["currency"].as_str(),
            l["transfer"]["amount"].as_str(),
            l["transfer"]["rate_date"].as_str()
        ),
        (Some("AED"), Some("12803.50"), Some("2026-11-01"))
    );
    assert_eq!(ticket(&oct, &dubai)["payment"]["status"], "payable");
    let statement = sent_to(dubai_email.clone())
        .await
        .into_iter()
        .find(|m| m.subject.contains("October 2026"))
        .expect("the statement");
    assert!(statement.text.contains("AED 12,803.50"), "{}", statement.text);
    assert!(statement.text.contains("0.04415"), "{}", statement.text);
    assert!(statement.text.contains("reverse charge"), "{}", statement.text);
    // the portal shows the same: the transfer on the payouts page, residency on the tax page
    let cookie = crate::portal::log_in(api, &sent_to, &dubai_email).await;
    let (s, _, payouts) = crate::portal::page(api, Some(&cookie), "/portal/payouts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(payouts.contains("AED 12,803.50 (at 0.04415, 2026-11-01)"), "{payouts}");
    let (s, _, tax) = crate::portal::page(api, Some(&cookie), "/portal/tax").await;
    assert_eq!(s, StatusCode::OK);
    assert!(tax.contains("non-resident, resident in AE"), "{tax}");
    assert!(
        tax.contains("section 393(2) [Table: Sl. No. 17] (code 1057) of the Income-tax Act, 2025"),
        "{tax}"
    );
    assert!(
        !tax.contains("100123456700003"),
        "the foreign tax number is masked: {tax}"
    );

    // the platform's reverse-charge liability for October
    let (s, rcm) = api.admin_get("/gst/rcm?month=2026-10").await;
    assert_eq!(s, StatusCode::OK, "{rcm}");
    let row = rcm["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["payee"] == dubai.as_str()))
        .expect("Dubai's row");
    assert_eq!(
        (row["igst"].as_str(), row["country"].as_str()),
        (Some("52200.00"), Some("AE"))
    );
    let (_, _, rcm_csv) = api
        .get_text("/gst/rcm?month=2026-10&format=csv", crate::ADMIN_KEY)
        .await;
    assert!(
        rcm_csv.contains(&format!("{dubai},")) && rcm_csv.contains(",52200.00"),
        "{rcm_csv}"
    );
    // nothing was withheld: no row in the non-residents' statement, none in the residents'
    let (_, q27) = api
        .get_as("/tds/27q?quarter=2026-Q3&format=json", Some(crate::ADMIN_KEY))
        .await;
    assert_eq!(q27["form"], "144");
    assert!(!q27.to_string().contains(&dubai), "{q27}");
    let (_, _, q26) = api.get_text("/tds/26q?quarter=2026-Q3", crate::ADMIN_KEY).await;
    assert!(!q26.contains(&dubai));

    // dollars: no rate yet, so it waits (finance is told), then is converted when recorded
    let waiting = ticket(&oct, &dollars);
    assert_eq!(waiting["payment"]["status"], "awaiting_fx_rate", "{waiting}");
    let finance = sent_to(FINANCE.into())
        .await
        .into_iter()
        .rev()
        .find(|m| m.subject.contains("October 2026") && csv_of(m).contains(dollars.as_str()))
        .expect("finance's email (stacks sharing the emulator send their own too)");
    assert!(
        finance.text.contains("Waiting for the reference rates of 2026-11-01"),
        "{}",
        finance.text
    );
    assert!(csv_of(&finance).contains("awaiting_fx_rate"));
    let (s, b) = api
        .put_as(
            "/fx-rates/2026-11-01",
            crate::ADMIN_KEY,
            json!({"base": "INR", "rates": {"AED": "0.04416"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a recorded rate never changes: {b}");
    let (s, more) = api
        .put_as(
            "/fx-rates/2026-11-01",
            crate::ADMIN_KEY,
            json!({"base": "INR", "rates": {"AED": "0.04415", "USD": "0.01187"}}),
        )
        .await;
    assert_eq!((s, more["released"].as_u64()), (StatusCode::OK, Some(1)), "{more}");
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let paid = ticket(&oct, &dollars);
    assert_eq!(paid["payment"]["status"], "payable");
    // ₹2,90,000 × 0.01187 = $3,442.30
    assert_eq!(paid["lines"][0]["transfer"]["amount"], "3442.30");
}

/// A micro enterprise is paid within 45 days: its ticket of 1 November 2026 is due on
/// 16 December, listed as due soon on 10 December and late on 17 December.
pub async fn a_micro_enterprise_is_paid_in_time(api: &Api, tag: &str) {
    let (micro, key) = taxed_reseller(api, &format!("Micro {tag}"), "AAPCK1234L", "27").await;
    let profile = json!({"pan": "AAPCK1234L", "gstin": crate::applications::gstin_in("27", "AAPCK1234L"),
        "legal_name": "Micro Works Pvt Ltd", "msme": {"udyam": "UDYAM-MH-26-0012345", "class": "micro"},
        "bank": {"account_number": "50100123456789", "ifsc": "HDFC0001234", "account_name": "Micro Works Pvt Ltd"}});
    let (s, b) = api.put_as(&format!("/resellers/{micro}/tax"), &key, profile).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    worked_example_in_october(api, &micro, &format!("mi-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    assert_eq!(ticket(&oct, &micro)["due_by"], "2026-12-16");
    let listed = |view: &Value, list: &str| {
        view[list]
            .as_array()
            .is_some_and(|l| l.iter().any(|t| t["payee"] == micro.as_str()))
    };
    let (_, before) = api.admin_get("/payouts/msme?on=2026-12-08").await;
    assert!(!listed(&before, "due_soon"), "not yet within the week: {before}");
    let (_, soon) = api.admin_get("/payouts/msme?on=2026-12-10").await;
    assert!(listed(&soon, "due_soon") && !listed(&soon, "late"), "{soon}");
    let (_, late) = api.admin_get("/payouts/msme?on=2026-12-17").await;
    assert!(listed(&late, "late"), "{late}");
    assert_eq!(
        api.get_as("/payouts/msme", Some(&key)).await.0,
        StatusCode::FORBIDDEN,
        "finance's list"
    );
}

/// A payee that e-invoices is settled only with its IRN, which the ticket then shows.
pub async fn an_einvoicing_payee_needs_its_irn(api: &Api, tag: &str) {
    let (e, key) = taxed_reseller(api, &format!("EInvoice {tag}"), "AAPCK1234L", "27").await;
    let profile = json!({"pan": "AAPCK1234L", "gstin": crate::applications::gstin_in("27", "AAPCK1234L"),
        "legal_name": "EInvoice Pvt Ltd", "einvoice_required": true,
        "bank": {"account_number": "50100123456789", "ifsc": "HDFC0001234", "account_name": "EInvoice Pvt Ltd"}});
    let (s, b) = api.put_as(&format!("/resellers/{e}/tax"), &key, profile).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    worked_example_in_october(api, &e, &format!("ei-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    api.set_clock("2026-11-04T12:00:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let t = ticket(&oct, &e);
    let reference = t["payment"]["reference"].as_str().expect("reference").to_string();
    let net = t["lines"][0]["net_payable"].as_str().expect("net").to_string();
    let utr = format!("UTRE{}", tag.to_uppercase());
    let settle = |extra: Value| {
        let mut line =
            json!({"reference": reference, "utr": utr, "paid_at": "2026-11-03T11:00:00+05:30", "amount": net});
        if let (Some(l), Some(x)) = (line.as_object_mut(), extra.as_object()) {
            l.extend(x.clone());
        }
        api.admin_post("/payouts/2026-10/settlements", json!([line]))
    };
    let (s, refused) = settle(json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["results"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .starts_with("irn is required"),
        "{refused}"
    );
    // a malformed IRN is named
    let (s, bad) = settle(json!({"irn": "xyz", "ack_no": "112010036563310", "ack_date": "2026-11-02"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["results"][0]["reason"].as_str().unwrap_or("").contains("irn"),
        "{bad}"
    );
    let irn = "a5c12dca80e743321740b001fd70953e8738d109865d28ba4013750f2046f229";
    let (s, ok) = settle(json!({"irn": irn, "ack_no": "112010036563310", "ack_date": "2026-11-02"})).await;
    assert_eq!((s, ok["applied"].as_u64()), (StatusCode::OK, Some(1)), "{ok}");
    let (_, mine) = api.get_as(&format!("/resellers/{e}/payouts"), Some(&key)).await;
    assert_eq!(mine["payouts"][0]["einvoice"]["irn"], irn);
    assert_eq!(mine["payouts"][0]["payment"]["status"], "paid");
}

/// Bad input is named and nothing is stored: a country that does not exist, a TRC already
/// expired, a Udyam number of the wrong shape, an IRN of the wrong length or alphabet, a zero
/// or negative rate, a table without its base.
pub async fn bad_tax_input_is_named(api: &Api, tag: &str) {
    let (r, key) = api.reseller(&format!("Bad Tax {tag}"), &["IN"], &[], "gold", 10).await;
    for (body, field) in [
        (json!({"residency": "non_resident", "country": "ZZ"}), "country"),
        (
            json!({"residency": "non_resident", "country": "AE", "trc_valid_until": "2025-03-31"}),
            "trc_valid_until",
        ),
        (
            json!({"msme": {"udyam": "UDYAM-MH-2-0012345", "class": "micro"}}),
            "msme.udyam",
        ),
        (json!({"residency": "abroad"}), "residency"),
    ] {
        let (s, b) = api.put_as(&format!("/resellers/{r}/tax"), &key, body).await;
        assert_eq!(
            (s, b["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{b}"
        );
    }
    let (_, me) = api.admin_get(&format!("/resellers/{r}")).await;
    assert!(me["tax"].is_null(), "nothing stored: {me}");
    for (body, field) in [
        (json!({"base": "INR", "rates": {"USD": "0"}}), "rates.USD"),
        (json!({"base": "INR", "rates": {"USD": "-0.01"}}), "rates.USD"),
        (json!({"rates": {"USD": "0.01187"}}), "base"),
        (json!({"base": "INR", "rates": {"XYZ": "1"}}), "rates.XYZ"),
    ] {
        let (s, b) = api.put_as("/fx-rates/2026-12-01", crate::ADMIN_KEY, body).await;
        assert_eq!(
            (s, b["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{b}"
        );
    }
    assert_eq!(
        api.admin_get("/fx-rates/2026-12-01").await.0,
        StatusCode::NOT_FOUND,
        "nothing stored"
    );
    let (s, b) = api
        .put_as(
            "/fx-rates/2026-13-01",
            crate::ADMIN_KEY,
            json!({"base": "INR", "rates": {"USD": "1"}}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("date"))
    );
    // a published table as CSV, with a formula cell: refused
    let res = api
        .http
        .put(format!("{}/fx-rates/2026-12-02", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .header("content-type", "text/csv")
        .body("currency,rate\nUSD,0.01187\n=HYPERLINK(\"x\"),1\n")
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = api
        .http
        .put(format!("{}/fx-rates/2026-12-02", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .header("content-type", "text/csv")
        .body("currency,rate\nUSD,0.01187\nAED,0.04415\n")
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, day) = api.admin_get("/fx-rates/2026-12-02").await;
    assert_eq!(day["rates"]["AED"], "0.04415");
}

/// With `payout.bank_file` set to RazorpayX, the batch file follows RazorpayX's bulk-payout
/// template (the platform's account, the amount in rupees, the payee's bank, the payout's
/// reference and batch), and RazorpayX's payout report settles the rows it processed — a row it
/// did not process is named and the payout stays payable.
pub async fn razorpayx_round_trip(api: &Api, tag: &str) {
    let (a, _) = taxed_reseller(api, &format!("RazorX A {tag}"), "AAPCK1234L", "27").await;
    let (b, _) = taxed_reseller(api, &format!("RazorX B {tag}"), "AAPCK1234L", "27").await;
    worked_example_in_october(api, &a, &format!("ra-{tag}")).await;
    worked_example_in_october(api, &b, &format!("rb-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    api.set_clock("2026-11-04T12:00:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let of = |payee: &str| {
        let t = ticket(&oct, payee);
        let reference = t["payment"]["reference"].as_str().expect("reference").to_string();
        let net = t["lines"][0]["net_payable"].as_str().expect("net").to_string();
        (reference, net)
    };
    let ((ref_a, net_a), (ref_b, net_b)) = (of(&a), of(&b));
    // 2,90,000 + 18% GST − 2% TDS, worked out here
    assert_eq!(net_a, "336400.00");

    let res = api
        .http
        .get(format!("{}/payouts/2026-10/bank-file", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .send()
        .await
        .expect("bank file");
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(disposition.contains("bank-2026-10-20261104.csv"), "{disposition}");
    let file = res.text().await.expect("csv");
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(header[0], "RazorpayX Account Number");
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let row_a = rows
        .iter()
        .find(|r| r.get(col("Payout Reference Id")) == Some(ref_a.as_str()))
        .unwrap_or_else(|| panic!("no row for {ref_a} in {file}"));
    let cell = |name: &str| row_a.get(col(name)).unwrap_or("").to_string();
    assert_eq!(cell("RazorpayX Account Number"), "7878780080316316");
    assert_eq!(cell("Payout Amount"), net_a);
    assert_eq!(cell("Payout Currency"), "INR");
    assert_eq!(cell("Fund Account Number"), "50100123456789");
    assert_eq!(cell("Fund Account Ifsc"), "HDFC0001234");
    assert_eq!(cell("notes[batch]"), "2026-10-20261104");
    assert!(rows
        .iter()
        .any(|r| r.get(col("Payout Reference Id")) == Some(ref_b.as_str())));

    // RazorpayX's report: A processed, B reversed by the bank
    let report = format!(
        "Payout Id,Reference Id,Amount,Currency,Status,UTR,Processed At\n\
         pout_A1,{ref_a},\"{}\",INR,processed,UTRX{tag}A,2026-11-03 11:00:00\n\
         pout_B1,{ref_b},{net_b},INR,reversed,UTRX{tag}B,2026-11-03 11:00:00\n",
        indian(&net_a)
    );
    let res = api
        .http
        .post(format!("{}/payouts/2026-10/settlements", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .header("content-type", "text/csv")
        .body(report)
        .send()
        .await
        .expect("report");
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["applied"], 1, "{body}");
    assert!(body.to_string().contains("reversed"), "{body}");
    let (_, after) = api.admin_get("/payouts/2026-10").await;
    assert_eq!(ticket(&after, &a)["payment"]["status"], "paid");
    assert_eq!(ticket(&after, &b)["payment"]["status"], "payable");
}

/// "336400.00" → "3,36,400.00", as a spreadsheet export writes it.
fn indian(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, "00"));
    let (head, last3) = int.split_at(int.len().saturating_sub(3));
    let mut groups: Vec<String> = head
        .as_bytes()
        .rchunks(2)
        .rev()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    groups.push(last3.to_string());
    format!("{}.{frac}", groups.join(",").trim_start_matches(','))
}
