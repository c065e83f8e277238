//! After the payout: the reseller records its GST invoice (which releases a payout held for it),
//! and finance reports the bank's transfers (UTRs), which mark tickets paid. Each write is
//! guarded: a ticket on its version, a UTR by a claim item that only one transfer can hold, so
//! a file sent twice changes nothing.

use crate::domain::billing::{not_in_future, positive, timestamp, AmountText};
use crate::domain::lead::FieldError;
use crate::domain::payout::{Invoice, PaymentStatus, Settlement, Ticket};
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
    for _ in 0..3 {
        let key = repo::payout_key(month, payee);
        let Some(ticket) = get::<Ticket>(table, &key).await? else {
            return Err(InvoiceError::NotFound(format!("{month}/{payee}")));
        };
        if ticket.invoice_draft.is_none() {
            return Err(InvoiceError::Conflict(
                "this payout has no GST to invoice (no GSTIN on the tax profile, or nothing paid)".into(),
            ));
        }
        match &ticket.invoice {
            Some(i) if i.number == number && i.date == date => return Ok(ticket),
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
            recorded_at: clock.now(),
        });
        if next.payment.status == PaymentStatus::AwaitingInvoice {
            next.payment.status = PaymentStatus::Payable;
        }
        next.version += 1;
        match table
            .transact(vec![repo::put_if_version(repo::item(&next)?, ticket.version)])
            .await
        {
            Ok(()) => return Ok(next),
            Err(StoreError::TransactionCancelled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(InvoiceError::Conflict("the payout changed meanwhile; try again".into()))
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
    /// the line's currency (default INR)
    pub currency: Option<String>,
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
    if e.is_empty() {
        Ok(Checked {
            utr,
            paid_at,
            amount,
            currency: s.currency.as_deref().unwrap_or(home).trim().to_ascii_uppercase(),
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
            (Ok(c), Some(t)) => apply(table, clock, &t.payout_id, month, &t.payee, &c).await?,
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
    payout_id: &str,
    month: &str,
    payee: &str,
    c: &Checked,
) -> Result<(Outcome, Option<String>), StoreError> {
    let refused = |why: String| Ok((Outcome::Refused, Some(why)));
    for _ in 0..3 {
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
            PaymentStatus::NothingDue => return refused("nothing is payable on this payout".into()),
            PaymentStatus::Payable | PaymentStatus::Paid => {}
        }
        let Some(line) = ticket.payable_lines().find(|l| l.currency == c.currency) else {
            return refused(format!("nothing is payable in {}", c.currency));
        };
        let due = line.net_payable();
        if c.amount != due {
            return refused(format!(
                "amount {} does not match the net payable {}",
                c.amount,
                crate::domain::money::display(due, &c.currency)
            ));
        }
        let mut next = ticket.clone();
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
            .all(|l| next.payment.settled.contains_key(&l.currency))
        {
            next.payment.status = PaymentStatus::Paid;
        }
        next.version += 1;
        let claim = UtrClaim {
            utr: c.utr.clone(),
            payout_id: payout_id.to_string(),
            currency: c.currency.clone(),
        };
        match table
            .transact(vec![
                repo::put_if_version(repo::item(&next)?, ticket.version),
                repo::put_new(repo::item(&claim)?),
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
