//! Support tickets on AMC contracts, L1 → L2 → L3 (seed 003): opened by the contract's reseller
//! (or an admin), escalated and resolved; every step feeds the contract's renewal risk.

use super::*;
use crate::domain::support::{Severity, SupportTicket};
use crate::usecases::support::{self as support_uc, TicketIn};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct TicketBody {
    /// s1 (down) … s4 (a question)
    severity: Option<String>,
    subject: Option<String>,
    description: Option<String>,
}

/// Opens an L1 ticket (the reseller works it first), with its response deadline by severity.
#[utoipa::path(post, path = "/contracts/{id}/tickets", tag = "support",
    params(("id" = String, Path, description = "contract id")),
    request_body = TicketBody,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "the ticket at L1", body = SupportTicket),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such contract (or another reseller's)", body = ErrorBody),
        (status = 409, description = "the contract changed too often meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_ticket(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let input: TicketBody = json_body(&headers, body, MAX_SALES_BODY).await?;
    let mut errors = Vec::new();
    let severity = input.severity.as_deref().and_then(Severity::parse);
    if severity.is_none() {
        errors.push(field_error("severity", "must be s1, s2, s3 or s4"));
    }
    let (subject, description) =
        support_uc::ticket_text(input.subject.as_deref(), input.description.as_deref(), &mut errors);
    let Some(severity) = severity.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let ticket = support_uc::open_ticket(
        &api.support_ports(),
        &who,
        &id,
        TicketIn {
            severity,
            subject,
            description,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ticket)).into_response())
}

/// A contract's tickets.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct TicketList {
    tickets: Vec<SupportTicket>,
}

/// A contract's tickets, oldest first.
#[utoipa::path(get, path = "/contracts/{id}/tickets", tag = "support",
    params(("id" = String, Path, description = "contract id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the tickets", body = TicketList),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such contract (or another reseller's)", body = ErrorBody)))]
pub(super) async fn contract_tickets(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketList>, ApiError> {
    let tickets = support_uc::contract_tickets(api.table.as_ref(), &who, &id).await?;
    Ok(Json(TicketList { tickets }))
}

/// One ticket with its history.
#[utoipa::path(get, path = "/tickets/{id}", tag = "support",
    params(("id" = String, Path, description = "ticket id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the ticket", body = SupportTicket),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such ticket (or another reseller's)", body = ErrorBody)))]
pub(super) async fn get_ticket(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<SupportTicket>, ApiError> {
    Ok(Json(support_uc::get_ticket(api.table.as_ref(), &who, &id).await?))
}

/// Escalates a ticket one level: L1 → L2 (vendor support) → L3 (the core team).
#[utoipa::path(post, path = "/tickets/{id}/escalate", tag = "support",
    params(("id" = String, Path, description = "ticket id")),
    request_body(content = NoteBody, description = "optional; an empty body is no note"),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "escalated, with the new level's deadline", body = SupportTicket),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such ticket (or another reseller's)", body = ErrorBody),
        (status = 409, description = "resolved, already at L3, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid note", body = ErrorBody)))]
pub(super) async fn escalate_ticket(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<SupportTicket>, ApiError> {
    let note = optional_note(&headers, body, MAX_SALES_BODY).await?;
    Ok(Json(support_uc::escalate(&api.support_ports(), &who, &id, note).await?))
}

/// Resolves a ticket.
#[utoipa::path(post, path = "/tickets/{id}/resolve", tag = "support",
    params(("id" = String, Path, description = "ticket id")),
    request_body(content = NoteBody, description = "optional; an empty body is no note"),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "resolved", body = SupportTicket),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such ticket (or another reseller's)", body = ErrorBody),
        (status = 409, description = "resolved already, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid note", body = ErrorBody)))]
pub(super) async fn resolve_ticket(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<SupportTicket>, ApiError> {
    let note = optional_note(&headers, body, MAX_SALES_BODY).await?;
    Ok(Json(support_uc::resolve(&api.support_ports(), &who, &id, note).await?))
}
