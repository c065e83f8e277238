//! `PUT /resellers/{id}/tax`: the reseller's tax profile (SPEC §13), by itself or an admin;
//! every change audited (which fields, never their values); masked in every read but the
//! admin's.

use super::*;
use crate::domain::reseller::TaxChange;
use crate::domain::tax_profile::{changed_fields, validate, TaxProfileIn};
use crate::handlers::http::Principal;
use crate::handlers::lead_api::ResellerView;

/// Replaces the tax profile (fields left out are cleared); invalid → `422` naming the field.
#[utoipa::path(put, path = "/resellers/{id}/tax", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = TaxProfileIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the reseller with its profile (masked unless the admin asked)", body = ResellerView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid PAN, GSTIN (format, state, check character, its PAN), IFSC, account or certificate", body = ErrorBody)))]
pub(super) async fn put_tax(
    State(api): State<Arc<PartnerApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<ResellerView>, ApiError> {
    let who = api.self_or_admin(&headers, &id).await?;
    let input: TaxProfileIn = json_body(&headers, body, 16 * 1024).await?;
    let profile = validate(&input).map_err(ApiError::Invalid)?;
    let r = crate::usecases::resellers::get(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    let fields = changed_fields(r.tax.as_ref(), &profile);
    let mut next = r.clone();
    if !fields.is_empty() {
        next.tax_changes.push(TaxChange {
            at: api.clock.now(),
            by: match &who {
                Principal::Admin => "admin".into(),
                Principal::Reseller(me) => format!("reseller:{me}"),
            },
            fields: fields.iter().map(|f| f.to_string()).collect(),
        });
    }
    next.tax = Some(profile);
    next.version += 1;
    api.table
        .transact(vec![crate::repo::put_if_version(crate::repo::item(&next)?, r.version)])
        .await?;
    Ok(Json(ResellerView::for_reader(&next, matches!(who, Principal::Admin))))
}
