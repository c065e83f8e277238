//! The lead ticket and the validation of what a form or script submits (SPEC §2).

use crate::domain::categorise::Category;
use crate::domain::region::Region;
use crate::domain::routing::RoutingDecision;
use crate::domain::scoring::{Band, Engagement, ScoreReason};
use crate::domain::stage::Stage;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const CHANNELS: &[&str] = &[
    "website",
    "webinar",
    "event",
    "email",
    "linkedin",
    "cold_call",
    "referral",
    "partner_registration",
    "prospect_list",
    "marketplace",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub channel: String,
    pub campaign: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub referral_code: Option<String>,
    /// the click id the referral link handed out (`/r/{code}`), for attribution
    #[serde(default)]
    pub referral_click: Option<String>,
    /// `attributed`, `self_referral` or `not_attributed` when a referral code came with the lead
    #[serde(default)]
    pub referral: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub lead_id: String,
    pub email: String,
    /// what the prospect told us, as submitted
    #[serde(flatten)]
    pub profile: Profile,
    pub region: Region,
    pub attribution: Attribution,
    pub spam: bool,
    pub stage: Stage,
    /// closed-lost, a terminal state reachable from any open stage
    pub closed_lost: bool,
    /// why and when it was lost (while closed-lost)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<crate::domain::pipeline::Lost>,
    /// its latest quote (the kanban's expected value)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<crate::domain::quote::QuoteRef>,
    pub score: Option<u32>,
    pub band: Option<Band>,
    pub score_reasons: Vec<ScoreReason>,
    pub category: Option<Category>,
    pub engagement: Engagement,
    pub owner_reseller_id: Option<String>,
    /// the person in the owning reseller who works it (a rep sees only these)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_user: Option<String>,
    pub queue: Option<String>,
    pub routing: Option<RoutingDecision>,
    /// set by deal registration (partner-owned leads)
    pub registered_by: Option<String>,
    /// the expected value a deal registration gave this lead (the board's value until a quote)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_value: Option<RegisteredValue>,
    /// the lead replied to a sequence email (sequences stop)
    #[serde(default)]
    pub replied: bool,
    /// the lead unsubscribed (no sequence mails it again)
    #[serde(default)]
    pub unsubscribed: bool,
    /// the prospect list and row an imported lead came from
    #[serde(default)]
    pub import: Option<ImportSource>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// The board's column of closed-lost leads (the others are stage codes).
pub const CLOSED_LOST_COLUMN: &str = "closed_lost";

/// A deal registration's expected value, kept on the lead it registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredValue {
    /// the reseller that registered it: the value counts while that reseller owns the lead
    pub reseller_id: String,
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSource {
    pub import_id: String,
    pub key: String,
    pub row: u64,
}

impl Lead {
    /// A new ticket at R001 for a validated submission.
    pub fn new(input: &LeadInput, lead_id: &str, now: DateTime<Utc>) -> Lead {
        Lead {
            lead_id: lead_id.to_string(),
            email: input.email.clone(),
            profile: input.profile.clone(),
            region: crate::domain::region::resolve(input.profile.country.as_deref(), input.profile.state.as_deref()),
            attribution: input.attribution.clone(),
            spam: input.spam,
            stage: Stage::R001,
            closed_lost: false,
            lost: None,
            quote: None,
            score: None,
            band: None,
            score_reasons: vec![],
            category: None,
            engagement: Engagement::default(),
            owner_reseller_id: None,
            assigned_user: input.assigned_user.clone(),
            queue: None,
            routing: None,
            registered_by: input.registered_by.clone(),
            registered_value: input.registered_value.clone(),
            replied: false,
            unsubscribed: false,
            import: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    pub fn is_open(&self) -> bool {
        !self.closed_lost && !self.spam
    }

    /// Where the lead sits on its owner's board: the owner and the column (a stage code, or
    /// [`CLOSED_LOST_COLUMN`]). Spam and leads no reseller owns are on no board.
    pub fn board_place(&self) -> Option<(&str, &'static str)> {
        let owner = self.owner_reseller_id.as_deref().filter(|_| !self.spam)?;
        let column = if self.closed_lost {
            CLOSED_LOST_COLUMN
        } else {
            self.stage.code()
        };
        Some((owner, column))
    }

    /// What the deal is expected to be worth: its latest quote's value (ex GST), unless that
    /// quote waits for, or was refused, an admin's approval; else the value its owner's deal
    /// registration gave it (a registration by a reseller that no longer owns it counts nothing).
    pub fn expected_value(&self) -> Option<Decimal> {
        self.quote
            .as_ref()
            .filter(|q| q.status.is_sendable())
            .map(|q| q.value)
            .or_else(|| {
                self.registered_value
                    .as_ref()
                    .filter(|r| Some(r.reseller_id.as_str()) == self.owner_reseller_id.as_deref())
                    .map(|r| r.value)
            })
    }

    /// An open deal its owner expects something from: what the forecast reads.
    pub fn is_valued_deal(&self) -> bool {
        self.is_open() && self.board_place().is_some() && self.expected_value().is_some_and(|v| v > Decimal::ZERO)
    }

    pub fn email_domain(&self) -> Option<&str> {
        self.email.rsplit_once('@').map(|(_, d)| d)
    }
}

/// Lower-cased, trimmed: the key duplicates are found by.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

use crate::domain::field::FieldError;

use crate::domain::text::{self, Lines};

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// What a prospect tells us about themselves; every field optional, trimmed, free text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub country: Option<String>,
    pub state: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<String>,
    pub budget: Option<String>,
    pub timeline: Option<String>,
    pub message: Option<String>,
}

/// A submission after validation: every field trimmed, empty ones dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadInput {
    pub email: String,
    pub profile: Profile,
    pub attribution: Attribution,
    /// the honeypot was filled: keep it, mark it spam, never route it
    pub spam: bool,
    pub redirect: Option<String>,
    /// set for a deal registration: the reseller that owns the lead
    pub registered_by: Option<String>,
    /// the person of the registering reseller who works it
    pub assigned_user: Option<String>,
    /// the registration's expected value
    pub registered_value: Option<RegisteredValue>,
}

const SHORT: usize = 200;
const MESSAGE_MAX: usize = 5000;

/// The fields of a submission and their size limits (in characters).
const TEXT_FIELDS: &[(&str, usize)] = &[
    ("name", SHORT),
    ("company", SHORT),
    ("phone", 40),
    ("title", SHORT),
    ("country", 100),
    ("state", 100),
    ("industry", 100),
    ("employees", 40),
    ("budget", 100),
    ("timeline", 200),
    ("message", MESSAGE_MAX),
    ("channel", 40),
    ("campaign", SHORT),
    ("utm_source", SHORT),
    ("utm_medium", SHORT),
    ("utm_campaign", SHORT),
    ("referral_code", 64),
    ("referral_click", 64),
    // what the referral redirect hands the landing page, forwarded as they came
    ("ref", 64),
    ("click", 64),
    ("website", 500),
    ("redirect", 2000),
];

/// Validates a submission given as a JSON object (a form body is turned into one first).
/// Unknown fields are ignored; every problem is reported at once.
pub fn validate(fields: &Map<String, Value>) -> Result<LeadInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut text = |name: &str, max: usize| -> Option<String> {
        match fields.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let lines = if name == "message" { Lines::Multi } else { Lines::Single };
                text::collect(text::optional(name, Some(s), max, lines), &mut errors).flatten()
            }
            // budgets and head-counts may come as numbers from scripts
            Some(Value::Number(n)) if name == "budget" || name == "employees" || name == "phone" => Some(n.to_string()),
            Some(_) => {
                errors.push(field_error(name, "must be a string"));
                None
            }
        }
    };
    let email_raw = text("email", 254);
    let mut values: std::collections::HashMap<&str, Option<String>> = TEXT_FIELDS
        .iter()
        .map(|(name, max)| (*name, text(name, *max)))
        .collect();
    let mut take = |k: &str| values.remove(k).flatten();

    let email = match email_raw {
        None => {
            if !errors.iter().any(|e| e.field == "email") {
                errors.push(field_error("email", "is required"));
            }
            String::new()
        }
        Some(e) if !is_valid_email(&e) => {
            errors.push(field_error("email", "is not a valid email address"));
            String::new()
        }
        Some(e) => e,
    };
    let channel = take("channel")
        .map(|c| c.to_lowercase())
        .unwrap_or_else(|| "website".into());
    if !CHANNELS.contains(&channel.as_str()) {
        errors.push(field_error(
            "channel",
            &format!("must be one of: {}", CHANNELS.join(", ")),
        ));
    }
    let input = LeadInput {
        email,
        profile: Profile {
            name: take("name"),
            company: take("company"),
            phone: take("phone"),
            title: take("title"),
            country: take("country"),
            state: take("state"),
            industry: take("industry"),
            employees: take("employees"),
            budget: take("budget"),
            timeline: take("timeline"),
            message: take("message"),
        },
        attribution: Attribution {
            channel,
            campaign: take("campaign"),
            utm_source: take("utm_source"),
            utm_medium: take("utm_medium"),
            utm_campaign: take("utm_campaign"),
            // `ref` and `click` are the names the referral redirect uses
            referral_code: take("referral_code").or_else(|| take("ref")),
            referral_click: take("referral_click").or_else(|| take("click")),
            referral: None,
        },
        spam: take("website").is_some(),
        redirect: take("redirect"),
        registered_by: None,
        assigned_user: None,
        registered_value: None,
    };
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

use crate::domain::field::is_valid_email;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_deal_is_worth_its_sendable_quote_else_its_owners_registration() {
        use crate::domain::quote::{QuoteRef, QuoteStatus};
        let mut l = Lead::new(&LeadInput::default(), "L1", Utc::now());
        l.owner_reseller_id = Some("R1".into());
        assert_eq!(l.expected_value(), None);
        l.registered_value = Some(RegisteredValue {
            reseller_id: "R1".into(),
            value: Decimal::new(500_000, 0),
        });
        assert_eq!(l.expected_value(), Some(Decimal::new(500_000, 0)));
        assert!(l.is_valued_deal());
        let quote = |status| QuoteRef {
            quote_id: "Q1".into(),
            currency: "INR".into(),
            value: Decimal::new(420_000, 0),
            discount_percent: Decimal::ZERO,
            status,
            expected_close: None,
        };
        l.quote = Some(quote(QuoteStatus::Issued));
        assert_eq!(l.expected_value(), Some(Decimal::new(420_000, 0)));
        // a quote waiting for an admin forecasts nothing: the registration's value stands
        l.quote = Some(quote(QuoteStatus::PendingApproval));
        assert_eq!(l.expected_value(), Some(Decimal::new(500_000, 0)));
        // another reseller's registration counts nothing for this owner
        l.quote = None;
        l.owner_reseller_id = Some("R2".into());
        assert_eq!(l.expected_value(), None);
        assert!(!l.is_valued_deal());
        // nor does a closed or spam lead make a deal
        l.owner_reseller_id = Some("R1".into());
        l.closed_lost = true;
        assert!(!l.is_valued_deal() && l.board_place() == Some(("R1", CLOSED_LOST_COLUMN)));
        l.spam = true;
        assert_eq!(l.board_place(), None);
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@example.co.in", "नमस्ते@उदाहरण.भारत"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            "@b.com",
            "a@-b.com",
            "<x>@b.com",
            "a@b.c0m.1",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn validation_collects_every_error() {
        let errs = validate(&obj(
            json!({"email": "nope", "channel": "fax", "name": "x".repeat(201), "title": 5}),
        ))
        .unwrap_err();
        let mut fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, vec!["channel", "email", "name", "title"]);
        assert_eq!(validate(&obj(json!({}))).unwrap_err()[0].field, "email");
    }

    #[test]
    fn honeypot_unicode_and_markup_are_kept_as_text() {
        let input = validate(&obj(json!({
            "email": " Priya@Example.IN ", "name": "प्रिया 🚀", "company": "<script>alert(1)</script>",
            "budget": 500000, "website": "http://spam"
        })))
        .unwrap();
        assert_eq!(input.email, "Priya@Example.IN");
        assert_eq!(input.profile.name.as_deref(), Some("प्रिया 🚀"));
        assert_eq!(input.profile.company.as_deref(), Some("<script>alert(1)</script>"));
        assert_eq!(input.profile.budget.as_deref(), Some("500000"));
        assert!(input.spam);
        assert_eq!(input.attribution.channel, "website");
    }
}
