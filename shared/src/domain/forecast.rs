//! The commission forecast (SPEC §10), explained: for each of the next months, the open
//! pipeline — each deal's commission (what this reseller would earn on its expected value, from
//! the commission code) × its stage's win probability, placed in the month it is expected to
//! close — plus the AMC renewals due × (1 − risk/100) × the renewal commission. Every month's
//! figure comes with the parts that make it.

use crate::domain::aggregates::month_of;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastRules {
    /// the chance an open deal at each stage is won
    pub win_probability: BTreeMap<String, Decimal>,
    /// months from the last stage change until an open deal at each stage closes
    pub months_to_close: BTreeMap<String, u32>,
    /// how many months ahead
    pub horizon: u32,
}

impl Default for ForecastRules {
    fn default() -> Self {
        let p = |n| Decimal::new(n, 2);
        ForecastRules {
            win_probability: BTreeMap::from([
                ("R002".into(), p(10)),
                ("R003".into(), p(25)),
                ("R004".into(), p(50)),
                ("R005".into(), p(90)),
            ]),
            months_to_close: BTreeMap::from([
                ("R002".into(), 3),
                ("R003".into(), 2),
                ("R004".into(), 1),
                ("R005".into(), 0),
            ]),
            horizon: 3,
        }
    }
}

/// An open deal as the forecast sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenDeal {
    pub lead_id: String,
    pub stage: String,
    /// its expected licence value (the latest quote's, else the registration's)
    pub value: Decimal,
    /// what the reseller would earn on that value
    pub commission: Decimal,
    /// when it last changed stage (its age decides the month it closes, unless…)
    pub since: NaiveDate,
    /// …its quote names the expected close
    pub expected_close: Option<NaiveDate>,
}

/// An AMC renewal due in the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRenewal {
    pub contract_id: String,
    pub renewal: NaiveDate,
    pub amc: Decimal,
    /// the churn risk, 0–100 (none assessed: 0)
    pub risk: u32,
    /// the reseller's renewal commission on the AMC
    pub commission: Decimal,
}

/// What a forecast part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// an open deal, weighted by its stage's win probability
    Pipeline,
    /// an AMC renewal falling due, weighted by 1 − its risk
    Renewal,
}

crate::domain::wire_names::wire_names!(PartKind { Pipeline = "pipeline", Renewal = "renewal" });

/// One contribution to a month's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Part {
    pub kind: PartKind,
    /// the lead or contract
    pub id: String,
    /// the stage, or `renewal`
    pub stage: String,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// win probability, or 1 − risk/100
    #[schema(value_type = String)]
    pub probability: Decimal,
    #[schema(value_type = String)]
    pub commission: Decimal,
    #[schema(value_type = String)]
    pub expected: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthForecast {
    pub month: String,
    #[schema(value_type = String)]
    pub pipeline: Decimal,
    #[schema(value_type = String)]
    pub renewals: Decimal,
    #[schema(value_type = String)]
    pub total: Decimal,
    pub parts: Vec<Part>,
}

fn paisa(d: Decimal) -> Decimal {
    let mut r = d.round_dp(2);
    r.rescale(2);
    r
}

/// The next `horizon` months after `today`'s, each with its parts.
pub fn forecast(
    today: NaiveDate,
    deals: &[OpenDeal],
    renewals: &[DueRenewal],
    rules: &ForecastRules,
) -> Vec<MonthForecast> {
    let first = today.with_day(1).unwrap_or(today);
    let months: Vec<String> = (1..=rules.horizon)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(month_of)
        .collect();
    let mut out: Vec<MonthForecast> = months
        .iter()
        .map(|m| MonthForecast {
            month: m.clone(),
            pipeline: Decimal::ZERO,
            renewals: Decimal::ZERO,
            total: Decimal::ZERO,
            parts: vec![],
        })
        .collect();
    for d in deals {
        let (Some(p), Some(wait)) = (rules.win_probability.get(&d.stage), rules.months_to_close.get(&d.stage)) else {
            continue;
        };
        let close = d.expected_close.or_else(|| {
            d.since
                .with_day(1)
                .unwrap_or(d.since)
                .checked_add_months(Months::new(*wait))
        });
        // an overdue deal is expected next month
        let month = match close.map(month_of) {
            Some(m) if m > months[0] => m,
            _ => months[0].clone(),
        };
        if let Some(f) = out.iter_mut().find(|f| f.month == month) {
            let expected = paisa(d.commission * p);
            f.pipeline += expected;
            f.parts.push(Part {
                kind: PartKind::Pipeline,
                id: d.lead_id.clone(),
                stage: d.stage.clone(),
                value: d.value,
                probability: *p,
                commission: d.commission,
                expected,
            });
        }
    }
    for r in renewals {
        let month = month_of(r.renewal);
        if let Some(f) = out.iter_mut().find(|f| f.month == month) {
            let keep = Decimal::ONE - Decimal::new(i64::from(r.risk.min(100)), 2);
            let expected = paisa(r.commission * keep);
            f.renewals += expected;
            f.parts.push(Part {
                kind: PartKind::Renewal,
                id: r.contract_id.clone(),
                stage: "renewal".into(),
                value: r.amc,
                probability: keep,
                commission: r.commission,
                expected,
            });
        }
    }
    for f in &mut out {
        f.total = f.pipeline + f.renewals;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deals_and_renewals_land_in_their_months_with_their_parts() {
        let rules = ForecastRules::default();
        let deals = [
            // R004 since October: closes a month later, November
            OpenDeal {
                lead_id: "L1".into(),
                stage: "R004".into(),
                value: Decimal::from(1_000_000),
                commission: Decimal::from(250_000),
                since: day("2026-10-20"),
                expected_close: None,
            },
            // R002 since August: overdue, expected next month
            OpenDeal {
                lead_id: "L2".into(),
                stage: "R002".into(),
                value: Decimal::from(400_000),
                commission: Decimal::from(80_000),
                since: day("2026-08-02"),
                expected_close: None,
            },
            // R003 since November: January
            OpenDeal {
                lead_id: "L3".into(),
                stage: "R003".into(),
                value: Decimal::from(200_000),
                commission: Decimal::from(40_000),
                since: day("2026-11-05"),
                expected_close: None,
            },
            // R003 since November, but its quote expects to close in December
            OpenDeal {
                lead_id: "L4".into(),
                stage: "R003".into(),
                value: Decimal::from(100_000),
                commission: Decimal::from(20_000),
                since: day("2026-11-05"),
                expected_close: Some(day("2026-12-20")),
            },
        ];
        let renewals = [DueRenewal {
            contract_id: "C1".into(),
            renewal: day("2026-12-15"),
            amc: Decimal::from(200_000),
            risk: 40,
            commission: Decimal::from(20_000),
        }];
        let f = forecast(day("2026-10-25"), &deals, &renewals, &rules);
        let months: Vec<_> = f.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(months, ["2026-11", "2026-12", "2027-01"]);
        // November: 2,50,000 × 50% + 80,000 × 10%
        assert_eq!(f[0].total, Decimal::from(125_000 + 8_000));
        // December: L4's 20,000 × 25% where its quote puts it; the renewal's 20,000 × (1 − 0.40)
        assert_eq!(
            (f[1].pipeline, f[1].renewals),
            (Decimal::from(5_000), Decimal::from(12_000))
        );
        assert_eq!(f[1].parts[0].id, "L4");
        // January: 40,000 × 25%
        assert_eq!(f[2].total, Decimal::from(10_000));
        assert_eq!(f[0].parts.len(), 2);
        assert_eq!(f[1].parts[1].probability, Decimal::new(60, 2));
    }
}
