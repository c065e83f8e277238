//! Deal registration's records (SPEC §4 rule 1): a reseller's registration of a company, and
//! the claims — by normalised name, and by the company's own domain — that protect it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub registration_id: String,
    pub reseller_id: String,
    pub company_name: String,
    pub domain: Option<String>,
    pub contact_email: String,
    pub expected_value: Option<String>,
    pub lead_id: Option<String>,
    pub protected_until: DateTime<Utc>,
    /// the person who registered it (a rep sees the registrations it made)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_by_user: Option<String>,
    pub created_at: DateTime<Utc>,
    /// why the domain given (or the contact's) does not claim the company, if it does not
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_note: Option<String>,
}

/// What a claim holds a company by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimOn {
    /// its normalised name
    Name(String),
    /// its registrable domain
    Domain(String),
}

/// One reseller's hold on a company, by name or by domain, until `protected_until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub owner: String,
    pub registration_id: String,
    pub protected_until: DateTime<Utc>,
    /// claims written before this was kept say nothing (only new claims are keyed from it)
    #[serde(default = "unknown_claim")]
    pub on: ClaimOn,
    pub version: u64,
}

fn unknown_claim() -> ClaimOn {
    ClaimOn::Name(String::new())
}
