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

/// Issues another key; the existing ones keep working until revoked.
#[utoipa::path(post, path = "/resellers/{id}/keys", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "the new key (`api_key` shown this once)", body = IssuedKey),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody)))]
pub(super) async fn post_key(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_self_or_admin(&who, &id)?;
    let (info, api_key) = resellers_uc::issue_key(api.table.as_ref(), api.clock.as_ref(), &id)
        .await
        .map_err(|e| match e {
            resellers_uc::ResellerError::Invalid(errors) => ApiError::Invalid(errors),
            resellers_uc::ResellerError::Store(s) => ApiError::from(s),
            resellers_uc::ResellerError::Conflict(m) => ApiError::Conflict(m),
        })?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
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
    require_self_or_admin(&who, &id)?;
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
    require_self_or_admin(&who, &id)?;
    if resellers_uc::revoke_key(api.table.as_ref(), &id, key_id.trim()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("reseller {id} has no key {key_id}")))
    }
}
