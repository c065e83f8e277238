//! The partner portal: server-rendered HTML (minijinja templates in `templates/portal/`) for
//! resellers and admins, over the same use cases as the API. Login is passwordless (a one-time
//! link by email); the session cookie is `HttpOnly`, `SameSite=Lax` and `Secure` when the portal
//! is served over HTTPS; every form POST carries the session's CSRF token. A reseller's session
//! sees exactly what its API key sees: its own leads, ledger and payouts.

mod admin;
mod assign;
mod deals;
mod lead;
mod login;
mod pages;
mod people;
mod programme;
mod reseller;
mod staff;
mod tax;
mod team;

use super::http::{media_type, read_body, ApiError};
use crate::ports::{Clock, Mailer, QueueSender, Table};
use crate::usecases::portal_auth::{PortalUser, Session};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub use pages::render;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "pp_session";
/// Forms are small.
const MAX_FORM_BODY: usize = 16 * 1024;

#[derive(Debug, Clone)]
pub struct PortalConfig {
    pub mail_from: String,
    /// the platform's public URL: login links point under it; HTTPS makes cookies `Secure`
    pub public_base_url: String,
    /// addresses that log in as the admin (`ADMIN_EMAILS`)
    pub admin_emails: Vec<String>,
    pub rules: crate::config::Rules,
    /// a deal registered in the portal is queued here for scoring, as through the API
    pub scoring_queue: String,
    /// login requests are queued here: the sequence sender mails the link
    pub sequence_queue: String,
    /// who hears of a co-sell request
    pub presales_email: String,
}

impl PortalConfig {
    pub fn read(env: &mut crate::config::Env) -> PortalConfig {
        use crate::config::env;
        PortalConfig {
            mail_from: crate::handlers::renewal_scan::mail_from(env),
            public_base_url: env.required(env::PUBLIC_BASE_URL),
            admin_emails: env.list(env::ADMIN_EMAILS),
            rules: env.rules(),
            scoring_queue: env.required(env::SCORING_QUEUE_URL),
            sequence_queue: env.required(env::SEQUENCE_QUEUE_URL),
            presales_email: env.required(env::PRESALES_EMAIL),
        }
    }

    fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

pub struct Portal {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    /// sends only (see `QueueSender`)
    pub queue: Arc<dyn QueueSender>,
    pub clock: Arc<dyn Clock>,
    pub config: PortalConfig,
}

/// The routes the portal function serves — login, the home every login lands on, and the
/// resellers' pages; template.yaml must route each one to it (checked by a test). The staff's
/// pages under `/portal/admin/` are the portal-admin function's ([`admin_pages`]).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/portal/login"),
    ("POST", "/portal/login"),
    ("GET", "/portal/auth/{token}"),
    ("POST", "/portal/logout"),
    ("GET", "/portal"),
    ("GET", "/portal/pipeline"),
    ("GET", "/portal/leads/{id}"),
    ("POST", "/portal/leads/{id}/move"),
    ("GET", "/portal/ledger"),
    ("GET", "/portal/payouts"),
    ("GET", "/portal/payouts/{month}/statement"),
    ("GET", "/portal/tax"),
    ("GET", "/portal/assign"),
    ("POST", "/portal/leads/{id}/assign-user"),
    ("GET", "/portal/team"),
    ("POST", "/portal/team"),
    ("POST", "/portal/team/{user_id}/role"),
    ("POST", "/portal/team/{user_id}/remove"),
    ("POST", "/portal/leads/{id}/activities"),
    ("POST", "/portal/leads/{id}/co-sell"),
    ("GET", "/portal/quotes/{id}/proposal"),
    ("GET", "/portal/registrations"),
    ("POST", "/portal/registrations"),
    ("GET", "/portal/referrals"),
    ("GET", "/portal/sub-resellers"),
    ("POST", "/portal/sub-resellers"),
    ("GET", "/portal/brand"),
    ("POST", "/portal/brand"),
    ("GET", "/portal/keys"),
    ("POST", "/portal/keys"),
    ("POST", "/portal/keys/{key_id}/revoke"),
];

super::openapi::api_routes!(Arc<Portal>;
    login::login_page,
    login::post_login,
    login::auth,
    login::logout,
    reseller::home,
    reseller::pipeline,
    lead::lead_page,
    lead::log_activity,
    lead::cosell,
    lead::proposal,
    deals::registrations,
    deals::register,
    deals::referrals,
    team::sub_resellers,
    team::propose,
    team::brand,
    team::save_brand,
    team::keys,
    team::issue_key,
    team::revoke_key,
    reseller::move_lead,
    reseller::ledger,
    reseller::payouts,
    reseller::statement,
    tax::tax_page,
    assign::assign_page,
    assign::assign_user,
    people::team_page,
    people::invite,
    people::change_role,
    people::remove,
);

pub fn router(portal: Arc<Portal>) -> Router {
    serving_routes().with_state(portal)
}

/// The full router the function serves, with request ids and an HTML 404.
pub fn app(portal: Arc<Portal>) -> Router {
    super::http::served(router(portal))
}

/// The vendor's staff pages (`/portal/admin/…`): the portal-admin function, a function of its
/// own so that neither audience's function carries the other's pages (each within its 7 MiB
/// size budget: docs/BENCHMARKS.md). The same state, login and session as the portal's; the
/// local stack serves both.
pub mod admin_pages {
    use super::{admin, programme, staff, Portal};
    use axum::Router;
    use std::sync::Arc;

    /// Every route the portal-admin function serves; template.yaml must route each one to it.
    pub const ROUTES: &[(&str, &str)] = &[
        ("GET", "/portal/admin/partners"),
        ("GET", "/portal/admin/tickets"),
        ("GET", "/portal/admin/staff"),
        ("POST", "/portal/admin/staff"),
        ("GET", "/portal/admin/payouts"),
        ("GET", "/portal/admin/payouts/{month}/finance.csv"),
        ("GET", "/portal/admin/applications"),
        ("POST", "/portal/admin/applications/{id}/approve"),
        ("POST", "/portal/admin/applications/{id}/reject"),
        ("GET", "/portal/admin/queue"),
        ("POST", "/portal/admin/leads/{id}/assign"),
        ("GET", "/portal/admin/conflicts"),
        ("POST", "/portal/admin/conflicts/{id}/approve"),
        ("POST", "/portal/admin/conflicts/{id}/reject"),
        ("GET", "/portal/admin/co-sell"),
        ("POST", "/portal/admin/co-sell/{id}/assign"),
        ("GET", "/portal/admin/resellers"),
        ("GET", "/portal/admin/resellers.csv"),
        ("POST", "/portal/admin/resellers/{id}/suspend"),
        ("POST", "/portal/admin/resellers/{id}/reactivate"),
    ];

    crate::handlers::openapi::api_routes!(Arc<Portal>;
        programme::queue,
        programme::assign,
        programme::conflicts,
        programme::approve_conflict,
        programme::reject_conflict,
        programme::cosell_queue,
        programme::cosell_assign,
        programme::resellers,
        programme::resellers_csv,
        programme::suspend,
        programme::reactivate,
        staff::partners,
        staff::tickets,
        staff::staff_page,
        staff::add_staff,
        admin::payouts,
        admin::finance_csv,
        admin::applications,
        admin::approve,
        admin::reject,
    );

    pub fn router(portal: Arc<Portal>) -> Router {
        serving_routes().with_state(portal)
    }

    /// The full router the function serves, with request ids and an HTML 404.
    pub fn app(portal: Arc<Portal>) -> Router {
        crate::handlers::http::served(router(portal))
    }
}

/// What a portal page answers when it cannot show what was asked.
#[derive(Debug)]
pub enum PortalError {
    /// no session (or an expired one): to the login page
    LogIn,
    /// a form without this session's CSRF token
    Csrf,
    /// a change asked by a suspended reseller's session
    ReadOnly,
    NotFound,
    Forbidden,
    /// a form that cannot be read
    BadForm(String),
    TooMany(u64),
    Internal(String),
}

impl From<crate::ports::table::StoreError> for PortalError {
    fn from(e: crate::ports::table::StoreError) -> Self {
        PortalError::Internal(e.to_string())
    }
}

impl From<ApiError> for PortalError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::TooLarge(_) | ApiError::UnsupportedType(_) | ApiError::BadRequest(_) => {
                PortalError::BadForm(format!("{e:?}"))
            }
            other => PortalError::Internal(format!("{other:?}")),
        }
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PortalError::LogIn => return Redirect::to("/portal/login").into_response(),
            PortalError::Csrf => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not sent from your current session. Reload the page and try again.".to_string(),
            ),
            PortalError::ReadOnly => (
                StatusCode::FORBIDDEN,
                "Read only",
                "Your reseller account is suspended: you can read your records but change nothing until the partner team reactivates it.".to_string(),
            ),
            PortalError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here for you.".to_string(),
            ),
            PortalError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your login cannot open this page.".to_string(),
            ),
            PortalError::BadForm(m) => (StatusCode::BAD_REQUEST, "Bad form", m),
            PortalError::TooMany(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                "Too many login requests; try again later.".to_string(),
            ),
            PortalError::Internal(m) => {
                tracing::error!(error = %m, "portal page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side; try again in a moment.".to_string(),
                )
            }
        };
        let retry = match &status {
            &StatusCode::TOO_MANY_REQUESTS => Some(3600),
            _ => None,
        };
        let mut res = pages::message_page(status, title, &message, "error");
        if let Some(r) = retry {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(r as u64));
        }
        res
    }
}

/// The session cookie's value, if the request has one.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    crate::handlers::cookies::read(headers, SESSION_COOKIE)
}

/// The signed-in person of a request, admitted by the policy for the page it asked for.
pub struct Visitor {
    pub session: Session,
    /// who it is and whose data it sees on this page
    pub principal: crate::access::Principal,
    /// how the header names it ("Meera (Kalyani ERP)", "Farah (finance)")
    pub name: String,
    /// a suspended reseller's person: it may read, never change
    pub read_only: bool,
}

impl Visitor {
    pub fn reseller_id(&self) -> Option<&str> {
        self.principal.reseller_id()
    }
    pub fn is_staff(&self) -> bool {
        self.principal.is_staff()
    }
    /// The visitor's reseller (a page of a reseller's people; the policy already refused staff
    /// on such pages, this only names the reseller).
    pub fn reseller(&self) -> Result<String, PortalError> {
        self.reseller_id().map(str::to_string).ok_or(PortalError::Forbidden)
    }
    /// May open `method path` (the menu shows only what the role may open).
    pub fn may(&self, method: &str, path: &str) -> bool {
        matches!(
            crate::policy::decide(method, path, &self.principal.roles()),
            crate::policy::Decision::Allowed { .. }
        )
    }
}

impl axum::extract::FromRequestParts<Arc<Portal>> for Visitor {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        portal: &Arc<Portal>,
    ) -> Result<Self, Self::Rejection> {
        let path = parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        portal.visitor(&parts.headers, parts.method.as_str(), &path).await
    }
}

impl Portal {
    /// The visitor's live session and person, admitted by the policy for `method path`; else
    /// `LogIn` (no session) or `Forbidden`. Every visit checks the person: a removed one's
    /// session ends here, as does every session of a deactivated reseller; a suspended
    /// reseller's people may only read.
    async fn visitor(&self, headers: &HeaderMap, method: &str, path: &str) -> Result<Visitor, PortalError> {
        use crate::access::Person;
        use crate::domain::reseller::ResellerStatus;
        let cookie = session_cookie(headers).ok_or(PortalError::LogIn)?;
        let table = self.table.as_ref();
        let session = crate::usecases::portal_auth::session(table, self.clock.as_ref(), &cookie)
            .await?
            .ok_or(PortalError::LogIn)?;
        let found = match &session.user {
            PortalUser::User(id) => match crate::usecases::people::get_user(table, id).await? {
                Some(u) if u.status == crate::domain::people::PersonStatus::Active => {
                    match crate::usecases::resellers::get(table, &u.reseller_id).await? {
                        Some(r) if matches!(r.status, ResellerStatus::Active | ResellerStatus::Suspended) => Some((
                            Person::User {
                                user_id: u.user_id.clone(),
                                reseller_id: u.reseller_id.clone(),
                                role: u.role,
                            },
                            format!("{} ({})", u.name, r.name),
                            r.status == ResellerStatus::Suspended,
                        )),
                        _ => None,
                    }
                }
                _ => None,
            },
            PortalUser::Staff(id) => crate::usecases::people::active_staff(table, id).await?.map(|s| {
                let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
                let label = format!("{} ({})", s.name, roles.join(", ").replace('_', " "));
                (
                    Person::Staff {
                        staff_id: s.staff_id,
                        roles: s.roles,
                    },
                    label,
                    false,
                )
            }),
            // sessions from before people were kept
            PortalUser::Admin(_) | PortalUser::Reseller(_) => None,
        };
        let Some((person, name, read_only)) = found else {
            crate::usecases::portal_auth::end(table, self.clock.as_ref(), session).await?;
            return Err(PortalError::LogIn);
        };
        let principal = crate::handlers::auth::admit(person, method, path, table)
            .await
            .map_err(|_| PortalError::Forbidden)?;
        Ok(Visitor {
            session,
            principal,
            name,
            read_only,
        })
    }

    /// The session cookie: `HttpOnly`, `SameSite=Lax`, path `/portal`, `Secure` over HTTPS.
    fn cookie(&self, value: &str, max_age: i64) -> String {
        crate::handlers::cookies::set(
            SESSION_COOKIE,
            value,
            "/portal",
            max_age,
            true,
            self.config.secure_cookies(),
        )
    }
}

/// A form POST of `T` from a signed-in visitor whose session's CSRF token came with it; a
/// read-only (suspended) session changes nothing. Every form handler takes one (last, as it
/// reads the body), so none can forget the check.
pub(super) struct CheckedForm<T> {
    pub(super) visitor: Visitor,
    pub(super) form: T,
}

impl<T: DeserializeOwned> axum::extract::FromRequest<Arc<Portal>> for CheckedForm<T> {
    type Rejection = PortalError;

    async fn from_request(req: axum::extract::Request, portal: &Arc<Portal>) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, portal).await?;
        let form = form(&visitor, &parts.headers, body).await?;
        Ok(CheckedForm { visitor, form })
    }
}

/// A form POST read into `T` after its CSRF token is checked against the session's.
async fn form<T: DeserializeOwned>(
    visitor: &Visitor,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<T, PortalError> {
    let fields = raw_form_checked(visitor, headers, body).await?;
    let encoded = serde_urlencoded::to_string(&fields).map_err(|e| PortalError::BadForm(e.to_string()))?;
    serde_urlencoded::from_str(&encoded).map_err(|e| PortalError::BadForm(e.to_string()))
}

/// A form POST's fields after its CSRF token is checked against the session's; a read-only
/// (suspended) session changes nothing.
async fn raw_form_checked(
    visitor: &Visitor,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Vec<(String, String)>, PortalError> {
    let fields = csrf_checked(visitor, headers, body).await?;
    if visitor.read_only {
        return Err(PortalError::ReadOnly);
    }
    Ok(fields)
}

/// A form POST's fields after its CSRF token is checked (logging out needs no more).
async fn csrf_checked(
    visitor: &Visitor,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Vec<(String, String)>, PortalError> {
    let fields: Vec<(String, String)> = raw_form(headers, body).await?;
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !super::http::same_text(token, &visitor.session.csrf) {
        return Err(PortalError::Csrf);
    }
    Ok(fields)
}

/// A urlencoded form's fields.
async fn raw_form(headers: &HeaderMap, body: axum::body::Body) -> Result<Vec<(String, String)>, PortalError> {
    if media_type(headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(PortalError::BadForm(
            "send the form (application/x-www-form-urlencoded)".into(),
        ));
    }
    let bytes = read_body(headers, body, MAX_FORM_BODY).await?;
    serde_urlencoded::from_bytes(&bytes).map_err(|e| PortalError::BadForm(e.to_string()))
}

/// `303 See Other` to `to` (after a form POST).
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// What the last action did, or why it was refused (shown above the page; see `back_with`):
/// each a token signed for the visitor's session, so a link someone else made shows nothing.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Outcome {
    /// what the last action did (a token the portal made for this session)
    pub(super) done: Option<String>,
    /// why it was refused (a token the portal made for this session)
    pub(super) error: Option<String>,
}

/// The notices a page shows: only what the portal itself said to this session.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Notices {
    pub(super) done: Option<String>,
    pub(super) error: Option<String>,
}

impl Outcome {
    pub(super) fn none() -> Outcome {
        Outcome {
            done: None,
            error: None,
        }
    }

    /// The messages whose tokens this session's portal made; anything else is dropped.
    pub(super) fn shown(&self, visitor: &Visitor) -> Notices {
        let read = |key: &str, token: &Option<String>| {
            let payload = crate::domain::token::verify(std::slice::from_ref(&visitor.session.csrf), token.as_deref()?)?;
            payload.strip_prefix(&format!("{key}:")).map(str::to_string)
        };
        Notices {
            done: read("done", &self.done),
            error: read("error", &self.error),
        }
    }
}

/// `303` back to `page` with a message for it to show (`done` or `error` in the query, as a
/// token signed with the session's own secret).
fn back_with(visitor: &Visitor, page: &str, key: &str, message: &str) -> Response {
    let token = crate::domain::token::sign(&visitor.session.csrf, &format!("{key}:{message}"));
    let q = serde_urlencoded::to_string([(key, token)]).unwrap_or_default();
    see_other(&format!("{page}?{q}"))
}

/// A use case's refusal shown back on `page` (`303` with the reason); an unknown or another
/// reseller's resource is `404`; a store failure an error page.
fn refused(
    visitor: &Visitor,
    page: &str,
    e: crate::usecases::pipeline::PipelineError,
) -> Result<Response, PortalError> {
    use crate::usecases::pipeline::PipelineError;
    match e {
        PipelineError::NotFound(_) | PipelineError::Unknown(_) => Err(PortalError::NotFound),
        PipelineError::Store(s) => Err(s.into()),
        PipelineError::Invalid(errors) => Ok(back_with(visitor, page, "error", &field_errors(&errors))),
        other => Ok(back_with(visitor, page, "error", &other.to_string())),
    }
}

/// Invalid fields as one sentence for a page.
fn field_errors(errors: &[crate::domain::field::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}
