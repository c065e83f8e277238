//! The one CSV writer for everything the platform hands out as CSV (the finance payout file,
//! import reports): RFC 4180 quoting by the `csv` crate, and text cells neutralised so that a
//! spreadsheet never runs them — a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'` (OWASP's advice for CSV injection). Amounts are written as plain
//! decimals, never neutralised: `-1000.00` stays a number.

use rust_decimal::Decimal;

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// anything a person or another system typed: neutralised
    Text(&'a str),
    /// an amount or a count: written as it is
    Number(Decimal),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(s)
    }
}

impl From<Decimal> for Cell<'_> {
    fn from(d: Decimal) -> Self {
        Cell::Number(d)
    }
}

/// The text as a spreadsheet will show it, never as a formula.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Whether a cell read from an uploaded file would run as a formula in a spreadsheet (`=`, `+`,
/// `@`, or `-` before anything but a number): such files are refused, not imported.
pub fn is_formula(s: &str) -> bool {
    let t = s.trim_start();
    match t.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => t[1..].trim().parse::<rust_decimal::Decimal>().is_err(),
        _ => false,
    }
}

/// One CSV record, ending in `\n`.
pub fn line(cells: &[Cell]) -> String {
    let fields: Vec<String> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => neutralise(s),
            Cell::Number(d) => d.to_string(),
        })
        .collect();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    // writing to memory cannot fail; an empty line is the safe answer if it ever did
    if w.write_record(&fields).is_err() {
        return "\n".into();
    }
    w.into_inner()
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| "\n".into())
}

/// A header row of plain names.
pub fn header(names: &[&str]) -> String {
    line(&names.iter().map(|n| Cell::Text(n)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formulas_are_neutralised_and_amounts_kept() {
        let name = "=cmd|' /C calc'!A0";
        let l = line(&[
            Cell::Text(name),
            Cell::Text("Shah, Rao & \"Co\""),
            Cell::Number(Decimal::from_str("-1000.00").unwrap()),
        ]);
        assert_eq!(l, "'=cmd|' /C calc'!A0,\"Shah, Rao & \"\"Co\"\"\",-1000.00\n");
        for risky in ["+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(neutralise("Mumbai ERP Partners"), "Mumbai ERP Partners");
        // what a CSV reader reads back is the neutralised text, quoting undone
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(l.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[0], "'=cmd|' /C calc'!A0");
        assert_eq!(&rec[1], "Shah, Rao & \"Co\"");
        assert_eq!(&rec[2], "-1000.00");
        assert_eq!(header(&["a", "b"]), "a,b\n");
    }
}
