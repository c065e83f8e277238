//! The lead-capture function's HTTP API (API Gateway HTTP API, payload v2):
//! `POST /leads`, `GET /leads`, `GET /leads/{id}`, `POST /resellers`, `GET /resellers/{id}`.

use super::openapi::ErrorBody;
use crate::usecases::registrations::RegistrationIn;

use super::http::{
    authenticate, media_type, method_not_allowed, read_body, require_admin, ApiError, Principal, QueryParams, RequestId,
};
use crate::config::env;
use crate::domain::lead::{self, FieldError};
use crate::domain::reseller::Reseller;
use crate::domain::text::{self, Lines};
use crate::ports::{Clock, Queue, Table};
use crate::usecases::capture::{capture_lead, CaptureError, CapturePorts, Captured, Idempotency};
use crate::usecases::leads::{self as leads_uc, LeadFilter, ListError};
use crate::usecases::resellers::{self, sha256_hex, NewReseller, ResellerError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Submissions larger than this are refused with 413.
pub const MAX_LEAD_BODY: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct LeadApiConfig {
    pub admin_key_hash: String,
    pub scoring_queue: String,
    pub thank_you_url: String,
    pub error_url: String,
    /// hosts a form's `redirect` field may send the browser to
    pub redirect_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// signs tracking and unsubscribe links
    pub tracking_secret: String,
    /// how long a deal registration protects its company
    pub protection_days: i64,
    pub extra_free_mail_domains: Vec<String>,
    /// where referral links land (with `ref` and `click` in the query)
    pub referral_landing_url: String,
}

fn list_env(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl LeadApiConfig {
    pub fn from_env() -> Result<LeadApiConfig, String> {
        let need = |n: &str| {
            std::env::var(n)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("{n} is not set"))
        };
        let rules = crate::config::Rules::from_env()?;
        Ok(LeadApiConfig {
            admin_key_hash: sha256_hex(&need(env::ADMIN_API_KEY)?),
            scoring_queue: need(env::SCORING_QUEUE_URL)?,
            thank_you_url: need(env::THANK_YOU_URL)?,
            error_url: need(env::ERROR_URL)?,
            redirect_hosts: list_env(env::REDIRECT_ALLOWED_HOSTS),
            allowed_origins: list_env(env::ALLOWED_ORIGINS),
            tracking_secret: need(env::TRACKING_SECRET)?,
            protection_days: rules.routing.protection_days as i64,
            extra_free_mail_domains: rules.routing.extra_free_mail_domains,
            referral_landing_url: need(env::REFERRAL_LANDING_URL)?,
        })
    }
}

pub struct LeadApi {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub config: LeadApiConfig,
}

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/leads"),
    ("GET", "/leads"),
    ("GET", "/leads/{id}"),
    ("POST", "/resellers"),
    ("GET", "/resellers/{id}"),
    ("POST", "/leads/{id}/activities"),
    ("POST", "/registrations"),
    ("GET", "/registrations"),
    ("GET", "/registrations/conflicts"),
    ("GET", "/r/{code}"),
    ("POST", "/referrals/customers"),
    ("GET", "/t/o/{token}"),
    ("GET", "/t/c/{token}"),
    ("GET", "/u/{token}"),
    ("POST", "/u/{token}"),
];

/// The routes with their descriptions (state still to be given).
pub fn described_routes() -> OpenApiRouter<Arc<LeadApi>> {
    OpenApiRouter::new()
        .routes(routes!(post_lead, list_leads))
        .routes(routes!(get_lead))
        .routes(routes!(post_reseller))
        .routes(routes!(get_reseller))
        .routes(routes!(post_activity))
        .routes(routes!(post_registration, list_registrations))
        .routes(routes!(registration_conflicts))
        .routes(routes!(referral_link))
        .routes(routes!(customer_referral_code))
        .routes(routes!(track_open))
        .routes(routes!(track_click))
        .routes(routes!(unsubscribe_page, unsubscribe))
}

pub fn router(api: Arc<LeadApi>) -> Router {
    let (router, _) = described_routes().split_for_parts();
    router.with_state(api)
}

/// A lead as a website form or a script sends it (every field but `email` optional).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LeadSubmission {
    /// required
    email: String,
    name: Option<String>,
    company: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    country: Option<String>,
    state: Option<String>,
    industry: Option<String>,
    employees: Option<String>,
    /// text ("5-10 lakh") or a number
    budget: Option<String>,
    timeline: Option<String>,
    message: Option<String>,
    /// website (default), event, webinar, partner_registration, prospect_list, referral…
    channel: Option<String>,
    campaign: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    referral_code: Option<String>,
    referral_click: Option<String>,
    /// the honeypot: must stay empty
    website: Option<String>,
    /// where a browser form goes after (an allowed host)
    redirect: Option<String>,
}

/// The answer to a lead post.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LeadCreated {
    lead_id: String,
    /// true when an open lead with that email exists
    duplicate: Option<bool>,
}

fn is_browser_form(headers: &HeaderMap) -> bool {
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    accepts_html && media_type(headers).as_deref() == Some("application/x-www-form-urlencoded")
}

/// The submission as a JSON object, from either a form body or a JSON body.
fn parse_submission(headers: &HeaderMap, bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match media_type(headers).as_deref() {
        Some("application/json") => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::BadRequest("the body must be a JSON object".into())),
            Err(e) => Err(ApiError::BadRequest(format!("malformed JSON: {e}"))),
        },
        Some("application/x-www-form-urlencoded") => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
                .map_err(|e| ApiError::BadRequest(format!("malformed form body: {e}")))?;
            let mut m = Map::new();
            for (k, v) in pairs {
                // the first value of a repeated field wins
                m.entry(k).or_insert(Value::String(v));
            }
            Ok(m)
        }
        other => Err(ApiError::UnsupportedType(format!(
            "send application/json or application/x-www-form-urlencoded, not {}",
            other.unwrap_or("no content type")
        ))),
    }
}

/// A `redirect` is followed only to an allowed host (no open redirect).
fn allowed_redirect(target: &str, hosts: &[String]) -> bool {
    let Ok(uri) = target.parse::<axum::http::Uri>() else {
        return false;
    };
    let scheme_ok = matches!(uri.scheme_str(), Some("https") | Some("http"));
    let host = uri.host().unwrap_or("").to_lowercase();
    scheme_ok
        && hosts.iter().any(|h| {
            let h = h.to_lowercase();
            host == h || host.ends_with(&format!(".{h}"))
        })
}

fn with_query(base: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return base.to_string();
    }
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{q}")
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_string())]).into_response()
}

#[utoipa::path(post, path = "/leads", tag = "leads",
    request_body(description = "JSON, or a plain HTML form (urlencoded; browsers get 303 redirects)",
        content((LeadSubmission = "application/json"), (LeadSubmission = "application/x-www-form-urlencoded"))),
    params(("Idempotency-Key" = Option<String>, Header, description = "replays get the first answer")),
    responses(
        (status = 201, description = "a new lead", body = LeadCreated),
        (status = 200, description = "a duplicate (open lead with that email) or a replay", body = LeadCreated),
        (status = 303, description = "a browser form: to the thank-you or error page"),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 409, description = "an Idempotency-Key reused with another body", body = ErrorBody),
        (status = 413, description = "over 64 KiB", body = ErrorBody),
        (status = 415, description = "another content type", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn post_lead(
    State(api): State<Arc<LeadApi>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let browser = is_browser_form(&headers);
    match capture(&api, &headers, body, &rid).await {
        Ok((status, body, redirect)) => {
            if browser {
                let target = redirect
                    .filter(|r| allowed_redirect(r, &api.config.redirect_hosts))
                    .unwrap_or_else(|| api.config.thank_you_url.clone());
                see_other(&target)
            } else {
                (status, Json(body)).into_response()
            }
        }
        Err(e) if browser => {
            let pairs: Vec<(String, String)> = match &e {
                ApiError::Invalid(errors) => errors
                    .iter()
                    .map(|f| ("error".to_string(), format!("{}: {}", f.field, f.message)))
                    .collect(),
                other => vec![(
                    "error".into(),
                    other.body()["error"].as_str().unwrap_or("error").to_string(),
                )],
            };
            if let ApiError::Internal(d) = &e {
                tracing::error!(error = %d, "internal error");
            }
            see_other(&with_query(&api.config.error_url, &pairs))
        }
        Err(e) => e.into_response(),
    }
}

async fn capture(
    api: &LeadApi,
    headers: &HeaderMap,
    body: Body,
    rid: &RequestId,
) -> Result<(StatusCode, Value, Option<String>), ApiError> {
    // the type is checked before reading, so a wrong type is 415 whatever its size
    if !matches!(
        media_type(headers).as_deref(),
        Some("application/json") | Some("application/x-www-form-urlencoded")
    ) {
        return Err(parse_submission(headers, b"")
            .err()
            .unwrap_or(ApiError::BadRequest("unsupported".into())));
    }
    let bytes = read_body(headers, body, MAX_LEAD_BODY).await?;
    let fields = parse_submission(headers, &bytes)?;
    let input = lead::validate(&fields).map_err(ApiError::Invalid)?;
    let idem = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() && k.len() <= 255 => Some(Idempotency {
            key_hash: sha256_hex(k.trim()),
            request_hash: sha256_hex(&format!(
                "{}\n{}",
                media_type(headers).unwrap_or_default(),
                String::from_utf8_lossy(&bytes)
            )),
        }),
        Some(_) => {
            return Err(ApiError::Invalid(vec![FieldError {
                field: "Idempotency-Key".into(),
                message: "must be 1 to 255 visible characters".into(),
            }]))
        }
    };
    let ports = CapturePorts {
        table: api.table.as_ref(),
        queue: api.queue.as_ref(),
        clock: api.clock.as_ref(),
        scoring_queue: &api.config.scoring_queue,
    };
    let outcome = capture_lead(&ports, &input, idem.as_ref(), &rid.0)
        .await
        .map_err(|e| match e {
            CaptureError::IdempotencyMismatch => ApiError::Conflict(e.to_string()),
            CaptureError::Store(s) => ApiError::from(s),
        })?;
    let (status, body) = match outcome {
        Captured::Created { lead_id } => (StatusCode::CREATED, json!({ "lead_id": lead_id })),
        Captured::Duplicate { lead_id } => (StatusCode::OK, json!({ "lead_id": lead_id, "duplicate": true })),
        Captured::Replayed { body } => (StatusCode::OK, body),
    };
    Ok((status, body, input.redirect))
}

#[utoipa::path(get, path = "/leads/{id}", tag = "leads",
    params(("id" = String, Path, description = "lead id")),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the ticket with its score reasons, routing and audit trail", body = Object),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody)))]
async fn get_lead(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let who = authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?;
    let not_found = || ApiError::NotFound(format!("no lead {id}"));
    if id.is_empty() || id.len() > 64 {
        return Err(not_found());
    }
    let record = leads_uc::get_ticket(api.table.as_ref(), &id)
        .await?
        .ok_or_else(not_found)?;
    let lead = &record.lead;
    // a reseller sees its own leads only; another's is as good as missing
    if let Principal::Reseller(rid) = &who {
        if lead.owner_reseller_id.as_deref() != Some(rid.as_str()) {
            return Err(not_found());
        }
    }
    let mut view = leads_uc::view(lead, &record.audit);
    // the first-response clock, when an owner has one running or had one
    view["sla"] = json!(record.sla.as_ref().map(|s| json!({
        "status": s.status, "owner_reseller_id": s.owner_reseller_id, "deadline": s.deadline,
        "reassignments": s.reassignments, "first_response_at": s.first_response_at,
        "first_response_minutes": s.first_response_minutes,
    })));
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    email: Option<String>,
    stage: Option<String>,
    owner: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/leads", tag = "leads",
    params(ListParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "`{leads, cursor}`, newest first (a reseller: its own)", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 422, description = "a bad filter", body = ErrorBody)))]
async fn list_leads(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    QueryParams(p): QueryParams<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let who = authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?;
    let mut filter = LeadFilter {
        email: p.email.filter(|s| !s.trim().is_empty()),
        stage: p.stage.filter(|s| !s.trim().is_empty()),
        owner: p.owner.filter(|s| !s.trim().is_empty()),
    };
    if let Principal::Reseller(rid) = &who {
        if filter.owner.as_deref().is_some_and(|o| o != rid) {
            return Err(ApiError::Forbidden);
        }
        filter.owner = Some(rid.clone());
    }
    let (found, cursor) = leads_uc::list(api.table.as_ref(), &filter, p.limit.unwrap_or(20), p.cursor)
        .await
        .map_err(|e| match e {
            ListError::BadFilter(m) => ApiError::Invalid(vec![FieldError {
                field: "filter".into(),
                message: m,
            }]),
            ListError::Store(crate::ports::table::StoreError::BadCursor) => {
                ApiError::BadRequest("invalid cursor".into())
            }
            ListError::Store(s) => ApiError::from(s),
        })?;
    let leads: Vec<Value> = found.iter().map(|r| leads_uc::view(&r.lead, &r.audit)).collect();
    Ok(Json(json!({ "leads": leads, "cursor": cursor })))
}

fn reseller_view(r: &Reseller) -> Value {
    json!({
        "reseller_id": r.reseller_id,
        "name": r.name,
        "email": r.email,
        "regions": r.regions,
        "industries": r.industries,
        "tier": r.tier,
        "capacity": r.capacity,
        "status": r.status,
        "win_rate": r.win_rate.to_string(),
        "referral_code": r.referral_code,
        "open_leads": r.open_leads,
        "last_assigned_at": r.last_assigned_at,
        "created_at": r.created_at,
    })
}

#[utoipa::path(post, path = "/resellers", tag = "resellers",
    request_body = NewReseller,
    security(("admin_key" = [])),
    responses((status = 201, description = "the reseller, its referral code and (once) its API key", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn post_reseller(State(api): State<Arc<LeadApi>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    require_admin(&authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?)?;
    if media_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::UnsupportedType("send application/json".into()));
    }
    let bytes = read_body(&headers, body, MAX_LEAD_BODY).await?;
    let input: NewReseller =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let (reseller, api_key) = resellers::create(api.table.as_ref(), api.clock.as_ref(), &input)
        .await
        .map_err(|e| match e {
            ResellerError::Invalid(errors) => ApiError::Invalid(errors),
            ResellerError::Store(s) => ApiError::from(s),
        })?;
    let mut body = reseller_view(&reseller);
    body["api_key"] = json!(api_key);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(get, path = "/resellers/{id}", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the reseller (never its key)", body = Object),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody)))]
async fn get_reseller(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let who = authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?;
    if let Principal::Reseller(own) = &who {
        if *own != id {
            return Err(ApiError::Forbidden);
        }
    }
    let r = resellers::get(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    Ok(Json(reseller_view(&r)))
}

/// The full router the function serves: the API, request ids, and JSON 404s.
pub fn app(api: Arc<LeadApi>) -> Router {
    router(api)
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(super::http::request_id_layer))
}

/// A 1×1 transparent GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

fn not_found() -> Response {
    ApiError::NotFound("no such link".into()).into_response()
}

/// Queues an engagement for scoring (open, click, reply).
async fn engaged(api: &LeadApi, lead_id: &str, kind: &str) -> Result<(), ApiError> {
    let now = api.clock.now();
    let id = crate::ids::new_id(now);
    let env = crate::events::Envelope::new(
        crate::events::Event::LeadEngaged(crate::events::LeadEngaged {
            lead_id: lead_id.to_string(),
            kind: kind.to_string(),
        }),
        id.clone(),
        now,
        &id,
    );
    let body = env.to_body().map_err(|e| ApiError::Internal(e.to_string()))?;
    api.queue
        .send(&api.config.scoring_queue, body)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(())
}

fn payload(api: &LeadApi, token: &str, kind: &str) -> Option<Vec<String>> {
    let p = crate::domain::token::verify(&api.config.tracking_secret, token)?;
    let parts: Vec<String> = p.split('|').map(str::to_string).collect();
    (parts.first().map(String::as_str) == Some(kind)).then_some(parts)
}

#[utoipa::path(get, path = "/t/o/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed open-tracking token")),
    responses((status = 200, description = "a 1×1 GIF (whatever the token)", content_type = "image/gif")))]
async fn track_open(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "o") else {
        return not_found();
    };
    if let Err(e) = engaged(&api, &p[1], "open").await {
        return e.into_response();
    }
    (
        [(header::CONTENT_TYPE, "image/gif"), (header::CACHE_CONTROL, "no-store")],
        PIXEL,
    )
        .into_response()
}

/// Redirects only to a URL that was in that email: the step's own links, by index.
#[utoipa::path(get, path = "/t/c/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed click-tracking token")),
    responses((status = 302, description = "to the link's target"),
        (status = 404, description = "an invalid token", body = ErrorBody)))]
async fn track_click(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "c") else {
        return not_found();
    };
    let (Some(lead), Some(sk), Some(index)) = (p.get(1), p.get(2), p.get(3).and_then(|i| i.parse::<usize>().ok()))
    else {
        return not_found();
    };
    let url = match crate::usecases::sequences::step_links(api.table.as_ref(), lead, sk).await {
        Ok(Some(links)) => links.get(index).cloned(),
        Ok(None) => None,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(url) = url else { return not_found() };
    if let Err(e) = engaged(&api, lead, "click").await {
        return e.into_response();
    }
    (StatusCode::FOUND, [(header::LOCATION, url)]).into_response()
}

#[utoipa::path(get, path = "/u/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed unsubscribe token")),
    responses((status = 200, description = "a page with a confirm button", content_type = "text/html"),
        (status = 404, description = "an invalid token", content_type = "text/html")))]
async fn unsubscribe_page(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    if payload(&api, &token, "u").is_none() {
        return not_found();
    }
    axum::response::Html(format!(
        "<!doctype html><title>Unsubscribe</title><h1>Unsubscribe</h1><p>Stop all emails to this address?</p>\
         <form method=\"post\" action=\"/u/{token}\"><button>Unsubscribe</button></form>"
    ))
    .into_response()
}

/// RFC 8058 one-click (and the page's button): suppress the address and stop its sequences.
#[utoipa::path(post, path = "/u/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed unsubscribe token")),
    responses((status = 200, description = "unsubscribed (RFC 8058 one-click too)", content_type = "text/html"),
        (status = 404, description = "an invalid token", content_type = "text/html")))]
async fn unsubscribe(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "u") else {
        return not_found();
    };
    let (Some(lead_id), Some(email)) = (p.get(1), p.get(2)) else {
        return not_found();
    };
    let now = api.clock.now();
    if let Err(e) = crate::usecases::sequences::suppress(api.table.as_ref(), email, "unsubscribed", now).await {
        return ApiError::from(e).into_response();
    }
    for _ in 0..3 {
        let Ok(Some(item)) = api.table.get(&crate::repo::lead_key(lead_id)).await else {
            break;
        };
        let Ok(lead) = crate::repo::record::<crate::domain::lead::Lead>(item) else {
            break;
        };
        if lead.unsubscribed {
            break;
        }
        let mut next = lead.clone();
        next.unsubscribed = true;
        next.version += 1;
        let Ok(item) = crate::repo::item(&next) else { break };
        if api
            .table
            .transact(vec![crate::repo::put_if_version(item, lead.version)])
            .await
            .is_ok()
        {
            break;
        }
    }
    axum::response::Html("<!doctype html><title>Unsubscribed</title><h1>You are unsubscribed</h1><p>You will get no more emails from us.</p>").into_response()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ActivityIn {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    note: Option<String>,
}

/// Sales activity on a lead (owning reseller or admin); a reply stops its sequences and
/// counts as engagement.
#[utoipa::path(post, path = "/leads/{id}/activities", tag = "leads",
    params(("id" = String, Path, description = "lead id")),
    request_body = ActivityIn,
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 201, description = "recorded (with `first_response` when it stopped the SLA clock)", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn post_activity(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let who = authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?;
    let leads_uc::LeadRecord { lead, sla, .. } = leads_uc::get_ticket(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no lead {id}")))?;
    let actor = match &who {
        Principal::Admin => "admin".to_string(),
        Principal::Reseller(r) if lead.owner_reseller_id.as_deref() == Some(r.as_str()) => format!("reseller:{r}"),
        Principal::Reseller(_) => return Err(ApiError::NotFound(format!("no lead {id}"))),
    };
    if media_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::UnsupportedType("send application/json".into()));
    }
    let bytes = read_body(&headers, body, MAX_LEAD_BODY).await?;
    let input: ActivityIn =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let mut errors = Vec::new();
    if !["call", "email", "meeting", "note", "reply", "webinar"].contains(&input.kind.as_str()) {
        errors.push(FieldError {
            field: "type".into(),
            message: "must be call, email, meeting, note, reply or webinar (attended)".into(),
        });
    }
    let note = text::collect(
        text::optional("note", input.note.as_deref(), 2000, Lines::Multi),
        &mut errors,
    )
    .flatten();
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let now = api.clock.now();
    let audit = crate::domain::audit::AuditEvent {
        event_id: crate::ids::new_id(now),
        at: now,
        actor,
        action: format!("activity.{}", input.kind),
        before: None,
        after: Some(json!({"type": input.kind})),
        correlation_id: crate::ids::new_id(now),
        detail: note.unwrap_or_default(),
    };
    let first_response = record_activity(&api, &id, &audit, &input.kind, sla).await?;
    if input.kind == "reply" || input.kind == "webinar" {
        engaged(&api, &id, &input.kind).await?;
    }
    let mut body = json!({"lead_id": id, "activity": input.kind});
    if let Some(sla) = first_response {
        body["first_response"] = json!({"at": sla.first_response_at, "minutes": sla.first_response_minutes});
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Appends the activity to the audit trail; the first sales activity on a lead whose SLA clock
/// runs also stops it (one transaction). `read` is the SLA as read with the lead. Returns the
/// SLA when this was the first response.
async fn record_activity(
    api: &LeadApi,
    lead_id: &str,
    audit: &crate::domain::audit::AuditEvent,
    kind: &str,
    read: Option<crate::usecases::sla::Sla>,
) -> Result<Option<crate::usecases::sla::Sla>, ApiError> {
    use crate::usecases::sla;
    let audit_write = crate::repo::put_new(crate::repo::item(&crate::repo::LeadAudit { lead_id, event: audit })?);
    if sla::RESPONSE_TYPES.contains(&kind) {
        let mut current = read;
        for _ in 0..3 {
            let Some(sla_now) = current.take() else { break };
            let Some((next, write)) = sla::first_response(&sla_now, &audit.actor, audit.at)? else {
                break;
            };
            match api.table.transact(vec![audit_write.clone(), write]).await {
                Ok(()) => return Ok(Some(next)),
                // the SLA moved meanwhile (a reassignment, or another first response): read it again
                Err(e) if e.is_conflict() => {
                    current = crate::repo::get_record::<sla::Sla>(api.table.as_ref(), &sla::sla_key(lead_id)).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    api.table.transact(vec![audit_write]).await?;
    Ok(None)
}

/// Deal registration by a reseller (its own key): `201` with the protection's expiry, or `409`
/// naming only when the existing protection ends.
#[utoipa::path(post, path = "/registrations", tag = "registrations",
    request_body = RegistrationIn,
    security(("reseller_key" = [])),
    responses((status = 201, description = "registered: protected until `protected_until`, with its lead", body = Object),
        (status = 200, description = "this reseller already holds the company: its registration", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a reseller key", body = ErrorBody),
        (status = 409, description = "protected for another reseller until `protected_until`", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn post_registration(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    use crate::usecases::registrations::{register, Registered, RegistrationIn, RegistrationPorts};
    let Principal::Reseller(reseller_id) =
        authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?
    else {
        return Err(ApiError::Forbidden);
    };
    if media_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::UnsupportedType("send application/json".into()));
    }
    let bytes = read_body(&headers, body, MAX_LEAD_BODY).await?;
    let input: RegistrationIn =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let ports = RegistrationPorts {
        table: api.table.as_ref(),
        queue: api.queue.as_ref(),
        clock: api.clock.as_ref(),
        scoring_queue: &api.config.scoring_queue,
        protection_days: api.config.protection_days,
        extra_free_mail_domains: &api.config.extra_free_mail_domains,
    };
    match register(&ports, &reseller_id, &input).await? {
        Registered::Created(r) => Ok((StatusCode::CREATED, Json(json!(r))).into_response()),
        Registered::Existing(r) => {
            let mut body = json!(r);
            body["duplicate"] = json!(true);
            Ok((StatusCode::OK, Json(body)).into_response())
        }
        Registered::Conflict(until) => Ok((
            StatusCode::CONFLICT,
            Json(json!({"error": "conflict", "message": format!("this company is registered by another partner until {until}"), "protected_until": until})),
        )
            .into_response()),
        Registered::Invalid(errors) => Err(ApiError::Invalid(errors)),
    }
}

#[utoipa::path(get, path = "/registrations", tag = "registrations",
    security(("reseller_key" = [])),
    responses((status = 200, description = "the caller's own registrations", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a reseller key", body = ErrorBody)))]
async fn list_registrations(State(api): State<Arc<LeadApi>>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let Principal::Reseller(reseller_id) =
        authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?
    else {
        return Err(ApiError::Forbidden);
    };
    let own = crate::usecases::registrations::list_own(api.table.as_ref(), &reseller_id).await?;
    Ok(Json(json!({ "registrations": own })))
}

#[utoipa::path(get, path = "/registrations/conflicts", tag = "registrations",
    security(("admin_key" = [])),
    responses((status = 200, description = "conflict tickets, newest first", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody)))]
async fn registration_conflicts(State(api): State<Arc<LeadApi>>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    require_admin(&authenticate(&headers, &api.config.admin_key_hash, api.table.as_ref()).await?)?;
    Ok(Json(
        json!({ "conflicts": crate::usecases::registrations::conflicts(api.table.as_ref()).await? }),
    ))
}

/// A referral link: records the click (known codes) and redirects to the landing page with the
/// code and click id, also kept for 90 days in a cookie. Unknown codes redirect, attributing
/// nothing.
#[utoipa::path(get, path = "/r/{code}", tag = "referrals",
    params(("code" = String, Path, description = "a referral code")),
    responses((status = 302, description = "to the landing page with `ref` and `click` (and a 90-day `ref` cookie)")))]
async fn referral_link(State(api): State<Arc<LeadApi>>, Path(code): Path<String>) -> Response {
    let code = code.trim().to_uppercase();
    let valid = !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric());
    let click = if valid {
        match crate::usecases::referrals::record_click(api.table.as_ref(), &code, api.clock.now()).await {
            Ok(c) => c,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    let Some(click) = click else {
        return (
            StatusCode::FOUND,
            [(header::LOCATION, api.config.referral_landing_url.clone())],
        )
            .into_response();
    };
    let target = with_query(
        &api.config.referral_landing_url,
        &[
            ("ref".into(), click.code.clone()),
            ("click".into(), click.click_id.clone()),
        ],
    );
    let max_age = crate::usecases::referrals::ATTRIBUTION_DAYS * 24 * 3600;
    let cookie = format!(
        "ref={}.{}; Max-Age={max_age}; Path=/; SameSite=Lax; Secure",
        click.code, click.click_id
    );
    (
        StatusCode::FOUND,
        [(header::LOCATION, target), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CustomerCodeIn {
    name: Option<String>,
    email: Option<String>,
}

/// A customer asks for a referral code of its own (public).
#[utoipa::path(post, path = "/referrals/customers", tag = "referrals",
    request_body = CustomerCodeIn,
    responses((status = 201, description = "`{referral_code, link}`", body = Object),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn customer_referral_code(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if media_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::UnsupportedType("send application/json".into()));
    }
    let bytes = read_body(&headers, body, MAX_LEAD_BODY).await?;
    let input: CustomerCodeIn =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let email = input.email.unwrap_or_default();
    if !lead::is_valid_email(email.trim()) {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "email".into(),
            message: "is not a valid email address".into(),
        }]));
    }
    let name = text::optional("name", input.name.as_deref(), 200, Lines::Single)
        .map_err(|e| ApiError::Invalid(vec![e]))?
        .unwrap_or_default();
    let code =
        crate::usecases::referrals::customer_code(api.table.as_ref(), &name, email.trim(), api.clock.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"referral_code": code, "link": format!("/r/{code}")})),
    )
        .into_response())
}
