//! Reference exchange rates (SPEC §13): finance records a day's published rates, and a payout
//! line earned in one currency is paid in the partner's payout currency at the rates of the
//! payout date — never at a guessed rate: without the day's rate the payout waits. Amounts are
//! rounded to the target currency's minor unit (JPY 0, KWD 3).

use crate::domain::field::FieldError;
use crate::domain::money::{fixed_minor, parse_decimal};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One day's rates: units of each currency per one unit of `base` (the home currency).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FxRates {
    #[schema(value_type = String)]
    pub date: NaiveDate,
    pub base: String,
    #[schema(value_type = Object)]
    pub rates: BTreeMap<String, Decimal>,
    /// who recorded them
    pub recorded_by: String,
    pub version: u64,
}

/// `PUT /fx-rates/{date}` as JSON: `{"base": "INR", "rates": {"USD": "0.01187"}}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FxRatesIn {
    /// the home currency the rates are quoted against
    pub base: Option<String>,
    /// currency → units per one unit of the base, decimal strings
    #[schema(value_type = Object)]
    pub rates: Option<BTreeMap<String, crate::domain::billing::AmountText>>,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// An ISO 4217 code, upper-cased, if the standard has it.
pub fn currency_code(v: &str) -> Option<String> {
    let c = v.trim().to_uppercase();
    rusty_money::iso::find(&c).map(|_| c)
}

/// Checks a day's table: the base is the home currency, every code is ISO 4217, every rate is
/// a positive decimal; every problem is named.
pub fn validate(input: &FxRatesIn, home: &str) -> Result<(String, BTreeMap<String, Decimal>), Vec<FieldError>> {
    let mut e = Vec::new();
    let base = match input.base.as_deref().map(str::trim) {
        None | Some("") => {
            e.push(err("base", "is required (the rates are quoted against it)"));
            String::new()
        }
        Some(b) if b.eq_ignore_ascii_case(home) => home.to_string(),
        Some(b) => {
            e.push(err("base", format!("must be {home}, not {b}")));
            String::new()
        }
    };
    let mut rates = BTreeMap::new();
    match &input.rates {
        None => e.push(err("rates", "is required")),
        Some(m) if m.is_empty() => e.push(err("rates", "names no currency")),
        Some(m) => {
            for (code, rate) in m {
                let field = format!("rates.{code}");
                let Some(c) = currency_code(code) else {
                    e.push(err(&field, "is not an ISO 4217 currency code"));
                    continue;
                };
                match &rate.0 .0 {
                    Ok(r) if *r > Decimal::ZERO => {
                        rates.insert(c, *r);
                    }
                    Ok(_) => e.push(err(&field, "must be greater than zero")),
                    Err(why) => e.push(err(&field, why.clone())),
                }
            }
        }
    }
    if e.is_empty() {
        Ok((base, rates))
    } else {
        Err(e)
    }
}

/// A published table as CSV: a header `currency,rate` (a `base` column, when present, must say
/// the home currency on every row), one row per currency.
pub fn from_csv(text: &str, home: &str) -> Result<FxRatesIn, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(vec![err("csv", "has no header row")]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(cur), Some(rate)) = (col("currency"), col("rate")) else {
        return Err(vec![err("csv", "needs the columns currency and rate")]);
    };
    let base_col = col("base");
    let mut base = if base_col.is_none() {
        Some(home.to_string())
    } else {
        None
    };
    let mut rates = BTreeMap::new();
    let mut e = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let Ok(row) = row else {
            e.push(err(&format!("csv.row{}", i + 2), "cannot be read"));
            continue;
        };
        let cell = |n: usize| row.get(n).unwrap_or("").to_string();
        if crate::csv_out::is_formula(&cell(cur)) || crate::csv_out::is_formula(&cell(rate)) {
            e.push(err(&format!("csv.row{}", i + 2), "holds a formula"));
            continue;
        }
        if let Some(b) = base_col {
            base = Some(cell(b));
        }
        rates.insert(
            cell(cur),
            crate::domain::billing::AmountText(crate::domain::billing::Amount(parse_decimal(&cell(rate)))),
        );
    }
    if e.is_empty() {
        Ok(FxRatesIn {
            base,
            rates: Some(rates),
        })
    } else {
        Err(e)
    }
}

/// `amount` of `from` in `to` at a day's rates (both quoted against the base), rounded to
/// `to`'s minor unit; `None` when a needed rate is missing.
pub fn convert(amount: Decimal, from: &str, to: &str, table: &FxRates) -> Option<(Decimal, Decimal)> {
    let per_base = |c: &str| -> Option<Decimal> {
        if c == table.base {
            Some(Decimal::ONE)
        } else {
            table.rates.get(c).copied()
        }
    };
    let (f, t) = (per_base(from)?, per_base(to)?);
    if f.is_zero() {
        return None;
    }
    let rate = t / f;
    Some((rate, fixed_minor(amount * rate, to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn table() -> FxRates {
        FxRates {
            date: NaiveDate::from_ymd_opt(2026, 11, 1).expect("day"),
            base: "INR".into(),
            rates: BTreeMap::from([
                ("AED".into(), d("0.04415")),
                ("JPY".into(), d("1.7812")),
                ("KWD".into(), d("0.003701")),
                ("USD".into(), d("0.01187")),
            ]),
            recorded_by: "finance".into(),
            version: 1,
        }
    }

    #[test]
    fn lines_convert_at_the_days_rates_to_the_target_minor_unit() {
        let t = table();
        assert_eq!(
            convert(d("290000"), "INR", "AED", &t),
            Some((d("0.04415"), d("12803.50")))
        );
        assert_eq!(convert(d("290000"), "INR", "JPY", &t).map(|c| c.1), Some(d("516548")));
        assert_eq!(convert(d("290000"), "INR", "KWD", &t).map(|c| c.1), Some(d("1073.290")));
        // across two quoted currencies: USD → AED through the base
        assert_eq!(convert(d("100"), "USD", "AED", &t).map(|c| c.1), Some(d("371.95")));
        assert_eq!(convert(d("1"), "INR", "EUR", &t), None, "no guessed rate");
    }

    #[test]
    fn a_table_is_checked_field_by_field() {
        let input: FxRatesIn = serde_json::from_value(
            serde_json::json!({"base": "INR", "rates": {"USD": "0.01187", "XYZ": "1", "EUR": "0", "GBP": "-1"}}),
        )
        .expect("json");
        let e = validate(&input, "INR").expect_err("invalid");
        let fields: Vec<_> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["rates.EUR", "rates.GBP", "rates.XYZ"]);
        let no_base: FxRatesIn =
            serde_json::from_value(serde_json::json!({"rates": {"USD": "0.01187"}})).expect("json");
        assert_eq!(validate(&no_base, "INR").expect_err("no base")[0].field, "base");
        let number: FxRatesIn =
            serde_json::from_value(serde_json::json!({"base": "INR", "rates": {"USD": 0.01187}})).expect("json");
        assert_eq!(validate(&number, "INR").expect_err("a number")[0].field, "rates.USD");
        let csv = from_csv("currency,rate\nUSD,0.01187\nAED,0.04415\n", "INR").expect("csv");
        assert_eq!(validate(&csv, "INR").expect("valid").1.len(), 2);
        assert!(
            from_csv("currency,rate\n=HYPERLINK(1),2\n", "INR").is_err(),
            "no formula cells"
        );
    }
}
