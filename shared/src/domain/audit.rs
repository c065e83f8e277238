//! Audit events: who did what, when, with before/after and a correlation id (SPEC §1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub event_id: String,
    pub at: DateTime<Utc>,
    /// who acted: `user:<id>`, `staff:<id>`, `bootstrap`, `public`, `system:<function>` (before
    /// people were kept: `admin`, `reseller:<id>`)
    pub actor: String,
    /// the actor's role(s) when it acted (`owner`, `finance+presales`, `system`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// e.g. `lead.captured`, `lead.resubmitted`, `lead.qualified`
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    pub correlation_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}
