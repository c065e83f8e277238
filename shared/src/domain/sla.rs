//! The first-response SLA (SPEC §4): a lead assigned to a reseller must get a logged sales
//! activity within the configured hours.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an SLA is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// the clock runs (listed in the deadline index)
    Waiting,
    /// the owner logged a first response in time or late
    Responded,
    /// a protected (partner-owned or referral) lead passed its deadline: admins were told
    Escalated,
    /// no one else could take it, or it was reassigned too often
    AdminQueue,
    /// the lead moved on by other means
    Closed,
}

/// The SLA of one lead's current assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    pub lead_id: String,
    pub owner_reseller_id: String,
    pub assigned_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub status: SlaStatus,
    pub reassignments: u32,
    #[serde(default)]
    pub previous_owners: Vec<String>,
    #[serde(default)]
    pub first_response_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    pub first_response_by: Option<String>,
    pub version: u64,
}
