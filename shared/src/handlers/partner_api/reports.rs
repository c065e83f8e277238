//! `GET /reports/revenue` and `GET /reports/usage` (seed 001): per reseller, a month. An admin
//! gets every reseller's row; a reseller its own.

use super::*;
use crate::handlers::http::Principal;
use crate::usecases::reports::{self, RevenueRow, UsageRow};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ReportParams {
    /// `YYYY-MM` (required)
    month: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RevenueReport {
    month: String,
    rows: Vec<RevenueRow>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct UsageReport {
    month: String,
    rows: Vec<UsageRow>,
}

/// The month and the resellers the caller may see (all for an admin, itself for a reseller).
async fn scope(
    api: &PartnerApi,
    who: Principal,
    month: Option<String>,
) -> Result<(String, Vec<crate::domain::reseller::Reseller>), ApiError> {
    let month = month.unwrap_or_default();
    if crate::usecases::commission::parse_month(&month).is_none() {
        return Err(ApiError::Invalid(vec![field_error("month", "must be YYYY-MM")]));
    }
    let mut resellers = match who.reseller_id() {
        None => reports::all_resellers(api.table.as_ref()).await?,
        Some(id) => crate::usecases::resellers::get(api.table.as_ref(), id)
            .await?
            .into_iter()
            .collect(),
    };
    // a channel manager's reports cover its partners
    resellers.retain(|r| who.sees_reseller(&r.reseller_id));
    Ok((month, resellers))
}

/// Per reseller: the month's orders, revenue by product and by payment kind, commission by
/// component, leads received and converted.
#[utoipa::path(get, path = "/reports/revenue", tag = "resellers",
    params(ReportParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "one row per reseller (a reseller: its own)", body = RevenueReport),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 422, description = "a missing or bad month", body = ErrorBody)))]
pub(super) async fn revenue(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Json<RevenueReport>, ApiError> {
    let (month, resellers) = scope(&api, who, p.month).await?;
    let mut rows = Vec::new();
    for r in &resellers {
        rows.push(reports::revenue_row(api.table.as_ref(), r, &month).await?);
    }
    Ok(Json(RevenueReport { month, rows }))
}

/// Per reseller: its AMC contracts, those renewing in the month, licensed and active users.
#[utoipa::path(get, path = "/reports/usage", tag = "resellers",
    params(ReportParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "one row per reseller (a reseller: its own)", body = UsageReport),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 422, description = "a missing or bad month", body = ErrorBody)))]
pub(super) async fn usage(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Json<UsageReport>, ApiError> {
    let (month, resellers) = scope(&api, who, p.month).await?;
    let mut rows = Vec::new();
    for r in &resellers {
        rows.push(reports::usage_row(api.table.as_ref(), r, &month).await?);
    }
    Ok(Json(UsageReport { month, rows }))
}
