//! Dashboard aggregates (SPEC §10): per reseller and for the programme, per month, counters
//! that move in the same transaction as the once-only write they count — a ledger entry, a won
//! deal, a payout ticket — so that a redelivered event, whose write is refused, counts nothing.
//! Money is counted in the currency's minor units (integers: exact on both adapters).

use crate::domain::money::{minor_units, round_minor};
use chrono::{DateTime, Datelike, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The programme's scope (every reseller's counters are added to it too).
pub const PROGRAMME: &str = "PROGRAMME";

/// `commission:<currency>:<component>` (and `:total`), in minor units.
pub fn commission_counter(currency: &str, component: impl std::fmt::Display) -> String {
    format!("commission:{currency}:{component}")
}
pub const WON: &str = "won";
/// `won_value:<currency>`: the won orders' licence value, in minor units.
pub fn won_value_counter(currency: &str) -> String {
    format!("won_value:{currency}")
}
pub const PAYOUTS: &str = "payouts";
/// leads received (routed to a reseller, or to the admin queue: the programme's)
pub const LEADS: &str = "leads";
/// `leads:<channel>`
pub fn leads_counter(channel: &str) -> String {
    format!("leads:{channel}")
}
/// `stage:<code>`: hand moves into a stage
pub fn stage_counter(stage: &str) -> String {
    format!("stage:{stage}")
}
pub const LOST: &str = "lost";
/// `lost:<reason>`
pub fn lost_counter(reason: &str) -> String {
    format!("lost:{reason}")
}
/// `payout_net:<currency>`: what payouts transferred (net of TDS, with GST), in minor units.
pub fn payout_net_counter(currency: &str) -> String {
    format!("payout_net:{currency}")
}

/// sales activities logged on leads (calls, emails, meetings, notes, replies, webinars)
pub const ACTIVITIES: &str = "activities";
/// first responses recorded, the minutes they took (summed) and those within the SLA
pub const RESPONDED: &str = "responded";
pub const RESPONSE_MINUTES: &str = "response_minutes";
pub const SLA_MET: &str = "sla_met";
/// hours from capture (R001) to the first payment, summed over the month's won deals
pub const CONVERSION_HOURS: &str = "conversion_hours";
/// AMC contracts started, and `amc_base:<currency>`: their yearly AMC, in minor units
pub const AMC_CONTRACTS: &str = "amc_contracts";
pub fn amc_base_counter(currency: &str) -> String {
    format!("amc_base:{currency}")
}
/// contracts whose renewal falls in the month (counted in that month when they start)
pub const RENEWALS_DUE: &str = "renewals_due";
/// renewals paid, and `renewed_value:<currency>`
pub const RENEWED: &str = "renewed";
pub fn renewed_value_counter(currency: &str) -> String {
    format!("renewed_value:{currency}")
}
/// contracts first flagged at risk (once per renewal cycle)
pub const RENEWALS_AT_RISK: &str = "renewals_at_risk";
/// referral link clicks, leads attributed to a referral, referred deals won
pub const REFERRAL_CLICKS: &str = "referral_clicks";
pub const REFERRED_LEADS: &str = "referred_leads";
pub const REFERRAL_CONVERSIONS: &str = "referral_conversions";

/// `product:<currency>:<product>`: commission earned on a product, in minor units.
pub fn product_counter(currency: &str, product: &str) -> String {
    format!("product:{currency}:{product}")
}

/// `amount` shared among products in proportion to their weights, exact to the currency's
/// minor unit (the last product takes the rounding); nothing to share without weights.
pub fn split_by_weight(amount: Decimal, weights: &[(String, Decimal)], currency: &str) -> Vec<(String, Decimal)> {
    let total: Decimal = weights.iter().map(|(_, w)| *w).sum();
    if total.is_zero() {
        return vec![];
    }
    let mut left = amount;
    let mut out = Vec::with_capacity(weights.len());
    for (i, (product, w)) in weights.iter().enumerate() {
        let share = if i + 1 == weights.len() {
            left
        } else {
            round_minor(amount * w / total, currency)
        };
        left -= share;
        out.push((product.clone(), share));
    }
    out
}

/// The `n` months up to and including `now`'s, oldest first (`YYYY-MM`).
pub fn trailing_months(now: DateTime<Utc>, n: u32) -> Vec<String> {
    let first = now.date_naive().with_day(1).unwrap_or(now.date_naive());
    (0..n)
        .rev()
        .filter_map(|i| first.checked_sub_months(chrono::Months::new(i)))
        .map(month_of)
        .collect()
}

/// The month a time or date counts in, `YYYY-MM` (times in UTC, as the ledger's months).
pub fn month_of(t: impl Datelike) -> String {
    format!("{:04}-{:02}", t.year(), t.month())
}

/// An amount in the currency's minor units (`None` beyond i64: never for a real amount).
pub fn minor(amount: Decimal, currency: &str) -> Option<i64> {
    let scale = Decimal::from(10_i64.pow(minor_units(currency)));
    (round_minor(amount, currency) * scale).to_i64()
}

/// Back from minor units.
pub fn major(units: i64, currency: &str) -> Decimal {
    let mut d = Decimal::new(units, minor_units(currency));
    d.rescale(minor_units(currency));
    d
}

/// A scope-month's counter deltas: ((scope, month), [(counter, delta)]).
pub type Deltas = ((String, String), Vec<(String, i64)>);

/// Counter deltas collected for one transaction, per (scope, month); each reseller's delta is
/// also the programme's.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally(BTreeMap<(String, String), BTreeMap<String, i64>>);

impl Tally {
    pub fn add(&mut self, scope: &str, month: &str, counter: &str, delta: i64) {
        for s in [scope, PROGRAMME] {
            *self
                .0
                .entry((s.to_string(), month.to_string()))
                .or_default()
                .entry(counter.to_string())
                .or_default() += delta;
            if scope == PROGRAMME {
                break;
            }
        }
    }

    /// Money: the amount in minor units (an amount too large to count is left out).
    pub fn add_money(&mut self, scope: &str, month: &str, counter: &str, amount: Decimal, currency: &str) {
        if let Some(m) = minor(amount, currency) {
            self.add(scope, month, counter, m);
        }
    }

    /// Each (scope, month) with its non-zero deltas.
    pub fn into_deltas(self) -> Vec<Deltas> {
        self.0
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().filter(|(_, d)| *d != 0).collect::<Vec<_>>()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }
}

/// One scope-month's counters as read back.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counters(pub BTreeMap<String, i64>);

impl Counters {
    pub fn get(&self, counter: &str) -> i64 {
        self.0.get(counter).copied().unwrap_or(0)
    }
    /// `component → amount` of one currency's commission (without the total).
    pub fn commission(&self, currency: &str) -> BTreeMap<String, Decimal> {
        let prefix = format!("commission:{currency}:");
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|c| (c.to_string(), major(*v, currency))))
            .filter(|(c, _)| c != "total")
            .collect()
    }
    /// `product → amount` of one currency's commission.
    pub fn by_product(&self, currency: &str) -> BTreeMap<String, Decimal> {
        self.with_prefix(&format!("product:{currency}"))
            .into_iter()
            .map(|(p, v)| (p, major(v, currency)))
            .collect()
    }
    pub fn commission_total(&self, currency: &str) -> Decimal {
        major(self.get(&commission_counter(currency, "total")), currency)
    }
    /// `suffix → count` of the counters named `<prefix>:<suffix>`.
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, i64> {
        let p = format!("{prefix}:");
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&p).map(|s| (s.to_string(), *v)))
            .collect()
    }

    /// The currencies that have commission counted.
    pub fn currencies(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix("commission:"))
            .filter_map(|k| k.split(':').next())
            .map(str::to_string)
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resellers_counts_are_the_programmes_too_and_money_is_exact() {
        let mut t = Tally::default();
        t.add_money(
            "R1",
            "2026-10",
            &commission_counter("INR", "licence"),
            Decimal::new(25000000, 2),
            "INR",
        );
        t.add_money(
            "R2",
            "2026-10",
            &commission_counter("INR", "licence"),
            Decimal::new(1, 2),
            "INR",
        );
        t.add(PROGRAMME, "2026-10", WON, 1);
        let d: BTreeMap<_, _> = t.into_deltas().into_iter().collect();
        assert_eq!(
            d[&("PROGRAMME".to_string(), "2026-10".to_string())],
            vec![("commission:INR:licence".to_string(), 25000001), ("won".to_string(), 1)]
        );
        assert_eq!(
            d[&("R1".to_string(), "2026-10".to_string())],
            vec![("commission:INR:licence".to_string(), 25000000)]
        );
        assert_eq!(major(25000001, "INR").to_string(), "250000.01");
        assert_eq!(minor(Decimal::new(12345, 3), "JPY"), Some(12));
    }

    #[test]
    fn the_trailing_months_end_with_this_one() {
        let now = DateTime::parse_from_rfc3339("2026-02-10T10:00:00Z")
            .map(|d| d.to_utc())
            .expect("t");
        assert_eq!(trailing_months(now, 3), ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(trailing_months(now, 12).len(), 12);
    }

    #[test]
    fn a_share_per_product_adds_up_to_the_paisa() {
        let w = vec![
            ("ERP".to_string(), Decimal::from(2)),
            ("AI".to_string(), Decimal::from(1)),
        ];
        let parts = split_by_weight(Decimal::new(10000, 2), &w, "INR");
        assert_eq!(
            parts,
            vec![
                ("ERP".to_string(), Decimal::new(6667, 2)),
                ("AI".to_string(), Decimal::new(3333, 2))
            ]
        );
        assert!(split_by_weight(Decimal::ONE, &[], "INR").is_empty());
    }
}
