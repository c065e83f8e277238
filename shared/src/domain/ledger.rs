//! The commission ledger: immutable entries, one per (payment or refund, component, payee).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A ledger entry as stored: immutable once written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub payee: String,
    /// `payment` or `refund`
    pub source: String,
    pub source_id: String,
    pub order_id: String,
    pub component: String,
    pub base: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
    pub currency: String,
    /// the payment's paid_at or the refund's refunded_at, never the processing time
    pub earned_at: DateTime<Utc>,
    pub explanation: String,
    pub recorded_at: DateTime<Utc>,
    /// the lead the deal came from (for moving it to R010 when the entry is paid out)
    #[serde(default)]
    pub lead_id: Option<String>,
    /// set once a payout settles the entry (paid, or carried into a balance)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_id: Option<String>,
}
