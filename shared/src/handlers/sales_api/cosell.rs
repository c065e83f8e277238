//! Co-selling: `POST /leads/{id}/co-sell` (the owner) and the presales queue (admin).

use super::*;
use crate::domain::support::{CoSell, CoSellKind, CoSellStatus};
use crate::usecases::support::{self as support_uc, CoSellIn};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CoSellBody {
    /// joint_demo, technical_question or pricing_exception
    kind: String,
    #[serde(default)]
    note: Option<String>,
    /// free text slots, e.g. "Tue 10:00–12:00 IST" (at most 5)
    #[serde(default)]
    preferred_times: Vec<String>,
}

/// Asks the vendor's presales team for help on a lead: a request in the presales queue, mailed
/// to `PRESALES_EMAIL`, answered within the configured hours, audited on the lead.
#[utoipa::path(post, path = "/leads/{id}/co-sell", tag = "co-selling",
    params(("id" = String, Path, description = "lead id")),
    request_body = CoSellBody,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "the request", body = CoSell),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 409, description = "spam, closed-lost or unassigned lead, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_cosell(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    use crate::domain::text::{self, Lines};
    let input: CoSellBody = json_body(&headers, body, MAX_SALES_BODY).await?;
    let mut errors = Vec::new();
    let kind = CoSellKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(field_error(
            "kind",
            "must be joint_demo, technical_question or pricing_exception",
        ));
    }
    let note = note_of(input.note.as_deref(), &mut errors);
    if input.preferred_times.len() > 5 {
        errors.push(field_error("preferred_times", "at most 5"));
    }
    let preferred_times: Vec<String> = input
        .preferred_times
        .iter()
        .take(5)
        .filter_map(|t| {
            text::collect(
                text::required("preferred_times", Some(t), 100, Lines::Single),
                &mut errors,
            )
        })
        .collect();
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let request = support_uc::request_cosell(
        &api.support_ports(),
        &who,
        &id,
        CoSellIn {
            kind,
            note,
            preferred_times,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(request)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CoSellParams {
    /// open (default), assigned or completed
    status: Option<String>,
    /// at most this many, oldest first (1–200, default 50)
    limit: Option<u32>,
}

/// The presales queue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CoSellQueue {
    requests: Vec<CoSell>,
}

/// The presales queue by status, oldest first (admin).
#[utoipa::path(get, path = "/co-sell", tag = "co-selling",
    params(CoSellParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the queue", body = CoSellQueue),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "an unknown status", body = ErrorBody)))]
pub(super) async fn list_cosell(
    State(api): State<Arc<SalesApi>>,
    _: Caller,
    QueryParams(p): QueryParams<CoSellParams>,
) -> Result<Json<CoSellQueue>, ApiError> {
    let status = match p.status.as_deref() {
        None => CoSellStatus::Open,
        Some(s) => CoSellStatus::parse(s)
            .ok_or_else(|| ApiError::Invalid(vec![field_error("status", "must be open, assigned or completed")]))?,
    };
    let requests = support_uc::cosell_queue(api.table.as_ref(), status, p.limit.unwrap_or(50).clamp(1, 200)).await?;
    Ok(Json(CoSellQueue { requests }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct AssignBody {
    /// the presales engineer (a name or an email)
    assignee: String,
    #[serde(default)]
    note: Option<String>,
}

/// Puts a presales engineer on a request (admin).
#[utoipa::path(post, path = "/co-sell/{id}/assign", tag = "co-selling",
    params(("id" = String, Path, description = "co-sell request id")),
    request_body = AssignBody,
    security(("admin_key" = [])),
    responses((status = 200, description = "assigned", body = CoSell),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such request", body = ErrorBody),
        (status = 409, description = "completed already, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn assign_cosell(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<CoSell>, ApiError> {
    use crate::domain::text::{self, Lines};
    let input: AssignBody = json_body(&headers, body, MAX_SALES_BODY).await?;
    let mut errors = Vec::new();
    let assignee = text::collect(
        text::required("assignee", Some(&input.assignee), 200, Lines::Single),
        &mut errors,
    );
    let note = note_of(input.note.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    Ok(Json(
        support_uc::update_cosell(&api.support_ports(), &who, &id, CoSellStatus::Assigned, assignee, note).await?,
    ))
}

/// Completes a request with its outcome (admin).
#[utoipa::path(post, path = "/co-sell/{id}/complete", tag = "co-selling",
    params(("id" = String, Path, description = "co-sell request id")),
    request_body(content = NoteBody, description = "the outcome; an empty body is none"),
    security(("admin_key" = [])),
    responses((status = 200, description = "completed", body = CoSell),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such request", body = ErrorBody),
        (status = 409, description = "completed already, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid note", body = ErrorBody)))]
pub(super) async fn complete_cosell(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<CoSell>, ApiError> {
    let note = optional_note(&headers, body, MAX_SALES_BODY).await?;
    Ok(Json(
        support_uc::update_cosell(&api.support_ports(), &who, &id, CoSellStatus::Completed, None, note).await?,
    ))
}
