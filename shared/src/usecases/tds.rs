//! The quarter's TDS as the statements need it: one row per deduction for the residents'
//! statement (Form 26Q until March 2026, Form 140 from the tax year 2026-27), one per withholding
//! for the non-residents' (27Q, then 144), and each payee's certificate data (16A, then 131).
//! Read from the payout tickets of the quarter's three months (each ticket keeps the tax it
//! computed — section and code as in force on its date of credit — and the payee's PAN then).

use crate::csv_out::{line, Cell};
use crate::domain::payout_tax::{quarter_months, TaxRules, TdsBasis};
use crate::ports::table::{StoreError, Table};
use crate::usecases::payout::month_tickets;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// The return's stand-in for a deductee without a PAN.
pub const PAN_NOT_AVAILABLE: &str = "PANNOTAVBL";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TdsRow {
    /// `01` a company (the PAN's fourth letter `C`), `02` anyone else
    pub deductee_code: String,
    pub pan: String,
    pub name: String,
    pub reseller_id: String,
    /// the section in force on the date of credit
    pub section: String,
    /// its payment code (from the tax year 2026-27: `1006`; `1057` for a non-resident)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// a non-resident's country (the non-residents' statement)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[schema(value_type = String)]
    pub date_of_credit: NaiveDate,
    /// the amount paid or credited this deduction covers
    #[schema(value_type = String)]
    pub amount: Decimal,
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub tds: Decimal,
    /// `A` lower deduction (section 197), `C` higher rate without a PAN
    pub reason: Option<String>,
    /// the section 197 certificate of an `A` deduction
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    pub payout_id: String,
}

/// Whose deductions a statement lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deductees {
    /// residents: the section's deductions, under a certificate or without a PAN
    Residents,
    /// non-residents: the withholding configured for their country
    NonResidents,
}

/// The quarter's deductions for one statement, in the order it lists them (by date of credit,
/// then deductee); `None` for a quarter not named `YYYY-Qn`. Months still within the threshold
/// are not rows: the deduction of the month that crosses it covers them (its amount is the
/// year's untaxed total).
pub async fn quarter_rows(
    table: &dyn Table,
    quarter: &str,
    home: &str,
    whose: Deductees,
) -> Result<Option<Vec<TdsRow>>, StoreError> {
    let Some(months) = quarter_months(quarter) else {
        return Ok(None);
    };
    let listed = |basis: TdsBasis| match whose {
        Deductees::Residents => !matches!(basis, TdsBasis::Threshold | TdsBasis::NonResident),
        Deductees::NonResidents => basis == TdsBasis::NonResident,
    };
    let mut rows = Vec::new();
    for month in &months {
        for t in month_tickets(table, month).await? {
            let who = t.payee_tax.clone().unwrap_or_default();
            let pan = who.pan.clone().unwrap_or_else(|| PAN_NOT_AVAILABLE.into());
            let company = pan.as_bytes().get(3) == Some(&b'C') && pan != PAN_NOT_AVAILABLE;
            for l in t.lines.iter().filter(|l| l.currency == home) {
                let Some(tax) = &l.tax else { continue };
                for p in tax.tds.iter().filter(|p| listed(p.basis)) {
                    rows.push(TdsRow {
                        deductee_code: if company { "01" } else { "02" }.into(),
                        pan: pan.clone(),
                        name: who.legal_name.clone().unwrap_or_else(|| t.payee_name.clone()),
                        reseller_id: t.payee.clone(),
                        section: p.section.clone(),
                        code: p.code.clone(),
                        country: who.country.clone().filter(|_| whose == Deductees::NonResidents),
                        date_of_credit: t.credited_on.unwrap_or_default(),
                        amount: p.base,
                        rate: p.rate,
                        tds: p.tds,
                        reason: p.reason.clone(),
                        certificate: p.certificate.clone(),
                        payout_id: t.payout_id.clone(),
                    });
                }
            }
        }
    }
    rows.sort_by(|a, b| {
        (a.date_of_credit, &a.pan, &a.payout_id, a.rate).cmp(&(b.date_of_credit, &b.pan, &b.payout_id, b.rate))
    });
    Ok(Some(rows))
}

pub const CSV_26Q_HEADER: &str = "sr_no,deductee_code,deductee_pan,deductee_name,section_code,date_of_payment_or_credit,date_of_deduction,amount_paid_or_credited,tds_rate_percent,tds,total_tax_deducted,reason_code,reseller_id,payout_id,certificate_number,section,country";

/// The form a quarter's statement is made on (`26Q`, then `140`; `27Q`, then `144`): the law in
/// force on the quarter's first day.
pub fn statement_form(quarter: &str, whose: Deductees, rules: &TaxRules) -> Option<String> {
    let first = quarter_months(quarter)?.first().cloned()?;
    let day = NaiveDate::parse_from_str(&format!("{first}-01"), "%Y-%m-%d").ok()?;
    let law = rules.law_on(day);
    Some(match whose {
        Deductees::Residents => law.resident_form.clone(),
        Deductees::NonResidents => law.non_resident_form.clone(),
    })
}

/// The rows as the statement's deductee annexure CSV (rate in percent, dates DD/MM/YYYY as the
/// statement utility takes them). `section_code` is the payment code where the law gives one
/// (`1006`), else the section (`194H`); `section` names it in full.
pub fn csv_26q(rows: &[TdsRow]) -> String {
    let mut out = format!("{CSV_26Q_HEADER}\n");
    for (i, r) in rows.iter().enumerate() {
        let date = r.date_of_credit.format("%d/%m/%Y").to_string();
        let rate = (r.rate * Decimal::ONE_HUNDRED).round_dp(4).normalize();
        let sr = Decimal::from(i + 1);
        out.push_str(&line(&[
            Cell::Number(sr),
            Cell::Text(&r.deductee_code),
            Cell::Text(&r.pan),
            Cell::Text(&r.name),
            Cell::Text(r.code.as_deref().unwrap_or(&r.section)),
            Cell::Text(&date),
            Cell::Text(&date),
            Cell::Number(r.amount),
            Cell::Number(rate),
            Cell::Number(r.tds),
            Cell::Number(r.tds),
            Cell::Text(r.reason.as_deref().unwrap_or("")),
            Cell::Text(&r.reseller_id),
            Cell::Text(&r.payout_id),
            Cell::Text(r.certificate.as_deref().unwrap_or("")),
            Cell::Text(&r.section),
            Cell::Text(r.country.as_deref().unwrap_or("")),
        ]));
    }
    out
}

/// One payee's certificate data for a quarter (Form 16A; Form 131 from the tax year 2026-27).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub quarter: String,
    /// `16A` or `131`, as the law of the quarter names it
    pub form: String,
    pub deductor_name: String,
    pub deductor_tan: Option<String>,
    pub reseller_id: String,
    pub pan: String,
    pub name: String,
    pub deductions: Vec<TdsRow>,
    #[schema(value_type = String)]
    pub amount_total: Decimal,
    #[schema(value_type = String)]
    pub tds_total: Decimal,
}

impl Certificate {
    /// The PAN masked to its last characters (as every read but the admin's shows it).
    pub fn mask_pan(&mut self) {
        let masked = |pan: &str| {
            if pan == PAN_NOT_AVAILABLE {
                pan.to_string()
            } else {
                crate::domain::tax_id::mask(pan, 4)
            }
        };
        self.pan = masked(&self.pan);
        for d in &mut self.deductions {
            d.pan = masked(&d.pan);
        }
    }
}

/// Groups the quarter's rows per payee (only `reseller_id` when given).
pub fn certificates(
    rows: Vec<TdsRow>,
    quarter: &str,
    only: Option<&str>,
    rules: &crate::domain::payout_tax::TaxRules,
) -> Vec<Certificate> {
    let form = quarter_months(quarter)
        .and_then(|m| NaiveDate::parse_from_str(&format!("{}-01", m[0]), "%Y-%m-%d").ok())
        .map(|d| rules.law_on(d).certificate_form.clone())
        .unwrap_or_default();
    let mut by: std::collections::BTreeMap<String, Vec<TdsRow>> = Default::default();
    for r in rows.into_iter().filter(|r| only.is_none_or(|o| o == r.reseller_id)) {
        by.entry(r.reseller_id.clone()).or_default().push(r);
    }
    by.into_iter()
        .map(|(reseller_id, deductions)| Certificate {
            quarter: quarter.to_string(),
            form: form.clone(),
            deductor_name: rules.deductor_name.clone(),
            deductor_tan: rules.deductor_tan.clone(),
            pan: deductions.last().map(|r| r.pan.clone()).unwrap_or_default(),
            name: deductions.last().map(|r| r.name.clone()).unwrap_or_default(),
            amount_total: deductions.iter().map(|r| r.amount).sum(),
            tds_total: deductions.iter().map(|r| r.tds).sum(),
            reseller_id,
            deductions,
        })
        .collect()
}
