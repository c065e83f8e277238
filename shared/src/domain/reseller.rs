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

crate::domain::wire_names::wire_names!(Tier {
    Registered = "registered",
    Silver = "silver",
    Gold = "gold",
    Platinum = "platinum",
});

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
    /// no longer a reseller: its keys revoked, its open platform leads re-routed, its history
    /// and earned commission kept
    Deactivated,
}

// in the order lists show them
crate::domain::wire_names::wire_names!(ResellerStatus {
    Active = "active" | "approved",
    Suspended = "suspended",
    Deactivated = "deactivated",
    Pending = "pending",
    Rejected = "rejected",
});

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
    /// how its customer-facing documents look (white label)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<Brand>,
    /// the terms it was approved with (its application's), when it applied
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<crate::domain::application::Terms>,
    /// its company's domain (one reseller or pending application per domain)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_domain: Option<String>,
    /// every suspension, reactivation and deactivation, with who and why
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_history: Vec<StatusChange>,
    /// PAN, GSTIN, lower-deduction certificate, bank account (SPEC §13)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<crate::domain::tax_profile::TaxProfile>,
    /// who changed the tax profile when, and which fields (never the values)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_changes: Vec<TaxChange>,
    /// optimistic-concurrency counter: every write expects the version it read
    /// the channel manager (a staff id) who looks after it
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_manager: Option<String>,
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

    /// The name its customers see (its brand's, else its own).
    pub fn display_name(&self) -> &str {
        self.brand
            .as_ref()
            .and_then(|b| b.display_name.as_deref())
            .unwrap_or(&self.name)
    }

    /// Where replies to its sequence emails go.
    pub fn reply_to(&self) -> &str {
        self.brand
            .as_ref()
            .and_then(|b| b.reply_to.as_deref())
            .unwrap_or(&self.email)
    }

    /// The closing lines of its emails.
    pub fn signature(&self) -> String {
        match self.brand.as_ref().and_then(|b| b.signature.clone()) {
            Some(s) => s,
            None => format!("{}\n{}", self.display_name(), self.email),
        }
    }

    pub fn has_capacity(&self) -> bool {
        self.open_leads < self.capacity
    }
}

/// One change of a reseller's tax profile: the fields it touched, never their values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxChange {
    pub at: DateTime<Utc>,
    pub by: String,
    pub fields: Vec<String>,
}

/// One change of a reseller's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub by: String,
    #[schema(value_type = String)]
    pub from: ResellerStatus,
    #[schema(value_type = String)]
    pub to: ResellerStatus,
    pub reason: String,
}

/// A reseller's white label on the documents its customers see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Brand {
    /// the name shown instead of the reseller's registered one
    pub display_name: Option<String>,
    /// an `https://` image URL
    pub logo_url: Option<String>,
    /// `#rrggbb`
    pub primary_colour: Option<String>,
    /// `#rrggbb`
    pub accent_colour: Option<String>,
    /// the closing lines of a proposal or sequence email (name, title, phone)
    pub signature: Option<String>,
    /// where prospects' replies to its sequence emails go (its own email unless set)
    #[serde(default)]
    pub reply_to: Option<String>,
}

/// What a reseller sends as its brand (`PUT /resellers/{id}/brand`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct BrandIn {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
    pub signature: Option<String>,
    pub reply_to: Option<String>,
}

fn colour(field: &str, v: Option<&str>, errors: &mut Vec<crate::domain::field::FieldError>) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Some(v.to_ascii_lowercase())
    } else {
        errors.push(crate::domain::field::FieldError {
            field: field.into(),
            message: "must be a colour written #rrggbb".into(),
        });
        None
    }
}

/// A valid brand, or every field's problem. Colours and the logo URL are checked strictly
/// because they land in a stylesheet and an attribute.
pub fn validate_brand(b: &BrandIn) -> Result<Brand, Vec<crate::domain::field::FieldError>> {
    use crate::domain::text::{self, Lines};
    let mut e = Vec::new();
    let display_name = text::collect(
        text::optional("display_name", b.display_name.as_deref(), 120, Lines::Single),
        &mut e,
    )
    .flatten();
    // the display name is the sender's name in the From header: no address inside it, so a
    // brand cannot pass itself off as another sender ("Bank Security <security@bank.example>")
    if display_name
        .as_deref()
        .is_some_and(|n| n.contains(['<', '>', '@', '"']))
    {
        e.push(crate::domain::field::FieldError {
            field: "display_name".into(),
            message: "may not contain <, >, @ or \" (it is a name, not an address)".into(),
        });
    }
    let signature = text::collect(
        text::optional("signature", b.signature.as_deref(), 1000, Lines::Multi),
        &mut e,
    )
    .flatten();
    let logo_url = match b.logo_url.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(u) => {
            let ok = u.len() <= 500
                && u.strip_prefix("https://").is_some_and(|rest| !rest.is_empty())
                && !u
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\'));
            if !ok {
                e.push(crate::domain::field::FieldError {
                    field: "logo_url".into(),
                    message: "must be an https:// URL of at most 500 characters".into(),
                });
            }
            ok.then(|| u.to_string())
        }
    };
    let reply_to = match b.reply_to.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(r) if r.len() <= 254 && crate::domain::field::is_valid_email(&r.to_lowercase()) => Some(r.to_lowercase()),
        Some(_) => {
            e.push(crate::domain::field::FieldError {
                field: "reply_to".into(),
                message: "is not an email address".into(),
            });
            None
        }
    };
    let primary_colour = colour("primary_colour", b.primary_colour.as_deref(), &mut e);
    let accent_colour = colour("accent_colour", b.accent_colour.as_deref(), &mut e);
    if e.is_empty() {
        Ok(Brand {
            display_name,
            logo_url,
            primary_colour,
            accent_colour,
            signature,
            reply_to,
        })
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod brand_tests {
    use super::*;

    #[test]
    fn brands_are_checked_field_by_field() {
        let ok = validate_brand(&BrandIn {
            display_name: Some(" Acme ERP ".into()),
            logo_url: Some("https://acme.example/logo.png".into()),
            primary_colour: Some("#1F4E79".into()),
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(ok.display_name.as_deref(), Some("Acme ERP"));
        for sender in [
            "Bank Security <security@bank.example>",
            "security@bank.example",
            "\"Acme\"",
        ] {
            let e = validate_brand(&BrandIn {
                display_name: Some(sender.into()),
                ..Default::default()
            })
            .expect_err("an address is no name");
            assert_eq!(e[0].field, "display_name", "{sender}");
        }
        assert_eq!(ok.primary_colour.as_deref(), Some("#1f4e79"));
        let bad = validate_brand(&BrandIn {
            logo_url: Some("javascript:alert(1)".into()),
            primary_colour: Some("red;}body{".into()),
            accent_colour: Some("#12345".into()),
            ..Default::default()
        })
        .expect_err("invalid");
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["logo_url", "primary_colour", "accent_colour"]);
    }
}
