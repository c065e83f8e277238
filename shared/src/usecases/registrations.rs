//! Deal registration (SPEC §4 rule 1): a reseller registers a prospect company and owns the
//! resulting lead for the protection period. The company is claimed by its email domain and
//! its normalised name; a claim by another reseller inside the period is refused (naming the
//! expiry, never the other reseller) and leaves a conflict ticket for admins. Claims are
//! guard items written in one transaction, so of two racing registrations exactly one wins.

use crate::domain::billing::{positive, Amount};
use crate::domain::company_domain::{claimable, host_of};
use crate::domain::field::{is_valid_email, FieldError};
use crate::domain::lead::{Attribution, LeadInput, Profile, RegisteredValue};
use crate::domain::text::{self, Lines};
use crate::ids::new_id;
use crate::ports::table::{Cond, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, QueueSender};
use crate::repo::{self, get_record};
use crate::usecases::capture::{capture_lead, CapturePorts, Captured};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CompanyIn {
    pub name: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ContactIn {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RegistrationIn {
    #[serde(default)]
    pub company: CompanyIn,
    #[serde(default)]
    pub contact: ContactIn,
    /// a decimal string such as "1200000.00"
    #[schema(value_type = Option<String>)]
    pub expected_value: Option<Amount>,
}

pub use crate::domain::registration::{Claim, ClaimOn, Registration};
pub use crate::repo::RegistrationConflict;

#[derive(Debug)]
pub enum Registered {
    Created(Registration),
    /// this reseller already holds the company: its registration, unchanged
    Existing(Registration),
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

/// What a registration claims: the company's name, and its domain if it has its own.
fn claims_of(domain: Option<&str>, name: &str) -> Vec<ClaimOn> {
    let mut on = vec![ClaimOn::Name(normalise_company(name))];
    if let Some(d) = domain {
        on.push(ClaimOn::Domain(d.to_string()));
    }
    on
}

use crate::repo::claim_key;

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

pub struct RegistrationPorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub clock: &'a dyn Clock,
    pub scoring_queue: &'a str,
    pub protection_days: i64,
    /// free-mail domains beyond the maintained list
    pub extra_free_mail_domains: &'a [String],
    /// the largest `expected_value` (the configured largest order)
    pub max_expected_value: rust_decimal::Decimal,
}

/// What a valid registration claims.
struct Valid {
    name: String,
    email: String,
    domain: Option<String>,
    domain_note: Option<String>,
    expected_value: Option<String>,
    contact_name: Option<String>,
    phone: Option<String>,
    title: Option<String>,
}

fn validate(
    input: &RegistrationIn,
    extra_free_mail: &[String],
    max_expected_value: rust_decimal::Decimal,
) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text::collect(
        text::required("company.name", input.company.name.as_deref(), 200, Lines::Single),
        &mut errors,
    );
    if name.as_deref().is_some_and(|n| normalise_company(n).is_empty()) {
        errors.push(err("company.name", "must contain letters or digits"));
    }
    let email = input.contact.email.as_deref().map(str::trim).unwrap_or("").to_string();
    if !is_valid_email(&email) {
        errors.push(err("contact.email", "is not a valid email address"));
    }
    let mut one_line = |field: &str, v: &Option<String>, max: usize| {
        text::collect(text::optional(field, v.as_deref(), max, Lines::Single), &mut errors).flatten()
    };
    let contact_name = one_line("contact.name", &input.contact.name, 200);
    let phone = one_line("contact.phone", &input.contact.phone, 40);
    let title = one_line("contact.title", &input.contact.title, 200);
    let given_domain = one_line("company.domain", &input.company.domain, 253);
    let expected_value = input
        .expected_value
        .as_ref()
        .map(|v| positive("expected_value", &Some(v.clone()), max_expected_value, &mut errors).to_string());
    // the company's own domain claims it; a public or shared one is noted and claims nothing
    let (domain, domain_note) = match given_domain.or_else(|| email.rsplit_once('@').map(|(_, d)| d.to_string())) {
        None => (None, None),
        Some(d) => match claimable(&d, extra_free_mail) {
            Ok(own) => (Some(own), None),
            Err(why) => (
                None,
                Some(format!(
                    "{}: the company is claimed by its name only",
                    why.describe(&host_of(&d))
                )),
            ),
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Valid {
        name: name.unwrap_or_default(),
        email,
        domain,
        domain_note,
        expected_value,
        contact_name,
        phone,
        title,
    })
}

use crate::repo::registration_key;

pub async fn register(
    ports: &RegistrationPorts<'_>,
    reseller_id: &str,
    by_user: Option<&str>,
    input: &RegistrationIn,
) -> Result<Registered, StoreError> {
    let v = match validate(input, ports.extra_free_mail_domains, ports.max_expected_value) {
        Ok(v) => v,
        Err(errors) => return Ok(Registered::Invalid(errors)),
    };
    let claims = claims_of(v.domain.as_deref(), &v.name);
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let now = ports.clock.now();
        let until = now + Duration::days(ports.protection_days);
        let registration_id = new_id(now);
        let mut existing = Vec::new();
        for on in &claims {
            existing.push(get_record::<Claim>(ports.table, &claim_key(on)).await?);
        }
        let live = |c: &&Claim| c.protected_until > now;
        // another reseller's protection wins over anything this reseller holds
        if let Some(c) = existing.iter().flatten().filter(live).find(|c| c.owner != reseller_id) {
            record_conflict(ports.table, &v, &c.owner, reseller_id, c.protected_until, now).await?;
            return Ok(Registered::Conflict(c.protected_until));
        }
        // the company is already this reseller's: the registration it holds, unchanged
        if let Some(c) = existing.iter().flatten().find(live) {
            let key = registration_key(reseller_id, &c.registration_id);
            if let Some(reg) = get_record::<Registration>(ports.table, &key).await? {
                return Ok(Registered::Existing(reg));
            }
        }
        let mut writes = Vec::new();
        for (on, current) in claims.iter().zip(&existing) {
            let cond = match current {
                Some(c) => Cond::Equals("version".into(), json!(c.version)),
                None => Cond::NotExists,
            };
            let claim = Claim {
                owner: reseller_id.into(),
                registration_id: registration_id.clone(),
                protected_until: until,
                on: on.clone(),
                version: repo::version_after(current.as_ref()),
            };
            writes.push(Write::Put {
                item: repo::item(&claim)?,
                cond: Some(cond),
            });
        }
        let reg = Registration {
            registration_id: registration_id.clone(),
            reseller_id: reseller_id.into(),
            company_name: v.name.clone(),
            domain: v.domain.clone(),
            contact_email: v.email.clone(),
            expected_value: v.expected_value.clone(),
            lead_id: None,
            protected_until: until,
            registered_by_user: by_user.map(str::to_string),
            created_at: now,
            domain_note: v.domain_note.clone(),
        };
        writes.push(repo::put_new(repo::item(&reg)?));
        match ports.table.transact(writes).await {
            Ok(()) => {}
            // a concurrent registration claimed it first: look again (and refuse)
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e),
        }
        // the partner-owned lead, scored and routed like any other (routing keeps the owner)
        let registered_value = registered_value(reseller_id, &reg);
        let lead_input = LeadInput {
            email: v.email.clone(),
            profile: Profile {
                name: v.contact_name.clone(),
                company: Some(v.name.clone()),
                phone: v.phone.clone(),
                title: v.title.clone(),
                budget: reg.expected_value.clone(),
                ..Default::default()
            },
            attribution: Attribution {
                channel: "partner_registration".into(),
                ..Default::default()
            },
            registered_by: Some(reseller_id.into()),
            // the person who registered it works it
            assigned_user: by_user.map(str::to_string),
            registered_value: registered_value.clone(),
            ..Default::default()
        };
        let capture = CapturePorts {
            table: ports.table,
            queue: ports.queue,
            clock: ports.clock,
            scoring_queue: ports.scoring_queue,
        };
        let lead_id = match capture_lead(&capture, &lead_input, None, &registration_id).await {
            Ok(Captured::Created { lead_id }) => Some(lead_id),
            // the open lead of that email takes the registration's value
            Ok(Captured::Duplicate { lead_id }) => {
                if let Some(value) = &registered_value {
                    give_value(ports.table, &lead_id, value, now).await;
                }
                Some(lead_id)
            }
            Ok(Captured::Replayed { .. }) => None,
            Err(e) => {
                tracing::error!(registration_id = %registration_id, error = %e, "registration stored but its lead was not");
                None
            }
        };
        let mut done = reg.clone();
        done.lead_id = lead_id;
        ports.table.put(repo::item(&done)?, None).await?;
        return Ok(Registered::Created(done));
    }
    Err(StoreError::Throttled)
}

/// The registration's expected value as its lead keeps it (none when it gave none, or not a
/// decimal amount).
fn registered_value(reseller_id: &str, reg: &Registration) -> Option<RegisteredValue> {
    let value = crate::domain::money::parse_decimal(reg.expected_value.as_deref()?).ok()?;
    Some(RegisteredValue {
        reseller_id: reseller_id.to_string(),
        value,
    })
}

/// Gives an existing lead the registration's value (its board and forecast count it while the
/// registering reseller owns it). The registration stands if this fails: it is logged.
async fn give_value(table: &dyn Table, lead_id: &str, value: &RegisteredValue, now: DateTime<Utc>) {
    let changed = repo::update(table, &repo::lead_key(lead_id), |l: &crate::domain::lead::Lead| {
        if l.registered_value.as_ref() == Some(value) {
            return Ok::<_, StoreError>(repo::Change::Keep);
        }
        let mut next = l.clone();
        next.registered_value = Some(value.clone());
        next.updated_at = now;
        Ok(repo::Change::to(next))
    })
    .await;
    if let Err(e) = changed {
        tracing::error!(lead_id, error = %e, "registration stored but its value not given to the lead");
    }
}

async fn record_conflict(
    table: &dyn Table,
    v: &Valid,
    holder: &str,
    claimant: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ticket = repo::RegistrationConflict {
        id: new_id(now),
        company: v.name.clone(),
        domain: v.domain.clone(),
        protected_for: holder.to_string(),
        claimed_by: claimant.to_string(),
        protected_until: until,
        at: now,
        contact_email: Some(v.email.clone()),
        expected_value: v.expected_value.clone(),
        decision: None,
    };
    table.put(repo::item(&ticket)?, None).await
}

/// A reseller's own registrations, newest first.
pub async fn list_own(table: &dyn Table, reseller_id: &str) -> Result<Vec<Registration>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::reseller_pk(reseller_id))
                .sk(SkRange::BeginsWith(repo::REGISTRATION_PREFIX.into()))
                .backward(),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

/// Conflict tickets for admins, newest first.
/// The same conflicts, typed.
pub async fn conflict_records(table: &dyn Table) -> Result<Vec<repo::RegistrationConflict>, StoreError> {
    let page = table
        .query(&Query::new(repo::CONFLICTS_PK).backward().limit(100))
        .await?;
    page.items
        .into_iter()
        .map(|item| {
            let id = repo::key_of(&item).map(|k| k.sk).unwrap_or_default();
            let mut c: repo::RegistrationConflict = repo::record(item)?;
            if c.id.is_empty() {
                c.id = id;
            }
            Ok(c)
        })
        .collect()
}

/// Whether `by` may see (and decide) a conflict: the programme-wide staff any, a channel
/// manager one its partner is in.
pub fn conflict_visible(c: &repo::RegistrationConflict, by: &crate::access::Principal) -> bool {
    by.sees_reseller(&c.claimed_by) || by.sees_reseller(&c.protected_for)
}

pub async fn conflicts(table: &dyn Table, by: &crate::access::Principal) -> Result<Vec<Value>, StoreError> {
    conflict_records(table)
        .await?
        .iter()
        .filter(|c| conflict_visible(c, by))
        .map(|c| serde_json::to_value(c).map_err(|e| StoreError::Invalid(e.to_string())))
        .collect()
}

/// Why a conflict could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum ConflictError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The programme decides a registration conflict (a programme admin, or the channel manager of
/// either reseller): `approve` gives the company to the claimant — the holder's protection ends
/// and the claimant's registration (with its lead) is made as it asked; `reject` leaves it with
/// the holder. Once: a decided conflict is `409`.
pub async fn decide_conflict(
    ports: &RegistrationPorts<'_>,
    by: &crate::access::Principal,
    conflict_id: &str,
    approve: bool,
    note: Option<String>,
) -> Result<repo::RegistrationConflict, ConflictError> {
    let not_found = || ConflictError::NotFound(format!("no registration conflict {conflict_id}"));
    let key = repo::conflict_key(conflict_id);
    let mut conflict: repo::RegistrationConflict = get_record(ports.table, &key).await?.ok_or_else(not_found)?;
    conflict.id = conflict_id.to_string();
    if !conflict_visible(&conflict, by) {
        return Err(not_found());
    }
    if let Some(d) = &conflict.decision {
        return Err(ConflictError::Conflict(format!(
            "decided already: {} by {}",
            d.outcome, d.by
        )));
    }
    let now = ports.clock.now();
    if approve {
        let Some(email) = conflict.contact_email.clone() else {
            return Err(ConflictError::Conflict(
                "this conflict predates the details a registration needs: ask the partner to register again".into(),
            ));
        };
        // the holder's protection of the company ends (its registration stays on record)
        for on in claims_of(conflict.domain.as_deref(), &conflict.company) {
            ports
                .table
                .transact(vec![Write::Delete {
                    key: claim_key(&on),
                    cond: Some(Cond::Equals("owner".into(), json!(conflict.protected_for))),
                }])
                .await
                .or_else(|e| if e.is_conflict() { Ok(()) } else { Err(e) })?;
        }
        let input = RegistrationIn {
            company: CompanyIn {
                name: Some(conflict.company.clone()),
                domain: conflict.domain.clone(),
            },
            contact: ContactIn {
                email: Some(email),
                ..Default::default()
            },
            expected_value: conflict
                .expected_value
                .as_deref()
                .map(|v| Amount(crate::domain::money::parse_decimal(v).map_err(|e| e.to_string()))),
        };
        match register(ports, &conflict.claimed_by, None, &input).await? {
            Registered::Created(_) | Registered::Existing(_) => {}
            Registered::Conflict(until) => {
                return Err(ConflictError::Conflict(format!(
                    "another partner holds the company until {until}"
                )))
            }
            Registered::Invalid(errors) => return Err(ConflictError::Invalid(errors)),
        }
    }
    let mut decided = conflict.clone();
    decided.decision = Some(repo::ConflictDecision {
        outcome: if approve { "approved" } else { "rejected" }.into(),
        by: by.actor(),
        at: now,
        note,
    });
    let audit = crate::usecases::audit::audit_record(
        by,
        &format!("reseller:{}", conflict.claimed_by),
        if approve {
            "registration_conflict.approved"
        } else {
            "registration_conflict.rejected"
        },
        format!("{} (held by {})", conflict.company, conflict.protected_for),
        now,
    );
    ports
        .table
        .transact(vec![
            Write::Put {
                item: repo::item(&decided)?,
                cond: Some(Cond::Missing("decision".into())),
            },
            repo::put_new(repo::item(&audit)?),
        ])
        .await
        .map_err(|e| {
            if e.is_conflict() {
                ConflictError::Conflict("decided meanwhile".into())
            } else {
                ConflictError::Store(e)
            }
        })?;
    Ok(decided)
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

    /// The registration's expected value goes on its lead: the one it creates, or the open
    /// lead that email already had.
    #[tokio::test]
    async fn the_registered_value_is_kept_on_its_lead() {
        use crate::adapters::embedded::{EmbeddedQueue, EmbeddedTable};
        use crate::domain::lead::Lead;
        use crate::ports::clock::SystemClock;
        let table = EmbeddedTable::in_memory();
        let queue = EmbeddedQueue::new(&["scoring"], std::time::Duration::from_secs(5), 5, None).expect("queue");
        let capture = CapturePorts {
            table: &table,
            queue: &queue,
            clock: &SystemClock,
            scoring_queue: "scoring",
        };
        let known = LeadInput {
            email: "buyer@shreetextiles.in".into(),
            ..Default::default()
        };
        let Ok(Captured::Created { lead_id: existing }) = capture_lead(&capture, &known, None, "c").await else {
            panic!("captured");
        };
        let ports = RegistrationPorts {
            table: &table,
            queue: &queue,
            clock: &SystemClock,
            scoring_queue: "scoring",
            protection_days: 90,
            extra_free_mail_domains: &[],
            max_expected_value: rust_decimal::Decimal::new(1_000_000_000, 0),
        };
        let lead_of = |reg: Registered| match reg {
            Registered::Created(r) => r.lead_id.expect("a lead"),
            _ => panic!("registered"),
        };
        let ports = &ports;
        let claim = |company: &'static str, domain: &'static str, email: &'static str| {
            let input: RegistrationIn = serde_json::from_value(json!({
                "company": {"name": company, "domain": domain},
                "contact": {"name": "A Buyer", "email": email},
                "expected_value": "1200000.50"
            }))
            .expect("input");
            async move { register(ports, "R1", None, &input).await.expect("register") }
        };
        let expected = Some(RegisteredValue {
            reseller_id: "R1".into(),
            value: rust_decimal::Decimal::new(120_000_050, 2),
        });
        let on_existing = lead_of(claim("Shree Textiles", "shreetextiles.in", "buyer@shreetextiles.in").await);
        assert_eq!(on_existing, existing);
        let created = lead_of(claim("Acme Tools", "acmetools.in", "cfo@acmetools.in").await);
        assert_ne!(created, existing);
        for id in [existing, created] {
            let lead: Lead = get_record(&table, &repo::lead_key(&id))
                .await
                .expect("read")
                .expect("lead");
            assert_eq!(lead.registered_value, expected, "{id}");
        }
    }
}
