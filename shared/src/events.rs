//! Versioned event envelopes carried between steps over SQS.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const LEAD_CAPTURED: &str = "lead.captured";
pub const LEAD_QUALIFIED: &str = "lead.qualified";
pub const LEAD_ENGAGED: &str = "lead.engaged";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub kind: String,
    pub version: u32,
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub payload: Value,
}

impl Envelope {
    pub fn new(kind: &str, id: String, occurred_at: DateTime<Utc>, correlation_id: &str, payload: Value) -> Envelope {
        Envelope {
            kind: kind.to_string(),
            version: 1,
            id,
            occurred_at,
            correlation_id: correlation_id.to_string(),
            payload,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadCaptured {
    pub lead_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadQualified {
    pub lead_id: String,
    pub band: String,
    pub score: u32,
    pub owner_reseller_id: Option<String>,
    pub queue: Option<String>,
}
