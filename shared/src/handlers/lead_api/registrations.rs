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
    use crate::usecases::registrations::{register, Registered, RegistrationIn, RegistrationPorts};
    let Principal::Reseller(reseller_id) = who else {
        return Err(ApiError::Forbidden);
    };
    let input: RegistrationIn = json_body(&headers, body, MAX_LEAD_BODY).await?;
    let ports = RegistrationPorts {
        table: api.table.as_ref(),
        queue: api.queue.as_ref(),
        clock: api.clock.as_ref(),
        scoring_queue: &api.config.scoring_queue,
        protection_days: api.config.protection_days,
        extra_free_mail_domains: &api.config.extra_free_mail_domains,
        max_expected_value: api.config.limits.max_order_amount,
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
pub(super) async fn list_registrations(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
) -> Result<Json<Value>, ApiError> {
    let Principal::Reseller(reseller_id) = who else {
        return Err(ApiError::Forbidden);
    };
    let own = crate::usecases::registrations::list_own(api.table.as_ref(), &reseller_id).await?;
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
    require_admin(&who)?;
    Ok(Json(
        json!({ "conflicts": crate::usecases::registrations::conflicts(api.table.as_ref()).await? }),
    ))
}
