//! Resellers as routing sees them (SPEC §9): regions, industries, tier, capacity, status.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    #[default]
    Registered,
    Silver,
    Gold,
    Platinum,
}

impl Tier {
    pub fn parse(s: &str) -> Option<Tier> {
        match s.trim().to_lowercase().as_str() {
            "registered" => Some(Tier::Registered),
            "silver" => Some(Tier::Silver),
            "gold" => Some(Tier::Gold),
            "platinum" => Some(Tier::Platinum),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ResellerStatus {
    /// applied, not yet approved
    Pending,
    /// approved and taking leads
    #[default]
    Active,
    /// approved, temporarily taking no leads
    Suspended,
    Rejected,
}

impl ResellerStatus {
    pub fn parse(s: &str) -> Option<ResellerStatus> {
        match s.trim().to_lowercase().as_str() {
            "pending" => Some(ResellerStatus::Pending),
            "active" | "approved" => Some(ResellerStatus::Active),
            "suspended" => Some(ResellerStatus::Suspended),
            "rejected" => Some(ResellerStatus::Rejected),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ResellerStatus::Pending => "pending",
            ResellerStatus::Active => "active",
            ResellerStatus::Suspended => "suspended",
            ResellerStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reseller {
    pub reseller_id: String,
    pub name: String,
    pub email: String,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    pub tier: Tier,
    /// the most open leads it may hold at once
    pub capacity: u32,
    pub status: ResellerStatus,
    /// historical win rate, 0–1
    pub win_rate: Decimal,
    pub referral_code: String,
    pub open_leads: u32,
    pub last_assigned_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// how it earns (tiered by default)
    #[serde(default)]
    pub plan: crate::domain::commission::Plan,
    /// a sub-reseller's parent, who earns an override on its commission
    #[serde(default)]
    pub parent_reseller_id: Option<String>,
    /// deals decided in the trailing window, refreshed by each win, loss and reopening
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<crate::domain::pipeline::Outcomes>,
    /// optimistic-concurrency counter: every write expects the version it read
    pub version: u64,
}

impl Reseller {
    /// The win rate routing ranks by: its own from decided deals once there are enough of
    /// them, the configured one before that.
    pub fn effective_win_rate(&self) -> Decimal {
        match &self.outcomes {
            Some(o) if o.applies => o.win_rate.unwrap_or(self.win_rate),
            _ => self.win_rate,
        }
    }

    pub fn has_capacity(&self) -> bool {
        self.open_leads < self.capacity
    }
}
