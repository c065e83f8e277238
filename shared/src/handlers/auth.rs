//! Who is calling an API operation, and whether the policy lets them: the bearer key is
//! resolved to a person (the bootstrap key, a reseller's person by its `rk_` key, a member of
//! staff by its `sk_` key), every lookup checks that the person and its reseller still work with
//! the platform, and the one policy table (`crate::policy`) is asked for the operation as the
//! router matched it — all before the handler runs.

use super::http::{bearer, is_read, same_text, ApiError};
use crate::access::{Person, Principal, Scope};
use crate::domain::people::PersonStatus;
use crate::domain::reseller::ResellerStatus;
use crate::policy::{self, Decision};
use crate::ports::Table;

/// What an API needs to tell who is calling: its table and the bootstrap key's hash.
pub trait Authenticates {
    fn auth_table(&self) -> &dyn Table;
    fn admin_key_hash(&self) -> &str;
}

/// Who is calling, resolved and admitted by the policy before the handler runs.
pub struct Caller(pub Principal);

impl<S> axum::extract::FromRequestParts<std::sync::Arc<S>> for Caller
where
    S: Authenticates + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        api: &std::sync::Arc<S>,
    ) -> Result<Self, Self::Rejection> {
        let path = parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let person = authenticate(&parts.method, &parts.headers, api.admin_key_hash(), api.auth_table()).await?;
        admit(person, parts.method.as_str(), &path, api.auth_table())
            .await
            .map(Caller)
    }
}

/// What a suspended reseller is told when it tries to change something.
pub const SUSPENDED_READ_ONLY: &str =
    "this reseller is suspended: it may read its records but change nothing until it is reactivated";

/// The person a bearer key belongs to: the bootstrap key (compared by hash), a reseller's person
/// or a member of staff. A removed person's key, and every key of a deactivated (or unknown)
/// reseller, is `401` whenever it was issued; a suspended reseller's people may read (`GET`,
/// `HEAD`) and are refused anything else with `403`.
pub async fn authenticate(
    method: &axum::http::Method,
    headers: &axum::http::HeaderMap,
    admin_key_hash: &str,
    table: &dyn Table,
) -> Result<Person, ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let hash = crate::ids::sha256_hex(token);
    if !admin_key_hash.is_empty() && same_text(&hash, admin_key_hash) {
        return Ok(Person::Bootstrap);
    }
    let Some(record) = crate::usecases::resellers::key_record(table, token).await? else {
        return Err(ApiError::Unauthorized);
    };
    if let Some(staff_id) = &record.staff_id {
        return match crate::usecases::people::active_staff(table, staff_id).await? {
            Some(s) => Ok(Person::Staff {
                staff_id: s.staff_id,
                roles: s.roles,
            }),
            None => Err(ApiError::Unauthorized),
        };
    }
    let status = crate::usecases::resellers::get(table, &record.reseller_id)
        .await?
        .map(|r| r.status);
    match status {
        Some(ResellerStatus::Active) => {}
        Some(ResellerStatus::Suspended) if is_read(method) => {}
        Some(ResellerStatus::Suspended) => return Err(ApiError::ForbiddenBecause(SUSPENDED_READ_ONLY.into())),
        _ => return Err(ApiError::Unauthorized),
    }
    let user = match &record.user_id {
        Some(id) => crate::usecases::people::get_user(table, id).await?,
        // a key from before people were kept is its reseller's first owner's
        None => crate::usecases::people::team_with(
            table,
            &record.reseller_id,
            &[crate::domain::people::ResellerRole::Owner],
        )
        .await?
        .into_iter()
        .next(),
    };
    match user {
        Some(u) if u.status == PersonStatus::Active && u.reseller_id == record.reseller_id => Ok(Person::User {
            user_id: u.user_id,
            reseller_id: u.reseller_id,
            role: u.role,
        }),
        // a reseller that has no people yet (before the backfill): its key acts as its owner
        None if record.user_id.is_none() => Ok(Person::User {
            user_id: format!("owner-of-{}", record.reseller_id),
            reseller_id: record.reseller_id,
            role: crate::domain::people::ResellerRole::Owner,
        }),
        _ => Err(ApiError::Unauthorized),
    }
}

/// Asks the policy whether `person` may call `method path`, and gives a permitted caller its
/// data scope: a reseller's person its reseller; a member of staff the whole programme, or its
/// partners when only its channel-manager role grants the operation.
pub async fn admit(person: Person, method: &str, path: &str, table: &dyn Table) -> Result<Principal, ApiError> {
    let probe = Principal {
        person,
        scope: Scope::Programme,
    };
    let Decision::Allowed { partners_only } = policy::decide(method, path, &probe.roles()) else {
        if policy::access(method, path).is_none() {
            tracing::error!(method, path, "an operation missing from the policy table was refused");
        }
        return Err(ApiError::ForbiddenBecause(format!(
            "your role ({}) may not call {method} {path}",
            probe.role_label()
        )));
    };
    let scope = match (&probe.person, partners_only) {
        (Person::User { reseller_id, .. }, _) => Scope::Reseller(reseller_id.clone()),
        (Person::Staff { staff_id, .. }, true) => {
            Scope::Partners(crate::usecases::people::partners(table, staff_id).await?)
        }
        _ => Scope::Programme,
    };
    Ok(Principal { scope, ..probe })
}
