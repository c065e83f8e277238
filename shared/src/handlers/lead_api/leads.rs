//! `GET /leads/{id}` and `GET /leads`: a ticket with its trail, and lists by filter.

use super::*;
use crate::access::Scope;
use futures_util::StreamExt;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct TicketParams {
    /// how many audit events to show, oldest first (default 100, at most 500)
    audit_limit: Option<u32>,
    /// the `audit_next` of the previous page: where the trail goes on
    audit_cursor: Option<String>,
}

#[utoipa::path(get, path = "/leads/{id}", tag = "leads",
    params(("id" = String, Path, description = "lead id"), TicketParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the ticket with its score reasons, routing and a page of its audit trail (`audit`, oldest first; `audit_next` when more follows)", body = Object),
        (status = 400, description = "a cursor this trail did not give", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody)))]
pub(super) async fn get_lead(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<TicketParams>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || ApiError::NotFound(format!("no lead {id}"));
    if id.is_empty() || id.len() > 64 {
        return Err(not_found());
    }
    let history = leads_uc::History {
        limit: p.audit_limit.unwrap_or(leads_uc::HISTORY_PAGE),
        cursor: p.audit_cursor.filter(|c| !c.is_empty()),
        latest: false,
    };
    let record = leads_uc::get_ticket_page(api.table.as_ref(), &id, &history)
        .await?
        .ok_or_else(not_found)?;
    let lead = &record.lead;
    // a reseller's people see its own leads only (a rep those assigned to it), a channel
    // manager its partners'; another's is as good as missing
    if !who.sees_lead(lead) {
        return Err(not_found());
    }
    let mut view = leads_uc::view(lead, &record.audit, who.reseller_id());
    // the first-response clock, when an owner has one running or had one
    view["sla"] = json!(record.sla.as_ref().map(|s| json!({
        "status": s.status, "owner_reseller_id": s.owner_reseller_id, "deadline": s.deadline,
        "reassignments": s.reassignments, "first_response_at": s.first_response_at,
        "first_response_minutes": s.first_response_minutes,
    })));
    view["audit_next"] = json!(record.audit_next);
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    email: Option<String>,
    stage: Option<String>,
    owner: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
    /// `csv`: every matching lead as a spreadsheet, streamed page by page (a header row,
    /// formula-safe cells); `cursor` and `limit` do not apply
    format: Option<String>,
}

#[utoipa::path(get, path = "/leads", tag = "leads",
    params(ListParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "`{leads, cursor}`, newest first (a reseller: its own); with `format=csv`, text/csv", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody), (status = 403, description = "a reseller asking for another owner's leads", body = ErrorBody),
        (status = 422, description = "a bad filter", body = ErrorBody)))]
pub(super) async fn list_leads(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<ListParams>,
) -> Result<Response, ApiError> {
    let mut filter = LeadFilter {
        email: p.email.filter(|s| !s.trim().is_empty()),
        stage: p.stage.filter(|s| !s.trim().is_empty()),
        owner: p.owner.filter(|s| !s.trim().is_empty()),
        assigned_user: who.rep().map(str::to_string),
        partners: None,
    };
    match &who.scope {
        Scope::Reseller(rid) => {
            if filter.owner.as_deref().is_some_and(|o| o != rid) {
                return Err(ApiError::Forbidden);
            }
            filter.owner = Some(rid.clone());
        }
        Scope::Partners(list) => {
            if filter.owner.as_deref().is_some_and(|o| !list.iter().any(|p| p == o)) {
                return Err(ApiError::Forbidden);
            }
            filter.partners = Some(list.clone());
        }
        Scope::Programme => {}
    }
    match p.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return csv_export(api.table.clone(), filter).await,
        Some(_) => {
            return Err(ApiError::Invalid(vec![FieldError {
                field: "format".into(),
                message: "must be json or csv".into(),
            }]))
        }
    }
    let (found, cursor) = leads_uc::list(api.table.as_ref(), &filter, p.limit.unwrap_or(20), p.cursor)
        .await
        .map_err(list_error)?;
    let leads: Vec<Value> = found
        .iter()
        .map(|r| leads_uc::view(&r.lead, &r.audit, who.reseller_id()))
        .collect();
    Ok(Json(json!({ "leads": leads, "cursor": cursor })).into_response())
}

fn list_error(e: ListError) -> ApiError {
    match e {
        ListError::BadFilter(m) => ApiError::Invalid(vec![FieldError {
            field: "filter".into(),
            message: m,
        }]),
        ListError::Store(s) => ApiError::from(s),
    }
}

/// Every lead the filter selects as CSV, streamed a page (100 leads, one query) at a time; the
/// first page is read before answering, so a bad filter is still a `422`.
async fn csv_export(table: Arc<dyn crate::ports::Table>, filter: LeadFilter) -> Result<Response, ApiError> {
    const PAGE: u32 = 100;
    let (first, cursor) = leads_uc::list_leads(table.as_ref(), &filter, PAGE, None)
        .await
        .map_err(list_error)?;
    let mut head = crate::csv_out::header(leads_uc::CSV_COLUMNS);
    for l in &first {
        head.push_str(&leads_uc::csv_row(l));
    }
    let rest = futures_util::stream::unfold(cursor, move |cursor| {
        let (table, filter) = (table.clone(), filter.clone());
        async move {
            let cursor = cursor?;
            match leads_uc::list_leads(table.as_ref(), &filter, PAGE, Some(cursor)).await {
                Ok((leads, next)) => {
                    let chunk: String = leads.iter().map(leads_uc::csv_row).collect();
                    Some((Ok::<String, std::io::Error>(chunk), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "lead export stopped");
                    Some((Err(std::io::Error::other("the export stopped; try again")), None))
                }
            }
        }
    });
    let body = futures_util::stream::iter([Ok::<String, std::io::Error>(head)]).chain(rest);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"leads.csv\""),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
