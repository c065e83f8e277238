//! Payout reads and what follows a payout: the month's tickets (and finance's CSV), a
//! reseller's tickets, the bank's bulk-transfer file, settlements (UTRs) from the bank, the
//! reseller's GST invoice, unpaid tickets, and the quarter's TDS (26Q rows, Form 16A data).

use super::{csv_response, wants_csv, BillingApi, FormatParams};
use crate::domain::field::FieldError;
use crate::handlers::http::{json_body, require_sees_reseller, ApiError, Caller, QueryParams};
use crate::handlers::money_views::{MonthPayoutsView, PayoutTicketView, ResellerPayoutsView};
use crate::handlers::openapi::ErrorBody;
use crate::usecases::commission::parse_month;
use crate::usecases::settlements::{InvoiceError, InvoiceIn, Outcome, SettlementIn, SettlementResult};
use crate::usecases::tds::{Certificate, TdsRow};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A settlement file of a few thousand transfers fits.
const MAX_SETTLEMENTS_BODY: usize = 1024 * 1024;

fn checked_month(month: &str) -> Result<(), ApiError> {
    match parse_month(month) {
        Some(_) => Ok(()),
        None => Err(ApiError::Invalid(vec![FieldError {
            field: "month".into(),
            message: "must be YYYY-MM".into(),
        }])),
    }
}

impl BillingApi {}

#[utoipa::path(get, path = "/payouts/{month}", tag = "ledger",
    params(("month" = String, Path, description = "YYYY-MM"), FormatParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the month's payout tickets — each line with its TDS, GST and net payable — and the net totals per currency (or the finance CSV with `format=csv`)", body = MonthPayoutsView), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "a bad month", body = ErrorBody)))]
pub(super) async fn get_month_payouts(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    Path(month): Path<String>,
    QueryParams(p): QueryParams<FormatParams>,
) -> Result<Response, ApiError> {
    checked_month(&month)?;
    let csv = wants_csv(p.format.as_deref())?;
    let tickets = crate::usecases::payout::month_tickets(api.table.as_ref(), &month).await?;
    if csv {
        return Ok(csv_response(
            &format!("payouts-{month}.csv"),
            crate::payout_docs::finance_csv(&tickets),
        ));
    }
    let mut totals: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
    for l in tickets.iter().flat_map(|t| t.lines.iter()) {
        *totals.entry(l.currency.clone()).or_default() += l.net_payable();
    }
    Ok(Json(MonthPayoutsView {
        month,
        payouts: tickets.iter().map(|t| PayoutTicketView::of(t, true)).collect(),
        totals,
    })
    .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageParams {
    /// months per page (1–100, default 24)
    limit: Option<u32>,
    /// the `cursor` of the previous page
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/resellers/{id}/payouts", tag = "ledger",
    params(("id" = String, Path, description = "reseller id"), PageParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "a page of the reseller's payout tickets, oldest month first: taxes, the draft GST invoice, payment status and UTR (PAN and GSTIN masked for the reseller); `cursor` when more follow", body = ResellerPayoutsView),
        (status = 400, description = "a cursor this list did not give", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's payouts", body = ErrorBody)))]
pub(super) async fn get_reseller_payouts(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<PageParams>,
) -> Result<Json<ResellerPayoutsView>, ApiError> {
    require_sees_reseller(&who, &id)?;
    let full = who.unmasked_tax();
    let cursor = p.cursor.filter(|c| !c.is_empty());
    let (tickets, cursor) =
        crate::usecases::payout::payee_tickets_page(api.table.as_ref(), &id, p.limit.unwrap_or(24), cursor).await?;
    Ok(Json(ResellerPayoutsView {
        reseller_id: id,
        payouts: tickets.iter().map(|t| PayoutTicketView::of(t, full)).collect(),
        cursor,
    }))
}

#[utoipa::path(get, path = "/payouts/{month}/bank-file", tag = "ledger",
    params(("month" = String, Path, description = "YYYY-MM")),
    security(("admin_key" = [])),
    responses((status = 200, description = "CSV for the bank's bulk upload, as configured (`payout.bank_file`): NEFT/IMPS `payment_mode,beneficiary_name,account_number,ifsc,amount,currency,reference,payout_id,batch`, or RazorpayX's bulk-payout template; one row per payable INR transfer not yet settled, every row naming the batch (`<month>-<date of the file>`); `X-Skipped-Payouts` lists payouts left out for want of a bank account", content_type = "text/csv", body = String),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "a bad month", body = ErrorBody)))]
pub(super) async fn get_bank_file(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    Path(month): Path<String>,
) -> Result<Response, ApiError> {
    checked_month(&month)?;
    let tickets = crate::usecases::payout::month_tickets(api.table.as_ref(), &month).await?;
    let mut with_banks = Vec::with_capacity(tickets.len());
    for t in tickets {
        // the account on file now (a reseller may have corrected it since the statement)
        let bank = crate::usecases::resellers::get(api.table.as_ref(), &t.payee)
            .await?
            .and_then(|r| r.tax)
            .and_then(|p| p.bank);
        with_banks.push((t, bank));
    }
    let batch = format!(
        "{month}-{}",
        crate::domain::renewal::india_date(api.clock.now()).format("%Y%m%d")
    );
    let (csv, skipped) = crate::payout_docs::bank_file(
        &with_banks,
        &api.config.tax.home_currency,
        &batch,
        &api.config.rules.payout.bank_file,
    );
    let mut response = csv_response(&format!("bank-{batch}.csv"), csv);
    if let Ok(v) = axum::http::HeaderValue::from_str(&skipped.join(",")) {
        response.headers_mut().insert("x-skipped-payouts", v);
    }
    Ok(response)
}

/// A settlement file: a list of transfers, bare or as `{"settlements": [...]}`. Read straight
/// from the JSON (not through an untagged enum, which would buffer away the exact amounts).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) enum SettlementsIn {
    List(Vec<SettlementIn>),
    Wrapped { settlements: Vec<SettlementIn> },
}

struct SettlementList(Vec<SettlementIn>);

impl<'de> Deserialize<'de> for SettlementList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SettlementList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of settlements, or {\"settlements\": [...]}")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<SettlementList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<SettlementIn>()? {
                    out.push(s);
                }
                Ok(SettlementList(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SettlementList, A::Error> {
                let mut out = None;
                while let Some(k) = map.next_key::<String>()? {
                    if k == "settlements" {
                        out = Some(map.next_value::<Vec<SettlementIn>>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                out.map(SettlementList)
                    .ok_or_else(|| serde::de::Error::missing_field("settlements"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SettlementsAnswer {
    month: String,
    applied: usize,
    unchanged: usize,
    refused: usize,
    results: Vec<SettlementResult>,
}

/// A `422` from the settlements route: some lines refused (the answer, line by line), or the
/// request itself invalid (a month that is not `YYYY-MM`, a line without its fields).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(super) enum SettlementsRefused {
    Lines(SettlementsAnswer),
    Invalid(ErrorBody),
}

#[utoipa::path(post, path = "/payouts/{month}/settlements", tag = "ledger",
    params(("month" = String, Path, description = "YYYY-MM")),
    request_body(content = SettlementsIn, description = "`[{reference | payout_id, utr, paid_at, amount (a decimal string), currency?, irn?, ack_no?, ack_date?}]`: the bank's report of the transfers — or, as `text/csv`, the report itself (`reference,utr,paid_at,amount[,currency]`, or RazorpayX's payout report: `Reference Id`, `UTR`, `Amount`, `Processed At`, `Status`; a formula cell refuses the file). A payee that e-invoices needs its IRN, acknowledgement number and date before it is settled"),
    security(("admin_key" = [])),
    responses((status = 200, description = "every line applied, or already recorded with the same UTR (no change)", body = SettlementsAnswer),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 413, description = "over 1 MiB", body = ErrorBody),
        (status = 415, description = "neither JSON nor CSV", body = ErrorBody),
        (status = 422, description = "some lines refused, each with its reason (an amount that is not the net payable, an unknown reference, a UTR already used, a held payout, a missing IRN, a row the bank did not process; the other lines were applied), or invalid fields", body = SettlementsRefused)))]
pub(super) async fn post_settlements(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(month): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    checked_month(&month)?;
    // the bank's (or RazorpayX's) payout report as it comes, or the lines as JSON
    let (lines, skipped) = if crate::handlers::http::media_type(&headers).as_deref() == Some("text/csv") {
        let bytes = crate::handlers::http::read_body(&headers, body, MAX_SETTLEMENTS_BODY).await?;
        let text =
            String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
        let report = crate::usecases::settlements::from_report_csv(&text).map_err(ApiError::Invalid)?;
        (report.lines, report.not_processed)
    } else {
        let SettlementList(lines) = json_body(&headers, body, MAX_SETTLEMENTS_BODY).await?;
        (lines, vec![])
    };
    let mut results = crate::usecases::settlements::settle(
        api.table.as_ref(),
        api.clock.as_ref(),
        &who,
        &month,
        &lines,
        &api.config.tax.home_currency,
    )
    .await?;
    // a report's rows not processed by the bank are refused with their status
    for (row, why) in skipped {
        results.push(SettlementResult {
            index: row,
            payout_id: None,
            utr: None,
            outcome: Outcome::Refused,
            reason: Some(why),
        });
    }
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    let answer = SettlementsAnswer {
        month,
        applied: count(Outcome::Applied),
        unchanged: count(Outcome::Unchanged),
        refused: count(Outcome::Refused),
        results,
    };
    for r in answer.results.iter().filter(|r| r.outcome == Outcome::Applied) {
        tracing::info!(payout_id = ?r.payout_id, "payout settled");
    }
    let status = if answer.refused > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)).into_response())
}

#[utoipa::path(post, path = "/payouts/{month}/{reseller}/invoice", tag = "ledger",
    params(("month" = String, Path, description = "YYYY-MM"), ("reseller" = String, Path, description = "reseller id")),
    request_body(content = InvoiceIn, description = "the GST invoice the reseller issued for the month's commission"),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "recorded (the same invoice again changes nothing); a payout held for it is now payable", body = PayoutTicketView),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's payout", body = ErrorBody),
        (status = 404, description = "no payout for that month", body = ErrorBody),
        (status = 409, description = "no GST on this payout, or another invoice already recorded", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid number or date; an e-invoicing payee without its `irn` (64 hex characters), `ack_no` or `ack_date`", body = ErrorBody)))]
pub(super) async fn post_invoice(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path((month, reseller)): Path<(String, String)>,
    body: Body,
) -> Result<Json<PayoutTicketView>, ApiError> {
    require_sees_reseller(&who, &reseller)?;
    checked_month(&month)?;
    let input: InvoiceIn = json_body(&headers, body, 4096).await?;
    let ticket =
        crate::usecases::settlements::record_invoice(api.table.as_ref(), api.clock.as_ref(), &month, &reseller, &input)
            .await
            .map_err(|e| match e {
                InvoiceError::NotFound(m) => ApiError::NotFound(m),
                InvoiceError::Conflict(m) => ApiError::Conflict(m),
                InvoiceError::Invalid(f) => ApiError::Invalid(f),
                InvoiceError::Store(s) => s.into(),
            })?;
    Ok(Json(PayoutTicketView::of(&ticket, who.unmasked_tax())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct OverdueView {
    /// tickets issued at least this many days ago
    days: i64,
    payouts: Vec<PayoutTicketView>,
}

#[utoipa::path(get, path = "/payouts/overdue", tag = "ledger",
    security(("admin_key" = [])),
    responses((status = 200, description = "issued tickets still unpaid (payable, or held for an invoice) the configured days (7) after issue, oldest first", body = OverdueView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody)))]
pub(super) async fn get_overdue(State(api): State<Arc<BillingApi>>, _: Caller) -> Result<Json<OverdueView>, ApiError> {
    let days = api.config.tax.unpaid_after_days;
    let tickets = crate::usecases::payout::unpaid_tickets(api.table.as_ref(), api.clock.now(), days).await?;
    Ok(Json(OverdueView {
        days,
        payouts: tickets.iter().map(|t| PayoutTicketView::of(t, true)).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct QuarterParams {
    /// `YYYY-Qn`, the financial year by the year it starts: `2026-Q3` is October–December 2026
    quarter: Option<String>,
    /// one payee's certificate (a reseller's key: its own, the default)
    reseller_id: Option<String>,
    /// `json` (default) or `csv`
    format: Option<String>,
}

fn checked_quarter(q: &Option<String>) -> Result<String, ApiError> {
    match q.as_deref().map(str::trim) {
        Some(q) if crate::domain::payout_tax::quarter_months(q).is_some() => Ok(q.to_string()),
        _ => Err(ApiError::Invalid(vec![FieldError {
            field: "quarter".into(),
            message: "must be YYYY-Qn (the financial year's first year; Q1 is April–June)".into(),
        }])),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Rows26q {
    quarter: String,
    /// the statement's form under the law of the quarter: `26Q` (to March 2026), `140` (from
    /// the tax year 2026-27); `27Q` / `144` for non-residents
    form: String,
    rows: Vec<TdsRow>,
}

/// One quarter's statement of `whose` deductions, as CSV (the default) or JSON.
async fn statement(
    api: &BillingApi,
    p: &QuarterParams,
    whose: crate::usecases::tds::Deductees,
) -> Result<Response, ApiError> {
    let quarter = checked_quarter(&p.quarter)?;
    let json = p.format.as_deref() == Some("json");
    if !json {
        wants_csv(p.format.as_deref().or(Some("csv")))?;
    }
    let rows = crate::usecases::tds::quarter_rows(api.table.as_ref(), &quarter, &api.config.tax.home_currency, whose)
        .await?
        .unwrap_or_default();
    let form = crate::usecases::tds::statement_form(&quarter, whose, &api.config.tax).unwrap_or_default();
    if json {
        return Ok(Json(Rows26q { quarter, form, rows }).into_response());
    }
    Ok(csv_response(
        &format!("form{}-{quarter}.csv", form.to_lowercase()),
        crate::usecases::tds::csv_26q(&rows),
    ))
}

#[utoipa::path(get, path = "/tds/26q", tag = "ledger",
    params(QuarterParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the residents' quarterly TDS statement — Form 26Q for a quarter of the Income-tax Act, 1961, Form 140 from the tax year 2026-27 (the route keeps its name): one CSV row per deduction (deductee code and PAN, name, section code — `194H`, or the payment code `1006` of section 393(1) — date of credit, amount, rate, TDS, reason code A/C for a lower or higher rate, certificate, the section in full), by date of credit; JSON with `format=json` names the form", content_type = "text/csv", body = String),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "a bad quarter", body = ErrorBody)))]
pub(super) async fn get_26q(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    QueryParams(p): QueryParams<QuarterParams>,
) -> Result<Response, ApiError> {
    statement(&api, &p, crate::usecases::tds::Deductees::Residents).await
}

#[utoipa::path(get, path = "/tds/27q", tag = "ledger",
    params(QuarterParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "the non-residents' quarterly statement — Form 27Q, Form 144 from the tax year 2026-27: one CSV row per withholding on a partner abroad (section 195, then 393(2) code 1057), with its country; JSON with `format=json`", content_type = "text/csv", body = String),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 422, description = "a bad quarter", body = ErrorBody)))]
pub(super) async fn get_27q(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    QueryParams(p): QueryParams<QuarterParams>,
) -> Result<Response, ApiError> {
    statement(&api, &p, crate::usecases::tds::Deductees::NonResidents).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct CertificatesView {
    quarter: String,
    certificates: Vec<Certificate>,
}

#[utoipa::path(get, path = "/tds/certificates", tag = "ledger",
    params(QuarterParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "each payee's Form 16A data for the quarter: deductor, PAN, every deduction, totals (a reseller: its own only, its PAN masked as in every read but the admin's)", body = CertificatesView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller's certificate", body = ErrorBody),
        (status = 422, description = "a bad quarter", body = ErrorBody)))]
pub(super) async fn get_certificates(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<QuarterParams>,
) -> Result<Json<CertificatesView>, ApiError> {
    if let Some(r) = p.reseller_id.as_deref() {
        require_sees_reseller(&who, r)?;
    }
    // a reseller's person reads its own reseller's certificate
    let only = who.reseller_id().map(str::to_string).or(p.reseller_id.clone());
    let quarter = checked_quarter(&p.quarter)?;
    let rows = crate::usecases::tds::quarter_rows(
        api.table.as_ref(),
        &quarter,
        &api.config.tax.home_currency,
        crate::usecases::tds::Deductees::Residents,
    )
    .await?
    .unwrap_or_default();
    let mut certificates = crate::usecases::tds::certificates(rows, &quarter, only.as_deref(), &api.config.tax);
    if !who.unmasked_tax() {
        certificates
            .iter_mut()
            .for_each(crate::usecases::tds::Certificate::mask_pan);
    }
    Ok(Json(CertificatesView { certificates, quarter }))
}
