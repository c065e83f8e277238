//! Taxes on a payout line (SPEC §13, India): TDS on commission — under section 194H of the
//! Income-tax Act, 1961 for a credit before 1 April 2026, under section 393(1) [Table: Sl. No.
//! 1(ii)] of the Income-tax Act, 2025 (payment code 1006) from then on — at the higher no-PAN rate
//! (206AA, then 397(2)), or a lower-deduction certificate's rate up to its limit (197, then
//! 395(1)); nothing while the payee's year total stays within the threshold, and the whole year's
//! untaxed amount once it crosses; GST added for a GST-registered payee (CGST + SGST within the
//! platform's state, IGST across). A partner abroad bears no resident TDS — only the withholding
//! configured for its country, at the treaty rate with a valid TRC and Form 10F — and no GST: the
//! platform owes IGST on that import of services under reverse charge. Margin (principal-to-
//! principal resale) is not commission: neither applies.
//!
//! Every rate, threshold, section, code and form is configuration with the date it takes effect
//! (by date of credit), so a change in law is a config change. Sources: the Income-tax Act, 2025
//! (in force 1 April 2026) and the Income-tax Rules, 2026 (Form 140 replaces 26Q, 144 replaces
//! 27Q, 131 replaces 16A, 145/146 replace 15CA/15CB, 41 replaces 10F); the payment codes as the
//! `india-compliance` project maps them (194H → 1006, 195 → 1057). Amounts here are exact; TDS is
//! rounded to `tds_rounding`.

use crate::domain::tax_profile::LowerDeduction;
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A value in force from a date (until a later entry's date).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dated {
    pub from: NaiveDate,
    pub value: Decimal,
}

fn dated(from: (i32, u32, u32), value: Decimal) -> Dated {
    Dated {
        from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap_or_default(),
        value,
    }
}

/// The entry in force on `on` (the latest one starting on or before it).
pub fn effective(list: &[Dated], on: NaiveDate) -> Option<Decimal> {
    list.iter()
        .filter(|d| d.from <= on)
        .max_by_key(|d| d.from)
        .map(|d| d.value)
}

/// The law a deduction is made and reported under, from the date of credit it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TdsLaw {
    #[schema(value_type = String)]
    pub from: NaiveDate,
    /// `Income-tax Act, 1961` · `Income-tax Act, 2025`
    pub act: String,
    /// commission paid to a resident: `194H` · `393(1) [Table: Sl. No. 1(ii)]`
    pub section: String,
    /// its code in the quarterly statement, where the law gives one (`1006`)
    pub payment_code: Option<String>,
    /// the higher rate without a PAN: `206AA` · `397(2)`
    pub no_pan_section: String,
    /// a lower-deduction certificate: `197` · `395(1)`
    pub certificate_section: String,
    /// a sum paid to a non-resident: `195` · `393(2) [Table: Sl. No. 17]`
    pub non_resident_section: String,
    pub non_resident_code: Option<String>,
    /// the statement's remark for a lower deduction under a certificate
    pub remark_certificate: String,
    /// … for the higher rate without a PAN
    pub remark_no_pan: String,
    /// … for no deduction within the threshold
    pub remark_threshold: String,
    /// the quarterly statement of residents' deductions: `26Q` · `140`
    pub resident_form: String,
    /// … of non-residents': `27Q` · `144`
    pub non_resident_form: String,
    /// the deductee's certificate: `16A` · `131`
    pub certificate_form: String,
    /// the remittance forms for a payment abroad: `15CA` / `15CB` · `145` / `146`
    pub remittance_forms: String,
    /// what the year is called: `financial year` · `tax year`
    pub year_name: String,
}

impl TdsLaw {
    /// `393(1) [Table: Sl. No. 1(ii)] (code 1006)`, or the section alone.
    pub fn cite(section: &str, code: Option<&str>) -> String {
        match code {
            Some(c) => format!("{section} (code {c})"),
            None => section.to_string(),
        }
    }
}

fn law_of_1961() -> TdsLaw {
    TdsLaw {
        from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        act: "Income-tax Act, 1961".into(),
        section: "194H".into(),
        payment_code: None,
        no_pan_section: "206AA".into(),
        certificate_section: "197".into(),
        non_resident_section: "195".into(),
        non_resident_code: None,
        remark_certificate: "A".into(),
        remark_no_pan: "C".into(),
        remark_threshold: "Y".into(),
        resident_form: "26Q".into(),
        non_resident_form: "27Q".into(),
        certificate_form: "16A".into(),
        remittance_forms: "15CA / 15CB".into(),
        year_name: "financial year".into(),
    }
}

fn law_of_2025() -> TdsLaw {
    TdsLaw {
        from: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default(),
        act: "Income-tax Act, 2025".into(),
        section: "393(1) [Table: Sl. No. 1(ii)]".into(),
        payment_code: Some("1006".into()),
        no_pan_section: "397(2)".into(),
        certificate_section: "395(1)".into(),
        non_resident_section: "393(2) [Table: Sl. No. 17]".into(),
        non_resident_code: Some("1057".into()),
        // the statement utility's remarks keep their letters (configuration, should they move)
        remark_certificate: "A".into(),
        remark_no_pan: "C".into(),
        remark_threshold: "Y".into(),
        resident_form: "140".into(),
        non_resident_form: "144".into(),
        certificate_form: "131".into(),
        remittance_forms: "145 / 146".into(),
        year_name: "tax year".into(),
    }
}

/// Why a part is taxed at its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TdsBasis {
    /// the section's rate
    #[default]
    Standard,
    /// a lower-deduction certificate's rate
    Certificate,
    /// the higher rate without a PAN
    NoPan,
    /// nothing: the year's total is within the threshold
    Threshold,
    /// withholding on a payee abroad
    NonResident,
}

/// Withholding on partners resident in one country (none is configured by default): the
/// domestic rate, or the treaty's with a valid tax residency certificate and Form 10F (41).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryWithholding {
    /// ISO 3166 alpha-2
    pub country: String,
    /// the ledger component it applies to (`commission`)
    #[serde(default = "commission_component")]
    pub component: String,
    pub domestic_rates: Vec<Dated>,
    #[serde(default)]
    pub treaty_rates: Vec<Dated>,
}

fn commission_component() -> String {
    "commission".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxRules {
    /// the currency taxed in India; a resident's line in another currency is not taxed here
    pub home_currency: String,
    /// the law by the date of credit (sections, payment codes, remarks, forms)
    pub laws: Vec<TdsLaw>,
    /// the commission section's rate by the date of credit
    pub tds_rates: Vec<Dated>,
    /// no deduction while the financial year's total stays within this (by the year's first day)
    pub tds_thresholds: Vec<Dated>,
    /// section 206AA: the rate without a valid PAN
    pub no_pan_rates: Vec<Dated>,
    pub gst_rates: Vec<Dated>,
    /// the services accounting code on the reseller's invoice
    pub sac: String,
    /// TDS is rounded to a multiple of this (1: the nearest rupee)
    pub tds_rounding: Decimal,
    /// tickets unpaid this many days after issue are listed for finance
    pub unpaid_after_days: i64,
    /// the deductor as the certificate (Form 16A, then 131) names it
    pub deductor_name: String,
    pub deductor_tan: Option<String>,
    /// withholding on partners abroad, by country (default: none)
    pub non_resident_withholding: Vec<CountryWithholding>,
    /// a remittance abroad above this (INR, one payout) is flagged for Form 15CA/15CB (145/146)
    pub remittance_form_above: Decimal,
    /// a micro or small enterprise is paid within this many days of the payout's issue
    /// (section 43B(h): 45 with a written agreement — the partner agreement — else 15)
    pub msme_due_days: i64,
    /// MSME payables due within this many days are listed for finance
    pub msme_due_soon_days: i64,
}

impl Default for TaxRules {
    fn default() -> Self {
        let pct = |n: i64| Decimal::new(n, 2);
        TaxRules {
            home_currency: "INR".into(),
            laws: vec![law_of_1961(), law_of_2025()],
            tds_rates: vec![dated((2000, 1, 1), pct(5)), dated((2024, 10, 1), pct(2))],
            tds_thresholds: vec![
                dated((2000, 4, 1), Decimal::from(15_000)),
                dated((2025, 4, 1), Decimal::from(20_000)),
            ],
            no_pan_rates: vec![dated((2000, 1, 1), pct(20))],
            gst_rates: vec![dated((2017, 7, 1), pct(18))],
            sac: "996111".into(),
            tds_rounding: Decimal::ONE,
            unpaid_after_days: 7,
            deductor_name: "Partner Programme".into(),
            deductor_tan: None,
            non_resident_withholding: vec![],
            // Form 15CA Part C and 15CB above ₹5 lakh in the year (rule 37BB); one payout here
            remittance_form_above: Decimal::from(500_000),
            msme_due_days: 45,
            msme_due_soon_days: 7,
        }
    }
}

impl TaxRules {
    /// The law in force on a date of credit.
    pub fn law_on(&self, on: NaiveDate) -> &TdsLaw {
        self.laws
            .iter()
            .filter(|l| l.from <= on)
            .max_by_key(|l| l.from)
            .or_else(|| self.laws.first())
            .unwrap_or_else(|| &FALLBACK_LAW)
    }

    /// Every problem with the rules at once: a missing dated rate is an error, never 0%.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.laws.is_empty() {
            problems.push("tax.laws is empty: no section to deduct under".to_string());
        }
        for (name, list) in [
            ("tds_rates", &self.tds_rates),
            ("tds_thresholds", &self.tds_thresholds),
            ("no_pan_rates", &self.no_pan_rates),
            ("gst_rates", &self.gst_rates),
        ] {
            if list.is_empty() {
                problems.push(format!("tax.{name} is empty: a missing rate is an error, never 0%"));
            }
            if list
                .iter()
                .any(|d| d.value < Decimal::ZERO || d.value > Decimal::from(1_000_000_000))
            {
                problems.push(format!("tax.{name} has a negative or absurd value"));
            }
        }
        for w in &self.non_resident_withholding {
            if w.domestic_rates.is_empty() {
                problems.push(format!(
                    "tax.non_resident_withholding[{}] has no domestic rate",
                    w.country
                ));
            }
        }
        if self.msme_due_days <= 0 {
            problems.push("tax.msme_due_days must be positive".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Only reached with an empty `laws` list, which `validate` refuses at start-up.
static FALLBACK_LAW: std::sync::LazyLock<TdsLaw> = std::sync::LazyLock::new(law_of_1961);

/// The financial year (April–March) a date falls in, named by the year it starts.
pub fn financial_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// `2026-27`.
pub fn fy_label(fy: i32) -> String {
    format!("{fy}-{:02}", (fy + 1) % 100)
}

pub fn fy_start(fy: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(fy, 4, 1).unwrap_or_default()
}

/// The quarter of the financial year a `YYYY-MM` month falls in: `2026-10` → `2026-Q3`,
/// `2027-02` → `2026-Q4`.
pub fn quarter_of_month(month: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let q = match d.month() {
        4..=6 => 1,
        7..=9 => 2,
        10..=12 => 3,
        _ => 4,
    };
    Some(format!("{}-Q{q}", financial_year(d)))
}

/// The three `YYYY-MM` months of a quarter named `YYYY-Qn` (the financial year's first year).
pub fn quarter_months(quarter: &str) -> Option<[String; 3]> {
    let (y, q) = quarter.split_once("-Q")?;
    let fy: i32 = y.parse().ok().filter(|y| (2000..=2999).contains(y))?;
    let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
    let first = fy_start(fy).checked_add_months(chrono::Months::new(3 * (q - 1)))?;
    let month = |i: u32| {
        first
            .checked_add_months(chrono::Months::new(i))
            .map(crate::domain::aggregates::month_of)
    };
    Some([month(0)?, month(1)?, month(2)?])
}

/// What the tax rules need to know of a payee.
#[derive(Debug, Clone, Copy, Default)]
pub struct Payee<'a> {
    pub pan: Option<&'a str>,
    /// the GSTIN's state code; `None` when not GST-registered
    pub gst_state: Option<&'a str>,
    pub lower_deduction: Option<&'a LowerDeduction>,
    /// resident abroad (not in India): no resident TDS, no GST added
    pub non_resident: bool,
    /// its country (ISO 3166 alpha-2), for the withholding configured per country
    pub country: Option<&'a str>,
    /// the tax residency certificate's last day, and whether Form 10F (41) is on file
    pub trc_valid_until: Option<NaiveDate>,
    pub form_10f: bool,
}

/// A payee's running totals for one financial year, home currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YearToDate {
    /// commission credited (paid out) in the year, excluding GST
    #[schema(value_type = String)]
    pub credited: Decimal,
    /// of which already subjected to TDS (the rest fell within the threshold so far)
    #[schema(value_type = String)]
    pub taxed: Decimal,
    #[schema(value_type = String)]
    pub tds: Decimal,
    /// what the section 197 certificate has covered
    #[schema(value_type = String)]
    pub certificate_used: Decimal,
}

/// One deduction (or a recorded non-deduction) at one rate: a row of the quarterly statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TdsPart {
    /// the section in force on the date of credit
    pub section: String,
    /// its payment code in the statement (from 1 April 2026: `1006`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// the act the section belongs to
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    /// why this rate
    #[serde(default)]
    pub basis: TdsBasis,
    #[schema(value_type = String)]
    pub rate: Decimal,
    /// the amount credited this part taxes
    #[schema(value_type = String)]
    pub base: Decimal,
    #[schema(value_type = String)]
    pub tds: Decimal,
    /// the statement's remark for a lower or no deduction (`A` certificate, `C` no PAN, `Y`
    /// threshold)
    pub reason: Option<String>,
    /// the section 197 certificate a lower deduction (`A`) is made under
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Gst {
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub cgst: Decimal,
    #[schema(value_type = String)]
    pub sgst: Decimal,
    #[schema(value_type = String)]
    pub igst: Decimal,
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// The taxes of one payable line and the year's totals that decided them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineTax {
    /// the commission paid (excluding GST and margin): GST's taxable value
    #[schema(value_type = String)]
    pub taxable_value: Decimal,
    pub gst: Option<Gst>,
    pub tds: Vec<TdsPart>,
    #[schema(value_type = String)]
    pub tds_total: Decimal,
    /// `2026-27` (the financial year under the 1961 Act, the tax year under the 2025 Act)
    pub financial_year: String,
    pub year_before: YearToDate,
    pub year_after: YearToDate,
    /// a payee abroad (or a line in another currency): no resident TDS or GST added; the
    /// platform self-invoices and owes IGST under reverse charge
    pub reverse_charge: bool,
    /// the IGST the platform owes under reverse charge on this import of services (home currency)
    #[serde(default)]
    #[schema(value_type = String)]
    pub rcm_igst: Decimal,
    /// why nothing was withheld from a payee abroad (none configured for its country…)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_note: Option<String>,
}

impl LineTax {
    pub fn gst_total(&self) -> Decimal {
        self.gst.as_ref().map(|g| g.total).unwrap_or_default()
    }
}

fn round_to(amount: Decimal, step: Decimal) -> Decimal {
    let mut r = if step <= Decimal::ZERO {
        amount
    } else {
        (amount / step).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * step
    };
    r.rescale(2);
    r
}

fn paisa(amount: Decimal) -> Decimal {
    let mut r = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// The taxes on `commission` paid in `currency` on `credited_on`, given the year so far.
/// `platform_state` is the state code of the platform's GSTIN.
pub fn tax_line(
    commission: Decimal,
    currency: &str,
    payee: &Payee,
    year: &YearToDate,
    credited_on: NaiveDate,
    platform_state: &str,
    rules: &TaxRules,
) -> LineTax {
    let c = commission.max(Decimal::ZERO);
    let law = rules.law_on(credited_on);
    let mut out = LineTax {
        taxable_value: c,
        financial_year: fy_label(financial_year(credited_on)),
        year_before: year.clone(),
        year_after: year.clone(),
        // money keeps its paise on the wire, nothing deducted included
        tds_total: paisa(Decimal::ZERO),
        rcm_igst: paisa(Decimal::ZERO),
        ..Default::default()
    };
    if payee.non_resident {
        return non_resident_line(out, c, currency, payee, credited_on, rules, law);
    }
    if currency != rules.home_currency {
        out.reverse_charge = c > Decimal::ZERO;
        return out;
    }
    if c.is_zero() {
        return out;
    }
    let mut after = year.clone();
    after.credited += c;
    out.gst = payee.gst_state.map(|state| {
        let rate = effective(&rules.gst_rates, credited_on).unwrap_or_default();
        let mut g = Gst {
            rate,
            ..Default::default()
        };
        if state == platform_state {
            let half = paisa(c * rate / Decimal::TWO);
            (g.cgst, g.sgst) = (half, half);
        } else {
            g.igst = paisa(c * rate);
        }
        g.total = g.cgst + g.sgst + g.igst;
        g
    });
    let part = |rate: Decimal, base: Decimal, basis: TdsBasis| TdsPart {
        section: law.section.clone(),
        code: law.payment_code.clone(),
        act: Some(law.act.clone()),
        basis,
        rate,
        base,
        tds: round_to(base * rate, rules.tds_rounding),
        reason: match basis {
            TdsBasis::Certificate => Some(law.remark_certificate.clone()),
            TdsBasis::NoPan => Some(law.remark_no_pan.clone()),
            TdsBasis::Threshold => Some(law.remark_threshold.clone()),
            TdsBasis::Standard | TdsBasis::NonResident => None,
        },
        certificate: None,
    };
    let threshold = effective(&rules.tds_thresholds, fy_start(financial_year(credited_on))).unwrap_or_default();
    if after.credited <= threshold {
        out.tds.push(part(Decimal::ZERO, c, TdsBasis::Threshold));
    } else {
        // crossing the threshold taxes everything the year has not taxed yet
        let base = after.credited - year.taxed;
        after.taxed = after.credited;
        match payee.pan {
            None => {
                let rate = effective(&rules.no_pan_rates, credited_on).unwrap_or_default();
                out.tds.push(part(rate, base, TdsBasis::NoPan));
            }
            Some(_) => {
                let mut rest = base;
                let certificate = payee
                    .lower_deduction
                    .filter(|l| l.valid_from <= credited_on && credited_on <= l.valid_to);
                if let Some(l) = certificate {
                    let covered = rest.min((l.limit - year.certificate_used).max(Decimal::ZERO));
                    if covered > Decimal::ZERO {
                        out.tds.push(TdsPart {
                            certificate: Some(l.certificate_number.clone()).filter(|n| !n.is_empty()),
                            ..part(l.rate, covered, TdsBasis::Certificate)
                        });
                        after.certificate_used += covered;
                        rest -= covered;
                    }
                }
                if rest > Decimal::ZERO {
                    let rate = effective(&rules.tds_rates, credited_on).unwrap_or_default();
                    out.tds.push(part(rate, rest, TdsBasis::Standard));
                }
            }
        }
    }
    out.tds_total = out.tds.iter().map(|p| p.tds).sum();
    after.tds += out.tds_total;
    out.year_after = after;
    out
}

/// A payee abroad: no resident TDS, no GST on its invoice; the platform owes IGST under reverse
/// charge on the import of services (computed on home-currency lines); withholding only where
/// configured for its country — at the treaty rate with a valid TRC and Form 10F, else the
/// domestic rate — and otherwise a note saying why none.
fn non_resident_line(
    mut out: LineTax,
    c: Decimal,
    currency: &str,
    payee: &Payee,
    credited_on: NaiveDate,
    rules: &TaxRules,
    law: &TdsLaw,
) -> LineTax {
    if c.is_zero() {
        return out;
    }
    out.reverse_charge = true;
    if currency == rules.home_currency {
        let rate = effective(&rules.gst_rates, credited_on).unwrap_or_default();
        out.rcm_igst = paisa(c * rate);
    }
    let country = payee.country.unwrap_or("");
    let configured = rules
        .non_resident_withholding
        .iter()
        .find(|w| w.country.eq_ignore_ascii_case(country) && w.component == "commission");
    let Some(w) = configured else {
        out.withholding_note = Some(if country.is_empty() {
            "a payee abroad without a country: no withholding configured".to_string()
        } else {
            format!("no withholding configured for {country}")
        });
        return out;
    };
    let treaty_ok = payee.form_10f && payee.trc_valid_until.is_some_and(|until| until >= credited_on);
    let treaty = effective(&w.treaty_rates, credited_on).filter(|_| treaty_ok);
    let (rate, note) = match treaty {
        Some(r) => (r, format!("treaty rate for {country} (TRC and Form 10F on file)")),
        None => (
            effective(&w.domestic_rates, credited_on).unwrap_or_default(),
            format!("domestic rate for {country} (no valid TRC and Form 10F)"),
        ),
    };
    out.tds.push(TdsPart {
        section: law.non_resident_section.clone(),
        code: law.non_resident_code.clone(),
        act: Some(law.act.clone()),
        basis: TdsBasis::NonResident,
        rate,
        base: c,
        tds: round_to(c * rate, rules.tds_rounding),
        reason: None,
        certificate: None,
    });
    out.tds_total = paisa(out.tds.iter().map(|p| p.tds).sum());
    out.withholding_note = Some(note);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    const PAN: &str = "AAPCK1234L";

    fn registered(state: &str) -> Payee<'_> {
        Payee {
            pan: Some(PAN),
            gst_state: Some(state),
            ..Default::default()
        }
    }

    /// What is left to pay, by the formula: gross + GST − TDS.
    fn net(gross: Decimal, t: &LineTax) -> Decimal {
        gross + t.gst_total() - t.tds_total
    }

    #[test]
    fn the_worked_example_in_october_within_and_across_states() {
        let rules = TaxRules::default();
        let gross = d("290000.00");
        let oct = day("2026-10-31");
        let same = tax_line(gross, "INR", &registered("27"), &Default::default(), oct, "27", &rules);
        let g = same.gst.clone().unwrap();
        // independently: 18% of 2,90,000 = 52,200, split in halves; 2% of 2,90,000 = 5,800
        assert_eq!((g.cgst, g.sgst, g.igst), (d("26100.00"), d("26100.00"), d("0")));
        assert_eq!(same.tds_total, d("5800.00"));
        assert_eq!(net(gross, &same), d("336400.00"));
        // October 2026: the Income-tax Act, 2025 (section 393(1), code 1006)
        assert_eq!(same.tds[0].section, "393(1) [Table: Sl. No. 1(ii)]");
        assert_eq!(same.tds[0].code.as_deref(), Some("1006"));
        // February 2026: still section 194H of the 1961 Act, no code
        let feb = tax_line(
            gross,
            "INR",
            &registered("27"),
            &Default::default(),
            day("2026-02-28"),
            "27",
            &rules,
        );
        assert_eq!(
            (feb.tds[0].section.as_str(), feb.tds[0].code.as_deref()),
            ("194H", None)
        );
        assert_eq!(rules.law_on(day("2026-03-31")).resident_form, "26Q");
        assert_eq!(rules.law_on(day("2026-04-01")).resident_form, "140");
        let across = tax_line(gross, "INR", &registered("27"), &Default::default(), oct, "29", &rules);
        assert_eq!(across.gst.unwrap().igst, d("52200.00"));
        let no_pan = tax_line(gross, "INR", &Payee::default(), &Default::default(), oct, "27", &rules);
        assert_eq!(
            (no_pan.tds_total, no_pan.gst.is_none(), no_pan.tds[0].reason.as_deref()),
            (d("58000.00"), true, Some("C"))
        );
    }

    #[test]
    fn a_partner_abroad_bears_no_resident_tds_and_the_platform_owes_igst() {
        let mut rules = TaxRules::default();
        let oct = day("2026-10-31");
        let dubai = Payee {
            non_resident: true,
            country: Some("AE"),
            ..Default::default()
        };
        let t = tax_line(d("290000"), "INR", &dubai, &Default::default(), oct, "27", &rules);
        assert_eq!(
            (t.tds_total, t.gst.is_none(), t.rcm_igst),
            (d("0"), true, d("52200.00"))
        );
        assert_eq!(t.withholding_note.as_deref(), Some("no withholding configured for AE"));
        assert_eq!(t.year_after, YearToDate::default(), "no resident year moves");
        // withholding configured for Kenya: 20% domestic, 10% by treaty with a TRC and Form 10F
        rules.non_resident_withholding = vec![CountryWithholding {
            country: "KE".into(),
            component: "commission".into(),
            domestic_rates: vec![dated((2000, 1, 1), d("0.20"))],
            treaty_rates: vec![dated((2000, 1, 1), d("0.10"))],
        }];
        let nairobi = Payee {
            non_resident: true,
            country: Some("KE"),
            ..Default::default()
        };
        let without = tax_line(d("100000"), "INR", &nairobi, &Default::default(), oct, "27", &rules);
        assert_eq!(without.tds_total, d("20000.00"));
        assert_eq!(without.tds[0].section, "393(2) [Table: Sl. No. 17]");
        let with = Payee {
            trc_valid_until: Some(day("2027-03-31")),
            form_10f: true,
            ..nairobi
        };
        let treaty = tax_line(d("100000"), "INR", &with, &Default::default(), oct, "27", &rules);
        assert_eq!(treaty.tds_total, d("10000.00"));
        let expired = Payee {
            trc_valid_until: Some(day("2026-09-30")),
            ..with
        };
        assert_eq!(
            tax_line(d("100000"), "INR", &expired, &Default::default(), oct, "27", &rules).tds_total,
            d("20000.00"),
            "an expired TRC is no treaty"
        );
        assert!(TaxRules::default().validate().is_ok());
        let empty = TaxRules {
            tds_rates: vec![],
            ..TaxRules::default()
        };
        assert!(empty.validate().is_err(), "a missing rate is an error, never 0%");
    }

    #[test]
    fn the_threshold_taxes_the_whole_year_once_crossed() {
        let rules = TaxRules::default();
        let p = Payee {
            pan: Some(PAN),
            ..Default::default()
        };
        let mut year = YearToDate::default();
        let mut tds = Vec::new();
        for (amount, on) in [("8000", "2026-04-30"), ("9000", "2026-05-31"), ("6000", "2026-06-30")] {
            let t = tax_line(d(amount), "INR", &p, &year, day(on), "27", &rules);
            tds.push(t.tds_total);
            year = t.year_after;
        }
        // 8,000 + 9,000 + 6,000 = 23,000 > 20,000 in June: 2% of 23,000 = 460
        assert_eq!(tds, [d("0"), d("0"), d("460.00")]);
        assert_eq!(
            (year.credited, year.taxed, year.tds),
            (d("23000"), d("23000"), d("460.00"))
        );
        // July taxes July only
        let july = tax_line(d("1000"), "INR", &p, &year, day("2026-07-31"), "27", &rules);
        assert_eq!(july.tds_total, d("20.00"));
        // before FY 2025-26 the threshold was 15,000, and before October 2024 the rate 5%
        let old = tax_line(
            d("16000"),
            "INR",
            &p,
            &Default::default(),
            day("2024-06-30"),
            "27",
            &rules,
        );
        assert_eq!(old.tds_total, d("800.00"));
    }

    #[test]
    fn a_lower_deduction_certificate_applies_up_to_its_limit() {
        let rules = TaxRules::default();
        let cert = LowerDeduction {
            certificate_number: "1111AA111A".into(),
            rate: d("0.005"),
            valid_from: day("2026-04-01"),
            valid_to: day("2027-03-31"),
            limit: d("100000"),
            recorded_by: Some("admin".into()),
            recorded_at: None,
        };
        let p = Payee {
            pan: Some(PAN),
            lower_deduction: Some(&cert),
            ..Default::default()
        };
        let first = tax_line(
            d("80000"),
            "INR",
            &p,
            &Default::default(),
            day("2026-05-31"),
            "27",
            &rules,
        );
        assert_eq!(first.tds_total, d("400.00"));
        let second = tax_line(
            d("50000"),
            "INR",
            &p,
            &first.year_after,
            day("2026-06-30"),
            "27",
            &rules,
        );
        // 20,000 left on the certificate at 0.5% = 100; 30,000 at 2% = 600
        let parts: Vec<_> = second
            .tds
            .iter()
            .map(|t| (t.rate, t.base, t.tds, t.reason.clone()))
            .collect();
        assert_eq!(
            parts,
            [
                (d("0.005"), d("20000"), d("100.00"), Some("A".to_string())),
                (d("0.02"), d("30000"), d("600.00"), None)
            ]
        );
        // outside its validity the normal rate applies
        let later = tax_line(
            d("50000"),
            "INR",
            &p,
            &Default::default(),
            day("2027-04-30"),
            "27",
            &rules,
        );
        assert_eq!(later.tds_total, d("1000.00"));
    }

    #[test]
    fn foreign_and_nothing_paid_are_untaxed() {
        let rules = TaxRules::default();
        let usd = tax_line(
            d("2000"),
            "USD",
            &registered("27"),
            &Default::default(),
            day("2026-10-31"),
            "27",
            &rules,
        );
        assert!(usd.reverse_charge && usd.gst.is_none() && usd.tds.is_empty());
        let zero = tax_line(
            d("-5"),
            "INR",
            &registered("27"),
            &Default::default(),
            day("2026-10-31"),
            "27",
            &rules,
        );
        assert!(zero.tds.is_empty() && zero.gst.is_none() && zero.taxable_value.is_zero());
    }

    #[test]
    fn quarters_of_the_financial_year() {
        assert_eq!(quarter_months("2026-Q3").unwrap(), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(quarter_months("2026-Q4").unwrap(), ["2027-01", "2027-02", "2027-03"]);
        assert_eq!(quarter_months("2026-Q1").unwrap(), ["2026-04", "2026-05", "2026-06"]);
        assert!(quarter_months("2026-Q5").is_none() && quarter_months("Q3").is_none());
        assert_eq!(quarter_of_month("2027-02").as_deref(), Some("2026-Q4"));
        assert_eq!(quarter_of_month("2026-10").as_deref(), Some("2026-Q3"));
        assert_eq!(fy_label(2026), "2026-27");
        assert_eq!(fy_label(2099), "2099-00");
    }
}
