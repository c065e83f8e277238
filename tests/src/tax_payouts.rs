//! Tax-aware payouts over HTTP (issue 15), shared by both stacks: the worked example paid in
//! October with TDS and GST, the statement and its draft invoice, finance's CSV, the bank file,
//! settlements with UTRs, the reseller's invoice, 26Q rows and Form 16A data. Every expected
//! figure is computed here from the rule, not copied from the code.

use crate::applications::gstin_in;
use crate::flows::Api;
use crate::payouts::{csv_of, csv_row, deal, line, run_payout, FINANCE};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

fn d(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a decimal string"))
        .parse()
        .expect("decimal")
}

fn pct(p: i64) -> Decimal {
    Decimal::new(p, 2)
}

/// The worked example for `closer`: ₹10,00,000 licence and ₹2,00,000 AMC paid in October
/// → ₹2,90,000 of commission.
pub async fn worked_example_in_october(api: &Api, closer: &str, n: &str) {
    deal(api, closer, n, "INR", "1000000", "2026-10-05T10:00:00Z").await;
    let amc = json!({"payment_id": format!("PAY-PO-{n}-amc"), "order_id": format!("ORD-PO-{n}"), "kind": "amc",
        "amount": "200000", "currency": "INR", "paid_at": "2026-10-20T10:00:00Z"});
    assert_eq!(api.signed("/billing/payments", &amc).await.0, StatusCode::ACCEPTED);
    api.drain().await;
}

/// A reseller with a PAN, a GSTIN in `state` and a bank account.
pub async fn taxed_reseller(api: &Api, name: &str, pan: &str, state: &str) -> (String, String) {
    let (id, key) = api.reseller(name, &["IN"], &[], "gold", 10).await;
    let profile = json!({"pan": pan, "gstin": gstin_in(state, pan), "legal_name": format!("{name} Pvt Ltd"),
        "bank": {"account_number": "50100123456789", "ifsc": "HDFC0001234", "account_name": format!("{name} Pvt Ltd")}});
    let (s, b) = api.put_as(&format!("/resellers/{id}/tax"), &key, profile).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (id, key)
}

fn ticket<'a>(payouts: &'a Value, payee: &str) -> &'a Value {
    payouts["payouts"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["payee"] == payee))
        .unwrap_or_else(|| panic!("no ticket for {payee} in {payouts}"))
}

pub async fn tax_month<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (a, a_key) = taxed_reseller(api, &format!("Tax A {tag}"), "AAPCK1234L", "27").await;
    let (n, n_key) = api.reseller(&format!("Tax N {tag}"), &["IN"], &[], "gold", 10).await;
    worked_example_in_october(api, &a, &format!("ta-{tag}")).await;
    worked_example_in_october(api, &n, &format!("tn-{tag}")).await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (s, oct) = api.admin_get("/payouts/2026-10").await;
    assert_eq!(s, StatusCode::OK, "{oct}");

    // A: PAN and a GSTIN in Maharashtra, the platform in Maharashtra
    let gross = Decimal::from(290_000);
    let la = line(&oct, &a, "INR");
    assert_eq!(d(&la["gross_payable"]), gross);
    let gst = &la["tax"]["gst"];
    let half = gross * pct(18) / Decimal::TWO;
    assert_eq!(
        (d(&gst["cgst"]), d(&gst["sgst"]), d(&gst["igst"])),
        (half, half, Decimal::ZERO)
    );
    assert_eq!(half, Decimal::from(26_100));
    let tds = gross * pct(2);
    assert_eq!(d(&la["tax"]["tds_total"]), tds);
    // credited on 31 October 2026: the Income-tax Act, 2025
    assert_eq!(la["tax"]["tds"][0]["section"], "393(1) [Table: Sl. No. 1(ii)]");
    assert_eq!(la["tax"]["tds"][0]["code"], "1006");
    let net = gross + half + half - tds;
    assert_eq!(net, Decimal::from(336_400));
    assert_eq!(d(&la["net_payable"]), net);
    assert_eq!(la["tax"]["financial_year"], "2026-27");
    assert_eq!(d(&la["tax"]["year_after"]["credited"]), gross);
    let ta = ticket(&oct, &a);
    assert_eq!(ta["payment"]["status"], "payable");
    assert_eq!(ta["payee_tax"]["pan"], "AAPCK1234L", "the admin sees the PAN");
    let draft = &ta["invoice_draft"];
    assert_eq!(
        (draft["sac"].as_str(), d(&draft["total"])),
        (Some("996111"), gross + half + half)
    );
    assert_eq!(draft["recipient_gstin"], local_stack::DEMO_PLATFORM_GSTIN);

    // N: no PAN → 20% under section 206AA, reason C; not GST-registered → no GST
    let ln = line(&oct, &n, "INR");
    assert_eq!(d(&ln["tax"]["tds_total"]), gross * pct(20));
    assert_eq!(d(&ln["tax"]["tds_total"]), Decimal::from(58_000));
    assert_eq!(ln["tax"]["tds"][0]["reason"], "C");
    assert!(ln["tax"]["gst"].is_null());
    assert_eq!(d(&ln["net_payable"]), gross - gross * pct(20));
    assert!(ticket(&oct, &n)["invoice_draft"].is_null());
    assert_eq!(d(&oct["totals"]["INR"]), net + gross - gross * pct(20));

    // the statement shows the taxes and the draft invoice; finance's CSV has the columns
    let statements = sent_to(format!(
        "{}@resellers.example",
        format!("Tax A {tag}").to_lowercase().replace(' ', "")
    ))
    .await;
    let st = statements
        .iter()
        .find(|m| m.subject.contains("October 2026"))
        .expect("A's statement");
    for needle in [
        "₹3,36,400.00",
        "CGST 9%",
        "₹26,100.00",
        "TDS u/s 393(1) [Table: Sl. No. 1(ii)] (code 1006) at 2%",
        "Draft tax invoice",
        "996111",
    ] {
        assert!(st.text.contains(needle), "{needle} missing from {}", st.text);
    }
    let finance: Vec<SentMail> = sent_to(FINANCE.into())
        .await
        .into_iter()
        .filter(|m| m.subject.contains("October 2026"))
        .collect();
    let csv = csv_of(finance.last().expect("finance's email"));
    let row = csv_row(&csv, &a);
    let col = |name: &str| row.get(name).map(String::as_str).expect("column");
    assert_eq!(
        (
            col("cgst"),
            col("sgst"),
            col("tds"),
            col("tds_section"),
            col("net_payable")
        ),
        (
            "26100.00",
            "26100.00",
            "5800.00",
            "393(1) [Table: Sl. No. 1(ii)]",
            "336400.00"
        )
    );

    // the reseller sees its own ticket, PAN masked
    let (_, mine) = api.get_as(&format!("/resellers/{a}/payouts"), Some(&a_key)).await;
    let own = ticket(&mine, &a);
    assert_eq!(own["payee_tax"]["pan"], "XXXXXX234L");
    assert_eq!(
        api.get_as(&format!("/resellers/{a}/payouts"), Some(&n_key)).await.0,
        StatusCode::FORBIDDEN
    );

    // the bank file: A's transfer; N has no bank account and is listed as skipped
    let res = api
        .http
        .get(format!("{}/payouts/2026-10/bank-file", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .send()
        .await
        .expect("bank file");
    assert_eq!(res.status(), StatusCode::OK);
    let skipped = res
        .headers()
        .get("x-skipped-payouts")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(skipped.contains(&n), "{skipped}");
    let bank = res.text().await.expect("csv");
    let reference = own["payment"]["reference"].as_str().expect("reference").to_string();
    let a_row = bank
        .lines()
        .find(|l| l.contains(&reference))
        .expect("A in the bank file");
    assert!(
        a_row.starts_with(&format!(
            "NEFT,Tax A {tag} Pvt Ltd,50100123456789,HDFC0001234,336400.00,INR,"
        )),
        "{a_row}"
    );
    assert!(!bank.contains(&n), "{bank}");
    assert_eq!(
        api.get_as("/payouts/2026-10/bank-file", Some(&a_key)).await.0,
        StatusCode::FORBIDDEN
    );

    // settlements: A's right, N's amount wrong → N refused with its reason, A applied
    // (the bank's transfers are reported two days after the payout)
    api.set_clock("2026-11-03T12:00:00+05:30").await;
    let utr = format!("HDFCN{}", tag.to_uppercase().replace('-', ""));
    let file = json!([
        {"reference": reference, "utr": utr, "paid_at": "2026-11-03T11:00:00+05:30", "amount": "336400.00"},
        {"payout_id": format!("2026-10/{n}"), "utr": format!("{utr}X"), "paid_at": "2026-11-03T11:00:00+05:30", "amount": "290000.00"}
    ]);
    let (s, answer) = api.admin_post("/payouts/2026-10/settlements", file.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        (answer["applied"].as_u64(), answer["refused"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(answer["results"][1]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("does not match the net payable ₹2,32,000.00")));
    // bad input loses nothing: not JSON, malformed JSON, a bad month
    let raw = |ct: &'static str, body: &'static str, month: &'static str| {
        api.http
            .post(format!("{}/payouts/{month}/settlements", api.base))
            .bearer_auth(crate::ADMIN_KEY)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    assert_eq!(
        raw("text/plain", "[]", "2026-10").await.expect("post").status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        raw("application/json", "[{", "2026-10").await.expect("post").status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        raw("application/json", "[]", "2026-13").await.expect("post").status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // the same file again changes nothing
    let (_, again) = api.admin_post("/payouts/2026-10/settlements", file).await;
    assert_eq!(
        (again["applied"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{again}"
    );
    // the same UTR for another payout is refused
    let (s, reused) = api
        .admin_post(
            "/payouts/2026-10/settlements",
            json!({"settlements": [{"payout_id": format!("2026-10/{n}"), "utr": utr, "paid_at": "2026-11-03T11:00:00+05:30", "amount": "232000.00"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{reused}");
    assert!(reused["results"][0]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("already settled")));
    // the reseller sees it paid, with the UTR; the bank file no longer lists it
    let (_, mine) = api.get_as(&format!("/resellers/{a}/payouts"), Some(&a_key)).await;
    let own = ticket(&mine, &a);
    assert!(mine["cursor"].is_null(), "one page: {mine}");
    // a page of one month, then the rest from its cursor; a cursor it did not give is refused
    let (s, first) = api
        .get_as(&format!("/resellers/{a}/payouts?limit=1"), Some(&a_key))
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let mut months = vec![first["payouts"][0]["month"].clone()];
    let mut cursor = first["cursor"].as_str().map(str::to_string);
    while let Some(c) = cursor.take() {
        let (_, more) = api
            .get_as(&format!("/resellers/{a}/payouts?limit=1&cursor={c}"), Some(&a_key))
            .await;
        months.extend(
            more["payouts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|t| t["month"].clone()),
        );
        cursor = more["cursor"]
            .as_str()
            .map(str::to_string)
            .filter(|_| months.len() < 50);
    }
    let all: Vec<Value> = mine["payouts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| t["month"].clone())
        .collect();
    assert_eq!(months, all);
    let (s, _) = api
        .get_as(&format!("/resellers/{a}/payouts?cursor=not-a-cursor"), Some(&a_key))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        (
            own["payment"]["status"].as_str(),
            own["payment"]["settled"]["INR"]["utr"].as_str()
        ),
        (Some("paid"), Some(utr.as_str()))
    );
    let (_, _, bank) = api.get_text("/payouts/2026-10/bank-file", crate::ADMIN_KEY).await;
    assert!(!bank.contains(&reference));

    // the reseller records its invoice; N has no GST to invoice
    let invoice = json!({"number": "KE/26-27/041", "date": "2026-11-01"});
    let (s, rec) = api
        .post_as(&format!("/payouts/2026-10/{a}/invoice"), Some(&a_key), invoice.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    assert_eq!(rec["invoice"]["number"], "KE/26-27/041");
    assert_eq!(
        api.post_as(&format!("/payouts/2026-10/{a}/invoice"), Some(&a_key), invoice.clone())
            .await
            .0,
        StatusCode::OK
    );
    let (s, bad) = api
        .post_as(
            &format!("/payouts/2026-10/{a}/invoice"),
            Some(&a_key),
            json!({"number": "", "date": "yesterday"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (bad["errors"][0]["field"].as_str(), bad["errors"][1]["field"].as_str()),
        (Some("number"), Some("date"))
    );
    assert_eq!(
        api.post_as(
            &format!("/payouts/2026-10/{a}/invoice"),
            Some(&a_key),
            json!({"number": "OTHER-1", "date": "2026-11-01"})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        api.post_as(&format!("/payouts/2026-10/{n}/invoice"), Some(&n_key), invoice.clone())
            .await
            .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        api.post_as(&format!("/payouts/2026-10/{a}/invoice"), Some(&n_key), invoice)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // the residents' statement for October–December 2026 (Form 140 under the 2025 Act, still at
    // /tds/26q): one row per deduction, in date-of-credit order
    let (s, _, q) = api.get_text("/tds/26q?quarter=2026-Q3", crate::ADMIN_KEY).await;
    assert_eq!(s, StatusCode::OK);
    let header: Vec<&str> = q.lines().next().unwrap_or("").split(',').collect();
    let rows: Vec<Vec<&str>> = q
        .lines()
        .skip(1)
        .filter(|l| l.contains(&a) || l.contains(&n))
        .map(|l| l.split(',').collect())
        .collect();
    let cell = |r: &Vec<&str>, name: &str| r[header.iter().position(|h| *h == name).expect("column")].to_string();
    let of = |id: &str| {
        rows.iter()
            .find(|r| r.contains(&id))
            .unwrap_or_else(|| panic!("no 26Q row for {id} in {q}"))
    };
    let (ra, rn) = (of(&a), of(&n));
    assert_eq!(
        (
            cell(ra, "deductee_code"),
            cell(ra, "deductee_pan"),
            cell(ra, "section_code"),
            cell(ra, "date_of_payment_or_credit"),
            cell(ra, "amount_paid_or_credited"),
            cell(ra, "tds_rate_percent"),
            cell(ra, "tds"),
            cell(ra, "reason_code")
        ),
        (
            "01".into(),
            "AAPCK1234L".into(),
            "1006".into(),
            "31/10/2026".into(),
            "290000.00".into(),
            "2".into(),
            "5800.00".into(),
            "".into()
        )
    );
    assert_eq!(
        (
            cell(rn, "deductee_pan"),
            cell(rn, "tds_rate_percent"),
            cell(rn, "reason_code")
        ),
        ("PANNOTAVBL".into(), "20".into(), "C".into())
    );
    assert_eq!(
        api.get_as("/tds/26q?quarter=2026-Q5", Some(crate::ADMIN_KEY)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.get_as("/tds/26q?quarter=2026-Q3", Some(&a_key)).await.0,
        StatusCode::FORBIDDEN
    );
    // Form 16A data: a reseller sees its own certificate only
    let (s, certs) = api.get_as("/tds/certificates?quarter=2026-Q3", Some(&a_key)).await;
    assert_eq!(s, StatusCode::OK, "{certs}");
    let list = certs["certificates"].as_array().expect("certificates");
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0]["reseller_id"].as_str(), d(&list[0]["tds_total"])),
        (Some(a.as_str()), tds)
    );
    assert_eq!(
        api.get_as(
            &format!("/tds/certificates?quarter=2026-Q3&reseller_id={n}"),
            Some(&a_key)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    // a week after issue, N's unpaid ticket is listed for finance; A's (paid) is not
    let later = (chrono::Utc::now() + chrono::Duration::days(8)).to_rfc3339();
    api.set_clock(&later).await;
    let (s, overdue) = api.admin_get("/payouts/overdue").await;
    assert_eq!(s, StatusCode::OK, "{overdue}");
    let ids: Vec<&str> = overdue["payouts"]
        .as_array()
        .expect("payouts")
        .iter()
        .filter_map(|p| p["payee"].as_str())
        .collect();
    assert!(ids.contains(&n.as_str()) && !ids.contains(&a.as_str()), "{overdue}");
}

/// The platform in Karnataka and `HOLD_UNTIL_INVOICE`: IGST, and the payout waits for the
/// reseller's invoice (embedded stack started with those options).
pub async fn interstate_and_held(api: &Api) {
    let (a, a_key) = taxed_reseller(api, "Held Partner", "AAPCK1234L", "27").await;
    worked_example_in_october(api, &a, "held").await;
    run_payout(api, "2026-11-01T02:30:00+05:30").await;
    let (_, oct) = api.admin_get("/payouts/2026-10").await;
    let la = line(&oct, &a, "INR");
    let gross = Decimal::from(290_000);
    assert_eq!(d(&la["tax"]["gst"]["igst"]), gross * pct(18));
    assert_eq!(d(&la["tax"]["gst"]["igst"]), Decimal::from(52_200));
    assert_eq!(d(&la["tax"]["gst"]["cgst"]), Decimal::ZERO);
    assert_eq!(d(&la["net_payable"]), gross + gross * pct(18) - gross * pct(2));
    let t = ticket(&oct, &a);
    assert_eq!(t["payment"]["status"], "awaiting_invoice");
    let reference = t["payment"]["reference"].as_str().expect("reference").to_string();
    let (_, _, bank) = api.get_text("/payouts/2026-10/bank-file", crate::ADMIN_KEY).await;
    assert!(!bank.contains(&reference), "held: not in the bank file");
    api.set_clock("2026-11-04T12:00:00+05:30").await;
    let (s, held) = api
        .admin_post(
            "/payouts/2026-10/settlements",
            json!([{"reference": reference, "utr": "HDFCH0000001", "paid_at": "2026-11-03T11:00:00Z", "amount": "336400.00"}]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(held["results"][0]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("held")));
    let (s, rec) = api
        .post_as(
            &format!("/payouts/2026-10/{a}/invoice"),
            Some(&a_key),
            json!({"number": "INV-7", "date": "2026-11-01"}),
        )
        .await;
    assert_eq!(
        (s, rec["payment"]["status"].as_str()),
        (StatusCode::OK, Some("payable"))
    );
    let (_, _, bank) = api.get_text("/payouts/2026-10/bank-file", crate::ADMIN_KEY).await;
    assert!(bank.contains(&reference), "released: {bank}");
}
