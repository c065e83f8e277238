//! Issue 26: people and roles — a reseller's team (owner, manager, rep), the vendor's staff,
//! one policy, and every action audited to a person — shared by both stacks.

use crate::flows::Api;
use crate::portal::{browserless, csrf_of, log_in, page, post_form};
use crate::tax_payouts::worked_example_in_october;
use crate::{ADMIN_KEY, BOOTSTRAP_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::future::Future;

/// The sign-in link of the newest invitation sent to `to`.
async fn invitation_link<F, Fut>(sent_to: &F, to: &str) -> String
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let mails = sent_to(to.to_string()).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.subject.contains("invitation"))
        .unwrap_or_else(|| panic!("no invitation to {to}"));
    let start = mail.text.find("http").expect("a link in the invitation");
    mail.text[start..].split_whitespace().next().expect("link").to_string()
}

/// A member of staff with a key: `(staff_id, key)`.
pub async fn staff(api: &Api, email: &str, roles: &[&str]) -> (String, String) {
    let (s, b) = api
        .post_as(
            "/staff",
            Some(BOOTSTRAP_KEY),
            json!({"email": email, "name": email.split('@').next().unwrap_or("x"), "roles": roles}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["staff_id"].as_str().expect("staff id").to_string();
    let (s, k) = api
        .post_as(&format!("/staff/{id}/keys"), Some(BOOTSTRAP_KEY), json!(null))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    (id, k["api_key"].as_str().expect("key").to_string())
}

/// A person invited into a reseller's team by `by_key`, with a key the owner issues to it:
/// `(user_id, key)`.
pub async fn member(api: &Api, reseller: &str, owner_key: &str, email: &str, role: &str) -> (String, String) {
    let (s, b) = api
        .post_as(
            &format!("/resellers/{reseller}/users"),
            Some(owner_key),
            json!({"email": email, "name": email.split('@').next().unwrap_or("x"), "role": role}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["user_id"].as_str().expect("user id").to_string();
    let (s, k) = api
        .post_as(
            &format!("/resellers/{reseller}/keys"),
            Some(owner_key),
            json!({"user_id": id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    assert_eq!(k["user_id"], id.as_str(), "the key is the person's: {k}");
    (id, k["api_key"].as_str().expect("key").to_string())
}

/// The owner invites a rep; the rep signs in by its link and sees the lead assigned to it, not
/// the reseller's other leads, and no commission, payouts or tax; removing it ends its session
/// on the next request and its key, and its leads return unassigned, audited with the owner's id.
pub async fn a_rep_sees_its_own_leads<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (a, owner_key) = api.reseller(&format!("Team A {tag}"), &["IN"], &[], "gold", 10).await;
    let (_, team) = api.get_as(&format!("/resellers/{a}/users"), Some(&owner_key)).await;
    assert_eq!(team["users"].as_array().map(Vec::len), Some(1), "{team}");
    assert_eq!(team["users"][0]["role"], "owner");
    let owner_id = team["users"][0]["user_id"].as_str().expect("owner").to_string();

    // the invitation: 201 {user_id} and an email with a sign-in link
    let rep_email = format!("meera-{tag}@team-a.in");
    let (s, b) = api
        .post_as(
            &format!("/resellers/{a}/users"),
            Some(&owner_key),
            json!({"email": rep_email, "name": "Meera", "role": "rep"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let rep = b["user_id"].as_str().expect("user id").to_string();
    let link = invitation_link(&sent_to, &rep_email).await;
    let res = browserless().get(&link).send().await.expect("sign in");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.strip_prefix("pp_session="))
        .expect("a session")
        .to_string();

    // two of A's leads: one given to the rep, one left unassigned
    let mine = api.scored_lead(&format!("assigned-{tag}@buyer-one.in")).await;
    let other = api.scored_lead(&format!("unassigned-{tag}@buyer-two.in")).await;
    for l in [&mine, &other] {
        api.hand_to(l, &a).await;
    }
    let (s, b) = api
        .post_as(
            &format!("/leads/{mine}/assign-user"),
            Some(&owner_key),
            json!({"user_id": rep}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, given) = api.get_as(&format!("/leads/{mine}"), Some(&owner_key)).await;
    assert_eq!(given["assigned_user"], rep.as_str(), "{given}");

    // the portal: its home lists its lead only; the other lead and the money pages are closed
    let (s, _, home) = page(api, Some(&cookie), "/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains(&mine) && !home.contains(&other), "{home}");
    assert!(
        !home.contains("/portal/ledger") && !home.contains("/portal/tax"),
        "the menu shows only what a rep may open"
    );
    assert_eq!(
        page(api, Some(&cookie), &format!("/portal/leads/{mine}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        page(api, Some(&cookie), &format!("/portal/leads/{other}")).await.0,
        StatusCode::NOT_FOUND
    );
    for closed in [
        "/portal/ledger",
        "/portal/payouts",
        "/portal/tax",
        "/portal/keys",
        "/portal/team",
    ] {
        assert_eq!(
            page(api, Some(&cookie), closed).await.0,
            StatusCode::FORBIDDEN,
            "{closed}"
        );
    }
    // the API: the rep's key (issued by the owner) sees the same
    let (s, k) = api
        .post_as(
            &format!("/resellers/{a}/keys"),
            Some(&owner_key),
            json!({"user_id": rep}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    let rep_key = k["api_key"].as_str().expect("key").to_string();
    let (s, listed) = api.get_as("/leads", Some(&rep_key)).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = listed["leads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["lead_id"].as_str())
        .collect();
    assert_eq!(ids, [mine.as_str()], "{listed}");
    assert_eq!(
        api.get_as(&format!("/leads/{other}"), Some(&rep_key)).await.0,
        StatusCode::NOT_FOUND
    );
    for closed in [
        format!("/resellers/{a}/ledger?month=2026-10"),
        format!("/resellers/{a}/payouts"),
        format!("/resellers/{a}"),
        format!("/resellers/{a}/keys"),
    ] {
        assert_eq!(
            api.get_as(&closed, Some(&rep_key)).await.0,
            StatusCode::FORBIDDEN,
            "{closed}"
        );
    }
    // a rep assigns nothing
    let (s, _) = api
        .post_as(
            &format!("/leads/{other}/assign-user"),
            Some(&rep_key),
            json!({"user_id": rep}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // removing the rep: its session ends on the next request, its key is refused, its lead is
    // unassigned and audited with the owner's id
    let (s, removed) = api.delete_as(&format!("/resellers/{a}/users/{rep}"), &owner_key).await;
    assert_eq!(s, StatusCode::OK, "{removed}");
    assert_eq!(removed["leads_unassigned"], json!([mine]));
    assert!(removed["keys_revoked"].as_u64().unwrap_or(0) >= 1, "{removed}");
    let (s, to, _) = page(api, Some(&cookie), "/portal").await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login"));
    assert_eq!(api.get_as("/leads", Some(&rep_key)).await.0, StatusCode::UNAUTHORIZED);
    let (_, lead) = api.get_as(&format!("/leads/{mine}"), Some(&owner_key)).await;
    assert!(lead["assigned_user"].is_null(), "{lead}");
    let trail = lead["audit"].as_array().cloned().unwrap_or_default();
    let unassigned = trail
        .iter()
        .find(|e| e["action"] == "lead.unassigned")
        .unwrap_or_else(|| panic!("an audit event: {lead}"));
    assert_eq!(unassigned["actor"], format!("user:{owner_id}"));
    assert_eq!(unassigned["role"], "owner");
}

/// Finance reads the payouts and the bank file but approves no partner; a channel manager
/// decides its own partner's registration conflict but not another's.
pub async fn staff_work_within_their_roles(api: &Api, tag: &str) {
    let (a, a_key) = api.reseller(&format!("Care A {tag}"), &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller(&format!("Care B {tag}"), &["IN"], &[], "gold", 10).await;
    let (c, c_key) = api.reseller(&format!("Care C {tag}"), &["IN"], &[], "gold", 10).await;
    worked_example_in_october(api, &a, &format!("care-{tag}")).await;
    crate::payouts::run_payout(api, "2026-11-01T02:30:00+05:30").await;
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;

    let (_, finance) = staff(api, &format!("finance-{tag}@vendor.example"), &["finance"]).await;
    assert_eq!(api.get_as("/payouts/2026-10", Some(&finance)).await.0, StatusCode::OK);
    let res = api
        .http
        .get(format!("{}/payouts/2026-10/bank-file", api.base))
        .bearer_auth(&finance)
        .send()
        .await
        .expect("bank file");
    assert_eq!(res.status(), StatusCode::OK);
    let app = crate::applications::application(
        &format!("Would Be {tag}"),
        &format!("would-be-{tag}.in"),
        &format!("owner@would-be-{tag}.in"),
    );
    let (s, applied) = api.apply(app).await;
    assert_eq!(s, StatusCode::CREATED, "{applied}");
    let app_id = applied["application_id"].as_str().expect("id").to_string();
    let (s, refused) = api
        .post_as(
            &format!("/reseller-applications/{app_id}/approve"),
            Some(&finance),
            json!({"tier": "gold"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["message"].as_str().unwrap_or("").contains("finance"),
        "{refused}"
    );

    // A registers a company; B and C try it too: two conflicts
    let company = |n: &str| {
        json!({"company": {"name": format!("Contested Mills {tag}"), "domain": format!("contested-{tag}.in")},
               "contact": {"name": "Ravi", "email": format!("{n}@contested-{tag}.in")}, "expected_value": "500000.00"})
    };
    assert_eq!(
        api.post_as("/registrations", Some(&a_key), company("ravi")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        api.post_as("/registrations", Some(&b_key), company("ravi")).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        api.post_as("/registrations", Some(&c_key), company("ravi")).await.0,
        StatusCode::CONFLICT
    );
    // a channel manager for B only
    let (cm_id, cm) = staff(api, &format!("cm-{tag}@vendor.example"), &["channel_manager"]).await;
    let (s, r) = api
        .put_as(
            &format!("/resellers/{b}/channel-manager"),
            ADMIN_KEY,
            json!({"staff_id": cm_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, listed) = api.get_as("/registrations/conflicts", Some(&cm)).await;
    assert_eq!(s, StatusCode::OK);
    let conflicts = listed["conflicts"].as_array().cloned().unwrap_or_default();
    assert!(
        conflicts
            .iter()
            .all(|c| c["claimed_by"] == b.as_str() || c["protected_for"] == b.as_str()),
        "only its partner's: {listed}"
    );
    let (_, all) = api.admin_get("/registrations/conflicts").await;
    let id_of = |claimant: &str| {
        all["conflicts"]
            .as_array()
            .and_then(|cs| cs.iter().find(|x| x["claimed_by"] == claimant))
            .and_then(|x| x["id"].as_str())
            .unwrap_or_else(|| panic!("{claimant}'s conflict in {all}"))
            .to_string()
    };
    let (b_conflict, c_conflict) = (id_of(&b), id_of(&c));
    // not another's
    let (s, _) = api
        .post_as(
            &format!("/registrations/conflicts/{c_conflict}/approve"),
            Some(&cm),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // its own partner's: the company goes to B
    let (s, decided) = api
        .post_as(
            &format!("/registrations/conflicts/{b_conflict}/approve"),
            Some(&cm),
            json!({"note": "B met them first"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{decided}");
    assert_eq!(decided["decision"]["outcome"], "approved");
    assert_eq!(decided["decision"]["by"], format!("staff:{cm_id}"));
    let (_, regs) = api.get_as("/registrations", Some(&b_key)).await;
    assert!(
        regs.to_string().contains(&format!("Contested Mills {tag}")),
        "B holds it now: {regs}"
    );
    let (s, _) = api
        .post_as(
            &format!("/registrations/conflicts/{b_conflict}/approve"),
            Some(&cm),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    // and its audit record names the person
    let (s, trail) = api
        .admin_get(&format!("/audit?actor=staff:{cm_id}&from=2000-01-01"))
        .await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    assert!(
        trail["events"].as_array().is_some_and(|e| e
            .iter()
            .any(|x| x["action"] == "registration_conflict.approved" && x["role"] == "channel_manager")),
        "{trail}"
    );
    // the channel manager's lists are its partners'
    let (_, resellers) = api.get_as("/resellers", Some(&cm)).await;
    let ids: Vec<&str> = resellers["resellers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["reseller_id"].as_str())
        .collect();
    assert_eq!(ids, [b.as_str()], "{resellers}");
    assert_eq!(
        api.get_as(&format!("/resellers/{a}"), Some(&cm)).await.0,
        StatusCode::FORBIDDEN
    );
}

/// The bootstrap key creates staff and nothing else; `ADMIN_EMAILS` sign in as programme
/// admins; each staff role lands on its work; the audit trail lists a person's actions.
pub async fn the_bootstrap_key_only_makes_staff<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    assert_eq!(
        api.get_as("/payouts/2026-10", Some(BOOTSTRAP_KEY)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(api.get_as("/leads", Some(BOOTSTRAP_KEY)).await.0, StatusCode::FORBIDDEN);
    let email = format!("farah-{tag}@vendor.example");
    let (finance_id, finance_key) = staff(api, &email, &["finance"]).await;
    // the bootstrap key's act is audited as `bootstrap`
    let (_, trail) = api.admin_get("/audit?actor=bootstrap&from=2000-01-01").await;
    assert!(
        trail["events"].as_array().is_some_and(|e| e
            .iter()
            .any(|x| x["subject"] == format!("staff:{finance_id}").as_str() && x["action"] == "staff.created")),
        "{trail}"
    );
    // finance signs in by the invitation's link and lands on the payouts
    let link = invitation_link(&sent_to, &email).await;
    let res = browserless().get(&link).send().await.expect("sign in");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/portal/admin/payouts")
    );
    // a key of its own from itself; another's is refused
    let (s, _) = api
        .post_as(&format!("/staff/{finance_id}/keys"), Some(&finance_key), json!(null))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (other_id, _) = staff(api, &format!("sam-{tag}@vendor.example"), &["support"]).await;
    let (s, _) = api
        .post_as(&format!("/staff/{other_id}/keys"), Some(&finance_key), json!(null))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // a programme admin from ADMIN_EMAILS signs in and sees the staff page
    let admin_cookie = log_in(api, &sent_to, "partner-admin@partners.example").await;
    let (s, _, staff_page) = page(api, Some(&admin_cookie), "/portal/admin/staff").await;
    assert_eq!(s, StatusCode::OK);
    assert!(staff_page.contains(&email), "{staff_page}");
}

/// Bad input is named and changes nothing: an unknown role, an address already taken (by a
/// reseller's person or by staff), removing the last owner, assigning a lead to another
/// reseller's person.
pub async fn bad_people_input<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let (a, a_key) = api.reseller(&format!("Bad A {tag}"), &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller(&format!("Bad B {tag}"), &["IN"], &[], "gold", 10).await;
    let post = |who: &str, body: Value| {
        let path = format!("/resellers/{who}/users");
        let key = a_key.clone();
        async move { api.post_as(&path, Some(&key), body).await }
    };
    let (s, e) = post(
        &a,
        json!({"email": format!("x-{tag}@bad-a.in"), "name": "X", "role": "boss"}),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role")),
        "{e}"
    );
    let (s, e) = post(
        &a,
        json!({"email": format!("x-{tag}@bad-a.in"), "name": "X", "role": "rep", "salary": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields refused: {e}");
    // B's owner's address, and a member of staff's
    let b_owner_email = crate::portal::email_of(&format!("Bad B {tag}"));
    let (s, e) = post(
        &a,
        json!({"email": b_owner_email.to_uppercase(), "name": "X", "role": "rep"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let staff_email = format!("taken-{tag}@vendor.example");
    staff(api, &staff_email, &["presales"]).await;
    let (s, e) = post(&a, json!({"email": staff_email, "name": "X", "role": "rep"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = api
        .post_as(
            "/staff",
            Some(ADMIN_KEY),
            json!({"email": b_owner_email, "name": "Y", "roles": ["support"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // another reseller's team: not A's owner's to change (as good as missing)
    let (s, _) = post(
        &b,
        json!({"email": format!("y-{tag}@bad-b.in"), "name": "Y", "role": "rep"}),
    )
    .await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    // the last owner stays
    let (_, team) = api.get_as(&format!("/resellers/{a}/users"), Some(&a_key)).await;
    let owner = team["users"][0]["user_id"].as_str().expect("owner").to_string();
    let (s, e) = api.delete_as(&format!("/resellers/{a}/users/{owner}"), &a_key).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = api
        .put_as(
            &format!("/resellers/{a}/users/{owner}"),
            &a_key,
            json!({"role": "manager"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // a lead of A given to B's person
    let (_, b_team) = api.get_as(&format!("/resellers/{b}/users"), Some(&b_key)).await;
    let b_owner = b_team["users"][0]["user_id"].as_str().expect("B's owner").to_string();
    let lead = api.scored_lead(&format!("bad-{tag}@buyer-three.in")).await;
    api.hand_to(&lead, &a).await;
    let (s, e) = api
        .post_as(
            &format!("/leads/{lead}/assign-user"),
            Some(&a_key),
            json!({"user_id": b_owner}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id")),
        "{e}"
    );
    // nothing changed: A's team is its owner alone, the lead unassigned
    let (_, team) = api.get_as(&format!("/resellers/{a}/users"), Some(&a_key)).await;
    assert_eq!(team["users"].as_array().map(Vec::len), Some(1), "{team}");
    let (_, l) = api.get_as(&format!("/leads/{lead}"), Some(&a_key)).await;
    assert!(l["assigned_user"].is_null());
    // the owner's team page in the portal: invite through the form
    let cookie = log_in(api, &sent_to, &crate::portal::email_of(&format!("Bad A {tag}"))).await;
    let (_, _, team_page) = page(api, Some(&cookie), "/portal/team").await;
    let csrf = csrf_of(&team_page);
    let (s, _) = post_form(
        api,
        &cookie,
        "/portal/team",
        &[
            ("csrf", &csrf),
            ("email", &format!("form-{tag}@bad-a.in")),
            ("name", "Form Rep"),
            ("role", "rep"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, team) = api.get_as(&format!("/resellers/{a}/users"), Some(&a_key)).await;
    assert!(team.to_string().contains(&format!("form-{tag}@bad-a.in")), "{team}");
}

/// The mail about a lead goes to the person working it, its managers copied: a rep's
/// registration (protected, so escalated rather than moved) that nobody answers within four
/// hours tells the rep and the manager, not the owner.
pub async fn a_leads_mail_goes_to_whoever_works_it<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let name = format!("Alert Team {tag}");
    let (s_id, owner_key) = api.reseller(&name, &["IN"], &[], "gold", 20).await;
    let manager_email = format!("manager-{tag}@alert-team.in");
    let rep_email = format!("rep-{tag}@alert-team.in");
    member(api, &s_id, &owner_key, &manager_email, "manager").await;
    let (rep, rep_key) = member(api, &s_id, &owner_key, &rep_email, "rep").await;
    api.set_clock("2026-11-24T09:00:00+05:30").await;
    let domain = format!("alerted-{tag}.in");
    let (s, reg) = api
        .post_as(
            "/registrations",
            Some(&rep_key),
            json!({"company": {"name": format!("Alerted {tag}"), "domain": domain},
                   "contact": {"name": "Ravi", "email": format!("ravi@{domain}")}, "expected_value": "800000.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let lead = reg["lead_id"].as_str().expect("lead").to_string();
    api.drain().await;
    let (_, l) = api.get_as(&format!("/leads/{lead}"), Some(&rep_key)).await;
    assert_eq!(
        (l["owner_reseller_id"].as_str(), l["assigned_user"].as_str()),
        (Some(s_id.as_str()), Some(rep.as_str())),
        "the registering rep works it: {l}"
    );
    let report = api.run_job("sla-watch", "2026-11-24T14:31:00+05:30").await;
    assert!(report["escalated"].as_u64().unwrap_or(0) >= 1, "{report}");
    let overdue = |mails: Vec<SentMail>| mails.iter().any(|m| m.subject.starts_with("Overdue: first response"));
    assert!(overdue(sent_to(rep_email).await), "to the rep");
    assert!(overdue(sent_to(manager_email).await), "its manager copied");
    assert!(
        !overdue(sent_to(crate::portal::email_of(&name)).await),
        "not the owner: the lead is the rep's"
    );
}
