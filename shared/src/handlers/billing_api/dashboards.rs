//! The dashboards: a reseller's (itself or the admin) and the programme's (the admin), read
//! from the event-maintained aggregates; `?format=csv&table=` exports one table.

use super::{csv_response, BillingApi};
use crate::domain::field::FieldError;
use crate::handlers::http::{require_sees_reseller, ApiError, Caller, QueryParams};
use crate::handlers::openapi::ErrorBody;
use crate::usecases::dashboard::{csv_table, dashboard, Dashboard, TABLES};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct DashboardParams {
    /// `YYYY-MM` (default: this month, India time)
    month: Option<String>,
    /// `json` (default) or `csv`
    format: Option<String>,
    /// with `format=csv`: `earned`, `commission`, `deals`, `payouts` or `forecast`
    table: Option<String>,
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

async fn answer(api: &BillingApi, scope: &str, p: DashboardParams) -> Result<Response, ApiError> {
    let month = p.month.unwrap_or_else(|| {
        let today = crate::domain::renewal::india_date(api.clock.now());
        today.format("%Y-%m").to_string()
    });
    let mut d: Dashboard = dashboard(api.table.as_ref(), scope, &month)
        .await?
        .ok_or_else(|| invalid("month", "must be YYYY-MM"))?;
    if scope != crate::domain::aggregates::PROGRAMME {
        let today = crate::domain::renewal::india_date(api.clock.now());
        d.forecast = Some(
            crate::usecases::forecast::reseller_forecast(api.table.as_ref(), scope, today, &api.config.rules).await?,
        );
    }
    match p.format.as_deref() {
        None | Some("json") => Ok(Json(d).into_response()),
        Some("csv") => {
            let table = p.table.unwrap_or_default();
            let csv = csv_table(&d, &table)
                .ok_or_else(|| invalid("table", &format!("must be one of {}", TABLES.join(", "))))?;
            Ok(csv_response(&format!("dashboard-{scope}-{month}-{table}.csv"), csv))
        }
        Some(_) => Err(invalid("format", "must be json or csv")),
    }
}

#[utoipa::path(get, path = "/resellers/{id}/dashboard", tag = "ledger",
    params(("id" = String, Path, description = "reseller id"), DashboardParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the reseller's month: earned MTD/QTD/YTD per currency (India's financial year), commission by component, deals won and their average, payouts — from the event-maintained aggregates (one batched read) — and the forecast for the next 3 months with its parts (open deals × stage probability × the reseller's commission on them; renewals × (1 − risk) × the renewal commission); CSV of one table with `format=csv&table=`", body = Dashboard),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's dashboard", body = ErrorBody),
        (status = 422, description = "a bad month, format or table", body = ErrorBody)))]
pub(super) async fn reseller_dashboard(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<DashboardParams>,
) -> Result<Response, ApiError> {
    require_sees_reseller(&who, &id)?;
    answer(&api, &id, p).await
}

#[utoipa::path(get, path = "/programme/dashboard", tag = "ledger",
    params(DashboardParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the whole programme's month, as a reseller's dashboard", body = Dashboard),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "a bad month, format or table", body = ErrorBody)))]
pub(super) async fn programme_dashboard(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    QueryParams(p): QueryParams<DashboardParams>,
) -> Result<Response, ApiError> {
    answer(&api, crate::domain::aggregates::PROGRAMME, p).await
}
