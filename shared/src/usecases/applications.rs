//! Reseller applications (seed 001): submitted by a company, reviewed by an admin, approved with
//! terms into a reseller (its key returned once) or rejected politely. Each step is one
//! transaction: the application with its company-domain guard, or the decision with the new
//! reseller, so an application is decided exactly once.

use crate::domain::application::{
    Application, ApplicationDecision, ApplicationInput, ApplicationRules, ApplicationStatus, Terms,
};
use crate::domain::field::FieldError;
use crate::domain::reseller::Reseller;
use crate::ids::new_id;
use crate::ports::table::{Cond, Index, Query, StoreError, Table, Write};
use crate::ports::{Clock, Mailer};
use crate::repo::{self, CompanyDomainGuard};
use crate::usecases::rate_limit::{self, Limited};
use crate::usecases::resellers::{creation_writes, draft, NewReseller, ResellerError};

pub struct ApplicationPorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub mailer: &'a dyn Mailer,
    pub rules: &'a ApplicationRules,
    pub mail_from: &'a str,
    /// where referral links start (`<base>/r/<code>`)
    pub public_base_url: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("no application {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("too many applications from {what}; retry in {} seconds", .limited.retry_after)]
    Limited { what: &'static str, limited: Limited },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ResellerError> for ApplicationError {
    fn from(e: ResellerError) -> Self {
        match e {
            ResellerError::Invalid(errors) => ApplicationError::Invalid(errors),
            ResellerError::Store(s) => ApplicationError::Store(s),
            ResellerError::Conflict(m) => ApplicationError::Conflict(m),
        }
    }
}

/// Counts a post from a client address (before its body is read): `Err` past the hour's limit.
pub async fn count_address(ports: &ApplicationPorts<'_>, address: &str) -> Result<(), ApplicationError> {
    let now = ports.clock.now();
    rate_limit::hit(
        ports.table,
        "applications-address",
        address,
        ports.rules.per_address_per_hour,
        now,
    )
    .await?
    .map_err(|limited| ApplicationError::Limited {
        what: "this address",
        limited,
    })
}

/// Stores an application (its company domain held for it) and mails the applicant.
pub async fn submit(ports: &ApplicationPorts<'_>, input: ApplicationInput) -> Result<Application, ApplicationError> {
    submit_under(ports, input, None).await
}

/// A reseller proposes a sub-reseller: an application with its proposed parent (checked now:
/// active, and not too deep), approved at once when the programme says so.
pub async fn propose_sub_reseller(
    ports: &ApplicationPorts<'_>,
    parent_id: &str,
    input: ApplicationInput,
) -> Result<(Application, Option<(Reseller, String)>), ApplicationError> {
    let terms = Terms {
        parent_reseller_id: Some(parent_id.to_string()),
        capacity: ports.rules.default_capacity,
        ..Default::default()
    };
    check_terms(ports, &terms).await?;
    rate_limit::hit(
        ports.table,
        "sub-reseller-proposals",
        parent_id,
        ports.rules.proposals_per_reseller_per_hour,
        ports.clock.now(),
    )
    .await?
    .map_err(|limited| ApplicationError::Limited {
        what: "this reseller",
        limited,
    })?;
    let application = submit_under(ports, input, Some(parent_id.to_string())).await?;
    if !ports.rules.auto_approve_sub_resellers || application.status != ApplicationStatus::Pending {
        return Ok((application, None));
    }
    let by = crate::access::Principal::system("auto-approval");
    let (approved, reseller, key) = approve(ports, &by, &application.application_id, terms).await?;
    Ok((approved, Some((reseller, key))))
}

async fn submit_under(
    ports: &ApplicationPorts<'_>,
    input: ApplicationInput,
    proposed_parent: Option<String>,
) -> Result<Application, ApplicationError> {
    let now = ports.clock.now();
    let email_domain = input.contact.email.rsplit('@').next().unwrap_or("").to_string();
    rate_limit::hit(
        ports.table,
        "applications-domain",
        &email_domain,
        ports.rules.per_email_domain_per_hour,
        now,
    )
    .await?
    .map_err(|limited| ApplicationError::Limited {
        what: "this email domain",
        limited,
    })?;
    let application = Application {
        application_id: new_id(now),
        company: input.company,
        contact: input.contact,
        regions: input.regions,
        industries: input.industries,
        languages: input.languages,
        expected_annual_revenue: input.expected_annual_revenue,
        products: input.products,
        message: input.message,
        status: if input.spam {
            ApplicationStatus::Spam
        } else {
            ApplicationStatus::Pending
        },
        submitted_at: now,
        decision: None,
        terms: None,
        reseller_id: None,
        proposed_parent,
        version: 1,
    };
    let mut writes = vec![repo::put_new(repo::item(&application)?)];
    let mut letter = None;
    if !input.spam {
        writes.push(repo::put_new(repo::item(&CompanyDomainGuard {
            domain: application.company.domain.clone(),
            application_id: application.application_id.clone(),
            reseller_id: None,
        })?));
    }
    // the applicant hears that its application arrived; a company another reseller proposed
    // hears nothing until the partner team approves it (the platform mails nobody on a
    // reseller's say-so)
    if !input.spam && application.proposed_parent.is_none() {
        let body = format!(
            "Thank you for applying to become a reseller for {}. Your application {} is with our partner team, who review every application within five working days and will write to you with the outcome.",
            application.company.name, application.application_id
        );
        letter = self::letter(
            ports,
            &application,
            "received",
            "Your reseller application was received",
            &body,
        )?;
        writes.extend(letter.as_ref().map(|(_, w)| w.clone()));
    }
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(e) if e.is_conflict() => {
            return Err(ApplicationError::Conflict(format!(
                "{} already has a pending application or is a reseller",
                application.company.domain
            )))
        }
        Err(e) => return Err(e.into()),
    }
    send(ports, letter).await;
    Ok(application)
}

/// The applicant's letter about `what` (received, approved, rejected) and the write that owes
/// it, to commit with the change it reports; none (logged) if the message cannot be built.
fn letter(
    ports: &ApplicationPorts<'_>,
    a: &Application,
    what: &str,
    subject: &str,
    body: &str,
) -> Result<Option<(repo::Letter, Write)>, StoreError> {
    let now = ports.clock.now();
    // a proposed company is greeted without the names its proposer typed
    let to_name = if a.proposed_parent.is_some() {
        "partner"
    } else {
        a.contact.name.as_str()
    };
    match crate::mail::notice(ports.mail_from, to_name, &a.contact.email, subject, body, now) {
        Ok(mime) => super::outbox::owe_to(
            &format!("application-{}-{what}", a.application_id),
            ports.mail_from,
            &a.contact.email,
            &mime,
            now,
        )
        .map(Some),
        Err(e) => {
            tracing::error!(application_id = %a.application_id, error = %e, "application email not built");
            Ok(None)
        }
    }
}

/// Sends a committed letter (a failed send stays owed: the outbox sweeper has it).
async fn send(ports: &ApplicationPorts<'_>, letter: Option<(repo::Letter, Write)>) {
    if let Some((letter, _)) = letter {
        let _ = super::outbox::deliver(ports.table, ports.mailer, &letter, ports.clock.now()).await;
    }
}

pub async fn get(table: &dyn Table, id: &str) -> Result<Application, ApplicationError> {
    repo::get_record(table, &repo::application_key(id))
        .await?
        .ok_or_else(|| ApplicationError::NotFound(id.to_string()))
}

/// Applications in one status, oldest first, at most `limit`.
pub async fn by_status(
    table: &dyn Table,
    status: ApplicationStatus,
    limit: u32,
) -> Result<Vec<Application>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::applications_index_pk(status.as_str()))
                .index(Index::Gsi1)
                .limit(limit),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

fn pending(a: &Application) -> Result<(), ApplicationError> {
    if a.status == ApplicationStatus::Pending {
        Ok(())
    } else {
        Err(ApplicationError::Conflict(format!(
            "application {} is {}, not pending",
            a.application_id,
            a.status.as_str()
        )))
    }
}

fn invalid(field: &str, message: String) -> ApplicationError {
    ApplicationError::Invalid(vec![FieldError {
        field: field.into(),
        message,
    }])
}

/// How many resellers deep `parent` is (a top-level reseller is 1), walking its ancestors.
async fn depth_of(table: &dyn Table, parent: &Reseller, max: usize) -> Result<usize, StoreError> {
    let mut depth = 1;
    let mut next = parent.parent_reseller_id.clone();
    while let Some(id) = next {
        depth += 1;
        if depth > max {
            break;
        }
        next = repo::get_record::<Reseller>(table, &repo::reseller_key(&id))
            .await?
            .and_then(|r| r.parent_reseller_id);
    }
    Ok(depth)
}

/// Checks what the terms name: the catalogue's SKUs and the parent (active, not too deep).
async fn check_terms(ports: &ApplicationPorts<'_>, terms: &Terms) -> Result<(), ApplicationError> {
    for (i, c) in terms.channel_prices.iter().enumerate() {
        if crate::usecases::catalogue::get(ports.table, &c.sku).await?.is_none() {
            return Err(invalid(
                &format!("channel_prices[{i}].sku"),
                format!("no product {} in the catalogue", c.sku),
            ));
        }
    }
    if let Some(parent_id) = &terms.parent_reseller_id {
        let parent: Reseller = repo::get_record(ports.table, &repo::reseller_key(parent_id))
            .await?
            .ok_or_else(|| invalid("parent_reseller_id", format!("no reseller {parent_id}")))?;
        if parent.status != crate::domain::reseller::ResellerStatus::Active {
            return Err(invalid(
                "parent_reseller_id",
                format!("reseller {parent_id} is {}", parent.status.as_str()),
            ));
        }
        let depth = depth_of(ports.table, &parent, ports.rules.max_depth).await? + 1;
        if depth > ports.rules.max_depth {
            return Err(invalid(
                "parent_reseller_id",
                format!(
                    "a sub-reseller under {parent_id} would be {depth} levels deep; the limit is {}",
                    ports.rules.max_depth
                ),
            ));
        }
    }
    Ok(())
}

/// Approves a pending application with its terms: the reseller (key and referral code), the
/// decision and the domain guard (now the reseller's) in one transaction; then the welcome.
/// Whether `by` may see and decide an application: the programme-wide staff any, a channel
/// manager the sub-resellers its partners proposed.
pub fn visible_to(a: &Application, by: &crate::access::Principal) -> bool {
    by.programme_wide() || a.proposed_parent.as_deref().is_some_and(|p| by.sees_reseller(p))
}

/// The application, if `by` may see it.
pub async fn get_for(
    table: &dyn Table,
    by: &crate::access::Principal,
    id: &str,
) -> Result<Application, ApplicationError> {
    let a = get(table, id).await?;
    if visible_to(&a, by) {
        Ok(a)
    } else {
        Err(ApplicationError::NotFound(id.to_string()))
    }
}

pub async fn approve(
    ports: &ApplicationPorts<'_>,
    by: &crate::access::Principal,
    id: &str,
    terms: Terms,
) -> Result<(Application, Reseller, String), ApplicationError> {
    let application = get_for(ports.table, by, id).await?;
    pending(&application)?;
    // a proposed sub-reseller goes under its proposer unless the admin says otherwise
    let mut terms = terms;
    if terms.parent_reseller_id.is_none() {
        terms.parent_reseller_id = application.proposed_parent.clone();
    }
    check_terms(ports, &terms).await?;
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let now = ports.clock.now();
        let input = NewReseller {
            name: Some(application.company.name.clone()),
            email: Some(application.contact.email.clone()),
            regions: application.regions.clone(),
            industries: application.industries.clone(),
            tier: serde_json::to_value(terms.tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
            capacity: Some(terms.capacity),
            status: None,
            win_rate: None,
            plan: Some(terms.plan.clone()),
            parent_reseller_id: terms.parent_reseller_id.clone(),
        };
        let (mut reseller, api_key) = draft(&input, now)?;
        if let Some(why) = crate::usecases::resellers::email_taken(ports.table, &reseller.email).await? {
            return Err(ApplicationError::Conflict(why));
        }
        reseller.terms = Some(terms.clone());
        reseller.company_domain = Some(application.company.domain.clone());
        let mut decided = repo::next_of(&application);
        decided.status = ApplicationStatus::Approved;
        decided.terms = Some(terms.clone());
        decided.reseller_id = Some(reseller.reseller_id.clone());
        decided.decision = Some(ApplicationDecision {
            by: by.actor(),
            at: now,
            note: terms.note.clone(),
        });
        let mut writes = vec![repo::put_if_version(repo::item(&decided)?, application.version)];
        let owner = crate::usecases::resellers::first_owner(&reseller, &application.contact.name, by);
        writes.extend(creation_writes(&reseller, &owner, &api_key, by)?);
        writes.push(Write::Put {
            item: repo::item(&CompanyDomainGuard {
                domain: application.company.domain.clone(),
                application_id: application.application_id.clone(),
                reseller_id: Some(reseller.reseller_id.clone()),
            })?,
            cond: None,
        });
        // the reseller's name is the applicant's own words, or its proposer's: only the first
        // is repeated back
        let welcome = if decided.proposed_parent.is_some() {
            "Welcome to the partner programme!".to_string()
        } else {
            format!("Welcome to the partner programme, {}!", reseller.name)
        };
        let body = format!(
            "{welcome} Your reseller account {} is active at the {} tier{}. Your referral link is {}/r/{}. Your API key is handed to you by the partner team; keep it secret.",
            reseller.reseller_id,
            serde_json::to_value(reseller.tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            terms.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
            ports.public_base_url.trim_end_matches('/'),
            reseller.referral_code
        );
        let letter = letter(
            ports,
            &decided,
            "approved",
            "Welcome: your reseller account is active",
            &body,
        )?;
        writes.extend(letter.as_ref().map(|(_, w)| w.clone()));
        match ports.table.transact(writes).await {
            Ok(()) => {
                send(ports, letter).await;
                return Ok((decided, reseller, api_key));
            }
            Err(StoreError::TransactionCancelled { failed }) => {
                if failed.first() == Some(&true) {
                    // decided meanwhile by someone else
                    let now_is = get(ports.table, id).await?;
                    pending(&now_is)?;
                }
                if failed.get(1 + crate::usecases::resellers::EMAIL_CLAIM_WRITE) == Some(&true) {
                    return Err(ApplicationError::Conflict(format!(
                        "{} already belongs to an account",
                        reseller.email
                    )));
                }
                // else a referral-code collision: draw another
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApplicationError::Store(StoreError::Throttled))
}

/// Rejects a pending application with a reason (kept, not sent verbatim to the applicant);
/// the company's domain is free again.
pub async fn reject(
    ports: &ApplicationPorts<'_>,
    by: &crate::access::Principal,
    id: &str,
    reason: String,
) -> Result<Application, ApplicationError> {
    let application = get_for(ports.table, by, id).await?;
    pending(&application)?;
    let now = ports.clock.now();
    let mut decided = repo::next_of(&application);
    decided.status = ApplicationStatus::Rejected;
    decided.decision = Some(ApplicationDecision {
        by: by.actor(),
        at: now,
        note: Some(reason),
    });
    let body = format!(
        "Thank you for your interest in becoming a reseller for {}. After careful review we are unable to offer a partnership at this time. This is no judgement of your company; you are welcome to apply again in the future.",
        decided.company.name
    );
    // a company another reseller proposed never heard of it: nothing to tell it
    let letter = if decided.proposed_parent.is_some() {
        None
    } else {
        letter(ports, &decided, "rejected", "Your reseller application", &body)?
    };
    let mut writes = vec![
        repo::put_if_version(repo::item(&decided)?, application.version),
        Write::Delete {
            key: repo::company_domain_key(&application.company.domain),
            cond: Some(Cond::Equals(
                "application_id".into(),
                application.application_id.clone().into(),
            )),
        },
    ];
    writes.extend(letter.as_ref().map(|(_, w)| w.clone()));
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(e) if e.is_conflict() => {
            pending(&get(ports.table, id).await?)?;
            return Err(ApplicationError::Conflict(format!(
                "application {id} changed meanwhile"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    send(ports, letter).await;
    Ok(decided)
}
