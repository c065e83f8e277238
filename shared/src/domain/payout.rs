//! Monthly payout (SPEC §8): per payee and currency, every unpaid entry earned up to the
//! month's end plus the carried-forward balance; below the minimum, or negative, it is carried
//! forward again. Currencies are never added together.

use crate::domain::commission::{AMC_FIRST_YEAR, AMC_RENEWAL, CLAWBACK, LICENCE, MARGIN, OVERRIDE, REFERRAL};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutRules {
    /// the smallest amount paid out, per currency
    pub minimum: BTreeMap<String, Decimal>,
    /// for currencies not listed
    pub default_minimum: Decimal,
}

impl Default for PayoutRules {
    fn default() -> Self {
        PayoutRules {
            minimum: BTreeMap::from([
                ("INR".to_string(), Decimal::from(1000)),
                ("USD".to_string(), Decimal::from(15)),
            ]),
            default_minimum: Decimal::from(15),
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
    pub payable: Decimal,
    pub carried_out: Decimal,
    pub entries: usize,
}

/// An entry as the payout needs it.
pub struct Earning<'a> {
    pub currency: &'a str,
    pub component: &'a str,
    pub amount: Decimal,
}

pub fn compute(earnings: &[Earning], carried_in: &BTreeMap<String, Decimal>, rules: &PayoutRules) -> Vec<Line> {
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for (c, amount) in carried_in {
        if !amount.is_zero() {
            lines.entry(c.clone()).or_default().carried_in = *amount;
        }
    }
    for e in earnings {
        let l = lines.entry(e.currency.to_string()).or_default();
        l.entries += 1;
        match e.component {
            LICENCE => l.licence += e.amount,
            AMC_FIRST_YEAR => l.amc_first_year += e.amount,
            AMC_RENEWAL => l.amc_renewal += e.amount,
            REFERRAL => l.referral += e.amount,
            OVERRIDE => l.override_ += e.amount,
            MARGIN => l.margin += e.amount,
            CLAWBACK => l.clawbacks += e.amount,
            // an unknown component still counts; it is shown with the referrals
            _ => l.referral += e.amount,
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
    format!("{:04}-{:02}", prev.year(), prev.month())
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
    pub statement_sent: bool,
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub payee: String,
    pub carried: BTreeMap<String, Decimal>,
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

    fn e<'a>(currency: &'a str, component: &'a str, amount: &str) -> Earning<'a> {
        Earning {
            currency,
            component,
            amount: d(amount),
        }
    }

    #[test]
    fn worked_example_pays_in_full() {
        let lines = compute(
            &[e("INR", LICENCE, "250000.00"), e("INR", AMC_FIRST_YEAR, "40000.00")],
            &BTreeMap::new(),
            &PayoutRules::default(),
        );
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].payable, lines[0].carried_out), (d("290000.00"), d("0")));
    }

    #[test]
    fn below_minimum_and_negative_carry_forward() {
        let r = PayoutRules::default();
        let small = compute(&[e("INR", REFERRAL, "999.99")], &BTreeMap::new(), &r);
        assert_eq!((small[0].payable, small[0].carried_out), (d("0"), d("999.99")));
        let next = compute(
            &[e("INR", REFERRAL, "500.00")],
            &BTreeMap::from([("INR".into(), d("999.99"))]),
            &r,
        );
        assert_eq!((next[0].payable, next[0].carried_in), (d("1499.99"), d("999.99")));
        let clawed = compute(
            &[e("INR", LICENCE, "1000.00"), e("INR", CLAWBACK, "-5000.00")],
            &BTreeMap::new(),
            &r,
        );
        assert_eq!((clawed[0].payable, clawed[0].carried_out), (d("0"), d("-4000.00")));
    }

    #[test]
    fn currencies_stay_apart() {
        let lines = compute(
            &[e("INR", LICENCE, "250000"), e("USD", LICENCE, "2000")],
            &BTreeMap::new(),
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
