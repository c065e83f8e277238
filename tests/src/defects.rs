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
    assert_eq!(recorded["tax"]["lower_deduction"]["recorded_by"], "admin");
    assert!(recorded["tax"]["pending_lower_deduction"].is_null());
    let (s, _) = api
        .admin_post(&format!("/resellers/{a}/tax/lower-deduction/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing waits any more");
    // sending the profile again changes nothing about the recorded certificate
    profile["lower_deduction"]["rate"] = json!("0.001");
    let (_, again) = api.put_as(&format!("/resellers/{a}/tax"), &a_key, profile).await;
    assert_eq!(again["tax"]["lower_deduction"]["rate"], "0");
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
        ("194H", "0", "A", "1111AA111A", "0.00")
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
