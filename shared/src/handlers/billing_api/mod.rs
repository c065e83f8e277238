//! The order-commission function's HTTP API: signed webhooks from billing/ERP systems
//! (`POST /billing/orders`, `/billing/payments`, `/billing/refunds`) and the reads
//! `GET /orders/{id}` (admin) and `GET /resellers/{id}/ledger?month=YYYY-MM`.

use super::http::{
    authenticate, body_fingerprint, media_type, read_body, require_sees_reseller, ApiError, Caller, QueryParams,
};
mod dashboards;
mod finance;
mod payouts;

use super::money_views::{EntryView, LedgerView, OrderView, PaymentView, WebhookAnswer};
use super::openapi::ErrorBody;
use super::signature::{verify, SignatureError};
use crate::config::env;
use crate::domain::billing::{
    validate_order, validate_payment, validate_refund, BillingLimits, OrderIn, PaymentIn, RefundIn,
};
use crate::domain::field::FieldError;
use crate::ports::{Clock, Queue, Table};
use crate::usecases::billing::{self, BillingError, BillingPorts, Recorded};
use crate::usecases::commission::{ledger_month, parse_month, totals};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const MAX_WEBHOOK_BODY: usize = 256 * 1024;

/// Every route this function serves (template.yaml must route each one to it).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/billing/orders"),
    ("POST", "/billing/payments"),
    ("POST", "/billing/refunds"),
    ("GET", "/orders/{id}"),
    ("GET", "/resellers/{id}/ledger"),
    ("POST", "/contracts/{id}/signals"),
    ("GET", "/contracts/{id}"),
    ("GET", "/payouts/{month}"),
    ("GET", "/resellers/{id}/payouts"),
    ("GET", "/payouts/{month}/bank-file"),
    ("POST", "/payouts/{month}/settlements"),
    ("POST", "/payouts/{month}/{reseller}/invoice"),
    ("GET", "/payouts/overdue"),
    ("GET", "/tds/26q"),
    ("GET", "/tds/27q"),
    ("GET", "/gst/rcm"),
    ("PUT", "/fx-rates/{date}"),
    ("GET", "/fx-rates/{date}"),
    ("GET", "/payouts/msme"),
    ("GET", "/tds/certificates"),
    ("GET", "/resellers/{id}/dashboard"),
    ("GET", "/programme/dashboard"),
];

#[derive(Clone)]
pub struct BillingApiConfig {
    /// `new,old` while rotating: verified against each
    pub webhook_secret: crate::config::Secrets,
    pub admin_key_hash: String,
    pub commission_queue: String,
    pub limits: BillingLimits,
    pub tax: crate::domain::payout_tax::TaxRules,
    /// commission and forecast rules (the dashboards' forecast)
    pub rules: crate::config::Rules,
}

impl BillingApiConfig {
    /// What the billing API reads from the environment (problems are collected in `env`).
    pub fn read(env: &mut crate::config::Env) -> BillingApiConfig {
        let rules = env.rules();
        BillingApiConfig {
            webhook_secret: env.secrets(env::BILLING_WEBHOOK_SECRET),
            admin_key_hash: env.admin_key_hash(),
            commission_queue: env.required(env::COMMISSION_QUEUE_URL),
            limits: rules.billing.clone(),
            tax: rules.tax.clone(),
            rules,
        }
    }
}

pub struct BillingApi {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub config: BillingApiConfig,
}

super::openapi::api_routes!(Arc<BillingApi>;
    post_order,
    post_payment,
    post_refund,
    get_order,
    get_ledger,
    post_signal,
    get_contract,
    payouts::get_month_payouts,
    payouts::get_reseller_payouts,
    payouts::get_bank_file,
    payouts::post_settlements,
    payouts::post_invoice,
    payouts::get_overdue,
    payouts::get_26q,
    payouts::get_27q,
    finance::get_rcm,
    finance::put_fx_rates,
    finance::get_fx_rates,
    finance::get_msme,
    payouts::get_certificates,
    dashboards::reseller_dashboard,
    dashboards::programme_dashboard,
);

pub fn router(api: Arc<BillingApi>) -> Router {
    serving_routes().with_state(api)
}

/// Every answer a billing webhook gives.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum WebhookResponses {
    #[response(status = 202, description = "accepted (queued for the commission step)")]
    Accepted(WebhookAnswer),
    #[response(status = 200, description = "the same id with the same meaning: a replay")]
    Replay(WebhookAnswer),
    #[response(status = 400, description = "malformed JSON")]
    Malformed(ErrorBody),
    #[response(status = 401, description = "a missing or wrong signature, or a stale timestamp")]
    Unsigned(ErrorBody),
    #[response(status = 409, description = "the same id with another body")]
    Conflict(ErrorBody),
    #[response(status = 413, description = "over 256 KiB")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "not JSON")]
    NotJson(ErrorBody),
    #[response(status = 422, description = "invalid fields")]
    Invalid(ErrorBody),
}

/// The full router the function serves: the API, request ids, and JSON 404s.
pub fn app(api: Arc<BillingApi>) -> Router {
    super::http::served(router(api))
}

fn sig_error(e: SignatureError) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(ErrorBody::new("unauthorized", e.to_string())),
    )
        .into_response()
}

/// A billing system's signed JSON body, read as `T`: the signature is checked first (nothing is
/// parsed or stored for an unsigned body), then the content type, then the JSON. It carries
/// the body's canonical fingerprint, which tells a replay from a conflict.
pub struct Signed<T> {
    pub input: T,
    pub fingerprint: String,
}

impl super::http::Authenticates for BillingApi {
    fn auth_table(&self) -> &dyn Table {
        self.table.as_ref()
    }
    fn admin_key_hash(&self) -> &str {
        &self.config.admin_key_hash
    }
}

impl<T: DeserializeOwned> axum::extract::FromRequest<Arc<BillingApi>> for Signed<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, api: &Arc<BillingApi>) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let bytes = read_body(&parts.headers, body, MAX_WEBHOOK_BODY)
            .await
            .map_err(IntoResponse::into_response)?;
        let header = parts.headers.get("x-signature").and_then(|v| v.to_str().ok());
        // the replay window is wall-clock time, not the business clock the local stack can move
        if let Err(e) = verify(header, &bytes, api.config.webhook_secret.all(), chrono::Utc::now()) {
            tracing::warn!(reason = %e, "webhook refused");
            return Err(sig_error(e));
        }
        if media_type(&parts.headers).as_deref() != Some("application/json") {
            return Err(ApiError::UnsupportedType("send application/json".into()).into_response());
        }
        let input = super::http::strict_json(&bytes).map_err(IntoResponse::into_response)?;
        Ok(Signed {
            input,
            fingerprint: body_fingerprint(&bytes),
        })
    }
}

/// A webhook's answer: `202` accepted, `200` a replay, or the error.
fn webhook_answer(id: &str, recorded: Result<Recorded, BillingError>) -> Response {
    match recorded {
        Ok(Recorded::Accepted) => (StatusCode::ACCEPTED, Json(WebhookAnswer::accepted(id))).into_response(),
        Ok(Recorded::Replay) => (StatusCode::OK, Json(WebhookAnswer::already_received(id))).into_response(),
        Err(BillingError::Invalid(errors)) => ApiError::Invalid(errors).into_response(),
        Err(BillingError::Conflict(m)) => ApiError::Conflict(m).into_response(),
        Err(BillingError::Store(s)) => ApiError::from(s).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

fn ports(api: &BillingApi) -> BillingPorts<'_> {
    BillingPorts {
        table: api.table.as_ref(),
        queue: api.queue.as_ref(),
        clock: api.clock.as_ref(),
        commission_queue: &api.config.commission_queue,
    }
}

#[utoipa::path(post, path = "/billing/orders", tag = "billing", request_body = OrderIn,
    security(("webhook_signature" = [])),
    responses(WebhookResponses))]
async fn post_order(State(api): State<Arc<BillingApi>>, signed: Signed<OrderIn>) -> Response {
    let facts = match validate_order(&signed.input, &api.config.limits) {
        Ok(f) => f,
        Err(errors) => return ApiError::Invalid(errors).into_response(),
    };
    let id = facts.order_id.clone();
    webhook_answer(
        &id,
        billing::record_order(&ports(&api), facts, &signed.fingerprint).await,
    )
}

#[utoipa::path(post, path = "/billing/payments", tag = "billing", request_body = PaymentIn,
    security(("webhook_signature" = [])),
    responses(WebhookResponses))]
async fn post_payment(State(api): State<Arc<BillingApi>>, signed: Signed<PaymentIn>) -> Response {
    let facts = match validate_payment(&signed.input, &api.config.limits) {
        Ok(f) => f,
        Err(errors) => return ApiError::Invalid(errors).into_response(),
    };
    let id = facts.payment_id.clone();
    webhook_answer(
        &id,
        billing::record_payment(&ports(&api), facts, &signed.fingerprint).await,
    )
}

#[utoipa::path(post, path = "/billing/refunds", tag = "billing", request_body = RefundIn,
    security(("webhook_signature" = [])),
    responses(WebhookResponses))]
async fn post_refund(State(api): State<Arc<BillingApi>>, signed: Signed<RefundIn>) -> Response {
    let facts = match validate_refund(&signed.input, &api.config.limits) {
        Ok(f) => f,
        Err(errors) => return ApiError::Invalid(errors).into_response(),
    };
    let id = facts.refund_id.clone();
    webhook_answer(
        &id,
        billing::record_refund(&ports(&api), facts, &signed.fingerprint).await,
    )
}

#[utoipa::path(get, path = "/orders/{id}", tag = "ledger",
    params(("id" = String, Path, description = "order id")),
    security(("admin_key" = [])),
    responses((status = 200, description = "the order, its deal terms, what was paid, every payment with its status, entries and refunds", body = OrderView), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such order", body = ErrorBody)))]
async fn get_order(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    let order = billing::get_order(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no order {id}")))?;
    // every payment recorded for the order (applied, queued, held or rejected), and records
    // applied before payments were listed under their order
    let mut listed = billing::order_payments(api.table.as_ref(), &id).await?;
    for pid in &order.payments {
        if !listed.iter().any(|p| &p.facts.payment_id == pid) {
            listed.extend(billing::get_payment(api.table.as_ref(), pid).await?);
        }
    }
    listed.sort_by(|a, b| (a.received_at, &a.facts.payment_id).cmp(&(b.received_at, &b.facts.payment_id)));
    let mut payments = Vec::new();
    for p in listed {
        let refunds = billing::payment_refunds(api.table.as_ref(), &p.facts.payment_id).await?;
        payments.push(PaymentView::new(&p, &refunds));
    }
    Ok(Json(OrderView::new(&order, payments)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LedgerParams {
    month: Option<String>,
    currency: Option<String>,
    /// `csv`: the month's entries as a spreadsheet (a header row, plain decimals)
    format: Option<String>,
}

/// `?format=` on a read: JSON (default) or CSV.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FormatParams {
    /// `csv`: the finance file (a header row, formula-safe cells, plain decimals)
    format: Option<String>,
}

pub(crate) fn wants_csv(format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::Invalid(vec![FieldError {
            field: "format".into(),
            message: "must be json or csv".into(),
        }])),
    }
}

pub fn csv_response(file: &str, body: String) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A ledger month as CSV.
fn ledger_csv(entries: &[crate::domain::ledger::Entry]) -> String {
    use crate::csv_out::{header, line, Cell};
    let mut out = header(&[
        "earned_at",
        "payee",
        "component",
        "currency",
        "amount",
        "base",
        "rate",
        "order_id",
        "source",
        "source_id",
        "payout_id",
        "explanation",
    ]);
    for e in entries {
        let earned = e.earned_at.to_rfc3339();
        out.push_str(&line(&[
            Cell::Text(&earned),
            Cell::Text(&e.payee),
            Cell::Text(e.component.as_str()),
            Cell::Text(&e.currency),
            Cell::Number(e.amount),
            Cell::Number(e.base),
            Cell::Number(e.rate),
            Cell::Text(&e.order_id),
            Cell::Text(e.source.as_str()),
            Cell::Text(&e.source_id),
            Cell::Text(e.payout_id.as_deref().unwrap_or("")),
            Cell::Text(&e.explanation),
        ]));
    }
    out
}

#[utoipa::path(get, path = "/resellers/{id}/ledger", tag = "ledger",
    params(("id" = String, Path, description = "reseller id"), LedgerParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the month's entries and totals", body = LedgerView),
        (status = 400, description = "a bad query string", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's ledger", body = ErrorBody),
        (status = 422, description = "a bad month or currency", body = ErrorBody)))]
async fn get_ledger(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<LedgerParams>,
) -> Result<Response, ApiError> {
    require_sees_reseller(&who, &id)?;
    let month = p.month.unwrap_or_default();
    if parse_month(&month).is_none() {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "month".into(),
            message: "must be YYYY-MM".into(),
        }]));
    }
    let csv = wants_csv(p.format.as_deref())?;
    let entries = ledger_month(api.table.as_ref(), &id, &month).await?;
    if csv {
        return Ok(csv_response(&format!("ledger-{id}-{month}.csv"), ledger_csv(&entries)));
    }
    let by_currency = totals(&entries);
    // one currency's totals under `totals`; every currency separately under `totals_by_currency`
    if let Some(c) = &p.currency {
        if !crate::domain::billing::CURRENCIES.contains(&c.to_uppercase().as_str()) {
            return Err(ApiError::Invalid(vec![FieldError {
                field: "currency".into(),
                message: format!("unknown currency {c}"),
            }]));
        }
    }
    let currency = p
        .currency
        .map(|c| c.to_uppercase())
        .or_else(|| {
            (by_currency.len() == 1)
                .then(|| by_currency.keys().next().cloned())
                .flatten()
        })
        .unwrap_or_else(|| "INR".into());
    Ok(Json(LedgerView {
        reseller_id: id,
        month,
        entries: entries.iter().map(EntryView::from).collect(),
        totals: by_currency.get(&currency).cloned().unwrap_or_default(),
        currency,
        totals_by_currency: by_currency,
    })
    .into_response())
}

/// A health signal: from a billing/support system (signed) or an admin (bearer key).
#[utoipa::path(post, path = "/contracts/{id}/signals", tag = "ledger",
    params(("id" = String, Path, description = "contract id (its order id)")),
    request_body(content = Object, description = "`{signal_id, type: support_ticket|usage|late_payment|reseller_contact, at, …}`"),
    security(("webhook_signature" = []), ("admin_key" = [])),
    responses((status = 202, description = "recorded", body = WebhookAnswer),
        (status = 200, description = "the same signal again", body = WebhookAnswer),
        (status = 400, description = "malformed JSON", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody), (status = 403, description = "not the admin key (signals come from the billing and support systems, or the admin)", body = ErrorBody),
        (status = 404, description = "no such contract", body = ErrorBody),
        (status = 409, description = "the same signal id with another body", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
async fn post_signal(
    State(api): State<Arc<BillingApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    use crate::usecases::renewals::{record_signal, validate_signal, SignalIn, SignalOutcome};
    let bytes = match read_body(&headers, body, MAX_WEBHOOK_BODY).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    if let Some(sig) = headers.get("x-signature").and_then(|v| v.to_str().ok()) {
        if let Err(e) = verify(Some(sig), &bytes, api.config.webhook_secret.all(), chrono::Utc::now()) {
            return sig_error(e);
        }
    } else {
        // without a signature, a person the policy lets record signals
        let person = authenticate(
            &axum::http::Method::POST,
            &headers,
            &api.config.admin_key_hash,
            api.table.as_ref(),
        )
        .await;
        let admitted = match person {
            Ok(p) => crate::handlers::auth::admit(p, "POST", "/contracts/{id}/signals", api.table.as_ref()).await,
            Err(e) => Err(e),
        };
        if let Err(e) = admitted {
            return e.into_response();
        }
    }
    if media_type(&headers).as_deref() != Some("application/json") {
        return ApiError::UnsupportedType("send application/json".into()).into_response();
    }
    let input: SignalIn = match super::http::strict_json(&bytes) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let (signal_id, signal) = match validate_signal(&input) {
        Ok(v) => v,
        Err(errors) => return ApiError::Invalid(errors).into_response(),
    };
    let hash = body_fingerprint(&bytes);
    match record_signal(api.table.as_ref(), api.clock.as_ref(), &id, &signal_id, &signal, &hash).await {
        Ok(SignalOutcome::Recorded) => {
            (StatusCode::ACCEPTED, Json(WebhookAnswer::accepted(&signal_id))).into_response()
        }
        Ok(SignalOutcome::Replay) => {
            (StatusCode::OK, Json(WebhookAnswer::already_received(&signal_id))).into_response()
        }
        Ok(SignalOutcome::Conflict) => {
            ApiError::Conflict(format!("signal {signal_id} was already received with a different body")).into_response()
        }
        Ok(SignalOutcome::UnknownContract) => ApiError::NotFound(format!("no contract {id}")).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[utoipa::path(get, path = "/contracts/{id}", tag = "ledger",
    params(("id" = String, Path, description = "contract id")),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the contract, its signals and its current risk with reasons", body = Object), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's contract", body = ErrorBody),
        (status = 404, description = "no such contract", body = ErrorBody)))]
async fn get_contract(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let contract = crate::usecases::renewals::get_contract(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no contract {id}")))?;
    require_sees_reseller(&who, &contract.reseller_id)?;
    let view = crate::usecases::renewals::contract_view(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no contract {id}")))?;
    Ok(Json(view))
}
