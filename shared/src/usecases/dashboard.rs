//! A reseller's or the programme's dashboard for a month, read from the event-maintained
//! aggregates only: one batched read of at most twelve items (the financial year's months up
//! to the one asked), whatever the number of leads or entries behind them.

use crate::domain::aggregates::{self as agg, major, payout_net_counter, won_value_counter, Counters, PAYOUTS, WON};
use crate::domain::payout_tax::{financial_year, fy_label, fy_start, quarter_months, quarter_of_month};
use crate::ports::table::{StoreError, Table};
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Earned in one currency: the month, its quarter and its financial year to date.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Earned {
    pub currency: String,
    #[schema(value_type = String)]
    pub mtd: Decimal,
    #[schema(value_type = String)]
    pub qtd: Decimal,
    #[schema(value_type = String)]
    pub ytd: Decimal,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// a reseller id, or `PROGRAMME`
    pub scope: String,
    pub month: String,
    /// `2026-27` (India's financial year starts 1 April)
    pub financial_year: String,
    pub earned: Vec<Earned>,
    /// each month of the financial year so far: its commission per currency
    #[schema(value_type = Object)]
    pub earned_by_month: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// the month's commission per currency and component
    #[schema(value_type = Object)]
    pub commission: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// the month's commission per currency and product (the order lines the payments paid for)
    #[schema(value_type = Object)]
    pub commission_by_product: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// deals won (first payment) in the month, their licence value and the average per deal
    pub won: i64,
    #[schema(value_type = Object)]
    pub won_value: BTreeMap<String, Decimal>,
    #[schema(value_type = Object)]
    pub average_deal: BTreeMap<String, Decimal>,
    /// leads received in the month (routed to the reseller; the programme: all), by channel
    pub leads: i64,
    pub leads_by_channel: BTreeMap<String, i64>,
    /// hand moves into each stage in the month
    pub stage_moves: BTreeMap<String, i64>,
    /// deals lost in the month, by reason
    pub lost: i64,
    pub lost_by_reason: BTreeMap<String, i64>,
    /// payouts made for the month and what they transferred (net of TDS, with GST)
    pub payouts: i64,
    #[schema(value_type = Object)]
    pub payout_net: BTreeMap<String, Decimal>,
    pub activity: Activity,
    pub recurring: Recurring,
    pub referrals: Referrals,
    /// items read to answer (one batched read; at most twelve)
    pub items_read: usize,
    /// a reseller's commission for each of the next months, with the parts that make it
    /// (read from its own open pipeline and contracts)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Vec<crate::domain::forecast::MonthForecast>>,
}

/// Follow-up KPIs of the month: activities, first responses and the SLA, time to convert.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub activities: i64,
    /// activities logged per lead received in the month (two decimals)
    #[schema(value_type = String)]
    pub activities_per_lead: Decimal,
    pub first_responses: i64,
    /// the average first response, in minutes
    pub avg_first_response_minutes: Option<i64>,
    /// first responses within the SLA, in percent of all first responses (one decimal)
    #[schema(value_type = Option<String>)]
    pub sla_met_pct: Option<Decimal>,
    /// the average time from capture (R001) to the first payment, in days (one decimal)
    #[schema(value_type = Option<String>)]
    pub avg_conversion_days: Option<Decimal>,
}

/// AMC: contracts started in the month and their yearly AMC, renewals falling due in it, paid,
/// and first flagged at risk.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recurring {
    pub amc_contracts: i64,
    #[schema(value_type = Object)]
    pub amc_base: BTreeMap<String, Decimal>,
    pub renewals_due: i64,
    pub renewed: i64,
    #[schema(value_type = Object)]
    pub renewed_value: BTreeMap<String, Decimal>,
    pub at_risk: i64,
}

/// Referral clicks, leads attributed to them, referred deals won and the referral fees earned.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Referrals {
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    #[schema(value_type = Object)]
    pub fees: BTreeMap<String, Decimal>,
}

/// `part / whole`, rounded to `dp` places; `None` when there is no whole.
fn ratio(part: i64, whole: i64, times: i64, dp: u32) -> Option<Decimal> {
    (whole > 0).then(|| {
        let mut r = (Decimal::from(part) * Decimal::from(times) / Decimal::from(whole)).round_dp(dp);
        r.rescale(dp);
        r
    })
}

fn activity(c: &Counters) -> Activity {
    let responded = c.get(agg::RESPONDED);
    Activity {
        activities: c.get(agg::ACTIVITIES),
        activities_per_lead: ratio(c.get(agg::ACTIVITIES), c.get(agg::LEADS), 1, 2).unwrap_or_default(),
        first_responses: responded,
        avg_first_response_minutes: (responded > 0).then(|| c.get(agg::RESPONSE_MINUTES) / responded),
        sla_met_pct: ratio(c.get(agg::SLA_MET), responded, 100, 1),
        avg_conversion_days: ratio(c.get(agg::CONVERSION_HOURS), c.get(WON) * 24, 1, 1),
    }
}

fn first_of(month: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()
}

/// The financial year's months up to `month`, oldest first.
pub fn year_to(month: &str) -> Option<Vec<String>> {
    let first = first_of(month)?;
    let start = fy_start(financial_year(first));
    Some(
        (0..12)
            .filter_map(|i| start.checked_add_months(Months::new(i)))
            .take_while(|d| *d <= first)
            .map(crate::domain::aggregates::month_of)
            .collect(),
    )
}

/// `None` for a month that is not `YYYY-MM`.
pub async fn dashboard(table: &dyn Table, scope: &str, month: &str) -> Result<Option<Dashboard>, StoreError> {
    let Some(months) = year_to(month) else {
        return Ok(None);
    };
    let quarter = quarter_of_month(month)
        .and_then(|q| quarter_months(&q))
        .unwrap_or_default();
    let counted = crate::repo::aggregates(table, scope, &months).await?;
    let this = counted.get(month).cloned().unwrap_or_default();
    let mut currencies: Vec<String> = counted.values().flat_map(Counters::currencies).collect();
    currencies.sort();
    currencies.dedup();
    let earned = currencies
        .iter()
        .map(|c| {
            let sum = |pick: &dyn Fn(&String) -> bool| -> Decimal {
                counted
                    .iter()
                    .filter(|(m, _)| pick(m))
                    .map(|(_, k)| k.commission_total(c))
                    .sum()
            };
            Earned {
                currency: c.clone(),
                mtd: this.commission_total(c),
                qtd: sum(&|m| quarter.contains(m)),
                ytd: sum(&|_| true),
            }
        })
        .collect();
    let per_currency = |counter: &dyn Fn(&str) -> String| -> BTreeMap<String, Decimal> {
        currencies
            .iter()
            .map(|c| (c.clone(), major(this.get(&counter(c)), c)))
            .filter(|(_, v)| !v.is_zero())
            .collect()
    };
    let won = this.get(WON);
    let won_value = per_currency(&won_value_counter);
    let average_deal = won_value
        .iter()
        .filter(|_| won > 0)
        .map(|(c, v)| (c.clone(), (v / Decimal::from(won)).round_dp(2)))
        .collect();
    Ok(Some(Dashboard {
        scope: scope.to_string(),
        month: month.to_string(),
        financial_year: first_of(month).map(|d| fy_label(financial_year(d))).unwrap_or_default(),
        earned,
        earned_by_month: counted
            .iter()
            .map(|(m, k)| {
                let by: BTreeMap<String, Decimal> =
                    currencies.iter().map(|c| (c.clone(), k.commission_total(c))).collect();
                (m.clone(), by)
            })
            .collect(),
        commission: currencies
            .iter()
            .map(|c| (c.clone(), this.commission(c)))
            .filter(|(_, m)| !m.is_empty())
            .collect(),
        commission_by_product: currencies
            .iter()
            .map(|c| (c.clone(), this.by_product(c)))
            .filter(|(_, m)| !m.is_empty())
            .collect(),
        won,
        won_value,
        average_deal,
        leads: this.get(crate::domain::aggregates::LEADS),
        leads_by_channel: this.with_prefix("leads"),
        stage_moves: this.with_prefix("stage"),
        lost: this.get(crate::domain::aggregates::LOST),
        lost_by_reason: this.with_prefix("lost"),
        payouts: this.get(PAYOUTS),
        payout_net: per_currency(&payout_net_counter),
        activity: activity(&this),
        recurring: Recurring {
            amc_contracts: this.get(agg::AMC_CONTRACTS),
            amc_base: per_currency(&agg::amc_base_counter),
            renewals_due: this.get(agg::RENEWALS_DUE),
            renewed: this.get(agg::RENEWED),
            renewed_value: per_currency(&agg::renewed_value_counter),
            at_risk: this.get(agg::RENEWALS_AT_RISK),
        },
        referrals: Referrals {
            clicks: this.get(agg::REFERRAL_CLICKS),
            leads: this.get(agg::REFERRED_LEADS),
            conversions: this.get(agg::REFERRAL_CONVERSIONS),
            fees: per_currency(&|c| agg::commission_counter(c, crate::domain::commission::Component::Referral)),
        },
        items_read: months.len(),
        forecast: None,
    }))
}

/// The tables a dashboard can be exported as (`?format=csv&table=`).
pub const TABLES: &[&str] = &[
    "earned",
    "commission",
    "products",
    "deals",
    "payouts",
    "forecast",
    "activity",
    "recurring",
    "referrals",
];

/// One of the dashboard's tables as CSV; `None` for an unknown table.
pub fn csv_table(d: &Dashboard, table: &str) -> Option<String> {
    use crate::csv_out::{header, line, Cell};
    Some(match table {
        "earned" => {
            let mut out = header(&["month", "currency", "mtd", "qtd", "ytd"]);
            for e in &d.earned {
                out.push_str(&line(&[
                    Cell::Text(&d.month),
                    Cell::Text(&e.currency),
                    Cell::Number(e.mtd),
                    Cell::Number(e.qtd),
                    Cell::Number(e.ytd),
                ]));
            }
            out
        }
        "commission" => {
            let mut out = header(&["month", "currency", "component", "amount"]);
            for (c, by) in &d.commission {
                for (component, amount) in by {
                    out.push_str(&line(&[
                        Cell::Text(&d.month),
                        Cell::Text(c),
                        Cell::Text(component),
                        Cell::Number(*amount),
                    ]));
                }
            }
            out
        }
        "products" => {
            let mut out = header(&["month", "currency", "product", "amount"]);
            for (c, by) in &d.commission_by_product {
                for (product, amount) in by {
                    out.push_str(&line(&[
                        Cell::Text(&d.month),
                        Cell::Text(c),
                        Cell::Text(product),
                        Cell::Number(*amount),
                    ]));
                }
            }
            out
        }
        "deals" => {
            let mut out = header(&["month", "won", "currency", "won_value", "average_deal"]);
            for (c, v) in &d.won_value {
                out.push_str(&line(&[
                    Cell::Text(&d.month),
                    Cell::Number(Decimal::from(d.won)),
                    Cell::Text(c),
                    Cell::Number(*v),
                    Cell::Number(d.average_deal.get(c).copied().unwrap_or_default()),
                ]));
            }
            out
        }
        "payouts" => {
            let mut out = header(&["month", "payouts", "currency", "net"]);
            for (c, v) in &d.payout_net {
                out.push_str(&line(&[
                    Cell::Text(&d.month),
                    Cell::Number(Decimal::from(d.payouts)),
                    Cell::Text(c),
                    Cell::Number(*v),
                ]));
            }
            out
        }
        "forecast" => {
            let mut out = header(&[
                "month",
                "kind",
                "id",
                "stage",
                "value",
                "probability",
                "commission",
                "expected",
            ]);
            for f in d.forecast.iter().flatten() {
                for p in &f.parts {
                    out.push_str(&line(&[
                        Cell::Text(&f.month),
                        Cell::Text(p.kind.as_str()),
                        Cell::Text(&p.id),
                        Cell::Text(&p.stage),
                        Cell::Number(p.value),
                        Cell::Number(p.probability),
                        Cell::Number(p.commission),
                        Cell::Number(p.expected),
                    ]));
                }
            }
            out
        }
        "activity" => {
            let a = &d.activity;
            let opt = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_default();
            let mut out = header(&[
                "month",
                "leads",
                "activities",
                "activities_per_lead",
                "first_responses",
                "avg_first_response_minutes",
                "sla_met_pct",
                "avg_conversion_days",
            ]);
            out.push_str(&line(&[
                Cell::Text(&d.month),
                Cell::Number(Decimal::from(d.leads)),
                Cell::Number(Decimal::from(a.activities)),
                Cell::Number(a.activities_per_lead),
                Cell::Number(Decimal::from(a.first_responses)),
                Cell::Text(&opt(a.avg_first_response_minutes.map(Decimal::from))),
                Cell::Text(&opt(a.sla_met_pct)),
                Cell::Text(&opt(a.avg_conversion_days)),
            ]));
            out
        }
        "recurring" => {
            let r = &d.recurring;
            let mut out = header(&[
                "month",
                "amc_contracts",
                "renewals_due",
                "renewed",
                "at_risk",
                "currency",
                "amc_base",
                "renewed_value",
            ]);
            let mut currencies: Vec<String> = r.amc_base.keys().chain(r.renewed_value.keys()).cloned().collect();
            currencies.sort();
            currencies.dedup();
            if currencies.is_empty() {
                currencies.push(String::new());
            }
            for c in &currencies {
                out.push_str(&line(&[
                    Cell::Text(&d.month),
                    Cell::Number(Decimal::from(r.amc_contracts)),
                    Cell::Number(Decimal::from(r.renewals_due)),
                    Cell::Number(Decimal::from(r.renewed)),
                    Cell::Number(Decimal::from(r.at_risk)),
                    Cell::Text(c),
                    Cell::Number(r.amc_base.get(c).copied().unwrap_or_default()),
                    Cell::Number(r.renewed_value.get(c).copied().unwrap_or_default()),
                ]));
            }
            out
        }
        "referrals" => {
            let r = &d.referrals;
            let mut out = header(&["month", "clicks", "referred_leads", "conversions", "currency", "fees"]);
            let mut fees: Vec<(String, Decimal)> = r.fees.iter().map(|(c, v)| (c.clone(), *v)).collect();
            if fees.is_empty() {
                fees.push((String::new(), Decimal::ZERO));
            }
            for (c, v) in &fees {
                out.push_str(&line(&[
                    Cell::Text(&d.month),
                    Cell::Number(Decimal::from(r.clicks)),
                    Cell::Number(Decimal::from(r.leads)),
                    Cell::Number(Decimal::from(r.conversions)),
                    Cell::Text(c),
                    Cell::Number(*v),
                ]));
            }
            out
        }
        _ => return None,
    })
}

/// A scope's event-maintained counters for `months` (one batched read).
pub async fn counters(
    table: &dyn Table,
    scope: &str,
    months: &[String],
) -> Result<std::collections::BTreeMap<String, crate::domain::aggregates::Counters>, StoreError> {
    crate::repo::aggregates(table, scope, months).await
}
