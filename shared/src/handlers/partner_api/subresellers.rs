//! Resellers of resellers (seed 002): a reseller proposes a sub-reseller (approved by an admin
//! with the proposer as parent, or at once when configured) and reads its children's month.

use super::*;
use crate::domain::application::{validate, Application};
use crate::handlers::lead_api::ResellerView;
use crate::usecases::applications as applications_uc;
use std::collections::BTreeMap;

/// The proposal, and the sub-reseller when the programme approves proposals at once.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Proposed {
    application: Application,
    /// only when approved at once (`applications.auto_approve_sub_resellers`): with its key,
    /// shown this once, for the parent to hand over
    #[serde(skip_serializing_if = "Option::is_none")]
    reseller: Option<ResellerView>,
}

/// Proposes a sub-reseller (the same fields as `POST /reseller-applications`), under this
/// reseller; the depth limit is checked now.
#[utoipa::path(post, path = "/resellers/{id}/sub-reseller-applications", tag = "applications",
    params(("id" = String, Path, description = "the proposing (parent) reseller")),
    request_body(content = super::applications::ApplicationSubmission, content_type = "application/json"),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "proposed (or approved at once)", body = Proposed),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 409, description = "the company's domain has a pending application or is a reseller", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields, or too deep (`parent_reseller_id`)", body = ErrorBody),
        (status = 429, description = "too many from this email domain", body = ErrorBody)))]
pub(super) async fn propose(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    require_sees_reseller(&who, &id)?;
    let fields: serde_json::Map<String, serde_json::Value> = json_body(&headers, body, 64 * 1024).await?;
    let input = validate(&fields, &api.config.rules.routing.extra_free_mail_domains).map_err(ApiError::Invalid)?;
    let (application, approved) = applications_uc::propose_sub_reseller(&api.application_ports(), &id, input).await?;
    let reseller = approved.map(|(r, key)| ResellerView {
        api_key: Some(key),
        ..ResellerView::from(&r)
    });
    Ok((StatusCode::CREATED, Json(Proposed { application, reseller })).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct MonthParams {
    /// `YYYY-MM` (default: this month, UTC)
    month: Option<String>,
}

/// One child and what it earned in the month — never its leads or their contacts.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SubReseller {
    reseller_id: String,
    name: String,
    tier: String,
    status: String,
    created_at: chrono::DateTime<chrono::Utc>,
    /// per currency, per component, decimal strings
    #[schema(value_type = Object)]
    totals: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SubResellers {
    month: String,
    sub_resellers: Vec<SubReseller>,
}

/// The reseller's direct sub-resellers with their month's totals (the parent or an admin).
#[utoipa::path(get, path = "/resellers/{id}/sub-resellers", tag = "resellers",
    params(("id" = String, Path, description = "the parent reseller"), MonthParams),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the children", body = SubResellers),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 422, description = "a bad month", body = ErrorBody)))]
pub(super) async fn list_children(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<MonthParams>,
) -> Result<Json<SubResellers>, ApiError> {
    use crate::domain::reseller::Reseller;
    require_sees_reseller(&who, &id)?;
    let month = p.month.unwrap_or_else(|| api.clock.now().format("%Y-%m").to_string());
    if crate::usecases::commission::parse_month(&month).is_none() {
        return Err(ApiError::Invalid(vec![field_error("month", "must be YYYY-MM")]));
    }
    let children: Vec<Reseller> = crate::usecases::resellers::children(api.table.as_ref(), &id).await?;
    let mut out = Vec::new();
    for c in children {
        let entries = crate::usecases::commission::ledger_month(api.table.as_ref(), &c.reseller_id, &month).await?;
        let totals = crate::usecases::commission::totals(&entries)
            .into_iter()
            .map(|(cur, t)| (cur, t.into_iter().map(|(k, v)| (k, v.to_string())).collect()))
            .collect();
        out.push(SubReseller {
            tier: serde_json::to_value(c.tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            status: c.status.as_str().to_string(),
            reseller_id: c.reseller_id,
            name: c.name,
            created_at: c.created_at,
            totals,
        });
    }
    Ok(Json(SubResellers {
        month,
        sub_resellers: out,
    }))
}
