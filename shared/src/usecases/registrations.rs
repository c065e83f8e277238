//! Deal registration (SPEC §4 rule 1): a reseller registers a prospect company and owns the
//! resulting lead for the protection period. The company is claimed by its email domain and
//! its normalised name; a claim by another reseller inside the period is refused (naming the
//! expiry, never the other reseller) and leaves a conflict ticket for admins. Claims are
//! guard items written in one transaction, so of two racing registrations exactly one wins.

use crate::domain::lead::{is_valid_email, Attribution, FieldError, LeadInput, Profile};
use crate::ids::new_id;
use crate::ports::table::{Cond, Key, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, Queue};
use crate::repo::{self, get_record};
use crate::usecases::capture::{capture_lead, CapturePorts, Captured};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Default, Deserialize)]
pub struct CompanyIn {
    pub name: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactIn {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RegistrationIn {
    #[serde(default)]
    pub company: CompanyIn,
    #[serde(default)]
    pub contact: ContactIn,
    pub expected_value: Option<Value>,
}

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
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Claim {
    owner: String,
    registration_id: String,
    protected_until: DateTime<Utc>,
    version: u64,
}

#[derive(Debug)]
pub enum Registered {
    Created(Registration),
    /// the company is protected for another reseller until then
    Conflict(DateTime<Utc>),
    Invalid(Vec<FieldError>),
}

/// "Shree Textile Industries Pvt. Ltd." → "shreetextileindustries".
pub fn normalise_company(name: &str) -> String {
    let words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let noise = [
        "pvt",
        "private",
        "ltd",
        "limited",
        "llp",
        "inc",
        "co",
        "corp",
        "corporation",
        "company",
        "the",
        "llc",
        "plc",
        "gmbh",
    ];
    words.into_iter().filter(|w| !noise.contains(&w.as_str())).collect()
}

fn claim_keys(domain: Option<&str>, name: &str) -> Vec<Key> {
    let mut keys = vec![Key::new(format!("REGCLAIM#NAME#{}", normalise_company(name)), "CLAIM")];
    if let Some(d) = domain {
        keys.push(Key::new(format!("REGCLAIM#DOMAIN#{d}"), "CLAIM"));
    }
    keys
}

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

pub struct RegistrationPorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn Queue,
    pub clock: &'a dyn Clock,
    pub scoring_queue: &'a str,
    pub protection_days: i64,
}

pub async fn register(
    ports: &RegistrationPorts<'_>,
    reseller_id: &str,
    input: &RegistrationIn,
) -> Result<Registered, StoreError> {
    let mut errors = Vec::new();
    let name = input
        .company
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 200)
        .map(str::to_string);
    if name.as_deref().map(normalise_company).is_none_or(|n| n.is_empty()) {
        errors.push(err("company.name", "is required"));
    }
    let email = input.contact.email.as_deref().map(str::trim).unwrap_or("").to_string();
    if !is_valid_email(&email) {
        errors.push(err("contact.email", "is not a valid email address"));
    }
    let domain = input
        .company
        .domain
        .as_deref()
        .map(|d| d.trim().trim_start_matches("www.").to_lowercase())
        .filter(|d| !d.is_empty())
        .or_else(|| email.rsplit_once('@').map(|(_, d)| d.to_lowercase()));
    if !errors.is_empty() {
        return Ok(Registered::Invalid(errors));
    }
    let name = name.unwrap_or_default();
    let keys = claim_keys(domain.as_deref(), &name);
    for _ in 0..4 {
        let now = ports.clock.now();
        let until = now + Duration::days(ports.protection_days);
        let registration_id = new_id(now);
        let mut writes = Vec::new();
        for key in &keys {
            let existing: Option<Claim> = get_record(ports.table, key).await?;
            let cond = match &existing {
                Some(c) if c.protected_until > now => {
                    record_conflict(
                        ports.table,
                        &name,
                        domain.as_deref(),
                        &c.owner,
                        reseller_id,
                        c.protected_until,
                        now,
                    )
                    .await?;
                    return Ok(Registered::Conflict(c.protected_until));
                }
                Some(c) => Cond::Equals("version".into(), json!(c.version)),
                None => Cond::NotExists,
            };
            let claim = Claim {
                owner: reseller_id.into(),
                registration_id: registration_id.clone(),
                protected_until: until,
                version: existing.map(|c| c.version + 1).unwrap_or(1),
            };
            writes.push(Write::Put {
                item: repo::item_of(&claim, "registration_claim", key, &[])?,
                cond: Some(cond),
            });
        }
        let reg = Registration {
            registration_id: registration_id.clone(),
            reseller_id: reseller_id.into(),
            company_name: name.clone(),
            domain: domain.clone(),
            contact_email: email.clone(),
            expected_value: input
                .expected_value
                .as_ref()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
            lead_id: None,
            protected_until: until,
            created_at: now,
        };
        let reg_key = Key::new(
            repo::reseller_key(reseller_id).pk,
            format!("REGISTRATION#{registration_id}"),
        );
        writes.push(repo::put_new(repo::item_of(&reg, "registration", &reg_key, &[])?));
        match ports.table.transact(writes).await {
            Ok(()) => {}
            // a concurrent registration claimed it first: look again (and refuse)
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e),
        }
        // the partner-owned lead, scored and routed like any other (routing keeps the owner)
        let lead_input = LeadInput {
            email: email.clone(),
            profile: Profile {
                name: input.contact.name.clone(),
                company: Some(name.clone()),
                phone: input.contact.phone.clone(),
                title: input.contact.title.clone(),
                budget: reg.expected_value.clone(),
                ..Default::default()
            },
            attribution: Attribution {
                channel: "partner_registration".into(),
                ..Default::default()
            },
            registered_by: Some(reseller_id.into()),
            ..Default::default()
        };
        let capture = CapturePorts {
            table: ports.table,
            queue: ports.queue,
            clock: ports.clock,
            scoring_queue: ports.scoring_queue,
        };
        let lead_id = match capture_lead(&capture, &lead_input, None, &registration_id).await {
            Ok(Captured::Created { lead_id }) | Ok(Captured::Duplicate { lead_id }) => Some(lead_id),
            Ok(Captured::Replayed { .. }) => None,
            Err(e) => {
                tracing::error!(registration_id = %registration_id, error = %e, "registration stored but its lead was not");
                None
            }
        };
        let mut done = reg.clone();
        done.lead_id = lead_id;
        ports
            .table
            .put(repo::item_of(&done, "registration", &reg_key, &[])?, None)
            .await?;
        return Ok(Registered::Created(done));
    }
    Err(StoreError::Throttled)
}

async fn record_conflict(
    table: &dyn Table,
    company: &str,
    domain: Option<&str>,
    holder: &str,
    claimant: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ticket = json!({"company": company, "domain": domain, "protected_for": holder, "claimed_by": claimant, "protected_until": until, "at": now});
    table
        .put(
            repo::item_of(
                &ticket,
                "registration_conflict",
                &Key::new("REGCONFLICTS", new_id(now)),
                &[],
            )?,
            None,
        )
        .await
}

/// A reseller's own registrations, newest first.
pub async fn list_own(table: &dyn Table, reseller_id: &str) -> Result<Vec<Registration>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::reseller_key(reseller_id).pk)
                .sk(SkRange::BeginsWith("REGISTRATION#".into()))
                .backward(),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

/// Conflict tickets for admins, newest first.
pub async fn conflicts(table: &dyn Table) -> Result<Vec<Value>, StoreError> {
    let page = table.query(&Query::new("REGCONFLICTS").backward().limit(100)).await?;
    Ok(page
        .items
        .into_iter()
        .map(|i| {
            Value::Object(
                i.into_iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "pk" | "sk" | "entity"))
                    .collect(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_names_normalise() {
        assert_eq!(
            normalise_company("Shree Textile Industries Pvt. Ltd."),
            "shreetextileindustries"
        );
        assert_eq!(normalise_company("SHREE textile industries"), "shreetextileindustries");
        assert_eq!(normalise_company("The Acme Company"), "acme");
    }
}
