//! Configuration: every number of SPEC.md is a default here, overridable at deploy time
//! (`RULES_JSON`, a JSON object with any subset of these fields), plus the environment each
//! function reads. Env var names are constants so that a test can check template.yaml sets them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod env {
    pub const TABLE_NAME: &str = "TABLE_NAME";
    pub const SCORING_QUEUE_URL: &str = "SCORING_QUEUE_URL";
    pub const SEQUENCE_QUEUE_URL: &str = "SEQUENCE_QUEUE_URL";
    pub const ADMIN_API_KEY: &str = "ADMIN_API_KEY";
    pub const THANK_YOU_URL: &str = "THANK_YOU_URL";
    pub const ERROR_URL: &str = "ERROR_URL";
    pub const REDIRECT_ALLOWED_HOSTS: &str = "REDIRECT_ALLOWED_HOSTS";
    pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
    pub const RULES_JSON: &str = "RULES_JSON";
    pub const ROSTER_CACHE_SECONDS: &str = "ROSTER_CACHE_SECONDS";
    pub const BILLING_WEBHOOK_SECRET: &str = "BILLING_WEBHOOK_SECRET";
    pub const COMMISSION_QUEUE_URL: &str = "COMMISSION_QUEUE_URL";
    pub const MAIL_FROM: &str = "MAIL_FROM";
    pub const PAYOUT_QUEUE_URL: &str = "PAYOUT_QUEUE_URL";
    pub const FINANCE_EMAIL: &str = "FINANCE_EMAIL";
    pub const TRACKING_SECRET: &str = "TRACKING_SECRET";
    pub const PUBLIC_BASE_URL: &str = "PUBLIC_BASE_URL";
    pub const SES_CONFIGURATION_SET: &str = "SES_CONFIGURATION_SET";
    pub const REFERRAL_LANDING_URL: &str = "REFERRAL_LANDING_URL";
    pub const BUCKET_NAME: &str = "BUCKET_NAME";
    pub const IMPORT_QUEUE_URL: &str = "IMPORT_QUEUE_URL";
    pub const IMPORT_CHUNK_BYTES: &str = "IMPORT_CHUNK_BYTES";
    /// where a consumer moves a message that can never succeed (its queue's DLQ)
    pub const DEAD_LETTER_QUEUE_URL: &str = "DEAD_LETTER_QUEUE_URL";
    /// the AWS SDK's own variable: the partitions table it reads instead of its embedded one
    /// (`adapters::aws::partitions`; the template's layer at `/opt`)
    pub const SDK_PARTITIONS_FILE: &str = "SMITHY_CLIENT_SDK_CUSTOM_PARTITION";
    /// the directory of the long domain lists (`domain::company_domain`; the template's layer
    /// at `/opt`), read on the first registration or application
    pub const DOMAIN_LISTS_DIR: &str = "DOMAIN_LISTS_DIR";
    /// the vendor's presales team (co-sell requests)
    pub const PRESALES_EMAIL: &str = "PRESALES_EMAIL";
    /// the platform's GSTIN (recipient of resellers' GST invoices; its state decides
    /// CGST + SGST or IGST)
    pub const PLATFORM_GSTIN: &str = "PLATFORM_GSTIN";
    /// `true`: a GST-registered reseller's payout waits for its invoice
    pub const HOLD_UNTIL_INVOICE: &str = "HOLD_UNTIL_INVOICE";
    /// addresses that log in to the portal as the admin (comma-separated)
    pub const ADMIN_EMAILS: &str = "ADMIN_EMAILS";

    /// What each Lambda reads; template.yaml must set every one of them (checked by a test).
    pub const LEAD_CAPTURE: &[&str] = &[
        TABLE_NAME,
        SCORING_QUEUE_URL,
        ADMIN_API_KEY,
        THANK_YOU_URL,
        ERROR_URL,
        REDIRECT_ALLOWED_HOSTS,
        ALLOWED_ORIGINS,
        TRACKING_SECRET,
        RULES_JSON,
        REFERRAL_LANDING_URL,
    ];
    pub const SCORING: &[&str] = &[TABLE_NAME, SEQUENCE_QUEUE_URL, RULES_JSON, ROSTER_CACHE_SECONDS];

    pub const ORDER_COMMISSION: &[&str] = &[
        TABLE_NAME,
        COMMISSION_QUEUE_URL,
        BILLING_WEBHOOK_SECRET,
        ADMIN_API_KEY,
        RULES_JSON,
    ];
    pub const COMMISSION: &[&str] = &[TABLE_NAME, RULES_JSON, DEAD_LETTER_QUEUE_URL];
    pub const RENEWAL_RISK_SCAN: &[&str] = &[TABLE_NAME, RULES_JSON, MAIL_FROM];
    pub const SEQUENCE_SENDER: &[&str] = &[
        TABLE_NAME,
        RULES_JSON,
        MAIL_FROM,
        TRACKING_SECRET,
        PUBLIC_BASE_URL,
        SES_CONFIGURATION_SET,
        ADMIN_EMAILS,
    ];
    pub const MONTHLY_PAYOUT: &[&str] = &[
        TABLE_NAME,
        RULES_JSON,
        MAIL_FROM,
        PAYOUT_QUEUE_URL,
        FINANCE_EMAIL,
        PLATFORM_GSTIN,
        HOLD_UNTIL_INVOICE,
    ];

    pub const PROSPECT_IMPORT: &[&str] = &[
        TABLE_NAME,
        BUCKET_NAME,
        SCORING_QUEUE_URL,
        IMPORT_QUEUE_URL,
        IMPORT_CHUNK_BYTES,
    ];

    pub const SLA_WATCH: &[&str] = &[TABLE_NAME, RULES_JSON, MAIL_FROM, ADMIN_EMAILS, SCORING_QUEUE_URL];

    pub const PARTNER_API: &[&str] = &[
        TABLE_NAME,
        ADMIN_API_KEY,
        RULES_JSON,
        MAIL_FROM,
        PUBLIC_BASE_URL,
        THANK_YOU_URL,
        ERROR_URL,
        REDIRECT_ALLOWED_HOSTS,
    ];

    pub const SALES_API: &[&str] = &[TABLE_NAME, ADMIN_API_KEY, RULES_JSON, MAIL_FROM, PRESALES_EMAIL];

    pub const PROPOSALS: &[&str] = &[TABLE_NAME, BUCKET_NAME, ADMIN_API_KEY];

    pub const PORTAL: &[&str] = &[
        TABLE_NAME,
        RULES_JSON,
        MAIL_FROM,
        PUBLIC_BASE_URL,
        ADMIN_EMAILS,
        SCORING_QUEUE_URL,
        SEQUENCE_QUEUE_URL,
        PRESALES_EMAIL,
    ];

    /// Each function crate and the variables it reads.
    pub const BY_FUNCTION: &[(&str, &[&str])] = &[
        ("lead-capture", LEAD_CAPTURE),
        ("scoring", SCORING),
        ("order-commission", ORDER_COMMISSION),
        ("commission", COMMISSION),
        ("renewal-risk-scan", RENEWAL_RISK_SCAN),
        ("monthly-payout", MONTHLY_PAYOUT),
        ("payout-worker", MONTHLY_PAYOUT),
        ("sequence-sender", SEQUENCE_SENDER),
        ("prospect-import", PROSPECT_IMPORT),
        ("sla-watch", SLA_WATCH),
        ("sales-api", SALES_API),
        ("proposals", PROPOSALS),
        ("partner-api", PARTNER_API),
        ("portal", PORTAL),
        ("portal-admin", PORTAL),
    ];
}

/// A rotatable secret: the first signs, every one verifies (`BILLING_WEBHOOK_SECRET`,
/// `TRACKING_SECRET` as `new,old` while the old one is retired).
#[derive(Clone, Default, PartialEq)]
pub struct Secrets(Vec<String>);

impl Secrets {
    pub fn new(list: impl IntoIterator<Item = impl Into<String>>) -> Secrets {
        Secrets(list.into_iter().map(Into::into).collect())
    }
    /// The secret new signatures are made with.
    pub fn signing(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or("")
    }
    /// Every secret a signature may have been made with.
    pub fn all(&self) -> &[String] {
        &self.0
    }
}

/// Never printed: `Secrets(2 values)`.
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.0.len())
    }
}

/// Every problem found in the environment at start-up, listed together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("configuration: {}", .0.join("; "))]
pub struct ConfigError(pub Vec<String>);

/// The one way configuration is read: each value by its name from `env`, typed, with every
/// missing or invalid variable collected, so that start-up fails once with the whole list
/// (`finish`). Functions read what they need from one `Env`.
/// Where variables come from: the process environment, or a test's map.
type Source = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub struct Env {
    get: Source,
    problems: Vec<String>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Env {
        Env::from_fn(|n| std::env::var(n).ok())
    }

    /// Any source of variables (tests).
    pub fn from_fn(get: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Env {
        Env {
            get: Box::new(get),
            problems: Vec::new(),
        }
    }

    /// The value, if set and not blank.
    pub fn optional(&mut self, name: &str) -> Option<String> {
        (self.get)(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// The value; a missing one is recorded (and an empty string returned).
    pub fn required(&mut self, name: &str) -> String {
        self.optional(name).unwrap_or_else(|| {
            self.problems.push(format!("{name} is not set"));
            String::new()
        })
    }

    /// A secret that can be rotated without downtime: `new,old` — sign with the first, accept
    /// any (required).
    pub fn secrets(&mut self, name: &str) -> Secrets {
        let list = self.list(name);
        if list.is_empty() {
            self.problems.push(format!("{name} is not set"));
        }
        Secrets(list)
    }

    /// A comma-separated list (empty when unset).
    pub fn list(&mut self, name: &str) -> Vec<String> {
        self.optional(name)
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A value checked by `parse`; a bad one is recorded with why, and `default` used.
    pub fn parsed<T>(&mut self, name: &str, default: T, parse: impl Fn(&str) -> Result<T, String>) -> T {
        match self.optional(name) {
            None => default,
            Some(v) => parse(&v).unwrap_or_else(|why| {
                self.problems.push(format!("{name}: {why}"));
                default
            }),
        }
    }

    /// `RULES_JSON` (the defaults when unset); invalid JSON or out-of-range rates are recorded.
    /// The bootstrap key's hash (`ADMIN_API_KEY`), as every API compares a bearer key with it.
    pub fn admin_key_hash(&mut self) -> String {
        crate::ids::sha256_hex(&self.required(env::ADMIN_API_KEY))
    }

    pub fn rules(&mut self) -> Rules {
        self.parsed(env::RULES_JSON, Rules::default(), Rules::parse)
    }

    /// A problem found while checking a value's meaning (a file it names, say).
    pub fn problem(&mut self, why: String) {
        self.problems.push(why);
    }

    /// Ok when every variable read was present and valid; else every problem at once.
    pub fn finish(self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(self.problems))
        }
    }
}

/// The configurable rules of SPEC §3 and §4.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    pub scoring: ScoringRules,
    pub routing: RoutingRules,
    /// Units of INR per unit of each foreign currency, for reading budgets.
    pub fx_to_inr: BTreeMap<String, Decimal>,
    pub industries: Vec<IndustryKeywords>,
    pub commission: crate::domain::commission::CommissionRules,
    pub renewal: crate::domain::renewal::RenewalRules,
    pub payout: crate::domain::payout::PayoutRules,
    pub sequences: crate::domain::sequence::SequenceRules,
    pub billing: crate::domain::billing::BillingLimits,
    pub pipeline: crate::domain::pipeline::PipelineRules,
    pub quotes: crate::domain::quote::QuoteRules,
    pub support: crate::domain::support::SupportRules,
    pub applications: crate::domain::application::ApplicationRules,
    pub tax: crate::domain::payout_tax::TaxRules,
    pub forecast: crate::domain::forecast::ForecastRules,
    pub public_limits: PublicLimits,
}

pub use crate::domain::scoring::ScoringRules;

pub use crate::domain::routing::RoutingRules;

pub use crate::domain::categorise::IndustryKeywords;

impl Default for Rules {
    fn default() -> Self {
        let kw = |industry: &str, words: &[&str]| IndustryKeywords {
            industry: industry.to_string(),
            keywords: words.iter().map(|w| w.to_string()).collect(),
        };
        Rules {
            commission: Default::default(),
            renewal: Default::default(),
            payout: Default::default(),
            sequences: Default::default(),
            billing: Default::default(),
            pipeline: Default::default(),
            quotes: Default::default(),
            support: Default::default(),
            applications: Default::default(),
            tax: Default::default(),
            forecast: Default::default(),
            public_limits: Default::default(),
            scoring: ScoringRules::default(),
            routing: RoutingRules::default(),
            fx_to_inr: BTreeMap::from([
                ("USD".to_string(), Decimal::from(83)),
                ("EUR".to_string(), Decimal::from(90)),
                ("GBP".to_string(), Decimal::from(105)),
                ("AED".to_string(), Decimal::new(226, 1)),
            ]),
            industries: vec![
                kw(
                    "manufacturing",
                    &[
                        "manufactur",
                        "factory",
                        "industries",
                        "industrial",
                        "fabricat",
                        "plant",
                        "engineering works",
                        "steel",
                        "textile",
                        "auto parts",
                        "forging",
                        "plastics",
                    ],
                ),
                kw(
                    "retail",
                    &[
                        "retail",
                        "store",
                        "shop",
                        "mart",
                        "boutique",
                        "supermarket",
                        "ecommerce",
                        "e-commerce",
                    ],
                ),
                kw(
                    "distribution",
                    &[
                        "distribut",
                        "wholesale",
                        "trading",
                        "traders",
                        "logistics",
                        "supply",
                        "import",
                        "export",
                    ],
                ),
                kw(
                    "healthcare",
                    &[
                        "health",
                        "hospital",
                        "clinic",
                        "pharma",
                        "medical",
                        "diagnostic",
                        "care",
                    ],
                ),
                kw(
                    "education",
                    &[
                        "school",
                        "college",
                        "university",
                        "academy",
                        "education",
                        "institute",
                        "learning",
                        "edtech",
                    ],
                ),
                kw(
                    "construction",
                    &[
                        "construction",
                        "builders",
                        "infra",
                        "realty",
                        "real estate",
                        "developers",
                    ],
                ),
                kw(
                    "hospitality",
                    &["hotel", "resort", "restaurant", "hospitality", "catering"],
                ),
                kw(
                    "finance",
                    &["finance", "bank", "capital", "insurance", "fintech", "nbfc"],
                ),
                kw(
                    "services",
                    &[
                        "services",
                        "consult",
                        "solutions",
                        "agency",
                        "advisory",
                        "technologies",
                        "software",
                        "infotech",
                    ],
                ),
            ],
        }
    }
}

impl Rules {
    /// Defaults, overlaid with `RULES_JSON` when that is set. A malformed override is an error at
    /// start-up rather than a silent fallback.
    /// Reads `RULES_JSON` text: any subset of the fields, validated.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let rules: Rules = serde_json::from_str(text).map_err(|e| e.to_string())?;
        rules.commission.validate()?;
        rules.quotes.validate()?;
        rules.support.validate()?;
        rules.tax.validate()?;
        Ok(rules)
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    #[test]
    fn a_rotating_secret_signs_with_the_first_and_never_prints() {
        let mut e = Env::from_fn(|n| (n == env::TRACKING_SECRET).then(|| " new-one , old-one ".into()));
        let s = e.secrets(env::TRACKING_SECRET);
        assert_eq!(s.signing(), "new-one");
        assert_eq!(s.all(), ["new-one".to_string(), "old-one".to_string()]);
        assert_eq!(format!("{s:?}"), "Secrets(2 values)");
        let missing = e.secrets(env::BILLING_WEBHOOK_SECRET);
        assert!(missing.all().is_empty());
        let problems = e.finish().expect_err("a missing secret is a problem");
        assert!(problems.to_string().contains("BILLING_WEBHOOK_SECRET is not set"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut e = Env::from_fn(|n| match n {
            "RULES_JSON" => Some("{\"commission\": {\"amc_first_year\": \"0.9\"}}".into()),
            "IMPORT_CHUNK_BYTES" => Some("lots".into()),
            "BLANK" => Some("  ".into()),
            _ => None,
        });
        let _ = e.required(env::TABLE_NAME);
        let _ = e.required("BLANK");
        let _ = e.rules();
        let _ = e.parsed(env::IMPORT_CHUNK_BYTES, 0u64, |v| {
            v.parse().map_err(|_| format!("not a number: {v}"))
        });
        let ConfigError(problems) = e.finish().unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("TABLE_NAME is not set"));
        assert!(problems[1].contains("BLANK is not set"));
        assert!(
            problems[2].starts_with("RULES_JSON") && problems[2].contains("first-year AMC"),
            "{}",
            problems[2]
        );
        assert!(problems[3].starts_with("IMPORT_CHUNK_BYTES"));
    }
}

/// Per-client limits on the public routes (`RULES_JSON` → `public_limits`); API Gateway's
/// throttling bounds each route as a whole.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PublicLimits {
    /// `POST /leads` from one client address per hour
    pub leads_per_client_per_hour: u32,
    /// `GET /r/{code}` from one client address per hour
    pub clicks_per_client_per_hour: u32,
}

impl Default for PublicLimits {
    fn default() -> Self {
        PublicLimits {
            leads_per_client_per_hour: 120,
            clicks_per_client_per_hour: 600,
        }
    }
}
