//! The portal's templates (embedded at build time, HTML auto-escaped by minijinja) and how a
//! page is rendered with who is looking.

use super::Visitor;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/portal/base.html")),
    ("login.html", include_str!("../../../templates/portal/login.html")),
    ("message.html", include_str!("../../../templates/portal/message.html")),
    ("home.html", include_str!("../../../templates/portal/home.html")),
    ("pipeline.html", include_str!("../../../templates/portal/pipeline.html")),
    ("lead.html", include_str!("../../../templates/portal/lead.html")),
    ("ledger.html", include_str!("../../../templates/portal/ledger.html")),
    ("payouts.html", include_str!("../../../templates/portal/payouts.html")),
    (
        "admin_home.html",
        include_str!("../../../templates/portal/admin_home.html"),
    ),
    (
        "applications.html",
        include_str!("../../../templates/portal/applications.html"),
    ),
    (
        "statement.html",
        include_str!("../../../templates/portal/statement.html"),
    ),
    (
        "admin_payouts.html",
        include_str!("../../../templates/portal/admin_payouts.html"),
    ),
    ("notices.html", include_str!("../../../templates/portal/notices.html")),
    (
        "registrations.html",
        include_str!("../../../templates/portal/registrations.html"),
    ),
    (
        "referrals.html",
        include_str!("../../../templates/portal/referrals.html"),
    ),
    (
        "sub_resellers.html",
        include_str!("../../../templates/portal/sub_resellers.html"),
    ),
    ("brand.html", include_str!("../../../templates/portal/brand.html")),
    ("tax.html", include_str!("../../../templates/portal/tax.html")),
    ("rep_home.html", include_str!("../../../templates/portal/rep_home.html")),
    ("assign.html", include_str!("../../../templates/portal/assign.html")),
    ("team.html", include_str!("../../../templates/portal/team.html")),
    ("partners.html", include_str!("../../../templates/portal/partners.html")),
    ("tickets.html", include_str!("../../../templates/portal/tickets.html")),
    ("staff.html", include_str!("../../../templates/portal/staff.html")),
    ("keys.html", include_str!("../../../templates/portal/keys.html")),
    ("queue.html", include_str!("../../../templates/portal/queue.html")),
    (
        "conflicts.html",
        include_str!("../../../templates/portal/conflicts.html"),
    ),
    ("cosell.html", include_str!("../../../templates/portal/cosell.html")),
    (
        "resellers.html",
        include_str!("../../../templates/portal/resellers.html"),
    ),
];

fn env() -> &'static minijinja::Environment<'static> {
    static ENV: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = minijinja::Environment::new();
        for (name, source) in TEMPLATES {
            // the templates are part of the build; one that does not parse fails every test
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "portal template does not parse");
            }
        }
        env
    })
}

/// Who is looking, as the layout shows it.
#[derive(Serialize)]
struct UserView<'a> {
    name: &'a str,
    admin: bool,
    /// the pages its role may open (asked of the policy)
    menu: Vec<MenuItem>,
}

#[derive(Serialize)]
struct MenuItem {
    href: &'static str,
    label: &'static str,
}

/// Every page a menu can show, in order: a visitor sees those the policy lets its role open.
const RESELLER_MENU: &[(&str, &str)] = &[
    ("/portal", "Home"),
    ("/portal/pipeline", "Pipeline"),
    ("/portal/assign", "Assign"),
    ("/portal/registrations", "Deals"),
    ("/portal/referrals", "Referrals"),
    ("/portal/ledger", "Commission"),
    ("/portal/payouts", "Payouts"),
    ("/portal/tax", "Tax"),
    ("/portal/team", "Team"),
    ("/portal/sub-resellers", "Sub-resellers"),
    ("/portal/brand", "Brand"),
    ("/portal/keys", "API keys"),
];
const STAFF_MENU: &[(&str, &str)] = &[
    ("/portal", "Programme"),
    ("/portal/admin/partners", "Partners"),
    ("/portal/admin/queue", "Queue"),
    ("/portal/admin/applications", "Applications"),
    ("/portal/admin/resellers", "Resellers"),
    ("/portal/admin/conflicts", "Conflicts"),
    ("/portal/admin/co-sell", "Co-sell"),
    ("/portal/admin/tickets", "Tickets"),
    ("/portal/admin/payouts", "Payouts"),
    ("/portal/admin/staff", "Staff"),
];

fn menu_of(v: &Visitor) -> Vec<MenuItem> {
    let all = if v.is_staff() { STAFF_MENU } else { RESELLER_MENU };
    all.iter()
        .filter(|(href, _)| v.may("GET", href))
        .map(|(href, label)| MenuItem { href, label })
        .collect()
}

/// A page: the template with its own context, plus the layout's (`title`, `user`, `csrf`).
pub fn render(template: &str, title: &str, visitor: Option<&Visitor>, ctx: impl Serialize) -> Response {
    render_status(StatusCode::OK, template, title, visitor, ctx)
}

pub fn render_status(
    status: StatusCode,
    template: &str,
    title: &str,
    visitor: Option<&Visitor>,
    ctx: impl Serialize,
) -> Response {
    let user = visitor.map(|v| UserView {
        name: &v.name,
        admin: v.is_staff(),
        menu: menu_of(v),
    });
    let csrf = visitor.map(|v| v.session.csrf.as_str()).unwrap_or("");
    let mut page = match serde_json::to_value(&ctx) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    page.insert("title".into(), serde_json::json!(title));
    page.insert("user".into(), serde_json::json!(user));
    page.insert("csrf".into(), serde_json::json!(csrf));
    match env()
        .get_template(template)
        .and_then(|t| t.render(minijinja::value::Serde(page)))
    {
        Ok(html) => {
            let mut res = (status, html).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(crate::handlers::http::PAGE_CSP),
            );
            res
        }
        Err(e) => {
            tracing::error!(template, error = %e, "portal page not rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
        }
    }
}

/// A page that only says something (an error, a confirmation).
pub fn message_page(status: StatusCode, title: &str, message: &str, kind: &str) -> Response {
    render_status(
        status,
        "message.html",
        title,
        None,
        serde_json::json!({ "message": message, "message_kind": kind }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_renders_escaped() {
        for (name, _) in TEMPLATES {
            let t = env().get_template(name);
            assert!(t.is_ok(), "{name}: {:?}", t.err());
        }
        // every template file is registered
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/portal");
        for f in std::fs::read_dir(dir).expect("templates").flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            assert!(TEMPLATES.iter().any(|(n, _)| *n == name), "{name} is not registered");
        }
        let html = env()
            .get_template("message.html")
            .and_then(|t| {
                t.render(minijinja::value::Serde(serde_json::json!({
                    "title": "T", "message": "<script>x</script>", "message_kind": "error"
                })))
            })
            .expect("renders");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>x"));
    }
}
