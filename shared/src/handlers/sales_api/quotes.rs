//! Quotes: `POST/GET /leads/{id}/quotes`, `GET /quotes`, `GET /quotes/{id}`, the admin's
//! `approve`/`reject`. (The proposal document is the proposals function's.)

use super::*;
use crate::domain::quote::{validate_quote, Quote, QuoteIn, QuoteStatus};
use crate::usecases::quotes as quotes_uc;

/// A lead's quotes.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QuoteList {
    quotes: Vec<Quote>,
}

/// Prices a quote for a lead from the catalogue, with the owner's commission estimate and a
/// pricing recommendation; a discount beyond the tier's limit waits for an admin (and the lead
/// moves to R004), otherwise the lead moves to R003 if it is earlier.
#[utoipa::path(post, path = "/leads/{id}/quotes", tag = "quotes",
    params(("id" = String, Path, description = "lead id")),
    request_body = QuoteIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "the quote (`issued`, or `pending_approval` with its reason)", body = Quote),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 409, description = "the lead is spam, closed-lost, unassigned, past negotiation, or changed meanwhile", body = ErrorBody),
        (status = 413, description = "body too large", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields (unknown or inactive SKU, mixed currencies, bad discount)", body = ErrorBody)))]
pub(super) async fn post_quote(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let input: QuoteIn = json_body(&headers, body, MAX_SALES_BODY).await?;
    let terms = validate_quote(&input, &api.config.quotes).map_err(ApiError::Invalid)?;
    let quote = quotes_uc::create(&api.quote_ports(), &who, &id, terms).await?;
    Ok((StatusCode::CREATED, Json(quote)).into_response())
}

/// A lead's quotes, oldest first (its reseller's own, or all for an admin).
#[utoipa::path(get, path = "/leads/{id}/quotes", tag = "quotes",
    params(("id" = String, Path, description = "lead id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the quotes", body = QuoteList),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody)))]
pub(super) async fn lead_quotes(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<QuoteList>, ApiError> {
    let quotes = quotes_uc::for_lead(api.table.as_ref(), &who, &id).await?;
    Ok(Json(QuoteList { quotes }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct QuoteParams {
    /// issued, pending_approval (default), approved or rejected
    status: Option<String>,
    /// at most this many, oldest first (1–200, default 50)
    limit: Option<u32>,
}

/// Quotes by status, oldest first: the admin's approval queue by default.
#[utoipa::path(get, path = "/quotes", tag = "quotes",
    params(QuoteParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the quotes", body = QuoteList),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "an unknown status", body = ErrorBody)))]
pub(super) async fn list_quotes(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<QuoteParams>,
) -> Result<Json<QuoteList>, ApiError> {
    let status = match p.status.as_deref() {
        None => QuoteStatus::PendingApproval,
        Some(s) => QuoteStatus::parse(s).ok_or_else(|| {
            ApiError::Invalid(vec![field_error(
                "status",
                "must be issued, pending_approval, approved or rejected",
            )])
        })?,
    };
    let limit = p.limit.unwrap_or(50).clamp(1, 200);
    let mut quotes = quotes_uc::by_status(api.table.as_ref(), status, limit).await?;
    quotes.retain(|q| who.sees_reseller(&q.reseller_id));
    Ok(Json(QuoteList { quotes }))
}

/// One quote (its reseller, or an admin).
#[utoipa::path(get, path = "/quotes/{id}", tag = "quotes",
    params(("id" = String, Path, description = "quote id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the quote", body = Quote),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such quote (or another reseller's)", body = ErrorBody)))]
pub(super) async fn get_quote(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Quote>, ApiError> {
    Ok(Json(quotes_uc::get(api.table.as_ref(), &who, &id).await?))
}

async fn decide(
    api: &SalesApi,
    who: Principal,
    headers: HeaderMap,
    id: &str,
    body: Body,
    approve: bool,
) -> Result<Json<Quote>, ApiError> {
    let note = optional_note(&headers, body, MAX_SALES_BODY).await?;
    Ok(Json(
        quotes_uc::decide(&api.quote_ports(), &who, id, approve, note).await?,
    ))
}

/// Approves a quote waiting for a discount approval (admin), audited on its lead.
#[utoipa::path(post, path = "/quotes/{id}/approve", tag = "quotes",
    params(("id" = String, Path, description = "quote id")),
    request_body(content = NoteBody, description = "optional; an empty body is no note"),
    security(("admin_key" = [])),
    responses((status = 200, description = "approved", body = Quote),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such quote", body = ErrorBody),
        (status = 409, description = "not pending approval (decided already), or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid note", body = ErrorBody)))]
pub(super) async fn approve_quote(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Quote>, ApiError> {
    decide(&api, who, headers, &id, body, true).await
}

/// Rejects a quote waiting for a discount approval (admin), audited on its lead.
#[utoipa::path(post, path = "/quotes/{id}/reject", tag = "quotes",
    params(("id" = String, Path, description = "quote id")),
    request_body(content = NoteBody, description = "optional; an empty body is no note"),
    security(("admin_key" = [])),
    responses((status = 200, description = "rejected", body = Quote),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such quote", body = ErrorBody),
        (status = 409, description = "not pending approval (decided already), or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid note", body = ErrorBody)))]
pub(super) async fn reject_quote(
    State(api): State<Arc<SalesApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Quote>, ApiError> {
    decide(&api, who, headers, &id, body, false).await
}
