//! Issue 16 item 2: tenant isolation as a matrix. Every operation a reseller's key or a portal
//! session may call — read from the OpenAPI description, so a new route cannot skip it — is
//! called as reseller A on reseller B's resources (leads, registrations, quotes, ledger,
//! payouts, contracts, tickets, keys, sub-resellers, dashboard): `403`/`404`, or A's own view
//! with none of B's data, every time.

use crate::flows::Api;
use crate::portal::{browserless, csrf_of, email_of, log_in, page};
use crate::tax_payouts::worked_example_in_october;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;
use std::collections::BTreeSet;
use std::future::Future;

/// What A may get on an operation aimed at B.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// B's resource named in the path: refused
    Refused,
    /// a collection or A's own resource: answered, without any of B's data
    Own,
    /// an admin page: a reseller's session is refused
    AdminOnly,
    /// login and logout: nobody's data either way
    Public,
}

use Expect::*;

/// Every reseller-key and portal operation, with what A may get aimed at B.
const MATRIX: &[(&str, &str, Expect)] = &[
    ("GET", "/contracts/{id}", Refused),
    ("GET", "/contracts/{id}/tickets", Refused),
    ("POST", "/contracts/{id}/tickets", Refused),
    ("GET", "/leads", Own),
    ("GET", "/leads/{id}", Refused),
    ("POST", "/leads/{id}/activities", Refused),
    ("POST", "/leads/{id}/co-sell", Refused),
    ("GET", "/leads/{id}/quotes", Refused),
    ("POST", "/leads/{id}/quotes", Refused),
    ("POST", "/leads/{id}/reopen", Refused),
    ("POST", "/leads/{id}/stage", Refused),
    ("POST", "/payouts/{month}/{reseller}/invoice", Refused),
    ("GET", "/pipeline", Own),
    ("GET", "/products", Own),
    ("GET", "/quotes/{id}", Refused),
    ("GET", "/quotes/{id}/proposal", Refused),
    ("GET", "/registrations", Own),
    ("POST", "/registrations", Own),
    ("GET", "/reports/revenue", Own),
    ("GET", "/reports/usage", Own),
    ("GET", "/resellers/{id}", Refused),
    ("PUT", "/resellers/{id}/brand", Refused),
    ("PUT", "/resellers/{id}/channel-prices", Refused),
    ("GET", "/resellers/{id}/dashboard", Refused),
    ("GET", "/resellers/{id}/keys", Refused),
    ("POST", "/resellers/{id}/keys", Refused),
    ("DELETE", "/resellers/{id}/keys/{key_id}", Refused),
    ("GET", "/resellers/{id}/ledger", Refused),
    ("GET", "/resellers/{id}/payouts", Refused),
    ("POST", "/resellers/{id}/sub-reseller-applications", Refused),
    ("GET", "/resellers/{id}/sub-resellers", Refused),
    ("PUT", "/resellers/{id}/tax", Refused),
    ("GET", "/resellers/{id}/users", Refused),
    ("POST", "/resellers/{id}/users", Refused),
    ("PUT", "/resellers/{id}/users/{user_id}", Refused),
    ("DELETE", "/resellers/{id}/users/{user_id}", Refused),
    ("POST", "/leads/{id}/assign-user", Refused),
    ("GET", "/tds/certificates", Own),
    ("GET", "/tickets/{id}", Refused),
    ("POST", "/tickets/{id}/escalate", Refused),
    ("POST", "/tickets/{id}/resolve", Refused),
    // the portal, as A's session
    ("GET", "/portal/login", Public),
    ("POST", "/portal/login", Public),
    ("GET", "/portal/auth/{token}", Public),
    ("GET", "/portal", Own),
    ("GET", "/portal/pipeline", Own),
    ("GET", "/portal/leads/{id}", Refused),
    ("POST", "/portal/leads/{id}/move", Refused),
    ("POST", "/portal/leads/{id}/activities", Refused),
    ("POST", "/portal/leads/{id}/co-sell", Refused),
    ("GET", "/portal/quotes/{id}/proposal", Refused),
    ("GET", "/portal/ledger", Own),
    ("GET", "/portal/payouts", Own),
    ("GET", "/portal/payouts/{month}/statement", Refused),
    ("GET", "/portal/tax", Own),
    ("GET", "/portal/assign", Own),
    ("POST", "/portal/leads/{id}/assign-user", Refused),
    ("GET", "/portal/team", Own),
    ("POST", "/portal/team", Own),
    ("POST", "/portal/team/{user_id}/role", Refused),
    ("POST", "/portal/team/{user_id}/remove", Refused),
    ("GET", "/portal/registrations", Own),
    ("POST", "/portal/registrations", Own),
    ("GET", "/portal/referrals", Own),
    ("GET", "/portal/sub-resellers", Own),
    ("POST", "/portal/sub-resellers", Own),
    ("GET", "/portal/brand", Own),
    ("POST", "/portal/brand", Own),
    ("GET", "/portal/keys", Own),
    ("POST", "/portal/keys", Own),
    ("POST", "/portal/keys/{key_id}/revoke", Refused),
    ("GET", "/portal/admin/payouts", AdminOnly),
    ("GET", "/portal/admin/payouts/{month}/finance.csv", AdminOnly),
    ("GET", "/portal/admin/applications", AdminOnly),
    ("POST", "/portal/admin/applications/{id}/approve", AdminOnly),
    ("POST", "/portal/admin/applications/{id}/reject", AdminOnly),
    ("GET", "/portal/admin/queue", AdminOnly),
    ("POST", "/portal/admin/leads/{id}/assign", AdminOnly),
    ("GET", "/portal/admin/conflicts", AdminOnly),
    ("GET", "/portal/admin/co-sell", AdminOnly),
    ("POST", "/portal/admin/co-sell/{id}/assign", AdminOnly),
    ("GET", "/portal/admin/resellers", AdminOnly),
    ("GET", "/portal/admin/resellers.csv", AdminOnly),
    ("POST", "/portal/admin/resellers/{id}/suspend", AdminOnly),
    ("POST", "/portal/admin/resellers/{id}/reactivate", AdminOnly),
    ("POST", "/portal/admin/conflicts/{id}/approve", AdminOnly),
    ("POST", "/portal/admin/conflicts/{id}/reject", AdminOnly),
    ("GET", "/portal/admin/partners", AdminOnly),
    ("GET", "/portal/admin/tickets", AdminOnly),
    ("GET", "/portal/admin/staff", AdminOnly),
    ("POST", "/portal/admin/staff", AdminOnly),
    // last: it ends A's session
    ("POST", "/portal/logout", Public),
];

/// The operations a reseller's key or a portal session may call, per the description.
fn described_reseller_operations() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let reseller_key = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s.get("reseller_key").is_some());
            let portal = op["tags"].as_array().into_iter().flatten().any(|t| t == "portal");
            if reseller_key || portal {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// B's resources, and what of B's must never reach A.
struct Bravo {
    id: String,
    lead: String,
    quote: String,
    contract: String,
    ticket: String,
    key_id: String,
    /// B's owner
    user: String,
    markers: Vec<String>,
}

impl Bravo {
    fn fill(&self, path: &str) -> String {
        let by_prefix = [
            ("/contracts/{id}", &self.contract),
            ("/tickets/{id}", &self.ticket),
            ("/quotes/{id}", &self.quote),
            ("/portal/quotes/{id}", &self.quote),
            ("/resellers/{id}", &self.id),
            ("/portal/admin/resellers/{id}", &self.id),
        ];
        let mut p = path.to_string();
        for (prefix, value) in by_prefix {
            if path.starts_with(prefix) {
                p = p.replacen("{id}", value, 1);
            }
        }
        p.replace("{id}", &self.lead)
            .replace("{key_id}", &self.key_id)
            .replace("{user_id}", &self.user)
            .replace("{month}", "2026-10")
            .replace("{reseller}", &self.id)
            .replace("{token}", "not-a-token")
    }
}

/// A valid body for each write, so that a refusal is the access rule's, not validation's.
fn body_for(method: &str, path: &str, sku: &str, bravo: &Bravo) -> Value {
    match (method, path) {
        ("POST", "/contracts/{id}/tickets") => {
            json!({"severity": "s2", "subject": "Slow reports", "description": "since the update"})
        }
        ("POST", "/leads/{id}/activities") => json!({"type": "call", "note": "hello"}),
        ("POST", "/leads/{id}/co-sell") => json!({"kind": "joint_demo", "note": "demo"}),
        ("POST", "/leads/{id}/quotes") => json!({"lines": [{"sku": sku, "quantity": 1}], "valid_days": 30}),
        ("POST", "/leads/{id}/stage") => json!({"to": "R003"}),
        ("POST", "/payouts/{month}/{reseller}/invoice") => json!({"number": "INV-A-1", "date": "2026-11-01"}),
        ("POST", "/registrations") => {
            json!({"company": {"name": "Alpha Own Prospect", "domain": "alpha-own-prospect.in"},
            "contact": {"name": "X", "email": "x@alpha-own-prospect.in"}})
        }
        ("PUT", "/resellers/{id}/brand") => json!({"display_name": "Hijacked"}),
        ("PUT", "/resellers/{id}/channel-prices") => json!({"channel_prices": [{"sku": sku, "price": "1.00"}]}),
        ("POST", "/resellers/{id}/sub-reseller-applications") => {
            crate::applications::application("Sneaky Sub", "sneaky-sub.in", "s@sneaky-sub.in")
        }
        ("PUT", "/resellers/{id}/tax") => json!({"pan": "AAPCK1234L", "legal_name": "Hijack Pvt Ltd"}),
        ("POST", "/resellers/{id}/users") => json!({"email": "mole@alpha-mole.in", "name": "Mole", "role": "owner"}),
        ("PUT", "/resellers/{id}/users/{user_id}") => json!({"role": "rep"}),
        ("POST", "/leads/{id}/assign-user") => json!({"user_id": null}),
        ("POST", "/tickets/{id}/escalate") | ("POST", "/tickets/{id}/resolve") => json!({"note": "x"}),
        _ => {
            let _ = bravo;
            json!({})
        }
    }
}

/// Portal form fields for each POST (the session's CSRF token added by the caller).
fn form_for(path: &str) -> Vec<(&'static str, &'static str)> {
    match path {
        "/portal/leads/{id}/move" => vec![("to", "R003")],
        "/portal/leads/{id}/activities" => vec![("type", "call")],
        "/portal/leads/{id}/co-sell" => vec![("kind", "joint_demo")],
        "/portal/registrations" => vec![
            ("company_name", "Alpha Portal Prospect"),
            ("contact_email", "y@alpha-portal-prospect.in"),
        ],
        "/portal/brand" => vec![("display_name", "Alpha Brand")],
        "/portal/team" => vec![
            ("email", "alpha-rep@alpha-team.in"),
            ("name", "Alpha Rep"),
            ("role", "rep"),
        ],
        "/portal/team/{user_id}/role" => vec![("role", "rep")],
        "/portal/leads/{id}/assign-user" => vec![("user_id", "")],
        "/portal/login" => vec![("email", "nobody@example.in")],
        _ => vec![],
    }
}

pub async fn a_reseller_reaches_nothing_of_anothers<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    // the matrix covers exactly what the description lets a reseller call
    let listed: BTreeSet<(String, String)> = MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let described = described_reseller_operations();
    let missing: Vec<_> = described.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&described).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the isolation matrix: {missing:?}"
    );
    assert!(stale.is_empty(), "rows for operations no longer described: {stale:?}");

    let a_name = format!("Iso Alpha {tag}");
    let b_name = format!("Iso Bravo {tag}");
    let (_a, a_key) = api.reseller(&a_name, &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller(&b_name, &["IN"], &[], "gold", 10).await;
    // B's world: earnings, a payout, a contract, a lead with a quote, a registration, a
    // ticket, a second key, a co-sell request
    let n = format!("iso-{tag}");
    worked_example_in_october(api, &b, &n).await;
    crate::payouts::run_payout(api, "2026-11-01T02:30:00+05:30").await;
    api.set_clock(&chrono::Utc::now().to_rfc3339()).await;
    let contract = format!("ORD-PO-{n}");
    let lead = api.scored_lead(&format!("bravo-buyer-{tag}@bravo-secret.in")).await;
    api.hand_to(&lead, &b).await;
    let sku = api.product("ISO-ERP", "licence", "500000.00", "18").await;
    let (s, q) = api.quote(&b_key, &lead, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let quote = q["quote_id"].as_str().expect("quote").to_string();
    let bravo_company = format!("Bravo Secret Works {tag}");
    let (s, r) = api
        .post_as(
            "/registrations",
            Some(&b_key),
            json!({"company": {"name": bravo_company, "domain": format!("bravo-secret-{tag}.in")},
                   "contact": {"name": "Bravo Contact", "email": format!("ceo@bravo-secret-{tag}.in")},
                   "expected_value": "777777.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, t) = api
        .post_as(
            &format!("/contracts/{contract}/tickets"),
            Some(&b_key),
            json!({"severity": "s2", "subject": "Bravo private issue", "description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let ticket = t["ticket_id"].as_str().expect("ticket").to_string();
    let (s, k) = api
        .post_as(&format!("/resellers/{b}/keys"), Some(&b_key), json!({}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    let key_id = k["key_id"].as_str().expect("key id").to_string();
    let (_, team) = api.get_as(&format!("/resellers/{b}/users"), Some(&b_key)).await;
    let user = team["users"][0]["user_id"].as_str().expect("B's owner").to_string();
    api.drain().await;
    let bravo = Bravo {
        id: b.clone(),
        lead: lead.clone(),
        quote,
        contract,
        ticket,
        key_id,
        user,
        markers: vec![
            b_name.clone(),
            email_of(&b_name),
            format!("bravo-buyer-{tag}@bravo-secret.in"),
            bravo_company,
            "Bravo private issue".into(),
            "Shree Textile Industries".into(),
            "₹2,90,000.00".into(),
            "290000".into(),
        ],
    };

    let a_cookie = log_in(api, &sent_to, &email_of(&a_name)).await;
    let (_, _, a_home) = page(api, Some(&a_cookie), "/portal").await;
    let csrf = csrf_of(&a_home);
    let leaks = |body: &str| -> Vec<String> {
        bravo
            .markers
            .iter()
            .filter(|m| body.contains(m.as_str()))
            .cloned()
            .collect()
    };
    let mut failures = Vec::new();
    for (method, path, expect) in MATRIX {
        let url = format!("{}{}", api.base, bravo.fill(path));
        let res = if path.starts_with("/portal") {
            let mut req = browserless()
                .request(method.parse().expect("method"), &url)
                .header("cookie", format!("pp_session={a_cookie}"));
            if *method == "POST" {
                let mut fields = form_for(path);
                fields.push(("csrf", csrf.as_str()));
                req = req.form(&fields);
            }
            req.send().await.expect("portal request")
        } else {
            let mut req = api
                .http
                .request(method.parse().expect("method"), &url)
                .bearer_auth(&a_key);
            if *method != "GET" && *method != "DELETE" {
                req = req.json(&body_for(method, path, &sku, &bravo));
            }
            req.send().await.expect("request")
        };
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        let leaked = leaks(&body);
        let ok = match expect {
            Refused => status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            AdminOnly => status == StatusCode::FORBIDDEN,
            Own | Public => !status.is_server_error(),
        };
        if !ok || !leaked.is_empty() {
            failures.push(format!("{method} {path} → {status}, leaked {leaked:?}"));
        }
    }
    assert!(failures.is_empty(), "A reached B's data:\n{}", failures.join("\n"));

    // and nothing of B's changed: its brand, its keys, its lead's stage
    let (_, me) = api.get_as(&format!("/resellers/{b}"), Some(&b_key)).await;
    assert_ne!(me["brand"]["display_name"], "Hijacked", "{me}");
    let (_, l) = api.get_as(&format!("/leads/{lead}"), Some(&b_key)).await;
    assert_eq!(
        l["stage"], "R003",
        "the quote moved it to R003; A's move did nothing: {l}"
    );
    let (s, _) = api.get_as(&format!("/resellers/{b}/keys"), Some(&b_key)).await;
    assert_eq!(s, StatusCode::OK, "B's original key still works");
}
