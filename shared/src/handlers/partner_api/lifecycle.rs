//! `POST /resellers/{id}/suspend|reactivate|deactivate` (admin, with a reason).

use super::*;
use crate::handlers::lead_api::ResellerView;
use crate::usecases::lifecycle::{self, Deactivated, LifecycleError};

impl From<LifecycleError> for ApiError {
    fn from(e: LifecycleError) -> ApiError {
        match e {
            LifecycleError::NotFound(id) => ApiError::NotFound(format!("no reseller {id}")),
            LifecycleError::Conflict(m) => ApiError::Conflict(m),
            LifecycleError::Store(s) => ApiError::from(s),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ReasonBody {
    /// why (kept in the reseller's `status_history`)
    reason: Option<String>,
}

/// The reseller after the change (and, for a deactivation, what it did).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StatusChanged {
    reseller: ResellerView,
    #[serde(skip_serializing_if = "Option::is_none")]
    deactivation: Option<Deactivated>,
}

async fn reason_of(headers: &HeaderMap, body: Body) -> Result<String, ApiError> {
    use crate::domain::text::{self, Lines};
    let input: ReasonBody = json_body(headers, body, 16 * 1024).await?;
    let mut errors = Vec::new();
    let reason = text::collect(
        text::required("reason", input.reason.as_deref(), 2000, Lines::Multi),
        &mut errors,
    );
    reason.filter(|_| errors.is_empty()).ok_or(ApiError::Invalid(errors))
}

async fn change(
    api: &PartnerApi,
    who: Principal,
    headers: HeaderMap,
    id: &str,
    body: Body,
    action: &str,
) -> Result<Json<StatusChanged>, ApiError> {
    let reason = reason_of(&headers, body).await?;
    let r = lifecycle::change_status(api.table.as_ref(), api.clock.as_ref(), &who, id, action, &reason).await?;
    Ok(Json(StatusChanged {
        reseller: ResellerView::from(&r),
        deactivation: None,
    }))
}

/// Suspends an active reseller: it receives no new leads and keeps its own.
#[utoipa::path(post, path = "/resellers/{id}/suspend", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = ReasonBody,
    security(("admin_key" = [])),
    responses((status = 200, description = "suspended", body = StatusChanged),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "not active, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "no reason", body = ErrorBody)))]
pub(super) async fn suspend(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StatusChanged>, ApiError> {
    change(&api, who, headers, &id, body, "suspend").await
}

/// Reactivates a suspended reseller: it receives leads again.
#[utoipa::path(post, path = "/resellers/{id}/reactivate", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = ReasonBody,
    security(("admin_key" = [])),
    responses((status = 200, description = "active again", body = StatusChanged),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "not suspended, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "no reason", body = ErrorBody)))]
pub(super) async fn reactivate(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StatusChanged>, ApiError> {
    change(&api, who, headers, &id, body, "reactivate").await
}

/// Deactivates a reseller (a soft delete): its keys stop working, its open platform leads are
/// re-routed (audited), its registrations' protection ends; its history, ledger and payouts
/// stay, and what it earned stays payable.
#[utoipa::path(post, path = "/resellers/{id}/deactivate", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = ReasonBody,
    security(("admin_key" = [])),
    responses((status = 200, description = "deactivated, with what it did", body = StatusChanged),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "deactivated already, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "no reason", body = ErrorBody)))]
pub(super) async fn deactivate(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StatusChanged>, ApiError> {
    let reason = reason_of(&headers, body).await?;
    let (r, done) = lifecycle::deactivate(
        api.table.as_ref(),
        api.clock.as_ref(),
        &api.config.rules,
        &who,
        &id,
        &reason,
    )
    .await?;
    Ok(Json(StatusChanged {
        reseller: ResellerView::from(&r),
        deactivation: Some(done),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ResellerParams {
    /// active, suspended, deactivated, pending or rejected (default: every status)
    status: Option<String>,
    /// `csv` for a spreadsheet (a header row, formula-safe cells)
    format: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ResellerList {
    resellers: Vec<ResellerView>,
}

/// Every reseller (or those in one status), by status then id; `?format=csv` for a spreadsheet.
#[utoipa::path(get, path = "/resellers", tag = "resellers",
    params(ResellerParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the resellers (JSON, or CSV with `format=csv`)", body = ResellerList),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "an unknown status or format", body = ErrorBody)))]
pub(super) async fn list_resellers(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<ResellerParams>,
) -> Result<Response, ApiError> {
    use crate::domain::reseller::{Reseller, ResellerStatus};
    let statuses: Vec<ResellerStatus> = match p.status.as_deref() {
        None => crate::domain::reseller::ResellerStatus::ALL.to_vec(),
        Some(s) => vec![ResellerStatus::parse(s).ok_or_else(|| {
            ApiError::Invalid(vec![field_error(
                "status",
                "must be active, suspended, deactivated, pending or rejected",
            )])
        })?],
    };
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::Invalid(vec![field_error("format", "must be json or csv")])),
    };
    let mut resellers: Vec<Reseller> = crate::usecases::resellers::by_status(api.table.as_ref(), &statuses).await?;
    // a channel manager's list: its partners
    resellers.retain(|r| who.sees_reseller(&r.reseller_id));
    if !csv {
        return Ok(Json(ResellerList {
            resellers: resellers.iter().map(ResellerView::from).collect(),
        })
        .into_response());
    }
    let out = crate::usecases::resellers::csv(&resellers);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"resellers.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
