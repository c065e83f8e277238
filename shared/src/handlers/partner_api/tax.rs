//! `PUT /resellers/{id}/tax`: the reseller's tax profile (SPEC §13), by itself or an admin;
//! every change audited (which fields, never their values); masked in every read but the
//! admin's. A section 197 certificate is recorded only by the staff: a reseller's own waits for
//! `POST /resellers/{id}/tax/lower-deduction/approve` (or `/reject`).

use super::*;
use crate::domain::tax_profile::{ProfileAuthor, TaxProfileIn};
use crate::handlers::lead_api::ResellerView;
use crate::usecases::tax_profiles::{self as uc, TaxProfileError};

impl From<TaxProfileError> for ApiError {
    fn from(e: TaxProfileError) -> ApiError {
        match e {
            TaxProfileError::NotFound(id) => ApiError::NotFound(format!("no reseller {id}")),
            TaxProfileError::Conflict(m) => ApiError::Conflict(m),
            TaxProfileError::Invalid(errors) => ApiError::Invalid(errors),
            TaxProfileError::Store(s) => ApiError::from(s),
        }
    }
}

/// Who changes a profile, as the use case records it.
fn author(who: &Principal) -> ProfileAuthor {
    if who.is_staff() {
        ProfileAuthor::Staff(who.actor())
    } else {
        ProfileAuthor::Reseller
    }
}

/// Replaces the tax profile (fields left out are cleared); invalid → `422` naming the field. A
/// lower-deduction certificate sent by the reseller waits (`pending_lower_deduction`) and lowers
/// nothing until the staff approve it; the staff's is recorded at once in their name.
#[utoipa::path(put, path = "/resellers/{id}/tax", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = TaxProfileIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the reseller with its profile (masked unless the admin asked)", body = ResellerView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller, or a suspended one", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid PAN, GSTIN (format, state, check character, its PAN), IFSC, account or certificate", body = ErrorBody)))]
pub(super) async fn put_tax(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<ResellerView>, ApiError> {
    require_sees_reseller(&who, &id)?;
    let input: TaxProfileIn = json_body(&headers, body, 16 * 1024).await?;
    let next = uc::replace(
        api.table.as_ref(),
        api.clock.as_ref(),
        &id,
        &input,
        &author(&who),
        &who.actor(),
    )
    .await?;
    Ok(Json(ResellerView::for_reader(&next, who.unmasked_tax())))
}

/// Records the reseller's submitted section 197 certificate after the staff checked it on
/// TRACES: from now on it lowers the deduction, up to its limit and within its dates.
#[utoipa::path(post, path = "/resellers/{id}/tax/lower-deduction/approve", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("admin_key" = [])),
    responses((status = 200, description = "recorded: the reseller with its profile", body = ResellerView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the vendor's staff", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "no certificate waits, or changed meanwhile", body = ErrorBody)))]
pub(super) async fn approve_certificate(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<ResellerView>, ApiError> {
    decide(&api, &who, &id, true).await
}

/// Drops the reseller's submitted section 197 certificate (it never lowered anything).
#[utoipa::path(post, path = "/resellers/{id}/tax/lower-deduction/reject", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("admin_key" = [])),
    responses((status = 200, description = "dropped: the reseller with its profile", body = ResellerView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the vendor's staff", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "no certificate waits, or changed meanwhile", body = ErrorBody)))]
pub(super) async fn reject_certificate(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<ResellerView>, ApiError> {
    decide(&api, &who, &id, false).await
}

async fn decide(api: &PartnerApi, who: &Principal, id: &str, approve: bool) -> Result<Json<ResellerView>, ApiError> {
    let ProfileAuthor::Staff(staff) = author(who) else {
        return Err(ApiError::Forbidden);
    };
    let next = uc::decide_certificate(api.table.as_ref(), api.clock.as_ref(), id, approve, &staff).await?;
    Ok(Json(ResellerView::for_reader(&next, true)))
}
