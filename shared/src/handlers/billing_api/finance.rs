//! Finance's desk beyond the payout itself: the day's reference exchange rates (which release
//! payouts waiting to be converted), the platform's reverse-charge GST on commission paid
//! abroad, and what is owed to micro and small enterprises by their 45-day deadline.

use super::{csv_response, wants_csv, BillingApi};
use crate::domain::field::FieldError;
use crate::domain::fx::FxRatesIn;
use crate::handlers::http::{media_type, read_body, ApiError, Caller, QueryParams};
use crate::handlers::money_views::PayoutTicketView;
use crate::handlers::openapi::ErrorBody;
use crate::usecases::fx_rates::{self as fx_uc, FxError, Recorded};
use crate::usecases::payout::RcmRow;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A day's rates: a published table of a few hundred currencies fits.
const MAX_RATES_BODY: usize = 64 * 1024;

impl From<FxError> for ApiError {
    fn from(e: FxError) -> ApiError {
        match e {
            FxError::Invalid(errors) => ApiError::Invalid(errors),
            FxError::Conflict(m) => ApiError::Conflict(m),
            FxError::Store(s) => ApiError::from(s),
        }
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

fn day_of(text: &str, field: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| invalid(field, "must be a date, YYYY-MM-DD"))
}

/// Records a day's reference rates (JSON, or the published table as CSV `currency,rate`); the
/// payouts made that day and waiting for them are converted and become payable.
#[utoipa::path(put, path = "/fx-rates/{date}", tag = "ledger",
    params(("date" = String, Path, description = "the day the rates are for, YYYY-MM-DD")),
    request_body(content = FxRatesIn, description = "`{\"base\": \"INR\", \"rates\": {\"USD\": \"0.01187\", \"AED\": \"0.04415\"}}` (units per one rupee, decimal strings), or `text/csv` with the columns `currency,rate`"),
    security(("admin_key" = [])),
    responses((status = 200, description = "recorded (or the same table again: nothing changed); `released` payouts were converted", body = Recorded),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not finance", body = ErrorBody),
        (status = 409, description = "other rates are recorded for that day", body = ErrorBody),
        (status = 415, description = "neither JSON nor CSV", body = ErrorBody),
        (status = 422, description = "a bad date, base, currency code or rate (zero or negative), or a formula cell", body = ErrorBody)))]
pub(super) async fn put_fx_rates(
    State(api): State<Arc<BillingApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(date): Path<String>,
    body: Body,
) -> Result<Json<Recorded>, ApiError> {
    let day = day_of(&date, "date")?;
    let home = api.config.tax.home_currency.clone();
    let input: FxRatesIn = match media_type(&headers).as_deref() {
        Some("application/json") => crate::handlers::http::json_body(&headers, body, MAX_RATES_BODY).await?,
        Some("text/csv") => {
            let bytes = read_body(&headers, body, MAX_RATES_BODY).await?;
            let text =
                String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
            crate::domain::fx::from_csv(&text, &home).map_err(ApiError::Invalid)?
        }
        _ => return Err(ApiError::UnsupportedType("send application/json or text/csv".into())),
    };
    let recorded = fx_uc::record(api.table.as_ref(), day, &input, &home, &who.actor()).await?;
    Ok(Json(recorded))
}

/// A day's recorded rates.
#[utoipa::path(get, path = "/fx-rates/{date}", tag = "ledger",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    security(("admin_key" = [])),
    responses((status = 200, description = "the day's rates", body = crate::domain::fx::FxRates),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not finance", body = ErrorBody),
        (status = 404, description = "none recorded for that day", body = ErrorBody),
        (status = 422, description = "a bad date", body = ErrorBody)))]
pub(super) async fn get_fx_rates(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    Path(date): Path<String>,
) -> Result<Json<crate::domain::fx::FxRates>, ApiError> {
    let day = day_of(&date, "date")?;
    fx_uc::get(api.table.as_ref(), day)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no rates recorded for {day}")))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RcmParams {
    /// `YYYY-MM`: the payout month
    month: Option<String>,
    /// `json` (default) or `csv`
    format: Option<String>,
}

/// A month's reverse-charge liability.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct RcmView {
    month: String,
    rows: Vec<RcmRow>,
    /// per currency of the commission: taxable value and IGST owed
    #[schema(value_type = Object)]
    totals: std::collections::BTreeMap<String, (Decimal, Decimal)>,
}

pub const RCM_CSV_HEADER: &str = "payee_id,payee_name,country,payout_id,currency,taxable_value,igst";

/// The IGST the platform owes under reverse charge on commission paid to partners abroad (an
/// import of services), per payee with totals — for the month's GST return.
#[utoipa::path(get, path = "/gst/rcm", tag = "ledger",
    params(RcmParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "per payee abroad: the commission (taxable value) and the IGST owed on it, with totals; CSV with `format=csv`", body = RcmView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not finance", body = ErrorBody),
        (status = 422, description = "a bad month or format", body = ErrorBody)))]
pub(super) async fn get_rcm(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    QueryParams(p): QueryParams<RcmParams>,
) -> Result<Response, ApiError> {
    let month = p.month.unwrap_or_default();
    if crate::usecases::commission::parse_month(&month).is_none() {
        return Err(invalid("month", "must be YYYY-MM"));
    }
    let csv = wants_csv(p.format.as_deref())?;
    let rows = crate::usecases::payout::rcm_month(api.table.as_ref(), &month).await?;
    if csv {
        use crate::csv_out::{header, line, Cell};
        let mut out = header(&RCM_CSV_HEADER.split(',').collect::<Vec<_>>());
        for r in &rows {
            out.push_str(&line(&[
                Cell::Text(&r.payee),
                Cell::Text(&r.payee_name),
                Cell::Text(r.country.as_deref().unwrap_or("")),
                Cell::Text(&r.payout_id),
                Cell::Text(&r.currency),
                Cell::Number(crate::domain::money::fixed_minor(r.taxable_value, &r.currency)),
                Cell::Number(crate::domain::money::fixed_minor(r.igst, &r.currency)),
            ]));
        }
        return Ok(csv_response(&format!("gst-rcm-{month}.csv"), out));
    }
    let mut totals: std::collections::BTreeMap<String, (Decimal, Decimal)> = Default::default();
    for r in &rows {
        let t = totals.entry(r.currency.clone()).or_default();
        t.0 += r.taxable_value;
        t.1 += r.igst;
    }
    Ok(Json(RcmView { month, rows, totals }).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct MsmeParams {
    /// the day to look from, YYYY-MM-DD (default: today, India)
    on: Option<String>,
}

/// What is owed to micro and small enterprises.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MsmeView {
    #[schema(value_type = String)]
    on: NaiveDate,
    /// due within the window (`tax.msme_due_soon_days`, 7)
    due_soon: Vec<PayoutTicketView>,
    /// past their due date: pay them now (section 43B(h))
    late: Vec<PayoutTicketView>,
}

/// Unpaid payouts to micro and small enterprises due within the week, and those already late
/// (a ticket's `due_by` is 45 days after its payout).
#[utoipa::path(get, path = "/payouts/msme", tag = "ledger",
    params(MsmeParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "MSME payables due soon and late, by due date", body = MsmeView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not finance", body = ErrorBody),
        (status = 422, description = "a bad date", body = ErrorBody)))]
pub(super) async fn get_msme(
    State(api): State<Arc<BillingApi>>,
    _: Caller,
    QueryParams(p): QueryParams<MsmeParams>,
) -> Result<Json<MsmeView>, ApiError> {
    let on = match p.on.as_deref() {
        Some(d) => day_of(d, "on")?,
        None => crate::domain::renewal::india_date(api.clock.now()),
    };
    let dues = crate::usecases::payout::msme_dues(api.table.as_ref(), on, api.config.tax.msme_due_soon_days).await?;
    Ok(Json(MsmeView {
        on: dues.on,
        due_soon: dues.due_soon.iter().map(|t| PayoutTicketView::of(t, true)).collect(),
        late: dues.late.iter().map(|t| PayoutTicketView::of(t, true)).collect(),
    }))
}
