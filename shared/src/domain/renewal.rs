//! AMC renewal risk (SPEC §7): churn risk 0–100 with reasons, from support tickets in the last
//! 90 days, usage against licences, late payments, days to renewal and the reseller's contact.

use crate::domain::scoring::ScoreReason;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportTicket {
    pub ticket_id: String,
    /// low | medium | high | critical
    pub severity: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// the highest support level it reached (1 the reseller, 2 vendor support, 3 the core team)
    #[serde(default)]
    pub level: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageSnapshot {
    pub at: DateTime<Utc>,
    pub active_users: u32,
    pub licensed_users: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatePayment {
    pub invoice_id: String,
    pub days_late: u32,
    pub at: DateTime<Utc>,
}

/// What is known about a contract's health, kept on the contract itself so that the nightly
/// scan reads one item per contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    #[serde(default)]
    pub tickets: Vec<SupportTicket>,
    /// the two latest snapshots, oldest first
    #[serde(default)]
    pub usage: Vec<UsageSnapshot>,
    #[serde(default)]
    pub late_payments: Vec<LatePayment>,
    #[serde(default)]
    pub last_reseller_contact: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RenewalRules {
    pub window_days: i64,
    pub threshold: u32,
    pub ticket_low: u32,
    pub ticket_medium: u32,
    pub ticket_high: u32,
    pub ticket_critical: u32,
    pub open_ticket: u32,
    /// per recent ticket escalated to L2 (vendor support), and to L3 (the core team)
    pub escalated_l2: u32,
    pub escalated_l3: u32,
    pub support_cap: u32,
    pub usage_below_30: u32,
    pub usage_below_50: u32,
    pub usage_below_70: u32,
    pub usage_drop: u32,
    pub usage_cap: u32,
    pub late_payment: u32,
    pub late_over_30_days: u32,
    pub late_cap: u32,
    pub renewal_within_15: u32,
    pub renewal_within_30: u32,
    pub renewal_within_60: u32,
    pub no_contact_days: i64,
    pub no_contact: u32,
}

impl Default for RenewalRules {
    fn default() -> Self {
        RenewalRules {
            window_days: 60,
            threshold: 60,
            ticket_low: 2,
            ticket_medium: 4,
            ticket_high: 7,
            ticket_critical: 10,
            open_ticket: 3,
            escalated_l2: 3,
            escalated_l3: 8,
            support_cap: 30,
            usage_below_30: 30,
            usage_below_50: 20,
            usage_below_70: 10,
            usage_drop: 5,
            usage_cap: 30,
            late_payment: 7,
            late_over_30_days: 10,
            late_cap: 20,
            renewal_within_15: 10,
            renewal_within_30: 6,
            renewal_within_60: 3,
            no_contact_days: 30,
            no_contact: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub score: u32,
    pub reasons: Vec<ScoreReason>,
}

fn reason(factor: &str, points: u32, evidence: String) -> ScoreReason {
    ScoreReason {
        factor: factor.into(),
        points,
        evidence,
    }
}

/// India Standard Time (UTC+05:30, no daylight saving): the business calendar of renewals.
pub const IST_OFFSET_MINUTES: i64 = 330;

/// The date in India at instant `t`.
pub fn india_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::minutes(IST_OFFSET_MINUTES)).date_naive()
}

/// Days from `today` to the renewal date (negative once it has passed).
pub fn days_to(renewal: NaiveDate, today: NaiveDate) -> i64 {
    (renewal - today).num_days()
}

pub fn risk(s: &Signals, renewal: NaiveDate, now: DateTime<Utc>, r: &RenewalRules) -> Risk {
    let since = now - Duration::days(90);
    let recent: Vec<&SupportTicket> = s.tickets.iter().filter(|t| t.opened_at >= since).collect();
    let open = s.tickets.iter().filter(|t| t.closed_at.is_none()).count() as u32;
    let by_severity = |t: &SupportTicket| match t.severity.as_str() {
        "critical" => r.ticket_critical,
        "high" => r.ticket_high,
        "medium" => r.ticket_medium,
        _ => r.ticket_low,
    };
    let by_level = |t: &SupportTicket| match t.level {
        Some(l) if l >= 3 => r.escalated_l3,
        Some(2) => r.escalated_l2,
        _ => 0,
    };
    let escalated = recent.iter().filter(|t| t.level.is_some_and(|l| l >= 2)).count();
    let raw = recent.iter().map(|t| by_severity(t) + by_level(t)).sum::<u32>() + open * r.open_ticket;
    let support = raw.min(r.support_cap);
    let critical = recent
        .iter()
        .filter(|t| t.severity == "critical" || t.severity == "high")
        .count();
    let support_reason = reason(
        "support",
        support,
        if recent.is_empty() && open == 0 {
            "no support tickets in the last 90 days".into()
        } else {
            format!(
                "{} ticket(s) in 90 days ({critical} high/critical, {escalated} escalated to vendor support), {open} still open",
                recent.len()
            )
        },
    );

    let usage_reason = match s.usage.last() {
        None => reason("usage", 0, "no usage snapshot yet".into()),
        Some(u) if u.licensed_users == 0 => reason("usage", 0, "no licensed users reported".into()),
        Some(u) => {
            let pct = u.active_users * 100 / u.licensed_users;
            let mut points = if pct < 30 {
                r.usage_below_30
            } else if pct < 50 {
                r.usage_below_50
            } else if pct < 70 {
                r.usage_below_70
            } else {
                0
            };
            let mut evidence = format!(
                "{} of {} licensed users active ({pct}%)",
                u.active_users, u.licensed_users
            );
            if let Some(prev) = s.usage.iter().rev().nth(1) {
                if prev.active_users > 0 && u.active_users * 100 < prev.active_users * 80 {
                    points += r.usage_drop;
                    evidence.push_str(&format!(", down from {} active", prev.active_users));
                }
            }
            reason("usage", points.min(r.usage_cap), evidence)
        }
    };

    let late_raw: u32 = s
        .late_payments
        .iter()
        .map(|l| {
            if l.days_late > 30 {
                r.late_over_30_days
            } else {
                r.late_payment
            }
        })
        .sum();
    let late_reason = reason(
        "late_payments",
        late_raw.min(r.late_cap),
        if s.late_payments.is_empty() {
            "no late payments".into()
        } else {
            let worst = s.late_payments.iter().map(|l| l.days_late).max().unwrap_or(0);
            format!("{} late payment(s), the worst {worst} days late", s.late_payments.len())
        },
    );

    let days = days_to(renewal, india_date(now));
    let renewal_points = if days <= 15 {
        r.renewal_within_15
    } else if days <= 30 {
        r.renewal_within_30
    } else if days <= 60 {
        r.renewal_within_60
    } else {
        0
    };
    let renewal_reason = reason(
        "days_to_renewal",
        renewal_points,
        format!("renews on {renewal} ({days} days)"),
    );

    let contact_reason = match s.last_reseller_contact {
        Some(at) if now - at <= Duration::days(r.no_contact_days) => reason(
            "reseller_contact",
            0,
            format!("reseller in touch on {}", india_date(at)),
        ),
        Some(at) => reason(
            "reseller_contact",
            r.no_contact,
            format!("no reseller contact since {}", india_date(at)),
        ),
        None => reason("reseller_contact", r.no_contact, "no reseller contact recorded".into()),
    };

    let reasons = vec![
        support_reason,
        usage_reason,
        late_reason,
        renewal_reason,
        contact_reason,
    ];
    Risk {
        score: reasons.iter().map(|x| x.points).sum::<u32>().min(100),
        reasons,
    }
}

// ---- AMC contracts and what is known of their health ----

/// An AMC contract, created by its first paid AMC invoice, for the renewal scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    pub contract_id: String,
    pub order_id: String,
    pub lead_id: String,
    pub reseller_id: String,
    pub customer: crate::domain::billing::Customer,
    pub amc_amount: Decimal,
    pub currency: String,
    pub start: DateTime<Utc>,
    pub renewal_date: DateTime<Utc>,
    /// health signals, kept on the contract so that the nightly scan reads one item each
    #[serde(default)]
    pub signals: Signals,
    /// the latest at-risk assessment of the current renewal cycle
    #[serde(default)]
    pub risk: Option<RiskState>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskState {
    /// the renewal date this assessment belongs to
    pub cycle: String,
    pub score: u32,
    pub reasons: Vec<ScoreReason>,
    pub assessed_at: DateTime<Utc>,
    /// the score the reseller was last alerted about in this cycle
    pub notified_score: u32,
}

/// A health signal as sent by billing/support systems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    SupportTicket {
        ticket_id: String,
        severity: String,
        status: String,
        at: DateTime<Utc>,
        /// the support level it has reached (1–3), when known
        #[serde(default)]
        level: Option<u8>,
    },
    Usage {
        active_users: u32,
        licensed_users: u32,
        at: DateTime<Utc>,
    },
    LatePayment {
        invoice_id: String,
        days_late: u32,
        at: DateTime<Utc>,
    },
    ResellerContact {
        at: DateTime<Utc>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 20, 30, 0).unwrap()
    }

    #[test]
    fn a_healthy_contract_is_low_risk_and_a_troubled_one_high() {
        let r = RenewalRules::default();
        let renewal = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        let healthy = Signals {
            usage: vec![UsageSnapshot {
                at: now(),
                active_users: 90,
                licensed_users: 100,
            }],
            last_reseller_contact: Some(now() - Duration::days(3)),
            ..Default::default()
        };
        let h = risk(&healthy, renewal, now(), &r);
        assert_eq!(h.score, 3, "{:?}", h.reasons);
        let troubled = Signals {
            tickets: vec![
                SupportTicket {
                    ticket_id: "T1".into(),
                    severity: "critical".into(),
                    opened_at: now() - Duration::days(10),
                    closed_at: None,
                    level: None,
                },
                SupportTicket {
                    ticket_id: "T2".into(),
                    severity: "high".into(),
                    opened_at: now() - Duration::days(40),
                    closed_at: Some(now()),
                    level: None,
                },
                SupportTicket {
                    ticket_id: "T0".into(),
                    severity: "critical".into(),
                    opened_at: now() - Duration::days(200),
                    closed_at: Some(now() - Duration::days(150)),
                    level: None,
                },
            ],
            usage: vec![
                UsageSnapshot {
                    at: now() - Duration::days(30),
                    active_users: 60,
                    licensed_users: 100,
                },
                UsageSnapshot {
                    at: now(),
                    active_users: 40,
                    licensed_users: 100,
                },
            ],
            late_payments: vec![LatePayment {
                invoice_id: "I1".into(),
                days_late: 45,
                at: now(),
            }],
            last_reseller_contact: None,
        };
        let t = risk(&troubled, renewal, now(), &r);
        // support 10+7+3 = 20, usage 20+5 = 25, late 10, renewal (48 days) 3, contact 10
        assert_eq!(t.score, 68, "{:?}", t.reasons);
        assert_eq!(
            t.reasons.iter().map(|x| x.factor.as_str()).collect::<Vec<_>>(),
            [
                "support",
                "usage",
                "late_payments",
                "days_to_renewal",
                "reseller_contact"
            ]
        );
        assert!(t.reasons[1].evidence.contains("down from 60"));
    }
}
