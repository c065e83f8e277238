//! Reseller applications over HTTP (issue 13): apply, review, approve with terms into a working
//! reseller, reject politely and once; forms, the honeypot and rate limits. Shared by both
//! stacks; `mail` reads back what a stack sent to an address.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

/// A valid GSTIN for `pan` in Maharashtra (27), its check character computed.
fn gstin_for(pan: &str) -> String {
    gstin_in("27", pan)
}

/// A valid GSTIN for `pan` in a state, its check character computed.
pub fn gstin_in(state: &str, pan: &str) -> String {
    let first14 = format!("{state}{pan}1Z");
    let check = shared::domain::tax_id::gstin_check_char(&first14).expect("check");
    format!("{first14}{check}")
}

pub fn application(company: &str, domain: &str, email: &str) -> Value {
    json!({
        "company": {"name": company, "website": format!("https://www.{domain}/"), "pan": "AAPCK1234L", "gstin": gstin_for("AAPCK1234L")},
        "contact": {"name": "Asha Rao", "email": email, "phone": "+91 98200 00000"},
        "regions": ["IN-MH"], "industries": ["manufacturing"], "languages": ["English", "Marathi"],
        "expected_annual_revenue": "2500000.00", "products": ["ERP"], "message": "We implement ERP for 40 SMEs a year."
    })
}

impl Api {
    pub async fn apply(&self, body: Value) -> (StatusCode, Value) {
        self.post_json("/reseller-applications", body).await
    }
}

/// Apply → approve as gold (channel price fixed): the key reads its own profile, the referral
/// code redirects, a matching lead is routed to the new reseller; the same domain cannot apply
/// again; deciding twice is refused.
pub async fn apply_and_approve<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let domain = format!("kalyani-erp-{tag}.in");
    let email = format!("asha@{domain}");
    let sku = api.product("ERP-CH", "licence", "1000000.00", "20").await;
    let (s, b) = api.apply(application("Kalyani ERP Partners", &domain, &email)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["application_id"].as_str().expect("id").to_string();
    let received = mail(email.clone()).await;
    assert!(
        received
            .iter()
            .any(|m| m.subject.contains("received") && m.text.contains(&id)),
        "{received:?}"
    );
    // the same company domain, another contact: refused while pending
    let (s, b) = api
        .apply(application("Kalyani ERP", &domain, &format!("ravi@{domain}")))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");

    let (s, queue) = api.admin_get("/reseller-applications?status=pending").await;
    assert_eq!(s, StatusCode::OK);
    let listed = queue["applications"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["application_id"] == id.as_str()))
        .expect("pending");
    assert_eq!(listed["company"]["domain"], domain.as_str());
    assert_eq!(
        api.get_as("/reseller-applications", None).await.0,
        StatusCode::UNAUTHORIZED
    );

    // terms outside SPEC §6 are named and nothing is decided
    let approve = format!("/reseller-applications/{id}/approve");
    let (s, b) = api
        .admin_post(&approve, json!({"tier": "gold", "rates": {"amc_renewal": "0.2"}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "rates.amc_renewal");
    let (s, b) = api
        .admin_post(
            &approve,
            json!({"tier": "gold", "channel_prices": [{"sku": "NOPE-SKU", "price": "1.00"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    let (s, ok) = api
        .admin_post(
            &approve,
            json!({"tier": "gold", "rates": {"amc_first_year": "0.22"}, "channel_prices": [{"sku": sku, "price": "900000.00"}], "may_change_channel_price": false,
                   "payout": {"currency": "INR", "threshold": "1000.00"}, "capacity": 25, "terms_note": "two-year term, West region"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["application"]["status"], "approved");
    let reseller = &ok["reseller"];
    let (rid, key, code) = (
        reseller["reseller_id"].as_str().expect("id").to_string(),
        reseller["api_key"].as_str().expect("key, once").to_string(),
        reseller["referral_code"].as_str().expect("code").to_string(),
    );
    assert_eq!(
        (reseller["tier"].as_str(), reseller["capacity"].as_u64()),
        (Some("gold"), Some(25))
    );
    assert_eq!(reseller["terms"]["may_change_channel_price"], false);
    assert_eq!(reseller["terms"]["rates"]["amc_first_year"], "0.22");
    assert_eq!(reseller["terms"]["channel_prices"][0]["price"], "900000.00");
    assert_eq!(ok["application"]["reseller_id"], rid.as_str());
    // once
    assert_eq!(api.admin_post(&approve, json!({})).await.0, StatusCode::CONFLICT);
    assert_eq!(
        api.admin_post(
            &format!("/reseller-applications/{id}/reject"),
            json!({"reason": "late"})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let welcome = mail(email.clone()).await;
    assert!(
        welcome
            .iter()
            .any(|m| m.subject.contains("Welcome") && m.text.contains(&code)),
        "{welcome:?}"
    );
    assert!(
        welcome.iter().all(|m| !m.text.contains(&key)),
        "the key is never mailed"
    );

    // the new reseller works: its key, its referral link, its leads
    let (s, me) = api.get_as(&format!("/resellers/{rid}"), Some(&key)).await;
    assert_eq!(
        (s, me["company_domain"].as_str()),
        (StatusCode::OK, Some(domain.as_str()))
    );
    assert!(me.get("api_key").is_none());
    api.click(&code).await;
    let (s, b) = api
        .post_json(
            "/leads",
            json!({"email": format!("md@pune-forge-{tag}.in"), "company": "Pune Forge", "title": "MD", "country": "IN", "state": "Maharashtra", "industry": "manufacturing", "budget": "10 lakh", "timeline": "this quarter"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    api.drain().await;
    let lead = b["lead_id"].as_str().expect("lead");
    let (_, l) = api.get_as(&format!("/leads/{lead}"), Some(&key)).await;
    assert_eq!(l["owner_reseller_id"], rid.as_str(), "{l}");
    // the domain is the reseller's now
    let (s, _) = api
        .apply(application("Kalyani Again", &domain, &format!("new@{domain}")))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    rotate_keys(api, &rid, &key).await;
}

/// A second key works beside the first; the list shows prefixes and last use, never a key;
/// revoking the first stops it at once.
async fn rotate_keys(api: &Api, rid: &str, old_key: &str) {
    let keys = format!("/resellers/{rid}/keys");
    let (s, issued) = api.post_as(&keys, Some(old_key), json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let new_key = issued["api_key"].as_str().expect("new key").to_string();
    assert_ne!(new_key, old_key);
    for k in [old_key, new_key.as_str()] {
        assert_eq!(
            api.get_as(&format!("/resellers/{rid}"), Some(k)).await.0,
            StatusCode::OK
        );
    }
    let (s, list) = api.get_as(&keys, Some(&new_key)).await;
    assert_eq!(s, StatusCode::OK);
    let listed = list["keys"].as_array().expect("keys");
    assert_eq!(listed.len(), 2, "{list}");
    assert!(
        !list.to_string().contains(old_key) && !list.to_string().contains(&new_key),
        "never in full"
    );
    let old = listed
        .iter()
        .find(|k| old_key.starts_with(k["prefix"].as_str().unwrap_or("-")))
        .expect("the first key, by its prefix");
    assert!(old["last_used_at"].is_string(), "{old}");
    let old_id = old["key_id"].as_str().expect("id").to_string();
    let (_, other_key) = api.reseller("Key Stranger", &["US"], &["retail"], "silver", 5).await;
    assert_eq!(api.get_as(&keys, Some(&other_key)).await.0, StatusCode::FORBIDDEN);
    let delete = |key: String, id: String| {
        let url = format!("{}/resellers/{rid}/keys/{id}", api.base);
        async move {
            api.http
                .delete(url)
                .bearer_auth(key)
                .send()
                .await
                .expect("delete")
                .status()
        }
    };
    assert_eq!(delete(other_key.clone(), old_id.clone()).await, StatusCode::FORBIDDEN);
    assert_eq!(delete(new_key.clone(), old_id.clone()).await, StatusCode::NO_CONTENT);
    assert_eq!(
        api.get_as(&format!("/resellers/{rid}"), Some(old_key)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.get_as(&format!("/resellers/{rid}"), Some(&new_key)).await.0,
        StatusCode::OK
    );
    assert_eq!(delete(new_key.clone(), old_id).await, StatusCode::NOT_FOUND);
}

/// A rejected application gets one polite email, cannot be approved afterwards, and its domain
/// may apply again.
pub async fn reject_once<F, Fut>(api: &Api, tag: &str, mail: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let domain = format!("tiny-traders-{tag}.in");
    let email = format!("owner@{domain}");
    let (s, b) = api.apply(application("Tiny Traders", &domain, &email)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["application_id"].as_str().expect("id").to_string();
    let reject = format!("/reseller-applications/{id}/reject");
    assert_eq!(
        api.admin_post(&reject, json!({})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let (s, r) = api.admin_post(&reject, json!({"reason": "no ERP practice yet"})).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("rejected")), "{r}");
    assert_eq!(r["decision"]["note"], "no ERP practice yet");
    assert_eq!(
        api.admin_post(&reject, json!({"reason": "again"})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        api.admin_post(&format!("/reseller-applications/{id}/approve"), json!({"tier": "gold"}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let mails = mail(email.clone()).await;
    let rejections: Vec<_> = mails
        .iter()
        .filter(|m| m.subject == "Your reseller application")
        .collect();
    assert_eq!(rejections.len(), 1, "{mails:?}");
    assert!(rejections[0].text.contains("unable to offer") && !rejections[0].text.contains("no ERP practice"));
    let (_, listed) = api.admin_get("/reseller-applications?status=rejected").await;
    assert!(listed["applications"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x["application_id"] == id.as_str())));
    assert_eq!(
        api.admin_get("/reseller-applications/NOPE").await.0,
        StatusCode::NOT_FOUND
    );
    // the domain is free again
    let (s, b) = api.apply(application("Tiny Traders", &domain, &email)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

/// Bad input is named, forms redirect, the honeypot stores spam silently, and each client
/// address and email domain is limited per hour (`429` with `Retry-After`).
pub async fn forms_honeypot_and_rate_limits(api: &Api, tag: &str) {
    api.set_clock("2026-11-02T10:00:00+05:30").await;
    // not counted: refused before anything is read
    let res = api
        .http
        .post(format!("{}/reseller-applications", api.base))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // 1: invalid fields, each named
    let (s, b) = api
        .apply(json!({"company": {"name": "X", "gstin": "27AAPCK1234L1Z0"}, "contact": {"name": "", "email": "x@gmail.com"}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["contact.name", "company.domain", "company.gstin"], "{b}");
    // 2: a browser form, flat fields → the thank-you page
    let form = |extra: &str| {
        format!("company_name=Deccan+Systems&company_domain=deccan-{tag}{extra}.in&contact_name=Meera&contact_email=meera%40deccan-{tag}{extra}.in&regions=IN-KA%2C+IN-MH")
    };
    let res = api
        .http
        .post(format!("{}/reseller-applications", api.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(form(""))
        .send()
        .await
        .expect("form");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap_or("")
        .contains("/_local/thanks"));
    // 3: the same form again → the error page, saying why
    let res = api
        .http
        .post(format!("{}/reseller-applications", api.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(form(""))
        .send()
        .await
        .expect("form");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap_or("").to_string();
    assert!(
        location.contains("/_local/form-error") && location.contains("pending"),
        "{location}"
    );
    // 4: the honeypot: 201, kept as spam, never in the review queue
    let mut trap = application("Bot Co", &format!("bot-{tag}.in"), &format!("bot@bot-{tag}.in"));
    trap["website"] = json!("http://buy-now.example");
    let (s, b) = api.apply(trap).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, pending) = api.admin_get("/reseller-applications").await;
    assert!(pending["applications"]
        .as_array()
        .is_some_and(|a| a.iter().all(|x| x["application_id"] != b["application_id"])));
    let (_, spam) = api.admin_get("/reseller-applications?status=spam").await;
    assert_eq!(spam["applications"].as_array().map(Vec::len), Some(1));
    // 5: fine; 6: this address's sixth in the hour
    let (s, _) = api
        .apply(application(
            "Five Co",
            &format!("five-{tag}.in"),
            &format!("a@five-{tag}.in"),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let res = api
        .http
        .post(format!("{}/reseller-applications", api.base))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&application(
            "Six Co",
            &format!("six-{tag}.in"),
            &format!("a@six-{tag}.in"),
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For changes nothing"
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 0 && retry <= 3600, "{retry}");
    // the next hour: one email domain may send three
    api.set_clock("2026-11-02T11:00:00+05:30").await;
    for n in 0..3 {
        let (s, b) = api
            .apply(application(
                &format!("Agency Client {n}"),
                &format!("client{n}-{tag}.in"),
                &format!("desk{n}@agency-{tag}.in"),
            ))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}: {b}");
    }
    let (s, b) = api
        .apply(application(
            "Agency Client 3",
            &format!("client3-{tag}.in"),
            &format!("desk3@agency-{tag}.in"),
        ))
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    assert!(b["message"].as_str().unwrap_or("").contains("email domain"), "{b}");
}

/// Suspended: no new leads. Deactivated with open leads: they are re-routed (audited), its key
/// gets `401`, its ledger and payouts stay readable by the admin, and the next payout still
/// pays what it earned. The reseller list exports as formula-safe CSV.
pub async fn suspension_and_deactivation(api: &Api) {
    let (a, a_key) = api.reseller("Leaving Partner", &["IN"], &[], "gold", 10).await;
    // earned before leaving: a deal paid in September
    let won = api.scored_lead("won@leaving-partner-customer.in").await;
    let order_id = crate::unique("ORD-LEAVE");
    assert_eq!(
        api.signed(
            "/billing/orders",
            &crate::billing::order(&order_id, &won, &a, "1000000.00", "200000.00")
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    let pay = crate::billing::payment(
        &crate::unique("PAY-LEAVE"),
        &order_id,
        "licence",
        "1000000.00",
        "2026-09-10T10:00:00+05:30",
    );
    assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let open = api.scored_lead("open@leaving-partner-prospect.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{open}")).await;
    assert_eq!(l["owner_reseller_id"], a.as_str());
    let (b, _) = api.reseller("Staying Partner", &["IN"], &[], "registered", 10).await;

    let path = |what: &str| format!("/resellers/{a}/{what}");
    assert_eq!(
        api.admin_post(&path("suspend"), json!({})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason"
    );
    assert_eq!(
        api.post_as(&path("suspend"), Some(&a_key), json!({"reason": "me"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, r) = api
        .admin_post(&path("suspend"), json!({"reason": "KYC documents expired"}))
        .await;
    assert_eq!(
        (s, r["reseller"]["status"].as_str()),
        (StatusCode::OK, Some("suspended")),
        "{r}"
    );
    assert_eq!(
        api.admin_post(&path("suspend"), json!({"reason": "again"})).await.0,
        StatusCode::CONFLICT
    );
    let new = api.scored_lead("new@while-suspended.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{new}")).await;
    assert_eq!(
        l["owner_reseller_id"],
        b.as_str(),
        "a suspended reseller gets no new leads"
    );
    let (_, l) = api.admin_get(&format!("/leads/{open}")).await;
    assert_eq!(l["owner_reseller_id"], a.as_str(), "and keeps its own");
    let (s, r) = api
        .admin_post(&path("reactivate"), json!({"reason": "KYC renewed"}))
        .await;
    assert_eq!((s, r["reseller"]["status"].as_str()), (StatusCode::OK, Some("active")));

    let (s, d) = api
        .admin_post(&path("deactivate"), json!({"reason": "left the programme"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["reseller"]["status"], "deactivated");
    let done = &d["deactivation"];
    assert_eq!(
        (done["rerouted"].as_u64(), done["keys_revoked"].as_u64()),
        (Some(1), Some(1)),
        "{d}"
    );
    let history: Vec<&str> = d["reseller"]["status_history"]
        .as_array()
        .map(|h| h.iter().filter_map(|c| c["reason"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(history, ["KYC documents expired", "KYC renewed", "left the programme"]);
    let (_, l) = api.admin_get(&format!("/leads/{open}")).await;
    assert_eq!(l["owner_reseller_id"], b.as_str(), "{l}");
    assert!(l["audit"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["action"] == "lead.rerouted")));
    let (_, w) = api.admin_get(&format!("/leads/{won}")).await;
    assert_eq!(w["owner_reseller_id"], a.as_str(), "a won deal stays its own");
    assert_eq!(
        api.get_as(&format!("/resellers/{a}"), Some(&a_key)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.admin_post(&path("reactivate"), json!({"reason": "x"})).await.0,
        StatusCode::CONFLICT
    );
    // its history stays readable, and what it earned is paid
    let ledger = api.ledger(&a, "2026-09").await;
    assert_eq!(ledger["totals"]["licence"], "250000.00", "{ledger}");
    api.run_job("monthly-payout", "2026-10-01T09:00:00+05:30").await;
    api.drain().await;
    let (_, sept) = api.admin_get("/payouts/2026-09").await;
    let paid = sept["payouts"]
        .as_array()
        .and_then(|p| p.iter().find(|t| t["payee"] == a.as_str()))
        .unwrap_or_else(|| panic!("no payout for the deactivated reseller: {sept}"));
    // paid gross; without a PAN on file, net of 20% TDS (issue 15)
    assert_eq!(paid["lines"][0]["gross_payable"], "250000.00", "{paid}");
    assert_eq!(paid["lines"][0]["net_payable"], "200000.00", "{paid}");

    // the list, and its CSV
    let (_, gone) = api.admin_get("/resellers?status=deactivated").await;
    assert_eq!(gone["resellers"].as_array().map(Vec::len), Some(1));
    let (s, b) = api
        .admin_post(
            "/resellers",
            json!({"name": "=HYPERLINK(\"http://x\")", "email": "formula@resellers.example", "regions": ["IN"], "tier": "registered", "capacity": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let res = api
        .http
        .get(format!("{}/resellers?format=csv", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .send()
        .await
        .expect("csv");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/csv"));
    let text = res.text().await.expect("text");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let names: Vec<String> = rows
        .records()
        .map(|r| r.expect("row").get(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(names.len(), 3, "{text}");
    assert!(names.contains(&"'=HYPERLINK(\"http://x\")".to_string()), "{names:?}");
    assert!(text.starts_with("reseller_id,name,email,status"));
}

/// Three levels of resellers: each proposes the next (approved by the admin under its
/// proposer), a fourth level is refused; the third level's deal earns it its commission and
/// each ancestor its override entry; a parent reads its children's month, never their leads.
pub async fn sub_resellers_three_levels(api: &Api, tag: &str) {
    let (top, top_key) = api.reseller("Level One", &["US"], &["retail"], "gold", 10).await;
    let (_, stranger_key) = api.reseller("Level Stranger", &["US"], &["retail"], "gold", 10).await;
    let propose = |parent: &str, key: &str, n: u32| {
        let path = format!("/resellers/{parent}/sub-reseller-applications");
        let body = application(
            &format!("Level {n} Systems"),
            &format!("level{n}-{tag}.in"),
            &format!("owner@level{n}-{tag}.in"),
        );
        let key = key.to_string();
        async move { api.post_as(&path, Some(&key), body).await }
    };
    let approve = |id: String| async move {
        let (s, b) = api
            .admin_post(
                &format!("/reseller-applications/{id}/approve"),
                json!({"tier": "registered"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        (
            b["reseller"]["reseller_id"].as_str().expect("id").to_string(),
            b["reseller"]["api_key"].as_str().expect("key").to_string(),
        )
    };
    assert_eq!(propose(&top, &stranger_key, 2).await.0, StatusCode::FORBIDDEN);
    let (s, p2) = propose(&top, &top_key, 2).await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    assert_eq!(
        (
            p2["application"]["status"].as_str(),
            p2["application"]["proposed_parent"].as_str()
        ),
        (Some("pending"), Some(top.as_str()))
    );
    let (second, second_key) = approve(p2["application"]["application_id"].as_str().expect("id").to_string()).await;
    let (s, p3) = propose(&second, &second_key, 3).await;
    assert_eq!(s, StatusCode::CREATED, "{p3}");
    let (third, third_key) = approve(p3["application"]["application_id"].as_str().expect("id").to_string()).await;
    let (_, me) = api.get_as(&format!("/resellers/{third}"), Some(&third_key)).await;
    assert_eq!(me["terms"]["parent_reseller_id"], second.as_str());
    // a fourth level is too deep
    let (s, b) = propose(&third, &third_key, 4).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["errors"][0]["message"].as_str().unwrap_or("").contains("limit is 3"),
        "{b}"
    );

    // the third level closes a ₹10,00,000 licence deal
    let lead = api.lead_of(&third, &format!("buyer@level-customer-{tag}.in")).await;
    let order_id = crate::unique("ORD-LVL");
    let mut o = crate::billing::order(&order_id, &lead, &third, "1000000.00", "1.00");
    o["lines"] = json!([{"kind": "licence", "product": "ERP", "amount": "1000000.00"}]);
    assert_eq!(api.signed("/billing/orders", &o).await.0, StatusCode::ACCEPTED);
    let pay = crate::billing::payment(
        &crate::unique("PAY-LVL"),
        &order_id,
        "licence",
        "1000000.00",
        "2026-10-05T10:00:00+05:30",
    );
    assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    for (who, component, amount) in [
        (&third, "licence", "250000.00"),
        (&second, "override", "12500.00"),
        (&top, "override", "12500.00"),
    ] {
        let ledger = api.ledger(who, "2026-10").await;
        assert_eq!(ledger["totals"][component], amount, "{who}: {ledger}");
    }
    // a parent reads its children's month (not its grandchildren, not their leads)
    let (s, kids) = api
        .get_as(
            &format!("/resellers/{second}/sub-resellers?month=2026-10"),
            Some(&second_key),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{kids}");
    let list = kids["sub_resellers"].as_array().expect("children");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["reseller_id"], third.as_str());
    assert_eq!(list[0]["totals"]["INR"]["licence"], "250000.00");
    assert!(!kids.to_string().contains("buyer@"), "never a lead's contact");
    let (_, top_kids) = api
        .get_as(&format!("/resellers/{top}/sub-resellers?month=2026-10"), Some(&top_key))
        .await;
    assert_eq!(top_kids["sub_resellers"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        api.get_as(&format!("/resellers/{second}/sub-resellers"), Some(&third_key))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.get_as(
            &format!("/resellers/{second}/sub-resellers?month=oct"),
            Some(&second_key)
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// A margin reseller buys at its channel price (₹10,00,000) and sells at its own (₹12,00,000):
/// its quote estimates and its ledger records one `margin` entry of ₹2,00,000, no licence
/// commission. Not allowed to change its channel price, it gets `422`; the admin may.
pub async fn margin_reseller(api: &Api, tag: &str) {
    let sku = api.product("ERP-MRG", "licence", "1200000.00", "0").await;
    let domain = format!("margin-{tag}.in");
    let (s, b) = api
        .apply(application("Margin Traders", &domain, &format!("md@{domain}")))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["application_id"].as_str().expect("id").to_string();
    let (s, ok) = api
        .admin_post(
            &format!("/reseller-applications/{id}/approve"),
            json!({"plan": {"kind": "margin"}, "tier": "silver", "channel_prices": [{"sku": sku, "price": "1000000.00"}], "may_change_channel_price": false}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    let rid = ok["reseller"]["reseller_id"].as_str().expect("id").to_string();
    let key = ok["reseller"]["api_key"].as_str().expect("key").to_string();
    let prices = format!("/resellers/{rid}/channel-prices");
    let (s, b) = api
        .put_as(
            &prices,
            &key,
            json!({"channel_prices": [{"sku": sku, "price": "800000.00"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "channel_prices");
    let (s, b) = api
        .put_as(
            &prices,
            crate::ADMIN_KEY,
            json!({"channel_prices": [{"sku": sku, "price": "1000000.00"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // its quote: the estimate is the margin
    let lead = api.scored_lead(&format!("buyer@margin-customer-{tag}.in")).await;
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    if l["owner_reseller_id"] != rid.as_str() {
        let (s, b) = api
            .admin_post(&format!("/leads/{lead}/assign"), json!({"reseller_id": rid}))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, q) = api.quote(&key, &lead, json!([{"sku": sku}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let e = &q["commission_estimate"];
    assert_eq!(e["licence"], "200000.00", "the margin, paid with the licence: {e}");
    assert!(
        e["parts"]
            .as_array()
            .is_some_and(|p| p.len() == 1 && p[0]["component"] == "margin"),
        "{e}"
    );

    // sold at ₹12,00,000: one margin entry of ₹2,00,000
    let order_id = crate::unique("ORD-MRG");
    let mut o = crate::billing::order(&order_id, &lead, &rid, "1200000.00", "1.00");
    o["lines"] = json!([{"kind": "licence", "product": sku, "amount": "1200000.00"}]);
    let (s, b) = api.signed("/billing/orders", &o).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let pay = crate::billing::payment(
        &crate::unique("PAY-MRG"),
        &order_id,
        "licence",
        "1200000.00",
        "2026-10-05T10:00:00+05:30",
    );
    assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let ledger = api.ledger(&rid, "2026-10").await;
    let entries = ledger["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(
        (entries[0]["component"].as_str(), entries[0]["amount"].as_str()),
        (Some("margin"), Some("200000.00"))
    );
    let res = api
        .http
        .get(format!("{}/resellers/{rid}/ledger?month=2026-10&format=csv", api.base))
        .bearer_auth(&key)
        .send()
        .await
        .expect("ledger csv");
    let text = res.text().await.expect("csv");
    assert!(text.starts_with("earned_at,payee,component,currency,amount"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(",margin,INR,200000.00,"), "{text}");
    // a product without a channel price cannot be sold through it
    let mut unknown = crate::billing::order(&crate::unique("ORD-MRG"), &lead, &rid, "5000.00", "1.00");
    unknown["lines"] = json!([{"kind": "licence", "product": "UNPRICED", "amount": "5000.00"}]);
    let (s, b) = api.signed("/billing/orders", &unknown).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
}

/// `n` leads exported as CSV parse back to the same rows (page boundaries crossed), a company
/// name starting with `=` neutralised; a reseller's export holds only its own leads.
pub async fn lead_export(api: &Api, n: usize) {
    let (rid, key) = api
        .reseller("Export Partner", &["IN-KA"], &["retail"], "gold", 100_000)
        .await;
    api.reseller("Export Neighbour", &["IN-GJ"], &["retail"], "gold", 100_000)
        .await;
    let mut emails = std::collections::BTreeSet::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        let posts = chunk.iter().map(|i| {
            let company = if *i == 7 { "=SUM(1,2)".to_string() } else { format!("Company {i}, Pvt \"Ltd\"") };
            let state = if i % 2 == 0 { "Karnataka" } else { "Gujarat" };
            api.post_json(
                "/leads",
                json!({"email": format!("buyer{i}@export{i}.in"), "company": company, "country": "IN", "state": state, "title": "CFO"}),
            )
        });
        for (s, b) in futures::future::join_all(posts).await {
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        emails.extend(chunk.iter().map(|i| format!("buyer{i}@export{i}.in")));
        // scored a chunk at a time (the emulator is slow with many in flight)
        api.drain().await;
    }
    let export = |key: String| async move {
        let res = api
            .http
            .get(format!("{}/leads?format=csv", api.base))
            .bearer_auth(key)
            .send()
            .await
            .expect("export");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv"));
        let text = res.text().await.expect("csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        let rows: Vec<std::collections::HashMap<String, String>> = reader
            .records()
            .map(|r| {
                let r = r.expect("a well-formed row");
                header.iter().cloned().zip(r.iter().map(str::to_string)).collect()
            })
            .collect();
        rows
    };
    let all = export(crate::ADMIN_KEY.to_string()).await;
    assert_eq!(all.len(), n);
    let got: std::collections::BTreeSet<String> = all.iter().map(|r| r["email"].clone()).collect();
    assert_eq!(got, emails, "the same rows, none twice");
    let formula = all.iter().find(|r| r["email"] == "buyer7@export7.in").expect("row 7");
    assert_eq!(formula["company"], "'=SUM(1,2)");
    let quoted = all.iter().find(|r| r["email"] == "buyer3@export3.in").expect("row 3");
    assert_eq!(quoted["company"], "Company 3, Pvt \"Ltd\"");
    // a reseller: only its own (the Karnataka half)
    let own = export(key).await;
    assert_eq!(own.len(), n.div_ceil(2));
    assert!(own.iter().all(|r| r["owner_reseller_id"] == rid));
    assert_eq!(
        api.get_as("/leads?format=xlsx", Some(crate::ADMIN_KEY)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// Seed 001's reports: a reseller's month of revenue (by product and payment kind), commission
/// and leads, and its contracts' usage; an admin sees every reseller, a reseller itself.
pub async fn revenue_and_usage_reports(api: &Api) {
    let dec = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
            .unwrap_or_else(|| panic!("{v}"))
    };
    api.set_clock("2026-10-01T10:00:00+05:30").await;
    let (rid, key) = api.reseller("Report Partner", &["IN"], &[], "gold", 10).await;
    let (other, other_key) = api.reseller("Report Other", &["US"], &["retail"], "gold", 10).await;
    let lead = api.lead_of(&rid, "cfo@report-customer.in").await;
    let order_id = crate::unique("ORD-REP");
    assert_eq!(
        api.signed(
            "/billing/orders",
            &crate::billing::order(&order_id, &lead, &rid, "1000000.00", "200000.00")
        )
        .await
        .0,
        StatusCode::ACCEPTED
    );
    // the payments arrive once made
    api.set_clock("2026-10-06T10:00:00+05:30").await;
    for (kind, amount) in [("licence", "1000000.00"), ("amc", "200000.00")] {
        let pay = crate::billing::payment(
            &crate::unique("PAY-REP"),
            &order_id,
            kind,
            amount,
            "2026-10-05T10:00:00+05:30",
        );
        assert_eq!(api.signed("/billing/payments", &pay).await.0, StatusCode::ACCEPTED);
    }
    api.drain().await;
    let (s, b) = api
        .admin_post(
            &format!("/contracts/{order_id}/signals"),
            json!({"signal_id": "usage-1", "type": "usage", "active_users": 40, "licensed_users": 100, "at": "2026-10-20T10:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");

    let (s, all) = api.admin_get("/reports/revenue?month=2026-10").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let rows = all["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "every reseller: {all}");
    let row = rows.iter().find(|r| r["reseller_id"] == rid.as_str()).expect("its row");
    assert_eq!(row["orders"], 1);
    assert_eq!(
        dec(&row["revenue_by_product"]["INR"]["ERP Enterprise"]),
        "1000000".parse().expect("d")
    );
    assert_eq!(
        dec(&row["revenue_by_product"]["INR"]["ERP AMC year 1"]),
        "200000".parse().expect("d")
    );
    assert_eq!(
        dec(&row["revenue_by_component"]["INR"]["amc"]),
        "200000".parse().expect("d")
    );
    assert_eq!(dec(&row["commission"]["INR"]["licence"]), "250000".parse().expect("d"));
    assert_eq!(
        dec(&row["commission"]["INR"]["amc_first_year"]),
        "40000".parse().expect("d")
    );
    assert_eq!(
        (row["leads_received"].as_u64(), row["leads_converted"].as_u64()),
        (Some(1), Some(1))
    );
    // a reseller: its own row only
    let (_, own) = api.get_as("/reports/revenue?month=2026-10", Some(&other_key)).await;
    let own_rows = own["rows"].as_array().expect("rows");
    assert_eq!(
        (own_rows.len(), own_rows[0]["reseller_id"].as_str()),
        (1, Some(other.as_str()))
    );
    assert_eq!(own_rows[0]["orders"], 0);
    assert_eq!(
        api.get_as("/reports/revenue", Some(&key)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (s, usage) = api.get_as("/reports/usage?month=2027-10", Some(&key)).await;
    assert_eq!(s, StatusCode::OK, "{usage}");
    let u = &usage["rows"][0];
    assert_eq!(
        (u["contracts"].as_u64(), u["renewing"].as_u64()),
        (Some(1), Some(1)),
        "{usage}"
    );
    assert_eq!(
        (u["licensed_users"].as_u64(), u["active_users"].as_u64()),
        (Some(100), Some(40))
    );
    assert_eq!(dec(&u["utilisation"]), "0.4".parse().expect("d"));
}

/// The tax profile (issue 15, first part): checked field by field, audited without values,
/// masked for the reseller, in full for the admin.
pub async fn tax_profile(api: &Api) {
    let (rid, key) = api.reseller("Taxed Partner", &["IN"], &[], "gold", 10).await;
    let (_, other_key) = api.reseller("Taxed Other", &["US"], &["retail"], "gold", 10).await;
    let path = format!("/resellers/{rid}/tax");
    let profile = json!({"pan": "AAPCK1234L", "gstin": gstin_for("AAPCK1234L"), "legal_name": "Taxed Partner Pvt Ltd",
        "lower_deduction": {"certificate_number": "1111AA111A", "rate": "0.01", "valid_from": "2026-04-01", "valid_to": "2027-03-31", "limit": "500000.00"},
        "bank": {"account_number": "50100123456789", "ifsc": "HDFC0001234", "account_name": "Taxed Partner Pvt Ltd"}});
    let (s, b) = api
        .put_as(&path, &key, json!({"pan": "AAPCK1234L", "gstin": "27AAPCK1234L1Z0"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "gstin");
    let (s, b) = api
        .put_as(
            &path,
            &key,
            json!({"bank": {"account_number": "50100123456789", "ifsc": "HDFC1001234", "account_name": "X"}}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bank.ifsc"))
    );
    assert_eq!(
        api.put_as(&path, &other_key, profile.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, mine) = api.put_as(&path, &key, profile).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["tax"]["pan"], "XXXXXX234L");
    assert_eq!(mine["tax"]["bank"]["account_number"], "XXXXXXXXXX6789");
    assert_eq!(mine["tax"]["gst_state"], "27");
    assert!(!mine.to_string().contains("50100123456789") && !mine.to_string().contains("AAPCK1234L"));
    assert_eq!(
        mine["tax_changes"][0]["fields"],
        json!(["pan", "gstin", "legal_name", "pending_lower_deduction", "bank"])
    );
    assert!(
        mine["tax_changes"][0]["by"]
            .as_str()
            .is_some_and(|by| by.starts_with("user:")),
        "the change names the person who made it: {}",
        mine["tax_changes"]
    );
    // the reseller's own certificate waits for the staff
    assert!(mine["tax"]["lower_deduction"].is_null(), "{mine}");
    assert_eq!(
        mine["tax"]["pending_lower_deduction"]["certificate_number"],
        "1111AA111A"
    );
    let (_, read) = api.get_as(&format!("/resellers/{rid}"), Some(&key)).await;
    assert_eq!(read["tax"]["pan"], "XXXXXX234L");
    let (_, admin) = api.admin_get(&format!("/resellers/{rid}")).await;
    assert_eq!(admin["tax"]["pan"], "AAPCK1234L");
    assert_eq!(admin["tax"]["bank"]["account_number"], "50100123456789");
}
