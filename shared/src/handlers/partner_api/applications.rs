//! `POST /reseller-applications` (public: forms and scripts) and the admin's review.

use super::*;
use crate::domain::application::{validate, validate_terms, Application, ApplicationStatus, TermsIn};
use crate::handlers::lead_api::ResellerView;
use crate::usecases::applications::{self as applications_uc, ApplicationError};

/// Applications are small.
const MAX_APPLICATION_BODY: usize = 64 * 1024;

impl From<ApplicationError> for ApiError {
    fn from(e: ApplicationError) -> ApiError {
        match e {
            ApplicationError::NotFound(id) => ApiError::NotFound(format!("no application {id}")),
            ApplicationError::Conflict(m) => ApiError::Conflict(m),
            ApplicationError::Invalid(errors) => ApiError::Invalid(errors),
            ApplicationError::Limited { what, limited } => ApiError::TooManyRequests {
                message: format!(
                    "too many applications from {what}; retry in {} seconds",
                    limited.retry_after
                ),
                retry_after: limited.retry_after,
            },
            ApplicationError::Store(s) => ApiError::from(s),
        }
    }
}

/// An application as a form or a script sends it (nested in JSON; `company_name`,
/// `contact_email`… flat in a form; lists as arrays or comma-separated text).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ApplicationSubmission {
    /// `{name (required), domain, website, gstin, pan}`
    #[schema(value_type = Object)]
    company: (),
    /// `{name (required), email (required), phone}`
    #[schema(value_type = Object)]
    contact: (),
    regions: Option<Vec<String>>,
    industries: Option<Vec<String>>,
    languages: Option<Vec<String>>,
    /// a decimal string
    expected_annual_revenue: Option<String>,
    products: Option<Vec<String>>,
    message: Option<String>,
    /// the honeypot: must stay empty
    website: Option<String>,
    /// where a browser form goes after (an allowed host)
    redirect: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationCreated {
    application_id: String,
}

/// Applies to become a reseller: stored for review (one per company domain while pending or
/// approved), the applicant mailed. Rate limited per client address and email domain.
#[utoipa::path(post, path = "/reseller-applications", tag = "applications",
    request_body(description = "JSON, or a plain HTML form (urlencoded; browsers get 303 redirects)",
        content((ApplicationSubmission = "application/json"), (ApplicationSubmission = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "received for review", body = ApplicationCreated),
        (status = 303, description = "a browser form: to the thank-you or error page"),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 409, description = "the company's domain has a pending application or is a reseller", body = ErrorBody),
        (status = 413, description = "over 64 KiB", body = ErrorBody),
        (status = 415, description = "another content type", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
        (status = 429, description = "too many from this address or email domain; see Retry-After", body = ErrorBody)))]
pub(super) async fn post_application(State(api): State<Arc<PartnerApi>>, headers: HeaderMap, body: Body) -> Response {
    let browser = is_browser_form(&headers);
    match submit(&api, &headers, body).await {
        Ok((_, redirect)) if browser => thank_you(redirect, &api.config.redirect_hosts, &api.config.thank_you_url),
        Ok((created, _)) => (StatusCode::CREATED, Json(created)).into_response(),
        // a rate limit keeps its 429 and Retry-After, even for a browser
        Err(e) if browser && !matches!(e, ApiError::TooManyRequests { .. }) => {
            form_error(&e, &api.config.error_url, "message")
        }
        Err(e) => e.into_response(),
    }
}

async fn submit(
    api: &PartnerApi,
    headers: &HeaderMap,
    body: Body,
) -> Result<(ApplicationCreated, Option<String>), ApiError> {
    if !matches!(
        media_type(headers).as_deref(),
        Some("application/json") | Some("application/x-www-form-urlencoded")
    ) {
        return Err(parse_submission(headers, b"")
            .err()
            .unwrap_or(ApiError::BadRequest("unsupported".into())));
    }
    let ports = api.application_ports();
    // counted before the body is read: a flood of garbage is limited too
    let address = client_address(headers).unwrap_or_else(|| "unknown".into());
    applications_uc::count_address(&ports, &address).await?;
    let bytes = read_body(headers, body, MAX_APPLICATION_BODY).await?;
    let fields = parse_submission(headers, &bytes)?;
    let input = validate(&fields, &api.config.rules.routing.extra_free_mail_domains).map_err(ApiError::Invalid)?;
    let redirect = input.redirect.clone();
    let application = applications_uc::submit(&ports, input).await?;
    Ok((
        ApplicationCreated {
            application_id: application.application_id,
        },
        redirect,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ApplicationParams {
    /// pending (default), approved, rejected or spam
    status: Option<String>,
    /// at most this many, oldest first (1–200, default 50)
    limit: Option<u32>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationList {
    applications: Vec<Application>,
}

/// The review queue (admin): applications in one status, oldest first.
#[utoipa::path(get, path = "/reseller-applications", tag = "applications",
    params(ApplicationParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the applications", body = ApplicationList),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "an unknown status", body = ErrorBody)))]
pub(super) async fn list_applications(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<ApplicationParams>,
) -> Result<Json<ApplicationList>, ApiError> {
    let status = match p.status.as_deref() {
        None => ApplicationStatus::Pending,
        Some(s) => ApplicationStatus::parse(s).ok_or_else(|| {
            ApiError::Invalid(vec![field_error(
                "status",
                "must be pending, approved, rejected or spam",
            )])
        })?,
    };
    let mut applications =
        applications_uc::by_status(api.table.as_ref(), status, p.limit.unwrap_or(50).clamp(1, 200)).await?;
    applications.retain(|a| applications_uc::visible_to(a, &who));
    Ok(Json(ApplicationList { applications }))
}

/// One application (admin).
#[utoipa::path(get, path = "/reseller-applications/{id}", tag = "applications",
    params(("id" = String, Path, description = "application id")),
    security(("admin_key" = [])),
    responses((status = 200, description = "the application", body = Application),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such application", body = ErrorBody)))]
pub(super) async fn get_application(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(applications_uc::get_for(api.table.as_ref(), &who, &id).await?))
}

/// The approved application, the reseller it became and its API key (shown this once).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Approved {
    application: Application,
    reseller: ResellerView,
}

/// Approves a pending application with its terms (admin): the reseller is created with its
/// referral code and API key, the terms recorded on both, the applicant welcomed. Once.
#[utoipa::path(post, path = "/reseller-applications/{id}/approve", tag = "applications",
    params(("id" = String, Path, description = "application id")),
    request_body = TermsIn,
    security(("admin_key" = [])),
    responses((status = 201, description = "the reseller (with `api_key`, once) and the application", body = Approved),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such application", body = ErrorBody),
        (status = 409, description = "decided already", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid terms (rates outside SPEC §6, unknown SKU or parent, too deep)", body = ErrorBody)))]
pub(super) async fn approve_application(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let input: TermsIn = if headers.contains_key(axum::http::header::CONTENT_TYPE) {
        json_body(&headers, body, MAX_APPLICATION_BODY).await?
    } else {
        TermsIn::default()
    };
    let terms = validate_terms(&input, &api.config.rules.applications).map_err(ApiError::Invalid)?;
    let (application, reseller, api_key) = applications_uc::approve(&api.application_ports(), &who, &id, terms).await?;
    let reseller = ResellerView {
        api_key: Some(api_key),
        ..ResellerView::from(&reseller)
    };
    Ok((StatusCode::CREATED, Json(Approved { application, reseller })).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct RejectBody {
    /// why (kept for the programme; the applicant gets a polite note)
    reason: Option<String>,
}

/// Rejects a pending application with a reason (admin); the applicant gets a polite email and
/// the company's domain may apply again. Once.
#[utoipa::path(post, path = "/reseller-applications/{id}/reject", tag = "applications",
    params(("id" = String, Path, description = "application id")),
    request_body = RejectBody,
    security(("admin_key" = [])),
    responses((status = 200, description = "rejected", body = Application),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such application", body = ErrorBody),
        (status = 409, description = "decided already", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "no reason", body = ErrorBody)))]
pub(super) async fn reject_application(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Application>, ApiError> {
    use crate::domain::text::{self, Lines};
    let input: RejectBody = json_body(&headers, body, MAX_APPLICATION_BODY).await?;
    let mut errors = Vec::new();
    let reason = text::collect(
        text::required("reason", input.reason.as_deref(), 2000, Lines::Multi),
        &mut errors,
    );
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    Ok(Json(
        applications_uc::reject(&api.application_ports(), &who, &id, reason).await?,
    ))
}
