//! Deal registration: `POST /registrations`, `GET /registrations`, `GET /registrations/conflicts`.

use super::*;

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
pub(super) async fn post_registration(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    use crate::usecases::registrations::{register, Registered, RegistrationIn};
    let Some(reseller_id) = who.reseller_id() else {
        return Err(ApiError::Forbidden);
    };
    let input: RegistrationIn = json_body(&headers, body, MAX_LEAD_BODY).await?;
    let ports = api.registration_ports();
    match register(&ports, reseller_id, who.user_id(), &input).await? {
        Registered::Created(r) => Ok((StatusCode::CREATED, Json(json!(r))).into_response()),
        Registered::Existing(r) => {
            let mut body = json!(r);
            body["duplicate"] = json!(true);
            Ok((StatusCode::OK, Json(body)).into_response())
        }
        Registered::Conflict(until) => Ok((
            StatusCode::CONFLICT,
            Json(crate::handlers::openapi::ErrorBody {
                protected_until: Some(until),
                ..crate::handlers::openapi::ErrorBody::new(
                    "conflict",
                    format!("this company is registered by another partner until {until}"),
                )
            }),
        )
            .into_response()),
        Registered::Invalid(errors) => Err(ApiError::Invalid(errors)),
    }
}

#[utoipa::path(get, path = "/registrations", tag = "registrations",
    security(("reseller_key" = [])),
    responses((status = 200, description = "the caller's own registrations", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a reseller key", body = ErrorBody)))]
pub(super) async fn list_registrations(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
) -> Result<Json<Value>, ApiError> {
    let Some(reseller_id) = who.reseller_id() else {
        return Err(ApiError::Forbidden);
    };
    let mut own = crate::usecases::registrations::list_own(api.table.as_ref(), reseller_id).await?;
    // a rep sees the registrations it made
    if let Some(me) = who.rep() {
        own.retain(|r| r.registered_by_user.as_deref() == Some(me));
    }
    Ok(Json(json!({ "registrations": own })))
}

#[utoipa::path(get, path = "/registrations/conflicts", tag = "registrations",
    security(("admin_key" = [])),
    responses((status = 200, description = "conflict tickets, newest first", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody)))]
pub(super) async fn registration_conflicts(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "conflicts": crate::usecases::registrations::conflicts(api.table.as_ref(), &who).await? }),
    ))
}

impl LeadApi {
    pub(super) fn registration_ports(&self) -> crate::usecases::registrations::RegistrationPorts<'_> {
        crate::usecases::registrations::RegistrationPorts {
            table: self.table.as_ref(),
            queue: self.queue.as_ref(),
            clock: self.clock.as_ref(),
            scoring_queue: &self.config.scoring_queue,
            protection_days: self.config.protection_days,
            extra_free_mail_domains: &self.config.extra_free_mail_domains,
            max_expected_value: self.config.limits.max_order_amount,
        }
    }
}

impl From<crate::usecases::registrations::ConflictError> for ApiError {
    fn from(e: crate::usecases::registrations::ConflictError) -> ApiError {
        use crate::usecases::registrations::ConflictError;
        match e {
            ConflictError::NotFound(m) => ApiError::NotFound(m),
            ConflictError::Conflict(m) => ApiError::Conflict(m),
            ConflictError::Invalid(errors) => ApiError::Invalid(errors),
            ConflictError::Store(s) => ApiError::from(s),
        }
    }
}

async fn decide(
    api: &LeadApi,
    who: &crate::access::Principal,
    headers: &HeaderMap,
    id: &str,
    body: Body,
    approve: bool,
) -> Result<Json<crate::usecases::registrations::RegistrationConflict>, ApiError> {
    let note = crate::handlers::http::optional_note(headers, body, MAX_LEAD_BODY).await?;
    Ok(Json(
        crate::usecases::registrations::decide_conflict(&api.registration_ports(), who, id, approve, note).await?,
    ))
}

/// Gives the company to the claimant: the holder's protection ends and the claimant's
/// registration (and its lead) is made as it asked. A programme admin, or the channel manager
/// of either reseller; once.
#[utoipa::path(post, path = "/registrations/conflicts/{id}/approve", tag = "registrations",
    params(("id" = String, Path, description = "conflict id")),
    request_body(content = crate::handlers::http::NoteBody, description = "optional note; an empty body is none"),
    security(("admin_key" = [])),
    responses((status = 200, description = "decided", body = Object),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid note, or the claimant's registration is invalid", body = ErrorBody),
        (status = 403, description = "not a programme admin or channel manager", body = ErrorBody),
        (status = 404, description = "no such conflict (or not of your partners)", body = ErrorBody),
        (status = 409, description = "decided already, or the company is now another partner's", body = ErrorBody)))]
pub(super) async fn approve_conflict(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<crate::usecases::registrations::RegistrationConflict>, ApiError> {
    decide(&api, &who, &headers, &id, body, true).await
}

/// Leaves the company with its holder and closes the conflict. Once.
#[utoipa::path(post, path = "/registrations/conflicts/{id}/reject", tag = "registrations",
    params(("id" = String, Path, description = "conflict id")),
    request_body(content = crate::handlers::http::NoteBody, description = "optional note; an empty body is none"),
    security(("admin_key" = [])),
    responses((status = 200, description = "decided", body = Object),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid note, or the claimant's registration is invalid", body = ErrorBody),
        (status = 403, description = "not a programme admin or channel manager", body = ErrorBody),
        (status = 404, description = "no such conflict (or not of your partners)", body = ErrorBody),
        (status = 409, description = "decided already", body = ErrorBody)))]
pub(super) async fn reject_conflict(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<crate::usecases::registrations::RegistrationConflict>, ApiError> {
    decide(&api, &who, &headers, &id, body, false).await
}
