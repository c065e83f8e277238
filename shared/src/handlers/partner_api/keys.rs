//! A reseller's API keys: issue another (shown once), list them (never in full), revoke one —
//! so a key is rotated without a moment in which none works.

use super::*;
use crate::usecases::resellers::{self as resellers_uc, KeyInfo};

/// A new key: this answer is the only time it is shown.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct IssuedKey {
    #[serde(flatten)]
    info: KeyInfo,
    api_key: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct KeyList {
    keys: Vec<KeyInfo>,
}

/// `{"user_id"}`: whose key (an empty body: the caller's own; for staff, the reseller's first
/// owner's).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct KeyFor {
    user_id: Option<String>,
}

/// Issues another key to a person of the reseller; it acts with that person's role. The
/// existing keys keep working until revoked.
#[utoipa::path(post, path = "/resellers/{id}/keys", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body(content = KeyFor, description = "optional: `{\"user_id\"}` of the person it is for (an empty body: the caller itself)"),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "the new key (`api_key` shown this once) with the person it belongs to", body = IssuedKey),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "unknown fields", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller, or a role that issues no keys", body = ErrorBody),
        (status = 404, description = "no such reseller or person", body = ErrorBody),
        (status = 409, description = "the reseller is not active, or the person was removed", body = ErrorBody)))]
pub(super) async fn post_key(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    require_sees_reseller(&who, &id)?;
    let input: KeyFor = if headers.contains_key(axum::http::header::CONTENT_TYPE) {
        json_body(&headers, body, 4 * 1024).await?
    } else {
        KeyFor::default()
    };
    let (info, api_key) = crate::usecases::people::issue_user_key(
        api.table.as_ref(),
        api.clock.as_ref(),
        &who,
        &id,
        input.user_id.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IssuedKey { info, api_key })).into_response())
}

/// The reseller's keys by id, with their prefix and last use — never the keys.
#[utoipa::path(get, path = "/resellers/{id}/keys", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the keys", body = KeyList),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody)))]
pub(super) async fn list_keys(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<KeyList>, ApiError> {
    require_sees_reseller(&who, &id)?;
    Ok(Json(KeyList {
        keys: resellers_uc::keys(api.table.as_ref(), &id).await?,
    }))
}

/// Revokes a key: it stops working at once.
#[utoipa::path(delete, path = "/resellers/{id}/keys/{key_id}", tag = "resellers",
    params(("id" = String, Path, description = "reseller id"), ("key_id" = String, Path, description = "the key's id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 204, description = "revoked"),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such key", body = ErrorBody)))]
pub(super) async fn delete_key(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path((id, key_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    require_sees_reseller(&who, &id)?;
    if resellers_uc::revoke_key(api.table.as_ref(), &id, key_id.trim()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("reseller {id} has no key {key_id}")))
    }
}
