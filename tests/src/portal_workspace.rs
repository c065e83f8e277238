//! The portal's remaining pages (issue 14) over HTTP: a reseller's deal registrations,
//! referral link, lead actions (log a call, co-sell, proposal), keys, brand and sub-resellers;
//! the admin's queue, conflicts, co-sell queue and resellers. Every form refused without the
//! session's CSRF token; every page another reseller's data refused.

use crate::flows::Api;
use crate::portal::{csrf_of, email_of, log_in, page, post_form, post_form_page};
use reqwest::StatusCode;
use serde_json::json;
use shared::adapters::embedded::SentMail;
use std::future::Future;

/// The page a form POST redirected to, as the session sees it.
async fn after(api: &Api, cookie: &str, posted: (StatusCode, String)) -> String {
    assert_eq!(posted.0, StatusCode::SEE_OTHER, "{}", posted.1);
    let (s, _, body) = page(api, Some(cookie), &posted.1).await;
    assert_eq!(s, StatusCode::OK, "{}", posted.1);
    body
}

pub async fn reseller_workspace<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let a_name = format!("Work A {tag}");
    let b_name = format!("Work B {tag}");
    let (a, a_key) = api.reseller(&a_name, &["IN"], &[], "gold", 10).await;
    let (b, _) = api.reseller(&b_name, &["IN"], &[], "gold", 10).await;
    let a_cookie = log_in(api, &sent_to, &email_of(&a_name)).await;
    let b_cookie = log_in(api, &sent_to, &email_of(&b_name)).await;

    // deal registration: refused without the token, registered with it, protected from B
    let (_, _, reg) = page(api, Some(&a_cookie), "/portal/registrations").await;
    let company = format!("Kaveri Mills {tag}");
    let domain = format!("kaveri-{tag}.in");
    let fields = |csrf: String| {
        vec![
            ("csrf".to_string(), csrf),
            ("company_name".to_string(), company.clone()),
            ("company_domain".to_string(), domain.clone()),
            ("contact_name".to_string(), "R. Iyer".to_string()),
            ("contact_email".to_string(), format!("iyer@{domain}")),
            ("expected_value".to_string(), "1200000.00".to_string()),
        ]
    };
    let as_refs = |f: &Vec<(String, String)>| -> Vec<(String, String)> { f.clone() };
    let post = |cookie: String, f: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        post_form(api, &cookie, "/portal/registrations", &pairs).await
    };
    let (s, _) = post(a_cookie.clone(), as_refs(&fields(String::new()))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, regs) = api.get_as("/registrations", Some(&a_key)).await;
    assert!(
        !regs.to_string().contains(&company),
        "nothing registered without the token"
    );
    let done = after(api, &a_cookie, post(a_cookie.clone(), fields(csrf_of(&reg))).await).await;
    assert!(done.contains(&format!("Registered {company}.")), "{done}");
    assert!(done.contains("₹12,00,000.00"), "{done}");
    let (_, regs) = api.get_as("/registrations", Some(&a_key)).await;
    assert!(regs.to_string().contains(&company), "{regs}");
    let (_, _, reg_b) = page(api, Some(&b_cookie), "/portal/registrations").await;
    assert!(!reg_b.contains(&company), "B does not see A's registrations");
    let refused = after(api, &b_cookie, post(b_cookie.clone(), fields(csrf_of(&reg_b))).await).await;
    assert!(refused.contains("registered by another reseller until"), "{refused}");

    // the referral link and its clicks, counted for this month
    let (_, me) = api.admin_get(&format!("/resellers/{a}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    api.click(&code).await;
    let (s, _, refs) = page(api, Some(&a_cookie), "/portal/referrals").await;
    assert_eq!(s, StatusCode::OK);
    // (minijinja escapes `/` in attribute values)
    assert!(refs.replace("&#x2f;", "/").contains(&format!("/r/{code}\"")), "{refs}");
    assert!(refs.contains("data-testid=\"clicks\">1<"), "{refs}");

    // the registration's lead: log a call, ask presales to co-sell, see the proposal
    let lead = regs["registrations"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["company_name"] == company.as_str()))
        .and_then(|r| r["lead_id"].as_str())
        .expect("the registration's lead")
        .to_string();
    api.drain().await;
    let lead_path = format!("/portal/leads/{lead}");
    let (s, _, lead_page) = page(api, Some(&a_cookie), &lead_path).await;
    assert_eq!(s, StatusCode::OK, "{lead_page}");
    let csrf = csrf_of(&lead_page);
    let (s, _) = post_form(
        api,
        &b_cookie,
        &format!("{lead_path}/activities"),
        &[("csrf", &csrf_of(&reg_b)), ("type", "call")],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "B cannot log on A's lead");
    let logged = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            &format!("{lead_path}/activities"),
            &[("csrf", &csrf), ("type", "call"), ("note", "spoke to Mr Iyer")],
        )
        .await,
    )
    .await;
    assert!(logged.contains("Logged"), "{logged}");
    assert!(logged.contains("activity.call: spoke to Mr Iyer"), "{logged}");
    let asked = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            &format!("{lead_path}/co-sell"),
            &[
                ("csrf", &csrf),
                ("kind", "joint_demo"),
                ("note", "plant tour"),
                ("preferred_times", "Mon 11:00\nTue 15:00"),
            ],
        )
        .await,
    )
    .await;
    assert!(asked.contains("Asked presales (joint demo)"), "{asked}");
    let sku = api.product("WS-ERP", "licence", "500000.00", "18").await;
    let (s, q) = api.quote(&a_key, &lead, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let quote = q["quote_id"].as_str().expect("quote").to_string();
    let (_, _, lead_page) = page(api, Some(&a_cookie), &lead_path).await;
    let proposal = format!("/portal/quotes/{quote}/proposal");
    assert!(lead_page.contains(&proposal), "{lead_page}");
    let (s, _, html) = page(api, Some(&a_cookie), &proposal).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&a_name) || html.contains("Proposal"), "{html}");
    let (s, _, _) = page(api, Some(&b_cookie), &proposal).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // keys: a new key is shown once and works; revoked, it no longer does
    let (_, _, keys) = page(api, Some(&a_cookie), "/portal/keys").await;
    let (s, _, issued) = post_form_page(api, &a_cookie, "/portal/keys", &[("csrf", &csrf_of(&keys))]).await;
    assert_eq!(s, StatusCode::OK);
    let at = issued.find("data-testid=\"new-key\"").expect("the new key");
    let new_key = issued[..at]
        .rsplit("value=\"")
        .next()
        .and_then(|v| v.split('"').next())
        .expect("key")
        .to_string();
    assert!(new_key.starts_with("rk_"), "{new_key}");
    assert_eq!(
        api.get_as(&format!("/resellers/{a}"), Some(&new_key)).await.0,
        StatusCode::OK
    );
    let (_, _, keys) = page(api, Some(&a_cookie), "/portal/keys").await;
    assert!(!keys.contains(&new_key), "shown once only");
    let (_, list) = api.get_as(&format!("/resellers/{a}/keys"), Some(&a_key)).await;
    let key_id = list["keys"]
        .as_array()
        .and_then(|k| {
            k.iter()
                .find(|x| x["prefix"].as_str().is_some_and(|p| new_key.starts_with(p)))
        })
        .and_then(|k| k["key_id"].as_str())
        .unwrap_or_else(|| panic!("the new key in {list}"))
        .to_string();
    let (s, _) = post_form(
        api,
        &b_cookie,
        &format!("/portal/keys/{key_id}/revoke"),
        &[("csrf", &csrf_of(&reg_b))],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "B cannot revoke A's key");
    let revoked = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            &format!("/portal/keys/{key_id}/revoke"),
            &[("csrf", &csrf_of(&keys))],
        )
        .await,
    )
    .await;
    assert!(revoked.contains("Revoked"), "{revoked}");
    assert_eq!(
        api.get_as(&format!("/resellers/{a}"), Some(&new_key)).await.0,
        StatusCode::UNAUTHORIZED
    );

    // brand: saved and shown; a bad colour named
    let (_, _, brand) = page(api, Some(&a_cookie), "/portal/brand").await;
    let csrf = csrf_of(&brand);
    let saved = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            "/portal/brand",
            &[
                ("csrf", &csrf),
                ("display_name", "Work A Solutions"),
                ("primary_colour", "#123ABC"),
                ("reply_to", "sales@worka.in"),
            ],
        )
        .await,
    )
    .await;
    assert!(
        saved.contains("Saved") && saved.contains("value=\"Work A Solutions\""),
        "{saved}"
    );
    let (_, r) = api.get_as(&format!("/resellers/{a}"), Some(&a_key)).await;
    assert_eq!(r["brand"]["primary_colour"], "#123abc", "{r}");
    let bad = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            "/portal/brand",
            &[("csrf", &csrf), ("primary_colour", "blue")],
        )
        .await,
    )
    .await;
    assert!(bad.contains("primary_colour"), "{bad}");

    // a sub-reseller proposed from the portal
    let (_, _, subs) = page(api, Some(&a_cookie), "/portal/sub-resellers").await;
    let proposed = after(
        api,
        &a_cookie,
        post_form(
            api,
            &a_cookie,
            "/portal/sub-resellers",
            &[
                ("csrf", &csrf_of(&subs)),
                ("company_name", "Nashik Soft"),
                ("company_domain", &format!("nashiksoft-{tag}.in")),
                ("contact_name", "P. Deshmukh"),
                ("contact_email", &format!("pd@nashiksoft-{tag}.in")),
                ("regions", "IN-MH"),
                ("industries", "manufacturing"),
            ],
        )
        .await,
    )
    .await;
    assert!(proposed.contains("Nashik Soft"), "{proposed}");
    let (_, pending) = api.admin_get("/reseller-applications?status=pending").await;
    let (_, approved) = api.get_as(&format!("/resellers/{a}/sub-resellers"), Some(&a_key)).await;
    assert!(
        pending.to_string().contains("Nashik Soft") || approved.to_string().contains("Nashik Soft"),
        "{pending} {approved}"
    );
    let _ = b;
}

/// Needs a stack with no reseller yet (its first lead waits in the admin queue).
pub async fn admin_workspace<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (s, l) = api
        .post_json(
            "/leads",
            json!({"email": format!("early-{tag}@brasil.example"), "country": "BR", "title": "CFO"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let lead = l["lead_id"].as_str().expect("lead").to_string();
    api.drain().await;
    let a_name = format!("Desk A {tag}");
    let (a, a_key) = api.reseller(&a_name, &["IN"], &[], "gold", 10).await;
    let a_cookie = log_in(api, &sent_to, &email_of(&a_name)).await;
    let admin = log_in(api, &sent_to, "partner-admin@partners.example").await;
    for path in [
        "/portal/admin/queue",
        "/portal/admin/conflicts",
        "/portal/admin/co-sell",
        "/portal/admin/resellers",
        "/portal/admin/resellers.csv",
    ] {
        assert_eq!(
            page(api, Some(&a_cookie), path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // the admin assigns A the lead nobody could take (it came before any reseller)
    let (_, _, queue) = page(api, Some(&admin), "/portal/admin/queue").await;
    assert!(queue.contains(&format!("data-lead=\"{lead}\"")), "{queue}");
    let assign = format!("/portal/admin/leads/{lead}/assign");
    let (s, _) = post_form(api, &admin, &assign, &[("reseller_id", &a)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let done = after(
        api,
        &admin,
        post_form(
            api,
            &admin,
            &assign,
            &[
                ("csrf", &csrf_of(&queue)),
                ("reseller_id", &a),
                ("note", "speaks Portuguese"),
            ],
        )
        .await,
    )
    .await;
    assert!(done.contains(&format!("Assigned to {a}.")), "{done}");
    assert!(!done.contains(&format!("data-lead=\"{lead}\"")));
    let (_, got) = api.get_as(&format!("/leads/{lead}"), Some(&a_key)).await;
    assert_eq!(got["owner_reseller_id"], a.as_str(), "{got}");

    // A asks for co-selling; the admin assigns presales
    let (_, _, lead_page) = page(api, Some(&a_cookie), &format!("/portal/leads/{lead}")).await;
    let (s, _) = post_form(
        api,
        &a_cookie,
        &format!("/portal/leads/{lead}/co-sell"),
        &[
            ("csrf", &csrf_of(&lead_page)),
            ("kind", "technical_question"),
            ("note", "SAP migration"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, cosell) = page(api, Some(&admin), "/portal/admin/co-sell").await;
    assert!(cosell.contains("SAP migration"), "{cosell}");
    let id = cosell
        .split("data-cosell=\"")
        .skip(1)
        .find(|chunk| chunk.contains("SAP migration"))
        .and_then(|c| c.split('"').next())
        .expect("the request")
        .to_string();
    let done = after(
        api,
        &admin,
        post_form(
            api,
            &admin,
            &format!("/portal/admin/co-sell/{id}/assign"),
            &[("csrf", &csrf_of(&cosell)), ("assignee", "Meera (presales)")],
        )
        .await,
    )
    .await;
    assert!(done.contains("assigned: Meera (presales)"), "{done}");

    // two resellers claim one company: the conflict is listed
    let (b, b_key) = api.reseller(&format!("Desk B {tag}"), &["IN"], &[], "gold", 10).await;
    let company = format!("Godavari Foods {tag}");
    let reg = json!({"company": {"name": company, "domain": format!("godavari-{tag}.in")},
        "contact": {"name": "S. Rao", "email": format!("rao@godavari-{tag}.in")}});
    assert_eq!(
        api.post_as("/registrations", Some(&a_key), reg.clone()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        api.post_as("/registrations", Some(&b_key), reg).await.0,
        StatusCode::CONFLICT
    );
    let (_, _, conflicts) = page(api, Some(&admin), "/portal/admin/conflicts").await;
    assert!(conflicts.contains(&company) && conflicts.contains(&b), "{conflicts}");

    // suspend B with a reason; export every reseller
    let (_, _, list) = page(api, Some(&admin), "/portal/admin/resellers").await;
    assert!(list.contains(&format!("data-reseller=\"{b}\"")));
    let suspend = format!("/portal/admin/resellers/{b}/suspend");
    let refused = after(
        api,
        &admin,
        post_form(api, &admin, &suspend, &[("csrf", &csrf_of(&list)), ("reason", " ")]).await,
    )
    .await;
    assert!(refused.contains("Give a reason"), "{refused}");
    let done = after(
        api,
        &admin,
        post_form(
            api,
            &admin,
            &suspend,
            &[("csrf", &csrf_of(&list)), ("reason", "unpaid dues")],
        )
        .await,
    )
    .await;
    assert!(done.contains("is suspended."), "{done}");
    let (_, got) = api.admin_get(&format!("/resellers/{b}")).await;
    assert_eq!(got["status"], "suspended", "{got}");
    let (s, _, csv) = page(api, Some(&admin), "/portal/admin/resellers.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with("reseller_id,name,email,status"), "{csv}");
    assert!(
        csv.lines().any(|l| l.starts_with(&b) && l.contains(",suspended,")),
        "{csv}"
    );
}
