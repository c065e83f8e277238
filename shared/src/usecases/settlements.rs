//! After the payout: the reseller records its GST invoice (which releases a payout held for it),
//! and finance reports the bank's transfers (UTRs), which mark tickets paid. Each write is
//! guarded: a ticket on its version, a UTR by a claim item that only one transfer can hold, so
//! a file sent twice changes nothing.

use crate::domain::billing::{not_in_future, positive, timestamp, AmountText};
use crate::domain::field::FieldError;
use crate::domain::payout::{EInvoice, Invoice, PaymentStatus, Settlement, Ticket};
use crate::ports::table::{StoreError, Table};
use crate::ports::Clock;
use crate::repo::{self, get_record as get, UtrClaim};
use crate::usecases::payout::month_tickets;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error("no payout for {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid invoice")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct InvoiceIn {
    /// the reseller's invoice number (GST: up to 16 letters, digits, `-` and `/`)
    pub number: Option<String>,
    /// YYYY-MM-DD
    pub date: Option<String>,
    /// the e-invoice's IRN (64 hex characters): required of a payee that e-invoices
    pub irn: Option<String>,
    /// the IRP's acknowledgement number
    pub ack_no: Option<String>,
    /// YYYY-MM-DD
    pub ack_date: Option<String>,
}

/// An e-invoice's registration, checked: every field named when wrong; `Ok(None)` when none
/// was given at all.
pub fn einvoice_of(
    irn: Option<&str>,
    ack_no: Option<&str>,
    ack_date: Option<&str>,
    today: NaiveDate,
) -> Result<Option<EInvoice>, Vec<FieldError>> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let (irn, ack_no, ack_date) = (given(irn), given(ack_no), given(ack_date));
    if irn.is_none() && ack_no.is_none() && ack_date.is_none() {
        return Ok(None);
    }
    let mut e = Vec::new();
    let irn = irn.unwrap_or_default().to_ascii_lowercase();
    if irn.len() != 64 || !irn.bytes().all(|b| b.is_ascii_hexdigit()) {
        e.push(field("irn", "must be the IRN's 64 hexadecimal characters"));
    }
    let ack = ack_no.unwrap_or_default().to_string();
    if !(1..=20).contains(&ack.len()) || !ack.bytes().all(|b| b.is_ascii_digit()) {
        e.push(field("ack_no", "must be the IRP's acknowledgement number (digits)"));
    }
    let date = match ack_date.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
        Some(Ok(d)) if d <= today => d,
        Some(Ok(_)) => {
            e.push(field("ack_date", "is in the future"));
            NaiveDate::default()
        }
        _ => {
            e.push(field("ack_date", "must be a date, YYYY-MM-DD"));
            NaiveDate::default()
        }
    };
    if e.is_empty() {
        Ok(Some(EInvoice {
            irn,
            ack_no: ack,
            ack_date: date,
        }))
    } else {
        Err(e)
    }
}

/// Whether a ticket still lacks the e-invoice its payee must give.
fn lacks_einvoice(t: &Ticket) -> bool {
    t.payee_tax.as_ref().is_some_and(|p| p.einvoice_required) && t.einvoice.is_none()
}

fn field(f: &str, m: &str) -> FieldError {
    FieldError {
        field: f.into(),
        message: m.into(),
    }
}

fn validate_invoice(i: &InvoiceIn, today: NaiveDate) -> Result<(String, NaiveDate), Vec<FieldError>> {
    let mut e = Vec::new();
    let number = i.number.as_deref().map(str::trim).unwrap_or_default().to_string();
    let ok = (1..=16).contains(&number.len())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    if !ok {
        e.push(field("number", "must be 1–16 letters, digits, - or /"));
    }
    let date = match i
        .date
        .as_deref()
        .map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d"))
    {
        Some(Ok(d)) if d <= today => Some(d),
        Some(Ok(_)) => {
            e.push(field("date", "is in the future"));
            None
        }
        _ => {
            e.push(field("date", "must be a date, YYYY-MM-DD"));
            None
        }
    };
    match date {
        Some(d) if e.is_empty() => Ok((number, d)),
        _ => Err(e),
    }
}

/// Records the reseller's GST invoice on its ticket; a payout held for it becomes payable.
/// The same invoice again is a no-op; another number once one is recorded is a conflict.
pub async fn record_invoice(
    table: &dyn Table,
    clock: &dyn Clock,
    month: &str,
    payee: &str,
    input: &InvoiceIn,
) -> Result<Ticket, InvoiceError> {
    let today = crate::domain::renewal::india_date(clock.now());
    let (number, date) = validate_invoice(input, today).map_err(InvoiceError::Invalid)?;
    let einvoice = einvoice_of(
        input.irn.as_deref(),
        input.ack_no.as_deref(),
        input.ack_date.as_deref(),
        today,
    )
    .map_err(InvoiceError::Invalid)?;
    let recorded_at = clock.now();
    repo::update(table, &repo::payout_key(month, payee), |ticket: &Ticket| {
        if ticket.invoice_draft.is_none() {
            return Err(InvoiceError::Conflict(
                "this payout has no GST to invoice (no GSTIN on the tax profile, or nothing paid)".into(),
            ));
        }
        if einvoice.is_none() && lacks_einvoice(ticket) {
            return Err(InvoiceError::Invalid(vec![field(
                "irn",
                "is required: this payee e-invoices (give irn, ack_no and ack_date)",
            )]));
        }
        match &ticket.invoice {
            Some(i) if i.number == number && i.date == date && (einvoice.is_none() || ticket.einvoice == einvoice) => {
                return Ok(repo::Change::Keep)
            }
            Some(i) => {
                return Err(InvoiceError::Conflict(format!(
                    "invoice {} is already recorded for this payout",
                    i.number
                )))
            }
            None => {}
        }
        let mut next = ticket.clone();
        next.invoice = Some(Invoice {
            number: number.clone(),
            date,
            recorded_at,
        });
        if einvoice.is_some() {
            next.einvoice = einvoice.clone();
        }
        if next.payment.status == PaymentStatus::AwaitingInvoice {
            next.payment.status = PaymentStatus::Payable;
        }
        Ok(repo::Change::to(next))
    })
    .await?
    .ok_or_else(|| InvoiceError::NotFound(format!("{month}/{payee}")))
}

/// One transfer the bank reports.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SettlementIn {
    /// the bank file's reference, or
    pub reference: Option<String>,
    /// the ticket's payout id (`YYYY-MM/<payee>`)
    pub payout_id: Option<String>,
    /// the bank's unique transaction reference
    pub utr: Option<String>,
    /// RFC 3339
    pub paid_at: Option<String>,
    /// a decimal string (`"336400.00"`); a JSON number is refused
    #[schema(value_type = Option<String>)]
    pub amount: Option<AmountText>,
    /// the currency transferred (default INR; a converted payout's currency, e.g. AED)
    pub currency: Option<String>,
    /// the payee's e-invoice, when it e-invoices and has not recorded it yet
    pub irn: Option<String>,
    pub ack_no: Option<String>,
    /// YYYY-MM-DD
    pub ack_date: Option<String>,
}

/// A report read back: the lines to settle, and the rows the bank did not process (row number,
/// why).
pub struct Report {
    pub lines: Vec<SettlementIn>,
    pub not_processed: Vec<(usize, String)>,
}

/// The bank's (or RazorpayX's) payout report read back as settlement lines: a header row, one
/// transfer per row. Columns by name, either ours (`reference,utr,paid_at,amount,currency`) or
/// RazorpayX's payout report (`Reference Id`, `UTR`, `Amount`, `Processed At`, `Status`); a row
/// whose status is not `processed` is left out with its reason. A file with a formula cell is
/// refused whole.
pub fn from_report_csv(text: &str) -> Result<Report, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(vec![field("csv", "has no header row")]),
    };
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let reference = col(&[
        "reference",
        "reference id",
        "payout reference id",
        "payout_reference_id",
    ]);
    let utr = col(&["utr"]);
    let paid_at = col(&["paid_at", "processed at", "processed_at", "processed on", "created at"]);
    let amount = col(&["amount", "payout amount"]);
    let currency = col(&["currency", "payout currency"]);
    let status = col(&["status", "payout status"]);
    let (Some(reference), Some(utr), Some(paid_at), Some(amount)) = (reference, utr, paid_at, amount) else {
        return Err(vec![field(
            "csv",
            "needs the columns reference (or Reference Id), utr, paid_at (or Processed At) and amount",
        )]);
    };
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let n = i + 2;
        let Ok(row) = row else {
            errors.push(field(&format!("csv.row{n}"), "cannot be read"));
            continue;
        };
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_string();
        if row.iter().any(crate::csv_out::is_formula) {
            errors.push(field(&format!("csv.row{n}"), "holds a formula: the file is refused"));
            continue;
        }
        if let Some(s) = status.map(|c| cell(Some(c))).filter(|s| !s.is_empty()) {
            if !s.eq_ignore_ascii_case("processed") {
                skipped.push((n, format!("row {n}: status {s}, not processed")));
                continue;
            }
        }
        lines.push(SettlementIn {
            reference: Some(cell(Some(reference))).filter(|r| !r.is_empty()),
            payout_id: None,
            utr: Some(cell(Some(utr))),
            paid_at: Some(report_time(&cell(Some(paid_at)))),
            amount: Some(AmountText(crate::domain::billing::Amount(
                crate::domain::money::parse_decimal(&cell(Some(amount)).replace(',', "")),
            ))),
            currency: currency.map(|c| cell(Some(c))).filter(|c| !c.is_empty()),
            irn: None,
            ack_no: None,
            ack_date: None,
        });
    }
    if errors.is_empty() {
        Ok(Report {
            lines,
            not_processed: skipped,
        })
    } else {
        Err(errors)
    }
}

/// A report's time as RFC 3339: as it is, or `YYYY-MM-DD HH:MM[:SS]` / `DD/MM/YYYY HH:MM[:SS]`
/// in India time (an unreadable one is left for the line's own check to name).
fn report_time(t: &str) -> String {
    if chrono::DateTime::parse_from_rfc3339(t).is_ok() {
        return t.to_string();
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
    ] {
        if let Ok(local) = chrono::NaiveDateTime::parse_from_str(t, format) {
            return format!("{}+05:30", local.format("%Y-%m-%dT%H:%M:%S"));
        }
    }
    t.to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Applied,
    /// already recorded with this UTR: nothing changed
    Unchanged,
    Refused,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettlementResult {
    /// the line's position in the request (from 0)
    pub index: usize,
    pub payout_id: Option<String>,
    pub utr: Option<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

struct Checked {
    utr: String,
    paid_at: chrono::DateTime<chrono::Utc>,
    amount: Decimal,
    currency: String,
    einvoice: Option<EInvoice>,
}

fn check(s: &SettlementIn, home: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Checked, String> {
    let mut e = Vec::new();
    let utr = s.utr.as_deref().map(str::trim).unwrap_or_default().to_ascii_uppercase();
    if !(6..=35).contains(&utr.len()) || !utr.chars().all(|c| c.is_ascii_alphanumeric()) {
        e.push(field("utr", "must be 6–35 letters and digits"));
    }
    let paid_at = timestamp("paid_at", &s.paid_at, &mut e);
    if e.iter().all(|f| f.field != "paid_at") {
        e.extend(not_in_future("paid_at", paid_at, now).err());
    }
    let amount = positive(
        "amount",
        &s.amount.as_ref().map(|a| a.0.clone()),
        Decimal::from(10_000_000_000_i64),
        &mut e,
    );
    if s.reference.is_none() && s.payout_id.is_none() {
        e.push(field("reference", "a reference or a payout_id is required"));
    }
    let today = crate::domain::renewal::india_date(now);
    let einvoice =
        einvoice_of(s.irn.as_deref(), s.ack_no.as_deref(), s.ack_date.as_deref(), today).unwrap_or_else(|errors| {
            e.extend(errors);
            None
        });
    if e.is_empty() {
        Ok(Checked {
            utr,
            paid_at,
            amount,
            currency: s.currency.as_deref().unwrap_or(home).trim().to_ascii_uppercase(),
            einvoice,
        })
    } else {
        Err(e
            .iter()
            .map(|f| format!("{} {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "))
    }
}

/// Applies a settlement file to a month's tickets, line by line: a line that cannot be applied
/// is refused with its reason and the rest still apply; re-sending the file changes nothing.
pub async fn settle(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &crate::access::Principal,
    month: &str,
    lines: &[SettlementIn],
    home: &str,
) -> Result<Vec<SettlementResult>, StoreError> {
    let tickets = month_tickets(table, month).await?;
    let now = clock.now();
    let mut out = Vec::with_capacity(lines.len());
    for (index, s) in lines.iter().enumerate() {
        let by_id = s
            .payout_id
            .as_deref()
            .map(|id| tickets.iter().find(|t| t.payout_id == id));
        let by_reference = s.reference.as_deref().map(|r| {
            tickets
                .iter()
                .find(|t| r.trim().eq_ignore_ascii_case(&t.payment.reference))
        });
        // a line naming both must name the same payout
        let (found, disagree) = match (by_id, by_reference) {
            (Some(a), Some(b)) => (a.or(b), a.map(|t| &t.payout_id) != b.map(|t| &t.payout_id)),
            (Some(a), None) => (a, false),
            (None, Some(b)) => (b, false),
            (None, None) => (None, false),
        };
        let (outcome, reason) = match (check(s, home, now), found) {
            (Err(why), _) => (Outcome::Refused, Some(why)),
            (Ok(_), _) if disagree => (
                Outcome::Refused,
                Some("payout_id and reference name different payouts".to_string()),
            ),
            (Ok(_), None) => (
                Outcome::Refused,
                Some(format!("no payout in {month} with that reference")),
            ),
            (Ok(c), Some(t)) if t.issued_at.is_some_and(|issued| c.paid_at < issued) => (
                Outcome::Refused,
                Some(format!(
                    "paid_at is before the payout was issued ({})",
                    t.issued_at.map(|i| i.to_rfc3339()).unwrap_or_default()
                )),
            ),
            (Ok(c), Some(t)) => apply(table, clock, by, &t.payout_id, month, &t.payee, &c).await?,
        };
        out.push(SettlementResult {
            index,
            payout_id: found.map(|t| t.payout_id.clone()),
            utr: s.utr.clone(),
            outcome,
            reason,
        });
    }
    Ok(out)
}

async fn apply(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &crate::access::Principal,
    payout_id: &str,
    month: &str,
    payee: &str,
    c: &Checked,
) -> Result<(Outcome, Option<String>), StoreError> {
    let refused = |why: String| Ok((Outcome::Refused, Some(why)));
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let Some(ticket) = get::<Ticket>(table, &repo::payout_key(month, payee)).await? else {
            return refused(format!("no payout {payout_id}"));
        };
        if let Some(done) = ticket.payment.settled.get(&c.currency) {
            return if done.utr == c.utr {
                Ok((Outcome::Unchanged, None))
            } else {
                refused(format!("already paid with UTR {}", done.utr))
            };
        }
        if let Some(claim) = get::<UtrClaim>(table, &repo::utr_key(&c.utr)).await? {
            return refused(format!("UTR {} already settled {}", c.utr, claim.payout_id));
        }
        match ticket.payment.status {
            PaymentStatus::AwaitingInvoice => return refused("held until the reseller records its GST invoice".into()),
            PaymentStatus::AwaitingFxRate => {
                return refused("waiting for the payout date's reference rate (PUT /fx-rates/{date})".into())
            }
            PaymentStatus::NothingDue => return refused("nothing is payable on this payout".into()),
            PaymentStatus::Payable | PaymentStatus::Paid => {}
        }
        if c.einvoice.is_none() && lacks_einvoice(&ticket) {
            return refused("irn is required: this payee e-invoices (give irn, ack_no and ack_date)".into());
        }
        let Some(line) = ticket.payable_lines().find(|l| l.transfer_currency() == c.currency) else {
            return refused(format!("nothing is payable in {}", c.currency));
        };
        let due = line.transfer_amount();
        if c.amount != due {
            return refused(format!(
                "amount {} does not match the net payable {}",
                c.amount,
                crate::domain::money::display(due, &c.currency)
            ));
        }
        let mut next = repo::next_of(&ticket);
        if let Some(einvoice) = &c.einvoice {
            next.einvoice = Some(einvoice.clone());
        }
        next.payment.settled.insert(
            c.currency.clone(),
            Settlement {
                utr: c.utr.clone(),
                paid_at: c.paid_at,
                amount: c.amount,
                recorded_at: clock.now(),
            },
        );
        if next
            .payable_lines()
            .all(|l| next.payment.settled.contains_key(l.transfer_currency()))
        {
            next.payment.status = PaymentStatus::Paid;
        }
        let claim = UtrClaim {
            utr: c.utr.clone(),
            payout_id: payout_id.to_string(),
            currency: c.currency.clone(),
        };
        let audit = crate::usecases::audit::audit_record(
            by,
            &format!("payout:{payout_id}"),
            "payout.settled",
            format!("{} {} by UTR {}", c.amount, c.currency, c.utr),
            clock.now(),
        );
        match table
            .transact(vec![
                repo::put_if_version(repo::item(&next)?, ticket.version),
                repo::put_new(repo::item(&claim)?),
                repo::put_new(repo::item(&audit)?),
            ])
            .await
        {
            Ok(()) => return Ok((Outcome::Applied, None)),
            // the ticket moved or the UTR was claimed meanwhile: look again
            Err(StoreError::TransactionCancelled { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    refused("the payout changed meanwhile; send the line again".into())
}
