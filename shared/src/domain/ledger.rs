//! The commission ledger: immutable entries, one per (payment or refund, component, payee).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A ledger entry as stored: immutable once written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub payee: String,
    pub source: EntrySource,
    pub source_id: String,
    pub order_id: String,
    pub component: crate::domain::commission::Component,
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
    /// commission (194H, GST) or margin (resale: neither); entries written before the tag
    /// existed are read from their component (`kind`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_kind: Option<TaxKind>,
}

/// What earned (or took back) an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    Payment,
    Refund,
}

crate::domain::wire_names::wire_names!(EntrySource { Payment = "payment", Refund = "refund" });

/// What an entry is for tax: commission or brokerage, or a margin reseller's resale margin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaxKind {
    #[default]
    Commission,
    Margin,
}

impl TaxKind {
    /// A component's kind (a clawback takes the kind of what it reverses).
    pub fn of(component: crate::domain::commission::Component) -> TaxKind {
        if component == crate::domain::commission::Component::Margin {
            TaxKind::Margin
        } else {
            TaxKind::Commission
        }
    }
}

impl Entry {
    pub fn kind(&self) -> TaxKind {
        self.tax_kind.unwrap_or_else(|| TaxKind::of(self.component))
    }
}
