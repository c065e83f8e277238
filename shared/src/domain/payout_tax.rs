//! Taxes on a payout line (SPEC §8, India): TDS under section 194H on commission — 20% without
//! a PAN (section 206AA), a section 197 certificate's rate up to its limit — nothing while the
//! payee's financial-year total stays within the threshold, and the whole year's untaxed amount
//! once it crosses; GST added for a GST-registered payee (CGST + SGST within the platform's
//! state, IGST across). Margin (principal-to-principal resale) is not commission: neither
//! applies. A non-INR line gets neither and is flagged for the reverse-charge self-invoice.
//!
//! Every rate, threshold and code is configuration with the date it takes effect, so a change
//! in law is a config change. Amounts here are exact; TDS is rounded to `tds_rounding`.

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

/// 26Q remark codes for a lower or no deduction.
pub const REASON_LOWER_CERTIFICATE: &str = "A";
pub const REASON_NO_PAN: &str = "C";
pub const REASON_THRESHOLD: &str = "Y";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxRules {
    /// the currency taxed in India; other currencies are foreign payees
    pub home_currency: String,
    pub tds_section: String,
    /// 194H's rate by the date of credit
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
    /// the deductor as Form 16A names it
    pub deductor_name: String,
    pub deductor_tan: Option<String>,
}

impl Default for TaxRules {
    fn default() -> Self {
        let pct = |n: i64| Decimal::new(n, 2);
        TaxRules {
            home_currency: "INR".into(),
            tds_section: "194H".into(),
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
        }
    }
}

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

/// One deduction (or a recorded non-deduction) at one rate: a row of the 26Q return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TdsPart {
    pub section: String,
    #[schema(value_type = String)]
    pub rate: Decimal,
    /// the amount credited this part taxes
    #[schema(value_type = String)]
    pub base: Decimal,
    #[schema(value_type = String)]
    pub tds: Decimal,
    /// the 26Q remark for a lower or no deduction (`A` certificate, `C` no PAN, `Y` threshold)
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
    /// `2026-27`
    pub financial_year: String,
    pub year_before: YearToDate,
    pub year_after: YearToDate,
    /// a foreign payee: no TDS or GST added; the platform self-invoices under reverse charge
    pub reverse_charge: bool,
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
    let mut out = LineTax {
        taxable_value: c,
        financial_year: fy_label(financial_year(credited_on)),
        year_before: year.clone(),
        year_after: year.clone(),
        ..Default::default()
    };
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
    let part = |rate: Decimal, base: Decimal, reason: Option<&str>| TdsPart {
        section: rules.tds_section.clone(),
        rate,
        base,
        tds: round_to(base * rate, rules.tds_rounding),
        reason: reason.map(str::to_string),
        certificate: None,
    };
    let threshold = effective(&rules.tds_thresholds, fy_start(financial_year(credited_on))).unwrap_or_default();
    if after.credited <= threshold {
        out.tds.push(part(Decimal::ZERO, c, Some(REASON_THRESHOLD)));
    } else {
        // crossing the threshold taxes everything the year has not taxed yet
        let base = after.credited - year.taxed;
        after.taxed = after.credited;
        match payee.pan {
            None => {
                let rate = effective(&rules.no_pan_rates, credited_on).unwrap_or_default();
                out.tds.push(part(rate, base, Some(REASON_NO_PAN)));
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
                            ..part(l.rate, covered, Some(REASON_LOWER_CERTIFICATE))
                        });
                        after.certificate_used += covered;
                        rest -= covered;
                    }
                }
                if rest > Decimal::ZERO {
                    let rate = effective(&rules.tds_rates, credited_on).unwrap_or_default();
                    out.tds.push(part(rate, rest, None));
                }
            }
        }
    }
    out.tds_total = out.tds.iter().map(|p| p.tds).sum();
    after.tds += out.tds_total;
    out.year_after = after;
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
            lower_deduction: None,
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
        assert_eq!(same.tds[0].section, "194H");
        let across = tax_line(gross, "INR", &registered("27"), &Default::default(), oct, "29", &rules);
        assert_eq!(across.gst.unwrap().igst, d("52200.00"));
        let no_pan = tax_line(gross, "INR", &Payee::default(), &Default::default(), oct, "27", &rules);
        assert_eq!(
            (no_pan.tds_total, no_pan.gst.is_none(), no_pan.tds[0].reason.as_deref()),
            (d("58000.00"), true, Some("C"))
        );
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
            gst_state: None,
            lower_deduction: Some(&cert),
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
