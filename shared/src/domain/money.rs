//! Money: exact decimals, Indian digit grouping, and reading amounts people type into forms
//! ("₹5L+", "5-10 lakh", "1.2 Cr", "10,00,000", "$20k").

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// Reads a money amount written as plain decimal text: digits, optionally one `.` followed by
/// digits, optionally a leading `-`. Nothing else: no `+`, `_`, exponent, leading or trailing
/// `.`, spaces or grouping; at most 18 integer digits, so that no sum of amounts can overflow.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let bad = || format!("{text:?} is not a decimal amount (digits, optionally . and more digits)");
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(bad());
    }
    if int.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(format!("{text:?} is too large"));
    }
    Decimal::from_str_exact(text).map_err(|_| bad())
}

/// The most integer digits an amount may have (a quintillion rupees is no order).
pub const MAX_INTEGER_DIGITS: usize = 18;

/// Rounds half-to-even to the currency's minor unit (SPEC: applied once per ledger entry).
pub fn round_minor(amount: Decimal, currency: &str) -> Decimal {
    amount.round_dp_with_strategy(minor_units(currency), RoundingStrategy::MidpointNearestEven)
}

/// Rounded to the currency's minor unit and written with all its digits: `0` → `0.00` (INR),
/// `12803.5` → `12803.50`; what amounts on the wire and in files look like.
pub fn fixed_minor(amount: Decimal, currency: &str) -> Decimal {
    let mut f = round_minor(amount, currency);
    f.rescale(minor_units(currency));
    f
}

/// The currency's minor unit as ISO 4217 gives it (JPY 0, KWD 3; 2 for an unknown code).
pub fn minor_units(currency: &str) -> u32 {
    rusty_money::iso::find(currency).map_or(2, |c| c.exponent)
}

/// Formats with Indian grouping (last three digits, then pairs): 290000 → "2,90,000.00".
pub fn indian_grouping(amount: Decimal) -> String {
    let rounded = round_minor(amount, "INR");
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut groups: Vec<&str> = Vec::new();
    let (head, last3) = if int.len() > 3 {
        int.split_at(int.len() - 3)
    } else {
        ("", int)
    };
    let mut rest = head;
    while rest.len() > 2 {
        let (h, t) = rest.split_at(rest.len() - 2);
        groups.push(t);
        rest = h;
    }
    if !rest.is_empty() {
        groups.push(rest);
    }
    groups.reverse();
    groups.push(last3);
    format!("{}{}.{}", if negative { "-" } else { "" }, groups.join(","), frac)
}

/// "₹2,90,000.00" for INR; "AED 12,803.50" (thousands grouping, the currency's minor
/// unit) otherwise.
pub fn display(amount: Decimal, currency: &str) -> String {
    if currency == "INR" {
        let s = indian_grouping(amount);
        match s.strip_prefix('-') {
            Some(pos) => format!("-₹{pos}"),
            None => format!("₹{s}"),
        }
    } else {
        let rounded = round_minor(amount, currency);
        let negative = rounded.is_sign_negative() && !rounded.is_zero();
        let text = format!("{:.*}", minor_units(currency) as usize, rounded.abs());
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, format!(".{f}")),
            None => (text.as_str(), String::new()),
        };
        let digits: Vec<char> = int.chars().collect();
        let grouped = digits
            .rchunks(3)
            .rev()
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(",");
        format!("{}{currency} {grouped}{frac}", if negative { "-" } else { "" })
    }
}

/// An amount read from free text, converted to INR.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAmount {
    pub inr: Decimal,
    pub currency: String,
    pub original: Decimal,
}

const LAKH: i64 = 100_000;
const CRORE: i64 = 10_000_000;

/// Reads a budget the way people write it. Ranges ("5-10 lakh") count at their lower bound,
/// "₹5L+" at its stated floor; foreign amounts are converted with the `fx` table (units of INR
/// per unit of currency). Returns `None` when no amount can be found.
pub fn parse_amount_text(text: &str, fx: &BTreeMap<String, Decimal>) -> Option<ParsedAmount> {
    let lower = text.to_lowercase();
    let currency = detect_currency(&lower);
    let tokens = tokenize(&lower);
    // The first number, with the unit that follows it (or, for ranges, the unit after the range).
    let mut i = 0;
    while i < tokens.len() {
        if let Tok::Num(n) = &tokens[i] {
            let mut unit = None;
            let mut j = i + 1;
            // a range: "5 - 10 lakh" / "5 to 10 lakh": the unit after the upper bound applies
            if let Some(Tok::Unit(u)) = tokens.get(j) {
                unit = Some(*u);
            } else if matches!(tokens.get(j), Some(Tok::RangeSep)) && matches!(tokens.get(j + 1), Some(Tok::Num(_))) {
                j += 2;
                if let Some(Tok::Unit(u)) = tokens.get(j) {
                    unit = Some(*u);
                }
            }
            let multiplier = match unit {
                Some(Unit::Thousand) => Decimal::from(1000),
                Some(Unit::Lakh) => Decimal::from(LAKH),
                Some(Unit::Crore) => Decimal::from(CRORE),
                Some(Unit::Million) => Decimal::from(1_000_000),
                Some(Unit::Billion) => Decimal::from(1_000_000_000),
                None => Decimal::ONE,
            };
            let original = n.checked_mul(multiplier)?;
            let rate = if currency == "INR" {
                Decimal::ONE
            } else {
                *fx.get(&currency)?
            };
            return Some(ParsedAmount {
                inr: original.checked_mul(rate)?,
                currency,
                original,
            });
        }
        i += 1;
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Thousand,
    Lakh,
    Crore,
    Million,
    Billion,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Decimal),
    Unit(Unit),
    RangeSep,
    Other,
}

fn detect_currency(lower: &str) -> String {
    let has_word = |w: &str| lower.split(|c: char| !c.is_alphanumeric()).any(|t| t == w);
    if lower.contains('$') || has_word("usd") || has_word("dollars") {
        "USD".into()
    } else if lower.contains('€') || has_word("eur") || has_word("euro") || has_word("euros") {
        "EUR".into()
    } else if lower.contains('£') || has_word("gbp") {
        "GBP".into()
    } else if has_word("aed") || has_word("dirham") || has_word("dirhams") {
        "AED".into()
    } else {
        "INR".into()
    }
}

fn unit_word(w: &str) -> Option<Unit> {
    Some(match w {
        "k" | "thousand" | "thousands" | "000s" => Unit::Thousand,
        "l" | "lakh" | "lakhs" | "lac" | "lacs" | "lk" | "lkh" => Unit::Lakh,
        "cr" | "crore" | "crores" | "crs" => Unit::Crore,
        "m" | "mn" | "million" | "millions" => Unit::Million,
        "b" | "bn" | "billion" | "billions" => Unit::Billion,
        _ => return None,
    })
}

fn tokenize(lower: &str) -> Vec<Tok> {
    let chars: Vec<char> = lower.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            // digits with grouping commas (Indian or western) and one decimal point
            let mut s = String::new();
            while i < chars.len() {
                let d = chars[i];
                if d.is_ascii_digit() {
                    s.push(d);
                } else if d == ',' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) && !s.contains('.') {
                    // a grouping comma: skip it
                } else if d == '.' && !s.contains('.') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                    s.push('.');
                } else {
                    break;
                }
                i += 1;
            }
            // scientific notation ("1e308") is no way to write a budget: the whole number,
            // exponent included, is unreadable (never ₹1 with an "e308" beside it)
            let exponent = chars.get(i) == Some(&'e')
                && (chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
                    || (matches!(chars.get(i + 1), Some('+' | '-'))
                        && chars.get(i + 2).is_some_and(|n| n.is_ascii_digit())));
            if exponent {
                i += 2;
                while chars.get(i).is_some_and(|n| n.is_ascii_digit()) {
                    i += 1;
                }
                out.push(Tok::Other);
                continue;
            }
            match s.parse::<Decimal>() {
                Ok(n) => out.push(Tok::Num(n)),
                Err(_) => out.push(Tok::Other),
            }
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_alphabetic() {
                w.push(chars[i]);
                i += 1;
            }
            match unit_word(&w) {
                Some(u) => out.push(Tok::Unit(u)),
                None if w == "to" => out.push(Tok::RangeSep),
                None => out.push(Tok::Other),
            }
        } else if c == '-' || c == '–' || c == '—' {
            out.push(Tok::RangeSep);
            i += 1;
        } else {
            // whitespace, currency symbols, "+", "/" carry no meaning for the amount itself
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn fx() -> BTreeMap<String, Decimal> {
        BTreeMap::from([("USD".to_string(), d("83"))])
    }

    fn inr(text: &str) -> Option<Decimal> {
        parse_amount_text(text, &fx()).map(|p| p.inr)
    }

    #[test]
    fn reads_indian_and_western_amounts() {
        assert_eq!(inr("₹5L+"), Some(d("500000")));
        // scientific notation is unreadable, not ₹1
        for text in ["1e308", "₹1e5", "2E+10 rupees", "1e-3"] {
            assert_eq!(inr(text), None, "{text}");
        }
        // … but a word after a number still reads
        assert_eq!(inr("5000each"), Some(d("5000")));
        assert_eq!(inr("5-10 lakh"), Some(d("500000")));
        assert_eq!(inr("5 to 10 lakhs"), Some(d("500000")));
        assert_eq!(inr("10,00,000"), Some(d("1000000")));
        assert_eq!(inr("1.2 Cr"), Some(d("12000000")));
        assert_eq!(inr("Rs. 2.5L"), Some(d("250000")));
        assert_eq!(inr("$20k"), Some(d("1660000")));
        assert_eq!(inr("75000"), Some(d("75000")));
        assert_eq!(inr("1,000,000"), Some(d("1000000")));
        assert_eq!(inr("not sure"), None);
        // a currency with no FX rate is unknown rather than guessed
        assert_eq!(inr("€5000"), None);
    }

    #[test]
    fn decimal_text_is_strict() {
        for ok in ["0", "5", "10.5", "1000000.00", "-5", "0.1"] {
            assert_eq!(parse_decimal(ok), Ok(d(ok)), "{ok}");
        }
        for bad in [
            "", "1_000", "+5", "10.", ".5", "1E2", "1e30", "NaN", " 5", "5 ", "1,000", "-", "0x10", "1.2.3",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad} was accepted");
        }
        assert!(parse_decimal("1234567890123456789").is_err(), "19 integer digits");
        assert!(parse_decimal("123456789012345678.99").is_ok());
    }

    #[test]
    fn indian_grouping_and_half_even_rounding() {
        assert_eq!(indian_grouping(d("290000")), "2,90,000.00");
        assert_eq!(indian_grouping(d("12345678.5")), "1,23,45,678.50");
        assert_eq!(indian_grouping(d("999.99")), "999.99");
        assert_eq!(indian_grouping(d("-1000")), "-1,000.00");
        assert_eq!(display(d("290000"), "INR"), "₹2,90,000.00");
        assert_eq!(display(d("12803.5"), "AED"), "AED 12,803.50");
        assert_eq!(display(d("-1234567"), "JPY"), "-JPY 1,234,567");
        assert_eq!(display(d("999.5"), "USD"), "USD 999.50");
        assert_eq!(round_minor(d("0.125"), "INR"), d("0.12"));
        assert_eq!(round_minor(d("0.135"), "INR"), d("0.14"));
    }
}
