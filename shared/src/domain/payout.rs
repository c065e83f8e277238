//! Monthly payout (SPEC §8): per payee and currency, every unpaid entry earned up to the
//! month's end plus the carried-forward balance; below the minimum, or negative, it is carried
//! forward again. Currencies are never added together.

use crate::domain::commission::Component;
use crate::domain::ledger::TaxKind;
use crate::domain::payout_tax::LineTax;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which bulk-transfer file finance's bank takes (`RULES_JSON` → `payout.bank_file`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "format")]
pub enum BankFileFormat {
    /// a plain NEFT/IMPS file (most banks' bulk upload)
    #[default]
    Neft,
    /// RazorpayX bulk payouts, debiting this RazorpayX account
    Razorpayx { account_number: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutRules {
    /// the smallest amount paid out, per currency
    pub minimum: BTreeMap<String, Decimal>,
    /// for currencies not listed
    pub default_minimum: Decimal,
    /// the bank's bulk-transfer file (`{"format": "neft"}` or `{"format": "razorpayx",
    /// "account_number": "…"}`)
    pub bank_file: BankFileFormat,
}

impl Default for PayoutRules {
    fn default() -> Self {
        PayoutRules {
            minimum: BTreeMap::from([
                ("INR".to_string(), Decimal::from(1000)),
                ("USD".to_string(), Decimal::from(15)),
            ]),
            default_minimum: Decimal::from(15),
            bank_file: BankFileFormat::Neft,
        }
    }
}

/// One currency's payout for a payee.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub currency: String,
    pub licence: Decimal,
    pub amc_first_year: Decimal,
    pub amc_renewal: Decimal,
    pub referral: Decimal,
    #[serde(rename = "override")]
    pub override_: Decimal,
    pub margin: Decimal,
    /// negative
    pub clawbacks: Decimal,
    pub carried_in: Decimal,
    pub net: Decimal,
    /// the gross paid this month (`net` when at least the minimum, else 0)
    pub payable: Decimal,
    pub carried_out: Decimal,
    pub entries: usize,
    /// of `net`, what is margin (the rest is commission); carried balances keep the split
    #[serde(default)]
    pub margin_net: Decimal,
    #[serde(default)]
    pub carried_in_margin: Decimal,
    #[serde(default)]
    pub carried_out_margin: Decimal,
    /// TDS and GST on what is paid (absent when nothing is, and on tickets from before taxes)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<LineTax>,
    /// the net payable converted into the payee's payout currency on the payout date (the
    /// ledger keeps the original currency)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Transfer>,
    /// a remittance abroad large enough to need the remittance forms (15CA/15CB, 145/146)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance_forms: Option<String>,
}

/// A line's net payable in the payout currency, at the reference rate of the payout date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transfer {
    pub currency: String,
    /// units of `currency` per unit of the line's currency
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub rate_date: NaiveDate,
    /// rounded to the currency's minor unit (JPY 0, KWD 3)
    #[schema(value_type = String)]
    pub amount: Decimal,
}

impl Line {
    /// The commission paid: GST's taxable value and TDS's base this month.
    pub fn commission_paid(&self) -> Decimal {
        if self.payable.is_zero() {
            Decimal::ZERO
        } else {
            self.payable - self.margin_net
        }
    }

    /// What is owed, in the line's currency: gross + GST − TDS.
    pub fn net_payable(&self) -> Decimal {
        match &self.tax {
            Some(t) => self.payable + t.gst_total() - t.tds_total,
            None => self.payable,
        }
    }

    /// The currency the money moves in (the payout currency once converted).
    pub fn transfer_currency(&self) -> &str {
        self.transfer
            .as_ref()
            .map_or(self.currency.as_str(), |t| t.currency.as_str())
    }

    /// What moves, in `transfer_currency`.
    pub fn transfer_amount(&self) -> Decimal {
        self.transfer.as_ref().map_or_else(|| self.net_payable(), |t| t.amount)
    }
}

/// An entry as the payout needs it.
pub struct Earning<'a> {
    pub currency: &'a str,
    pub component: Component,
    pub amount: Decimal,
    pub kind: TaxKind,
}

/// Each currency's line before taxes, from the entries and the carried balance (of which
/// `carried_margin` is margin).
pub fn compute(earnings: &[Earning], balance: &Balance, rules: &PayoutRules) -> Vec<Line> {
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for (c, amount) in &balance.carried {
        if !amount.is_zero() {
            let l = lines.entry(c.clone()).or_default();
            l.carried_in = *amount;
            l.carried_in_margin = balance.carried_margin.get(c).copied().unwrap_or_default();
            l.margin_net = l.carried_in_margin;
        }
    }
    for e in earnings {
        let l = lines.entry(e.currency.to_string()).or_default();
        l.entries += 1;
        if e.kind == TaxKind::Margin {
            l.margin_net += e.amount;
        }
        match e.component {
            Component::Licence => l.licence += e.amount,
            Component::AmcFirstYear => l.amc_first_year += e.amount,
            Component::AmcRenewal => l.amc_renewal += e.amount,
            Component::Referral => l.referral += e.amount,
            Component::Override => l.override_ += e.amount,
            Component::Margin => l.margin += e.amount,
            Component::Clawback => l.clawbacks += e.amount,
        }
    }
    lines
        .into_iter()
        .map(|(currency, mut l)| {
            l.currency = currency;
            l.net = l.licence
                + l.amc_first_year
                + l.amc_renewal
                + l.referral
                + l.override_
                + l.margin
                + l.clawbacks
                + l.carried_in;
            let minimum = rules.minimum.get(&l.currency).copied().unwrap_or(rules.default_minimum);
            if l.net < minimum {
                l.carried_out = l.net;
                l.carried_out_margin = l.margin_net;
            } else {
                l.payable = l.net;
            }
            l
        })
        .collect()
}

/// `YYYY-MM` of the month before `now` in India (the payout runs on the 1st for the month before).
pub fn previous_month(now: DateTime<Utc>) -> String {
    let today = crate::domain::renewal::india_date(now);
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let prev = first - Duration::days(1);
    crate::domain::aggregates::month_of(prev)
}

/// The last instant of a `YYYY-MM` month (UTC, as the ledger's months are).
pub fn month_end(month: &str) -> Option<DateTime<Utc>> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    Some(Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0)?) - Duration::microseconds(1))
}

/// Where a payout ticket is: `issuing` until every entry it settles is marked, then `issued`
/// (locked; the statement may be sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    Issuing,
    Issued,
}

/// One payee's settlement of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub payout_id: String,
    pub month: String,
    pub payee: String,
    pub payee_name: String,
    pub lines: Vec<Line>,
    /// sort keys of the ledger entries this ticket settles (under `LEDGER#<payee>`)
    pub entries: Vec<String>,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    /// the statement is owed (its letter written with this claim): the outbox sends it
    #[serde(alias = "statement_sent")]
    pub statement_owed: bool,
    /// how many times the statement went out (the outbox counts each send here); `None` on
    /// tickets made before sends were counted
    #[serde(default)]
    pub statement_deliveries: Option<u32>,
    pub version: u64,
    /// the date of credit (the month's last day): the rates and the financial year follow it
    #[serde(default)]
    pub credited_on: Option<NaiveDate>,
    /// the payee's tax identity when the ticket was made (the 26Q and Form 16A report it)
    #[serde(default)]
    pub payee_tax: Option<PayeeTax>,
    /// the tax invoice a GST-registered reseller issues in its own name for the commission
    #[serde(default)]
    pub invoice_draft: Option<InvoiceDraft>,
    /// the reseller's invoice as it recorded it
    #[serde(default)]
    pub invoice: Option<Invoice>,
    #[serde(default)]
    pub payment: Payment,
    /// the last day to pay a micro or small enterprise (section 43B(h)): issue + 45 days
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_by: Option<NaiveDate>,
    /// the currency the payee is paid in (its terms), when it differs from what it earned in
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_currency: Option<String>,
    /// while waiting for a reference rate: the status the ticket takes once converted
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_after_fx: Option<PaymentStatus>,
    /// the payee's e-invoice for the month (required before settlement when it e-invoices)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub einvoice: Option<EInvoice>,
}

impl Ticket {
    /// Whether the statement has gone out (not merely been owed); a ticket from before sends
    /// were counted answers by its claim.
    pub fn statement_sent(&self) -> bool {
        match self.statement_deliveries {
            Some(n) => n > 0,
            None => self.statement_owed,
        }
    }

    /// The payout date, whose reference rates convert its lines (the day the ticket was made,
    /// India time).
    pub fn fx_rate_date(&self) -> Option<NaiveDate> {
        Some(crate::domain::renewal::india_date(self.created_at))
    }

    /// The lines with something to transfer.
    pub fn payable_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.net_payable() > Decimal::ZERO)
    }
}

/// The payee's tax identity on a ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayeeTax {
    pub pan: Option<String>,
    pub legal_name: Option<String>,
    pub gstin: Option<String>,
    #[serde(default)]
    pub residency: crate::domain::tax_profile::Residency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msme: Option<crate::domain::tax_profile::Msme>,
    /// its GST invoice must carry an IRN
    #[serde(default)]
    pub einvoice_required: bool,
}

/// A draft GST tax invoice from the reseller (supplier) to the platform (recipient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvoiceDraft {
    pub supplier_gstin: String,
    pub supplier_legal_name: String,
    pub recipient_gstin: String,
    pub sac: String,
    pub description: String,
    #[schema(value_type = String)]
    pub taxable_value: Decimal,
    /// the tax split (CGST + SGST, or IGST)
    pub gst: crate::domain::payout_tax::Gst,
    /// taxable value + GST
    #[schema(value_type = String)]
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Invoice {
    pub number: String,
    #[schema(value_type = String)]
    pub date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

/// An e-invoice's registration on the IRP: its IRN (64 hex characters), acknowledgement number
/// and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EInvoice {
    pub irn: String,
    pub ack_no: String,
    #[schema(value_type = String)]
    pub ack_date: NaiveDate,
}

/// Where the money of a ticket is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// nothing to transfer (carried forward, or no lines)
    #[default]
    NothingDue,
    /// held until the reseller records its GST invoice (`HOLD_UNTIL_INVOICE`)
    AwaitingInvoice,
    /// held until finance records the reference rate its conversion needs (nothing is paid at
    /// a guessed rate)
    AwaitingFxRate,
    /// in the month's bank file
    Payable,
    Paid,
}

impl PaymentStatus {
    /// How a page names it.
    pub fn label(self) -> &'static str {
        match self {
            PaymentStatus::NothingDue => "nothing due",
            PaymentStatus::AwaitingInvoice => "awaiting your invoice",
            PaymentStatus::AwaitingFxRate => "awaiting the exchange rate",
            PaymentStatus::Payable => "payable",
            PaymentStatus::Paid => "paid",
        }
    }
}

/// One transfer, as the bank reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Settlement {
    pub utr: String,
    pub paid_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub status: PaymentStatus,
    /// the bank transfer's reference (the bank file carries it; a settlement may name it)
    pub reference: String,
    /// per currency paid
    #[serde(default)]
    pub settled: BTreeMap<String, Settlement>,
}

/// The reference a payee-month's transfer carries: short and alphanumeric, as bank files want.
pub fn payment_reference(month: &str, payee: &str) -> String {
    let id: String = payee.chars().filter(char::is_ascii_alphanumeric).collect();
    let tail = &id[id.len().saturating_sub(12)..];
    format!("PO{}{}", month.replace('-', ""), tail.to_ascii_uppercase())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub payee: String,
    pub carried: BTreeMap<String, Decimal>,
    /// of `carried`, what is margin
    #[serde(default)]
    pub carried_margin: BTreeMap<String, Decimal>,
    pub last_month: Option<String>,
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn e<'a>(currency: &'a str, component: Component, amount: &str) -> Earning<'a> {
        Earning {
            currency,
            component,
            amount: d(amount),
            kind: TaxKind::of(component),
        }
    }

    fn carried(c: &[(&str, &str)]) -> Balance {
        Balance {
            carried: c.iter().map(|(k, v)| (k.to_string(), d(v))).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn worked_example_pays_in_full() {
        let lines = compute(
            &[
                e("INR", Component::Licence, "250000.00"),
                e("INR", Component::AmcFirstYear, "40000.00"),
            ],
            &Balance::default(),
            &PayoutRules::default(),
        );
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].payable, lines[0].carried_out), (d("290000.00"), d("0")));
    }

    #[test]
    fn below_minimum_and_negative_carry_forward() {
        let r = PayoutRules::default();
        let small = compute(&[e("INR", Component::Referral, "999.99")], &Balance::default(), &r);
        assert_eq!((small[0].payable, small[0].carried_out), (d("0"), d("999.99")));
        let next = compute(
            &[e("INR", Component::Referral, "500.00")],
            &carried(&[("INR", "999.99")]),
            &r,
        );
        assert_eq!((next[0].payable, next[0].carried_in), (d("1499.99"), d("999.99")));
        let clawed = compute(
            &[
                e("INR", Component::Licence, "1000.00"),
                e("INR", Component::Clawback, "-5000.00"),
            ],
            &Balance::default(),
            &r,
        );
        assert_eq!((clawed[0].payable, clawed[0].carried_out), (d("0"), d("-4000.00")));
    }

    #[test]
    fn margin_is_kept_apart_from_commission_through_a_carry() {
        let r = PayoutRules::default();
        let clawback_of_margin = Earning {
            kind: TaxKind::Margin,
            ..e("INR", Component::Clawback, "-300000.00")
        };
        let month1 = compute(
            &[
                e("INR", Component::Margin, "200000.00"),
                e("INR", Component::Referral, "5000.00"),
                clawback_of_margin,
            ],
            &Balance::default(),
            &r,
        );
        assert_eq!(
            (month1[0].carried_out, month1[0].carried_out_margin),
            (d("-95000.00"), d("-100000.00"))
        );
        let balance = Balance {
            carried: BTreeMap::from([("INR".into(), month1[0].carried_out)]),
            carried_margin: BTreeMap::from([("INR".into(), month1[0].carried_out_margin)]),
            ..Default::default()
        };
        let month2 = compute(&[e("INR", Component::Margin, "300000.00")], &balance, &r);
        // 2,00,000 margin paid and the 5,000 referral: commission paid is the referral only
        assert_eq!(month2[0].payable, d("205000.00"));
        assert_eq!(month2[0].commission_paid(), d("5000.00"));
    }

    #[test]
    fn currencies_stay_apart() {
        let lines = compute(
            &[
                e("INR", Component::Licence, "250000"),
                e("USD", Component::Licence, "2000"),
            ],
            &Balance::default(),
            &PayoutRules::default(),
        );
        let by: BTreeMap<&str, Decimal> = lines.iter().map(|l| (l.currency.as_str(), l.payable)).collect();
        assert_eq!(by, BTreeMap::from([("INR", d("250000")), ("USD", d("2000"))]));
    }

    #[test]
    fn months() {
        let now = DateTime::parse_from_rfc3339("2026-11-01T02:30:00+05:30")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(previous_month(now), "2026-10");
        let jan = DateTime::parse_from_rfc3339("2027-01-01T02:30:00+05:30")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(previous_month(jan), "2026-12");
        assert_eq!(
            month_end("2026-10").unwrap().to_rfc3339(),
            "2026-10-31T23:59:59.999999+00:00"
        );
        assert_eq!(
            month_end("2026-12").unwrap().to_rfc3339(),
            "2026-12-31T23:59:59.999999+00:00"
        );
    }
}
