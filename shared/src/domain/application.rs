//! Reseller applications (seed 001): a company asks to become a reseller; an admin assesses it
//! and approves it with terms (plan, tier, rates within SPEC §6's ranges, channel prices,
//! payout, capacity, parent) or rejects it. One application per company domain at a time.

use crate::domain::billing::Amount;
use crate::domain::commission::{Plan, TierRates};
use crate::domain::field::{is_valid_email, FieldError};
use crate::domain::reseller::Tier;
use crate::domain::text::{self, Lines};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `RULES_JSON` `applications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationRules {
    /// applications one client address may post per hour
    pub per_address_per_hour: u32,
    /// applications from one email domain per hour
    pub per_email_domain_per_hour: u32,
    /// how deep resellers of resellers may nest (a top-level reseller is depth 1)
    pub max_depth: usize,
    /// a new reseller's capacity unless the terms say
    pub default_capacity: u32,
    /// a sub-reseller a reseller proposes is approved at once, with default terms
    pub auto_approve_sub_resellers: bool,
    /// sub-resellers one reseller may propose per hour
    pub proposals_per_reseller_per_hour: u32,
}

impl Default for ApplicationRules {
    fn default() -> Self {
        ApplicationRules {
            per_address_per_hour: 5,
            per_email_domain_per_hour: 3,
            max_depth: 3,
            default_capacity: 10,
            auto_approve_sub_resellers: false,
            proposals_per_reseller_per_hour: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Pending,
    Approved,
    Rejected,
    /// the honeypot was filled: kept, never reviewed or mailed
    Spam,
}

crate::domain::wire_names::wire_names!(ApplicationStatus {
    Pending = "pending",
    Approved = "approved",
    Rejected = "rejected",
    Spam = "spam",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Company {
    pub name: String,
    /// the registrable domain the company is known by (one application or reseller each)
    pub domain: String,
    pub website: Option<String>,
    pub gstin: Option<String>,
    pub pan: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// Who decided, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApplicationDecision {
    pub by: String,
    pub at: DateTime<Utc>,
    /// the rejection's reason, or the terms' note
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Application {
    pub application_id: String,
    pub company: Company,
    pub contact: Contact,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub expected_annual_revenue: Option<Decimal>,
    pub products: Vec<String>,
    pub message: Option<String>,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub decision: Option<ApplicationDecision>,
    /// the terms it was approved with
    pub terms: Option<Terms>,
    /// the reseller it became
    pub reseller_id: Option<String>,
    /// a sub-reseller application: the reseller that proposed it (its parent-to-be)
    #[serde(default)]
    pub proposed_parent: Option<String>,
    #[schema(ignore)]
    pub version: u64,
}

/// A valid application before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationInput {
    pub company: Company,
    pub contact: Contact,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    pub expected_annual_revenue: Option<Decimal>,
    pub products: Vec<String>,
    pub message: Option<String>,
    /// the honeypot (`website`) was filled
    pub spam: bool,
    /// a browser form's `redirect`
    pub redirect: Option<String>,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A nested field (`company.name` in JSON) or its flat form twin (`company_name`).
fn field<'a>(fields: &'a Map<String, Value>, group: &str, name: &str) -> Option<&'a str> {
    fields
        .get(group)
        .and_then(|g| g.get(name))
        .or_else(|| fields.get(&format!("{group}_{name}")))
        .and_then(Value::as_str)
}

fn top<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

/// A list: a JSON array of strings, or comma-separated text (a form).
fn list(fields: &Map<String, Value>, name: &str, max: usize, e: &mut Vec<FieldError>) -> Vec<String> {
    let raw: Vec<String> = match fields.get(name) {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        Some(_) => {
            e.push(err(name, "must be a list of strings"));
            vec![]
        }
    };
    let mut out = Vec::new();
    for item in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if let Some(v) = text::collect(text::required(name, Some(item), 80, Lines::Single), e) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    if out.len() > max {
        e.push(err(name, format!("at most {max}")));
    }
    out
}

/// Reads an application from a form's or a script's fields, naming every problem.
pub fn validate(fields: &Map<String, Value>, extra_free_mail: &[String]) -> Result<ApplicationInput, Vec<FieldError>> {
    let mut e = Vec::new();
    let req = |f: &str, v: Option<&str>, max: usize, e: &mut Vec<FieldError>| {
        text::collect(text::required(f, v, max, Lines::Single), e).unwrap_or_default()
    };
    let opt = |f: &str, v: Option<&str>, max: usize, e: &mut Vec<FieldError>| {
        text::collect(text::optional(f, v, max, Lines::Single), e).flatten()
    };
    let name = req("company.name", field(fields, "company", "name"), 200, &mut e);
    let website = opt("company.website", field(fields, "company", "website"), 300, &mut e);
    let contact_name = req("contact.name", field(fields, "contact", "name"), 200, &mut e);
    let email = req("contact.email", field(fields, "contact", "email"), 254, &mut e).to_lowercase();
    if !email.is_empty() && !is_valid_email(&email) {
        e.push(err("contact.email", "is not an email address"));
    }
    let phone = opt("contact.phone", field(fields, "contact", "phone"), 30, &mut e);
    // the company's domain: as given, else its website's, else its contact's (not free mail)
    let given = opt("company.domain", field(fields, "company", "domain"), 253, &mut e);
    let candidate = given
        .clone()
        .or_else(|| website.clone())
        .or_else(|| email.split_once('@').map(|(_, d)| d.to_string()));
    let domain = match candidate
        .as_deref()
        .map(|d| crate::domain::company_domain::claimable(d, extra_free_mail))
    {
        Some(Ok(d)) => d,
        Some(Err(why)) => {
            e.push(err(
                "company.domain",
                format!(
                    "{}; give the company's own domain",
                    why.describe(candidate.as_deref().unwrap_or(""))
                ),
            ));
            String::new()
        }
        None => {
            e.push(err(
                "company.domain",
                "is required (or a website, or a contact email at the company)",
            ));
            String::new()
        }
    };
    let pan = match field(fields, "company", "pan").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(p) => match crate::domain::tax_id::pan(p) {
            Ok(p) => Some(p),
            Err(m) => {
                e.push(err("company.pan", m));
                None
            }
        },
    };
    let gstin = match field(fields, "company", "gstin")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(g) => match crate::domain::tax_id::gstin(g) {
            Ok(g) => {
                if pan.as_deref().is_some_and(|p| p != g.pan) {
                    e.push(err("company.gstin", "the PAN inside it is not the company's PAN"));
                }
                Some(g.gstin)
            }
            Err(m) => {
                e.push(err("company.gstin", m));
                None
            }
        },
    };
    let mut regions = Vec::new();
    for r in list(fields, "regions", 50, &mut e) {
        match crate::domain::region::country_code(&r).or_else(|| crate::domain::region::subdivision_code(None, &r)) {
            Some(code) => regions.push(code),
            None => e.push(err("regions", format!("{r} is not a country or state"))),
        }
    }
    let industries = list(fields, "industries", 20, &mut e)
        .into_iter()
        .map(|i| i.to_lowercase())
        .collect();
    let languages = list(fields, "languages", 20, &mut e);
    let products = list(fields, "products", 50, &mut e);
    let expected_annual_revenue = match fields.get("expected_annual_revenue") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let text = match v {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            };
            if text.is_empty() {
                None
            } else {
                match crate::domain::money::parse_decimal(&text) {
                    Ok(d) if d >= Decimal::ZERO && d.normalize().scale() <= 2 => Some(d),
                    _ => {
                        e.push(err(
                            "expected_annual_revenue",
                            "must be a decimal amount (\"2500000.00\")",
                        ));
                        None
                    }
                }
            }
        }
    };
    let message = text::collect(
        text::optional("message", top(fields, "message"), 4000, Lines::Multi),
        &mut e,
    )
    .flatten();
    let spam = top(fields, "website").is_some_and(|w| !w.trim().is_empty());
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ApplicationInput {
        company: Company {
            name,
            domain,
            website,
            gstin,
            pan,
        },
        contact: Contact {
            name: contact_name,
            email,
            phone,
        },
        regions,
        industries,
        languages,
        expected_annual_revenue,
        products,
        message,
        spam,
        redirect: top(fields, "redirect").map(str::to_string),
    })
}

// ---- the terms of approval ----

/// One catalogue product at this reseller's channel price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelPrice {
    pub sku: String,
    #[schema(value_type = String)]
    pub price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PayoutTerms {
    pub currency: String,
    /// pay out once the month's balance reaches this (else carry it)
    #[schema(value_type = String)]
    pub threshold: Decimal,
}

/// What was agreed with a reseller, kept on the application and the reseller.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Terms {
    #[schema(value_type = Object)]
    pub plan: Plan,
    #[schema(value_type = String)]
    pub tier: Tier,
    /// rates that replace the tier's for this reseller (each within SPEC §6's range)
    #[schema(value_type = Option<Object>)]
    pub rates: Option<TierRates>,
    pub channel_prices: Vec<ChannelPrice>,
    /// whether the reseller may change its channel prices (seed 001)
    pub may_change_channel_price: bool,
    pub payout: Option<PayoutTerms>,
    pub capacity: u32,
    pub parent_reseller_id: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChannelPriceIn {
    pub sku: Option<String>,
    #[schema(value_type = Option<String>)]
    pub price: Option<Amount>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PayoutTermsIn {
    pub currency: Option<String>,
    #[schema(value_type = Option<String>)]
    pub threshold: Option<Amount>,
}

/// The terms an admin approves with (`POST /reseller-applications/{id}/approve`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TermsIn {
    /// `{"kind": "tiered"}` (default), `{"kind": "revenue_share", "rate": "0.30"}`,
    /// `{"kind": "project", "fee": "50000"}` or `{"kind": "margin"}`
    #[schema(value_type = Option<Object>)]
    pub plan: Option<Value>,
    /// registered (default), silver, gold, platinum
    pub tier: Option<String>,
    /// `licence_bands`, `amc_first_year`, `amc_renewal`, `customer_referral`
    #[schema(value_type = Option<Object>)]
    pub rates: Option<Value>,
    #[serde(default)]
    pub channel_prices: Vec<ChannelPriceIn>,
    #[serde(default)]
    pub may_change_channel_price: bool,
    pub payout: Option<PayoutTermsIn>,
    pub capacity: Option<u32>,
    pub parent_reseller_id: Option<String>,
    pub terms_note: Option<String>,
}

fn percent_range(field: &str, rate: Decimal, lo: i64, hi: i64, e: &mut Vec<FieldError>) {
    if rate < Decimal::new(lo, 2) || rate > Decimal::new(hi, 2) {
        e.push(err(field, format!("{rate} is outside {lo}%–{hi}% (SPEC §6)")));
    }
}

/// Valid terms (the catalogue and the parent are checked by the use case, which reads them).
pub fn validate_terms(t: &TermsIn, rules: &ApplicationRules) -> Result<Terms, Vec<FieldError>> {
    let mut e = Vec::new();
    let plan: Plan = match &t.plan {
        None => Plan::Tiered,
        Some(v) => match serde_json::from_value::<Plan>(v.clone()) {
            Ok(p) => p,
            Err(x) => {
                e.push(err(
                    "plan",
                    format!("tiered, revenue_share {{rate}}, project {{fee}} or margin: {x}"),
                ));
                Plan::Tiered
            }
        },
    };
    match &plan {
        Plan::RevenueShare { rate } => percent_range("plan.rate", *rate, 20, 40, &mut e),
        Plan::Project { fee } if *fee <= Decimal::ZERO => e.push(err("plan.fee", "must be greater than zero")),
        _ => {}
    }
    let tier = match t.tier.as_deref() {
        None => Tier::Registered,
        Some(s) => Tier::parse(s).unwrap_or_else(|| {
            e.push(err("tier", "must be registered, silver, gold or platinum"));
            Tier::Registered
        }),
    };
    let rates = match &t.rates {
        None | Some(Value::Null) => None,
        Some(v) => match serde_json::from_value::<TierRates>(v.clone()) {
            Ok(r) => {
                if let Some(bands) = &r.licence_bands {
                    if bands.first().is_none_or(|b| !b.from.is_zero()) {
                        e.push(err("rates.licence_bands", "the first band must start at 0"));
                    }
                    for b in bands {
                        percent_range("rates.licence_bands", b.rate, 20, 40, &mut e);
                    }
                }
                if let Some(x) = r.amc_first_year {
                    percent_range("rates.amc_first_year", x, 15, 25, &mut e);
                }
                if let Some(x) = r.amc_renewal {
                    percent_range("rates.amc_renewal", x, 10, 15, &mut e);
                }
                if let Some(x) = r.customer_referral {
                    percent_range("rates.customer_referral", x, 10, 20, &mut e);
                }
                Some(r)
            }
            Err(x) => {
                e.push(err("rates", x.to_string()));
                None
            }
        },
    };
    let mut channel_prices = Vec::new();
    for (i, c) in t.channel_prices.iter().enumerate() {
        let sku = crate::domain::billing::id(&format!("channel_prices[{i}].sku"), &c.sku, &mut e);
        let price = crate::domain::billing::positive(
            &format!("channel_prices[{i}].price"),
            &c.price,
            Decimal::from(10_000_000_000_i64),
            &mut e,
        );
        if channel_prices.iter().any(|p: &ChannelPrice| p.sku == sku) {
            e.push(err(&format!("channel_prices[{i}].sku"), "appears twice"));
        }
        channel_prices.push(ChannelPrice { sku, price });
    }
    let payout = t.payout.as_ref().map(|p| {
        let currency = p.currency.as_deref().unwrap_or("INR").trim().to_uppercase();
        // a partner may be paid in any ISO 4217 currency (converted at the payout date's rates)
        if crate::domain::fx::currency_code(&currency).is_none() {
            e.push(err("payout.currency", "is not an ISO 4217 currency"));
        }
        let threshold = match &p.threshold {
            None => Decimal::ZERO,
            Some(Amount(Ok(v))) if *v >= Decimal::ZERO && v.normalize().scale() <= 2 => *v,
            Some(_) => {
                e.push(err("payout.threshold", "must be a decimal amount of at least 0"));
                Decimal::ZERO
            }
        };
        PayoutTerms { currency, threshold }
    });
    let capacity = t.capacity.unwrap_or(rules.default_capacity);
    if capacity == 0 || capacity > 100_000 {
        e.push(err("capacity", "must be 1–100000"));
    }
    let parent_reseller_id = t
        .parent_reseller_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let note = text::collect(
        text::optional("terms_note", t.terms_note.as_deref(), 2000, Lines::Multi),
        &mut e,
    )
    .flatten();
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Terms {
        plan,
        tier,
        rates,
        channel_prices,
        may_change_channel_price: t.may_change_channel_price,
        payout,
        capacity,
        parent_reseller_id,
        note,
    })
}

/// The channel prices by SKU (for the quotes of a margin reseller).
pub fn channel_price_map(prices: &[ChannelPrice]) -> BTreeMap<String, Decimal> {
    prices.iter().map(|p| (p.sku.clone(), p.price)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn an_application_reads_nested_json_or_flat_form_fields() {
        let nested = validate(
            &fields(json!({"company": {"name": "Kalyani ERP", "website": "https://www.kalyani-erp.in/about", "pan": "aapck1234l"},
                           "contact": {"name": "Asha", "email": "Asha@Kalyani-ERP.in"}, "regions": ["IN-MH", "India"],
                           "industries": "Manufacturing, retail", "expected_annual_revenue": "2500000.00"})),
            &[],
        )
        .expect("valid");
        assert_eq!(nested.company.domain, "kalyani-erp.in");
        assert_eq!(nested.company.pan.as_deref(), Some("AAPCK1234L"));
        assert_eq!(nested.contact.email, "asha@kalyani-erp.in");
        assert_eq!(nested.regions, ["IN-MH", "IN"]);
        assert_eq!(nested.industries, ["manufacturing", "retail"]);
        let flat = validate(
            &fields(json!({"company_name": "Kalyani ERP", "contact_name": "Asha", "contact_email": "asha@kalyani-erp.in", "website": "http://spam.example"})),
            &[],
        )
        .expect("valid");
        assert_eq!(flat.company.domain, "kalyani-erp.in", "from the contact's email");
        assert!(flat.spam, "the honeypot");
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = validate(
            &fields(
                json!({"company": {"name": "", "gstin": "27AAPCK1234L1Z0", "pan": "AAPCK123"},
                           "contact": {"name": "A", "email": "someone@gmail.com"}, "expected_annual_revenue": "lots"}),
            ),
            &[],
        )
        .expect_err("invalid");
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "company.name",
                "company.domain",
                "company.pan",
                "company.gstin",
                "expected_annual_revenue"
            ]
        );
        assert!(errors[1].message.contains("free-mail"));
    }

    #[test]
    fn terms_are_held_to_the_spec_ranges() {
        let rules = ApplicationRules::default();
        let t: TermsIn = serde_json::from_value(json!({"plan": {"kind": "revenue_share", "rate": "0.5"}, "tier": "gold",
            "rates": {"amc_first_year": "0.3"}, "channel_prices": [{"sku": "ERP", "price": "1000000"}, {"sku": "ERP", "price": "1"}],
            "payout": {"currency": "XYZ"}, "capacity": 0}))
        .expect("json");
        let errors = validate_terms(&t, &rules).expect_err("invalid");
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "plan.rate",
                "rates.amc_first_year",
                "channel_prices[1].sku",
                "payout.currency",
                "capacity"
            ]
        );
        let ok: TermsIn = serde_json::from_value(json!({"tier": "gold", "may_change_channel_price": false,
            "channel_prices": [{"sku": "ERP", "price": "1000000.00"}], "terms_note": "2-year term"}))
        .expect("json");
        let terms = validate_terms(&ok, &rules).expect("valid");
        assert_eq!((terms.tier, terms.capacity, terms.plan), (Tier::Gold, 10, Plan::Tiered));
    }
}
