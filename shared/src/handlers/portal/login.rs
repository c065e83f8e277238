//! Logging in without a password: the form, the emailed one-time link, logging out.

use super::pages::render;
use super::{raw_form, see_other, Portal, PortalError, Visitor};
use crate::handlers::http::QueryParams;
use crate::usecases::portal_auth::{self, SESSION_HOURS};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// Login requests per client address per hour (over it: `429`), and links mailed per address
/// asked for (over it: the same answer, no more links — so nobody can lock an address out).
const PER_CLIENT_PER_HOUR: u32 = 20;
const PER_EMAIL_PER_HOUR: u32 = 5;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LoginMessage {
    /// `sent` (a link is on its way), `invalid` (a used, expired or unknown link), `out`
    m: Option<String>,
}

#[utoipa::path(get, path = "/portal/login", tag = "portal",
    params(LoginMessage),
    responses((status = 200, description = "the login form (HTML)", content_type = "text/html", body = String)))]
pub(super) async fn login_page(QueryParams(q): QueryParams<LoginMessage>) -> Response {
    let (message, kind) = match q.m.as_deref() {
        Some("sent") => (
            Some("If that address belongs to a partner or an admin, a login link is on its way. It works once, for 15 minutes."),
            "notice",
        ),
        Some("invalid") => (
            Some("That login link is used, expired or not valid. Ask for a new one."),
            "error",
        ),
        Some("out") => (Some("You are logged out."), "notice"),
        _ => (None, "notice"),
    };
    render(
        "login.html",
        "Log in",
        None,
        serde_json::json!({ "message": message, "message_kind": kind }),
    )
}

#[utoipa::path(post, path = "/portal/login", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`email`"),
    responses((status = 303, description = "to `/portal/login?m=sent`, whether or not the address is known (a link is mailed if it is)"),
        (status = 400, description = "not a form", content_type = "text/html", body = String),
        (status = 429, description = "too many requests from this client (`Retry-After`); too many for one address are answered as any other, without another link", content_type = "text/html", body = String)))]
pub(super) async fn post_login(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PortalError> {
    let fields = raw_form(&headers, body).await?;
    let email = fields
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.trim().to_lowercase())
        .unwrap_or_default();
    let now = portal.clock.now();
    let client = crate::handlers::forms::client_address(&headers).unwrap_or_else(|| "unknown".into());
    let table = portal.table.as_ref();
    use crate::usecases::rate_limit::hit;
    if let Err(l) = hit(table, "portal-login", &client, PER_CLIENT_PER_HOUR, now).await? {
        return Err(PortalError::TooMany(l.retry_after));
    }
    let within = hit(table, "portal-login-email", &email, PER_EMAIL_PER_HOUR, now)
        .await?
        .is_ok();
    if within && email.contains('@') && email.len() <= 254 {
        // whether the address is known is decided by the sequence sender, after the answer
        portal_auth::queue_link_request(portal.queue.as_ref(), &portal.config.sequence_queue, &email, now).await?;
    }
    Ok(see_other("/portal/login?m=sent"))
}

#[utoipa::path(get, path = "/portal/auth/{token}", tag = "portal",
    params(("token" = String, Path, description = "the one-time token from the emailed link")),
    responses((status = 303, description = "a valid link: a session cookie (HttpOnly, SameSite=Lax, 12 hours) and on to the person's work (`/portal`; finance `/portal/admin/payouts`, a channel manager `/portal/admin/partners`, presales `/portal/admin/co-sell`, support `/portal/admin/tickets`); a used, expired or tampered one: to `/portal/login?m=invalid`, no session")))]
pub(super) async fn auth(
    State(portal): State<Arc<Portal>>,
    Path(token): Path<String>,
) -> Result<Response, PortalError> {
    match portal_auth::redeem(portal.table.as_ref(), portal.clock.as_ref(), &token).await? {
        None => Ok(see_other("/portal/login?m=invalid")),
        Some((cookie, session)) => {
            // staff land on their work: finance on payouts, a channel manager on its partners…
            let landing = match &session.user {
                crate::usecases::portal_auth::PortalUser::Staff(id) => {
                    crate::usecases::people::get_staff(portal.table.as_ref(), id)
                        .await?
                        .map_or("/portal", |s| s.landing())
                }
                _ => "/portal",
            };
            let mut res = see_other(landing);
            let value = portal.cookie(&cookie, SESSION_HOURS * 3600);
            if let Ok(v) = HeaderValue::from_str(&value) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
    }
}

#[utoipa::path(post, path = "/portal/logout", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 303, description = "the session ended; to the login page"),
        (status = 403, description = "no CSRF token of this session", content_type = "text/html", body = String)))]
pub(super) async fn logout(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PortalError> {
    super::csrf_checked(&visitor, &headers, body).await?;
    portal_auth::end(portal.table.as_ref(), portal.clock.as_ref(), visitor.session).await?;
    let mut res = see_other("/portal/login?m=out");
    if let Ok(v) = HeaderValue::from_str(&portal.cookie("", 0)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}
