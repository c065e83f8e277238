//! Issue 26 item 5: the role matrix. Every operation of the OpenAPI description is called as
//! every role — the owner, manager and rep of reseller A and of reseller B, each staff role (the
//! channel manager looks after A), the bootstrap key and nobody — on A's resources. Its
//! `x-roles` (from the one policy table) says who may: a role it lists gets no `401`/`403` (B's
//! people: `403`/`404` on A's resources, or their own view with none of A's data); a role it does
//! not list gets exactly `403` (nobody: `401`, or the portal's login page). An operation without
//! a row in the table has no `x-roles` and fails here.

use crate::flows::Api;
use crate::people::{member, staff};
use crate::portal::{browserless, csrf_of, log_in, page};
use crate::tax_payouts::worked_example_in_october;
use crate::{ADMIN_KEY, BOOTSTRAP_KEY};
use reqwest::StatusCode;
use serde_json::json;
use shared::adapters::embedded::SentMail;
use std::future::Future;

/// One caller of the matrix.
struct Caller {
    name: String,
    /// its role as `x-roles` names it (`None`: nobody)
    role: Option<&'static str>,
    key: Option<String>,
    /// its portal session and that session's CSRF token
    session: Option<(String, String)>,
    /// a person of reseller B: A's resources are not its
    of_b: bool,
    /// its own staff id (a staff key is issued to that person itself)
    staff_id: Option<String>,
}

/// A's resources, by the path parameter they fill.
struct Fixtures {
    reseller: String,
    lead: String,
    quote: String,
    contract: String,
    ticket: String,
    victim: String,
    cosell: String,
    conflict: String,
    application: String,
    sku: String,
    markers: Vec<String>,
}

impl Fixtures {
    fn fill(&self, path: &str, caller: &Caller) -> String {
        let by_prefix: [(&str, &str); 10] = [
            ("/contracts/{id}", &self.contract),
            ("/tickets/{id}", &self.ticket),
            ("/quotes/{id}", &self.quote),
            ("/portal/quotes/{id}", &self.quote),
            ("/resellers/{id}", &self.reseller),
            ("/portal/admin/resellers/{id}", &self.reseller),
            ("/co-sell/{id}", &self.cosell),
            ("/portal/admin/co-sell/{id}", &self.cosell),
            ("/registrations/conflicts/{id}", &self.conflict),
            ("/portal/admin/conflicts/{id}", &self.conflict),
        ];
        let own_staff = caller.staff_id.clone().unwrap_or_else(|| "no-such-staff".into());
        let more: [(&str, &str); 3] = [
            ("/reseller-applications/{id}", &self.application),
            ("/portal/admin/applications/{id}", &self.application),
            ("/staff/{id}", &own_staff),
        ];
        let mut p = path.to_string();
        for (prefix, value) in by_prefix.iter().chain(more.iter()) {
            if path.starts_with(prefix) {
                p = p.replacen("{id}", value, 1);
            }
        }
        p.replace("{id}", &self.lead)
            .replace("{user_id}", &self.victim)
            .replace("{key_id}", "0000000000000000")
            .replace("{month}", "2026-10")
            .replace("{reseller}", &self.reseller)
            .replace("{sku}", &self.sku)
            .replace("{date}", "2026-11-01")
            .replace("{token}", "not-a-token")
            .replace("{code}", "NOSUCHCODE")
    }
}

/// Whether the operation names a reseller's record (B's people may not reach A's).
fn names_a_record(path: &str) -> bool {
    path.contains('{')
        && [
            "/leads/",
            "/quotes/",
            "/contracts/",
            "/tickets/",
            "/resellers/",
            "/payouts/{month}/{reseller}",
            "/portal/leads/",
            "/portal/quotes/",
            "/portal/team/",
            "/portal/keys/",
            "/co-sell/",
            "/registrations/conflicts/",
            "/reseller-applications/",
        ]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Every operation with its `x-roles`, from the description.
fn described() -> Vec<(String, String, Vec<String>)> {
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let roles: Vec<String> = op["x-roles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect();
            out.push((method.to_uppercase(), path.clone(), roles));
        }
    }
    out
}

pub async fn every_operation_as_every_role<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let ops = described();
    let unlisted: Vec<_> = ops.iter().filter(|(_, _, r)| r.is_empty()).collect();
    assert!(
        unlisted.is_empty(),
        "operations missing from the policy table: {unlisted:?}"
    );

    // reseller A with its team, its October payout, a lead given to its rep with a quote, a
    // contract with a ticket, a co-sell request, a registration conflict it lost, a proposed
    // sub-reseller; reseller B with its own team
    let a_name = format!("Matrix Alpha {tag}");
    let (a, a_owner) = api.reseller(&a_name, &["IN"], &[], "gold", 10).await;
    let (b, b_owner) = api
        .reseller(&format!("Matrix Bravo {tag}"), &["IN"], &[], "gold", 10)
        .await;
    let (_, a_manager) = member(api, &a, &a_owner, &format!("mgr-a-{tag}@alpha.in"), "manager").await;
    let (a_rep_id, a_rep) = member(api, &a, &a_owner, &format!("rep-a-{tag}@alpha.in"), "rep").await;
    let (victim, _) = member(api, &a, &a_owner, &format!("victim-a-{tag}@alpha.in"), "rep").await;
    let (_, b_manager) = member(api, &b, &b_owner, &format!("mgr-b-{tag}@bravo.in"), "manager").await;
    let (_, b_rep) = member(api, &b, &b_owner, &format!("rep-b-{tag}@bravo.in"), "rep").await;
    let n = format!("matrix-{tag}");
    worked_example_in_october(api, &a, &n).await;
    crate::payouts::run_payout(api, "2026-11-01T02:30:00+05:30").await;
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;
    let contract = format!("ORD-PO-{n}");
    let buyer = format!("matrix-buyer-{tag}@alpha-secret.in");
    let lead = api.scored_lead(&buyer).await;
    api.hand_to(&lead, &a).await;
    let (s, r) = api
        .post_as(
            &format!("/leads/{lead}/assign-user"),
            Some(&a_owner),
            json!({"user_id": a_rep_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let sku = api.product("MATRIX-ERP", "licence", "500000.00", "18").await;
    let (s, q) = api.quote(&a_rep, &lead, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let quote = q["quote_id"].as_str().expect("quote").to_string();
    let (s, t) = api
        .post_as(
            &format!("/contracts/{contract}/tickets"),
            Some(&a_owner),
            json!({"severity": "s2", "subject": "Alpha private issue", "description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let ticket = t["ticket_id"].as_str().expect("ticket").to_string();
    let (s, c) = api
        .post_as(
            &format!("/leads/{lead}/co-sell"),
            Some(&a_rep),
            json!({"kind": "joint_demo", "note": "demo"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cosell = c["cosell_id"].as_str().expect("co-sell").to_string();
    let contested = json!({"company": {"name": format!("Matrix Contested {tag}"), "domain": format!("matrix-contested-{tag}.in")},
        "contact": {"name": "R", "email": format!("r@matrix-contested-{tag}.in")}});
    assert_eq!(
        api.post_as("/registrations", Some(&b_owner), contested.clone()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        api.post_as("/registrations", Some(&a_owner), contested).await.0,
        StatusCode::CONFLICT
    );
    let (_, conflicts) = api.admin_get("/registrations/conflicts").await;
    let conflict = conflicts["conflicts"]
        .as_array()
        .and_then(|cs| cs.iter().find(|x| x["claimed_by"] == a.as_str()))
        .and_then(|x| x["id"].as_str())
        .expect("A's conflict")
        .to_string();
    let (s, p) = api
        .post_as(
            &format!("/resellers/{a}/sub-reseller-applications"),
            Some(&a_owner),
            crate::applications::application(
                &format!("Matrix Sub {tag}"),
                &format!("matrix-sub-{tag}.in"),
                &format!("s@matrix-sub-{tag}.in"),
            ),
        )
        .await;
    assert!(s.is_success(), "{p}");
    let application = p["application"]["application_id"]
        .as_str()
        .or(p["application_id"].as_str())
        .unwrap_or_else(|| panic!("an application id in {p}"))
        .to_string();
    api.drain().await;

    // the vendor's staff; the channel manager looks after A
    let (cm_id, cm) = staff(api, &format!("cm-{tag}@vendor.example"), &["channel_manager"]).await;
    let (s, r) = api
        .put_as(
            &format!("/resellers/{a}/channel-manager"),
            ADMIN_KEY,
            json!({"staff_id": cm_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (fin_id, finance) = staff(api, &format!("fin-{tag}@vendor.example"), &["finance"]).await;
    let (pre_id, presales) = staff(api, &format!("pre-{tag}@vendor.example"), &["presales"]).await;
    let (sup_id, support) = staff(api, &format!("sup-{tag}@vendor.example"), &["support"]).await;
    let (_, staff_list) = api.admin_get("/staff").await;
    let admin_id = staff_list["staff"]
        .as_array()
        .and_then(|s| s.iter().find(|p| p["created_by"] == "system:admin-emails"))
        .and_then(|p| p["staff_id"].as_str())
        .expect("the first programme admin")
        .to_string();

    // (name, role, key, of B, staff id, sign-in address)
    type Person = (&'static str, &'static str, String, bool, Option<String>, String);
    let people: Vec<Person> = vec![
        (
            "A's owner",
            "owner",
            a_owner,
            false,
            None,
            crate::portal::email_of(&a_name),
        ),
        (
            "A's manager",
            "manager",
            a_manager,
            false,
            None,
            format!("mgr-a-{tag}@alpha.in"),
        ),
        ("A's rep", "rep", a_rep, false, None, format!("rep-a-{tag}@alpha.in")),
        (
            "B's owner",
            "owner",
            b_owner,
            true,
            None,
            crate::portal::email_of(&format!("Matrix Bravo {tag}")),
        ),
        (
            "B's manager",
            "manager",
            b_manager,
            true,
            None,
            format!("mgr-b-{tag}@bravo.in"),
        ),
        ("B's rep", "rep", b_rep, true, None, format!("rep-b-{tag}@bravo.in")),
        (
            "a programme admin",
            "programme_admin",
            ADMIN_KEY.to_string(),
            false,
            Some(admin_id),
            "partner-admin@partners.example".into(),
        ),
        (
            "A's channel manager",
            "channel_manager",
            cm,
            false,
            Some(cm_id),
            format!("cm-{tag}@vendor.example"),
        ),
        (
            "finance",
            "finance",
            finance,
            false,
            Some(fin_id),
            format!("fin-{tag}@vendor.example"),
        ),
        (
            "presales",
            "presales",
            presales,
            false,
            Some(pre_id),
            format!("pre-{tag}@vendor.example"),
        ),
        (
            "support",
            "support",
            support,
            false,
            Some(sup_id),
            format!("sup-{tag}@vendor.example"),
        ),
    ];
    let mut callers = Vec::new();
    for (name, role, key, of_b, staff_id, email) in people {
        let cookie = log_in(api, &sent_to, &email).await;
        let (_, _, home) = page(api, Some(&cookie), "/portal").await;
        // a staff member's home redirects to its work: its CSRF token is on that page
        let csrf = if home.contains("name=\"csrf\"") {
            csrf_of(&home)
        } else {
            let (_, to, _) = page(api, Some(&cookie), "/portal").await;
            let (_, _, landing) = page(api, Some(&cookie), &to).await;
            csrf_of(&landing)
        };
        callers.push(Caller {
            name: name.to_string(),
            role: Some(role),
            key: Some(key),
            session: Some((cookie, csrf)),
            of_b,
            staff_id,
        });
    }
    callers.push(Caller {
        name: "the bootstrap key".into(),
        role: Some("bootstrap"),
        key: Some(BOOTSTRAP_KEY.into()),
        session: None,
        of_b: false,
        staff_id: None,
    });
    callers.push(Caller {
        name: "nobody".into(),
        role: None,
        key: None,
        session: None,
        of_b: false,
        staff_id: None,
    });
    let fixtures = Fixtures {
        reseller: a.clone(),
        lead,
        quote,
        contract,
        ticket,
        victim,
        cosell,
        conflict,
        application,
        sku,
        markers: vec![a_name.clone(), buyer, "Alpha private issue".into()],
    };

    let mut failures = Vec::new();
    let mut calls = 0;
    // logging out ends the session: last
    let mut ordered: Vec<_> = ops.iter().collect();
    ordered.sort_by_key(|(m, p, _)| (p == "/portal/logout", m.clone(), p.clone()));
    for (method, path, roles) in ordered {
        let portal = path.starts_with("/portal");
        for caller in &callers {
            if portal && caller.role == Some("bootstrap") {
                continue;
            }
            let url = format!("{}{}", api.base, fixtures.fill(path, caller));
            let req = browserless().request(method.parse().expect("method"), &url);
            let req = if portal {
                match &caller.session {
                    Some((cookie, csrf)) => {
                        let req = req.header("cookie", format!("pp_session={cookie}"));
                        // a form with this session's token and nothing else: allowed forms are
                        // refused by their own checks (400, a notice), never by the policy
                        if method == "POST" {
                            req.form(&[("csrf", csrf.as_str())])
                        } else {
                            req
                        }
                    }
                    None if method == "POST" => req.form(&[("csrf", "")]),
                    None => req,
                }
            } else {
                let req = match &caller.key {
                    Some(k) => req.bearer_auth(k),
                    None => req,
                };
                // a write's body names a field no operation knows: an allowed caller is refused
                // by validation (422), and nothing changes
                if method != "GET" && method != "DELETE" {
                    req.json(&json!({"__probe": 1}))
                } else {
                    req
                }
            };
            let res = req.send().await.expect("request");
            calls += 1;
            let status = res.status();
            let location = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = res.text().await.unwrap_or_default();
            let listed = |r: &str| roles.iter().any(|x| x == r);
            let anyone = listed("anyone");
            let verdict: Result<(), String> = match caller.role {
                _ if roles == &["billing_system".to_string()] => (status == StatusCode::UNAUTHORIZED)
                    .then_some(())
                    .ok_or("a webhook without its signature must be 401".into()),
                _ if anyone => (status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN)
                    .then_some(())
                    .ok_or("open to anyone".into()),
                None if portal => (status == StatusCode::SEE_OTHER && location == "/portal/login")
                    .then_some(())
                    .ok_or("nobody: to the login page".into()),
                None => (status == StatusCode::UNAUTHORIZED)
                    .then_some(())
                    .ok_or("nobody: 401".into()),
                Some(r) if !listed(r) => (status == StatusCode::FORBIDDEN)
                    .then_some(())
                    .ok_or(format!("{r} is not in x-roles: 403")),
                // B's people on A's record: refused, or (a write) turned away by its body's
                // validation before the record is read — with none of A's data either way; the
                // isolation matrix sends B's writes with valid bodies and sees 403/404
                Some(_) if caller.of_b && names_a_record(path) => {
                    let turned_away = status == StatusCode::FORBIDDEN
                        || status == StatusCode::NOT_FOUND
                        || (method != "GET"
                            && (status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY));
                    let leaked = fixtures.markers.iter().any(|m| body.contains(m.as_str()));
                    (turned_away && !leaked)
                        .then_some(())
                        .ok_or("A's record: 403 or 404 (or a write's 400/422), nothing of A's".into())
                }
                Some(r) => {
                    let leaked: Vec<&String> = if caller.of_b {
                        fixtures.markers.iter().filter(|m| body.contains(m.as_str())).collect()
                    } else {
                        vec![]
                    };
                    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                        Err(format!("{r} is in x-roles: not 401/403"))
                    } else if !leaked.is_empty() {
                        Err(format!("B's view holds A's {leaked:?}"))
                    } else {
                        Ok(())
                    }
                }
            };
            if let Err(why) = verdict {
                let excerpt: String = body.chars().take(160).collect();
                failures.push(format!(
                    "{method} {path} as {}: {status} ({why}) {excerpt}",
                    caller.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls broke the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // every operation was called by every caller it applies to
    assert!(calls >= ops.len() * 12, "{calls} calls for {} operations", ops.len());
}
