//! Referral tracking's records: a click on a referral link, remembered for attribution.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A click on a referral link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Click {
    pub click_id: String,
    pub code: String,
    pub referrer: String,
    pub at: DateTime<Utc>,
}
