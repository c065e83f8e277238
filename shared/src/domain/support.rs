//! After-sales and presales help (SPEC §12, seed 003): support tickets that start at L1 with the
//! reseller and escalate to L2 (vendor support) and L3 (the core team), each level answering
//! within a response time set by severity; and co-sell requests to the vendor's presales team.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// the system is down
    S1,
    /// a major function is broken
    S2,
    /// a minor function, with a workaround
    S3,
    /// a question or cosmetic
    S4,
}

crate::domain::wire_names::wire_names!(Severity { S1 = "s1", S2 = "s2", S3 = "s3", S4 = "s4" });

impl Severity {
    /// The renewal-risk scan's name for it (SPEC §7 signals).
    pub fn risk_severity(self) -> &'static str {
        match self {
            Severity::S1 => "critical",
            Severity::S2 => "high",
            Severity::S3 => "medium",
            Severity::S4 => "low",
        }
    }
}

/// Who works a ticket: L1 the reseller, L2 vendor support, L3 the core team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Level {
    L1,
    L2,
    L3,
}

impl Level {
    pub fn number(self) -> u8 {
        match self {
            Level::L1 => 1,
            Level::L2 => 2,
            Level::L3 => 3,
        }
    }
    pub fn next(self) -> Option<Level> {
        match self {
            Level::L1 => Some(Level::L2),
            Level::L2 => Some(Level::L3),
            Level::L3 => None,
        }
    }
    pub fn team(self) -> &'static str {
        match self {
            Level::L1 => "the reseller",
            Level::L2 => "vendor support",
            Level::L3 => "the core team",
        }
    }
}

/// Response hours at each level for one severity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LevelHours {
    pub l1: u32,
    pub l2: u32,
    pub l3: u32,
}

/// `RULES_JSON` `support`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupportRules {
    pub response_hours: BTreeMap<Severity, LevelHours>,
    /// presales answers a co-sell request within this many hours
    pub cosell_response_hours: u32,
}

impl Default for SupportRules {
    fn default() -> Self {
        let h = |l1, l2, l3| LevelHours { l1, l2, l3 };
        SupportRules {
            response_hours: BTreeMap::from([
                (Severity::S1, h(1, 2, 4)),
                (Severity::S2, h(4, 8, 24)),
                (Severity::S3, h(8, 24, 72)),
                (Severity::S4, h(24, 72, 168)),
            ]),
            cosell_response_hours: 24,
        }
    }
}

impl SupportRules {
    pub fn validate(&self) -> Result<(), String> {
        for s in Severity::ALL {
            match self.response_hours.get(&s) {
                None => return Err(format!("support.response_hours has no {}", s.as_str())),
                Some(h) if h.l1 == 0 || h.l2 == 0 || h.l3 == 0 => {
                    return Err(format!("support.response_hours.{}: hours must be positive", s.as_str()))
                }
                Some(_) => {}
            }
        }
        if self.cosell_response_hours == 0 {
            return Err("support.cosell_response_hours must be positive".into());
        }
        Ok(())
    }

    /// When a ticket of `severity` reaching `level` at `from` must have its first response.
    pub fn respond_by(&self, severity: Severity, level: Level, from: DateTime<Utc>) -> DateTime<Utc> {
        let h = self.response_hours.get(&severity).copied().unwrap_or(LevelHours {
            l1: 24,
            l2: 72,
            l3: 168,
        });
        let hours = match level {
            Level::L1 => h.l1,
            Level::L2 => h.l2,
            Level::L3 => h.l3,
        };
        from + Duration::hours(i64::from(hours))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    Resolved,
}

/// One step in a ticket's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketStep {
    pub at: DateTime<Utc>,
    pub by: String,
    /// opened, escalated, resolved
    pub action: String,
    pub level: Level,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupportTicket {
    pub ticket_id: String,
    pub contract_id: String,
    pub reseller_id: String,
    pub severity: Severity,
    pub subject: String,
    pub description: String,
    pub level: Level,
    /// who works it now
    pub team: String,
    pub status: TicketStatus,
    /// the current level's response deadline
    pub respond_by: DateTime<Utc>,
    pub history: Vec<TicketStep>,
    pub opened_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    #[schema(ignore)]
    pub version: u64,
}

impl SupportTicket {
    /// Past its response deadline at its current level, and still open.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == TicketStatus::Open && now > self.respond_by
    }
}

// ---- co-selling ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoSellKind {
    JointDemo,
    TechnicalQuestion,
    PricingException,
}

crate::domain::wire_names::wire_names!(CoSellKind {
    JointDemo = "joint_demo",
    TechnicalQuestion = "technical_question",
    PricingException = "pricing_exception",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoSellStatus {
    Open,
    Assigned,
    Completed,
}

crate::domain::wire_names::wire_names!(CoSellStatus {
    Open = "open",
    Assigned = "assigned",
    Completed = "completed",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoSell {
    pub cosell_id: String,
    pub lead_id: String,
    pub reseller_id: String,
    pub kind: CoSellKind,
    pub note: Option<String>,
    pub preferred_times: Vec<String>,
    pub status: CoSellStatus,
    /// the presales engineer on it
    pub assignee: Option<String>,
    pub outcome: Option<String>,
    /// presales answers by then
    pub respond_by: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(ignore)]
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn each_level_answers_within_its_severity_hours() {
        let r = SupportRules::default();
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().expect("time");
        assert_eq!(r.respond_by(Severity::S1, Level::L1, t), t + Duration::hours(1));
        assert_eq!(r.respond_by(Severity::S1, Level::L3, t), t + Duration::hours(4));
        assert_eq!(r.respond_by(Severity::S4, Level::L2, t), t + Duration::hours(72));
        assert_eq!(Level::L1.next(), Some(Level::L2));
        assert_eq!(Level::L3.next(), None);
        assert!(r.validate().is_ok());
        let mut bad = r.clone();
        bad.response_hours.remove(&Severity::S2);
        assert!(bad.validate().is_err_and(|e| e.contains("s2")));
    }

    #[test]
    fn names_parse_both_ways() {
        assert_eq!(Severity::parse("S1"), Some(Severity::S1));
        assert_eq!(Severity::parse("s5"), None);
        assert_eq!(CoSellKind::parse("joint_demo"), Some(CoSellKind::JointDemo));
        assert_eq!(CoSellStatus::parse("completed"), Some(CoSellStatus::Completed));
        assert_eq!(Severity::S2.risk_severity(), "high");
    }
}
