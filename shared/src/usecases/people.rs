//! People (SPEC §11): a reseller's team (invite, change role, remove) and the vendor's staff
//! (create, change, remove, keys), channel managers' partners, and the backfill that gives
//! resellers made before people were kept their first owner. Every change is a conditional
//! transaction with its audit record naming the person who made it.

use crate::access::Principal;
use crate::domain::field::FieldError;
use crate::domain::lead::Lead;
use crate::domain::people::{self, PersonStatus, ResellerRole, Staff, StaffIn, StaffRole, User, UserIn};
use crate::domain::reseller::{Reseller, ResellerStatus};
use crate::ids::new_id;
use crate::ports::table::{Cond, Index, Query, StoreError, Table, Write};
use crate::ports::{Clock, Mailer};
use crate::repo::{self, ApiKeyRecord, EmailClaim, LoginLink, PortalUser};
use crate::usecases::audit::audit_record;
use crate::usecases::resellers::{random_hex, sha256_hex, KeyInfo};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How long an invitation's sign-in link works.
pub const INVITATION_HOURS: i64 = 72;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct PeoplePorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub mailer: &'a dyn Mailer,
    pub mail_from: &'a str,
    /// the portal's public URL: invitation links point under it
    pub portal_url: &'a str,
}

fn audit_write(
    by: &Principal,
    subject: &str,
    action: &str,
    detail: String,
    now: DateTime<Utc>,
) -> Result<Write, StoreError> {
    Ok(repo::put_new(repo::item(&audit_record(
        by, subject, action, detail, now,
    ))?))
}

// ---- who an address, a key or a session is ----

/// The person an address signs in as, if any (removed people and deactivated resellers'
/// people sign in as nobody).
pub async fn person_for_email(table: &dyn Table, email: &str) -> Result<Option<PortalUser>, StoreError> {
    let email = email.trim().to_lowercase();
    let Some(claim) = repo::get_record::<EmailClaim>(table, &repo::email_claim_key(&email)).await? else {
        return Ok(None);
    };
    if let Some(id) = claim.holder.strip_prefix("user:") {
        return Ok(active_user(table, id).await?.map(|u| PortalUser::User(u.user_id)));
    }
    if let Some(id) = claim.holder.strip_prefix("staff:") {
        return Ok(active_staff(table, id).await?.map(|s| PortalUser::Staff(s.staff_id)));
    }
    Ok(None)
}

/// A person of a reseller that still works with the platform.
pub async fn active_user(table: &dyn Table, user_id: &str) -> Result<Option<User>, StoreError> {
    let Some(user) = get_user(table, user_id).await? else {
        return Ok(None);
    };
    if user.status != PersonStatus::Active {
        return Ok(None);
    }
    let status = crate::usecases::resellers::get(table, &user.reseller_id)
        .await?
        .map(|r| r.status);
    Ok(matches!(status, Some(ResellerStatus::Active | ResellerStatus::Suspended)).then_some(user))
}

pub async fn active_staff(table: &dyn Table, staff_id: &str) -> Result<Option<Staff>, StoreError> {
    Ok(get_staff(table, staff_id)
        .await?
        .filter(|s| s.status == PersonStatus::Active))
}

pub async fn get_user(table: &dyn Table, user_id: &str) -> Result<Option<User>, StoreError> {
    repo::get_record(table, &repo::user_key(user_id)).await
}

pub async fn get_staff(table: &dyn Table, staff_id: &str) -> Result<Option<Staff>, StoreError> {
    repo::get_record(table, &repo::staff_key(staff_id)).await
}

/// A reseller's people, active and removed, by id.
pub async fn team(table: &dyn Table, reseller_id: &str) -> Result<Vec<User>, StoreError> {
    repo::query_all(table, Query::new(repo::team_index_pk(reseller_id)).index(Index::Gsi1))
        .await?
        .into_iter()
        .map(repo::record)
        .collect()
}

/// Its active people with one of `roles`.
pub async fn team_with(table: &dyn Table, reseller_id: &str, roles: &[ResellerRole]) -> Result<Vec<User>, StoreError> {
    Ok(team(table, reseller_id)
        .await?
        .into_iter()
        .filter(|u| u.status == PersonStatus::Active && roles.contains(&u.role))
        .collect())
}

/// Every member of staff, by id.
pub async fn all_staff(table: &dyn Table) -> Result<Vec<Staff>, StoreError> {
    repo::query_all(table, Query::new(repo::STAFF_INDEX_PK).index(Index::Gsi1))
        .await?
        .into_iter()
        .map(repo::record)
        .collect()
}

/// The resellers a channel manager looks after.
pub async fn partners(table: &dyn Table, staff_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(
        repo::query_all(table, Query::new(repo::partners_index_pk(staff_id)).index(Index::Gsi4))
            .await?
            .into_iter()
            .filter_map(|i| repo::string_attr(&i, "reseller_id"))
            .collect(),
    )
}

/// Why an address cannot be given to another person, if it cannot.
async fn taken(table: &dyn Table, email: &str) -> Result<Option<String>, StoreError> {
    crate::usecases::resellers::email_taken(table, email).await
}

// ---- who hears of a lead ----

/// Who a reseller's mail about a lead goes to: the person assigned to it (its rep) with the
/// managers copied; an unassigned lead's mail goes to the reseller's contact with its owners and
/// managers copied. The first address is the one the message is written to.
pub async fn lead_recipients(
    table: &dyn Table,
    reseller: &Reseller,
    assigned_user: Option<&str>,
) -> Result<(String, Vec<String>), StoreError> {
    let people = team_with(
        table,
        &reseller.reseller_id,
        &[ResellerRole::Owner, ResellerRole::Manager, ResellerRole::Rep],
    )
    .await?;
    let assigned = assigned_user.and_then(|id| people.iter().find(|u| u.user_id == id));
    let (name, mut to) = match assigned {
        Some(u) => (u.name.clone(), vec![u.email.clone()]),
        None => (reseller.name.clone(), vec![reseller.email.trim().to_lowercase()]),
    };
    let copied = people.iter().filter(|u| match assigned {
        Some(_) => u.role == ResellerRole::Manager,
        None => matches!(u.role, ResellerRole::Owner | ResellerRole::Manager),
    });
    for u in copied {
        if !to.contains(&u.email) {
            to.push(u.email.clone());
        }
    }
    Ok((name, to))
}

// ---- invitations and sign-in links ----

/// A one-time sign-in link for `user`, valid for `hours`: the item to write and the URL.
pub fn sign_in_link(
    user: PortalUser,
    hours: i64,
    portal_url: &str,
    now: DateTime<Utc>,
) -> Result<(LoginLink, String), StoreError> {
    let token = random_hex(32)?;
    let expires_at = now + Duration::hours(hours);
    let link = LoginLink {
        token_hash: sha256_hex(&token),
        user,
        expires_at,
        used: false,
        ttl: (expires_at + Duration::days(1)).timestamp(),
    };
    Ok((
        link,
        format!("{}/portal/auth/{token}", portal_url.trim_end_matches('/')),
    ))
}

/// The invitation email (owed in the transaction that creates the person) and the link's write.
fn invitation(
    ports: &PeoplePorts<'_>,
    who: PortalUser,
    letter_id: &str,
    email: &str,
    name: &str,
    what: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<Write>, Option<repo::Letter>), StoreError> {
    let (link, url) = sign_in_link(who, INVITATION_HOURS, ports.portal_url, now)?;
    let mut writes = vec![repo::put_new(repo::item(&link)?)];
    let body = format!(
        "You have been invited to the partner portal {what}. Sign in with this link (it works once, for {INVITATION_HOURS} hours; after that ask for a new one on the login page with this address): {url}"
    );
    match crate::mail::notice(
        ports.mail_from,
        name,
        email,
        "Your invitation to the partner portal",
        &body,
        now,
    ) {
        Ok(mime) => {
            let (letter, write) = super::outbox::owe_to(letter_id, ports.mail_from, email, &mime, now)?;
            writes.push(write);
            Ok((writes, Some(letter)))
        }
        Err(e) => {
            tracing::error!(error = %e, "invitation not built");
            Ok((writes, None))
        }
    }
}

async fn deliver(ports: &PeoplePorts<'_>, letter: Option<repo::Letter>) {
    if let Some(letter) = letter {
        let _ = super::outbox::deliver(ports.table, ports.mailer, &letter, ports.clock.now()).await;
    }
}

// ---- a reseller's team ----

fn refuse_other_reseller(by: &Principal, reseller_id: &str) -> Result<(), PeopleError> {
    if by.sees_reseller(reseller_id) {
        Ok(())
    } else {
        Err(PeopleError::NotFound(format!("no reseller {reseller_id}")))
    }
}

async fn working_reseller(table: &dyn Table, reseller_id: &str) -> Result<Reseller, PeopleError> {
    match crate::usecases::resellers::get(table, reseller_id).await? {
        Some(r) if r.status == ResellerStatus::Active => Ok(r),
        Some(r) => Err(PeopleError::Conflict(format!(
            "a {} reseller's team does not change",
            r.status.as_str()
        ))),
        None => Err(PeopleError::NotFound(format!("no reseller {reseller_id}"))),
    }
}

/// Invites a person into a reseller's team: the person, the claim on its address, its sign-in
/// link and the invitation email, in one transaction (`409` if the address belongs to anyone).
pub async fn invite(
    ports: &PeoplePorts<'_>,
    by: &Principal,
    reseller_id: &str,
    input: &UserIn,
) -> Result<User, PeopleError> {
    refuse_other_reseller(by, reseller_id)?;
    let (email, name, role) = people::new_user(input).map_err(PeopleError::Invalid)?;
    let reseller = working_reseller(ports.table, reseller_id).await?;
    if let Some(why) = taken(ports.table, &email).await? {
        return Err(PeopleError::Conflict(why));
    }
    let now = ports.clock.now();
    let user = User {
        user_id: new_id(now),
        reseller_id: reseller_id.to_string(),
        email: email.clone(),
        name: name.clone(),
        role,
        status: PersonStatus::Active,
        invited_by: by.actor(),
        created_at: now,
        removed_at: None,
        version: 1,
    };
    let mut writes = vec![
        repo::put_new(repo::item(&EmailClaim {
            email: email.clone(),
            holder: format!("user:{}", user.user_id),
        })?),
        repo::put_new(repo::item(&user)?),
        audit_write(
            by,
            &format!("reseller:{reseller_id}"),
            "user.invited",
            format!("{} as {}", user.user_id, role.as_str()),
            now,
        )?,
    ];
    let (more, letter) = invitation(
        ports,
        PortalUser::User(user.user_id.clone()),
        &format!("invitation-{}", user.user_id),
        &email,
        &name,
        &format!("as a {} of {}", role.as_str(), reseller.name),
        now,
    )?;
    writes.extend(more);
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { failed }) if failed.first() == Some(&true) => {
            return Err(PeopleError::Conflict(format!("{email} already belongs to an account")))
        }
        Err(e) => return Err(e.into()),
    }
    deliver(ports, letter).await;
    Ok(user)
}

async fn member(table: &dyn Table, reseller_id: &str, user_id: &str) -> Result<User, PeopleError> {
    match get_user(table, user_id).await? {
        Some(u) if u.reseller_id == reseller_id => Ok(u),
        _ => Err(PeopleError::NotFound(format!(
            "no user {user_id} in reseller {reseller_id}"
        ))),
    }
}

/// Changes a person's role; the reseller keeps at least one owner.
pub async fn change_role(
    ports: &PeoplePorts<'_>,
    by: &Principal,
    reseller_id: &str,
    user_id: &str,
    role: Option<&str>,
) -> Result<User, PeopleError> {
    refuse_other_reseller(by, reseller_id)?;
    let mut errors = Vec::new();
    let role = people::reseller_role(role, &mut errors).ok_or(PeopleError::Invalid(errors))?;
    let user = member(ports.table, reseller_id, user_id).await?;
    if user.status != PersonStatus::Active {
        return Err(PeopleError::Conflict(format!("{user_id} was removed")));
    }
    if user.role == role {
        return Ok(user);
    }
    if role != ResellerRole::Owner && people::last_owner(&team(ports.table, reseller_id).await?, user_id) {
        return Err(PeopleError::Conflict("a reseller keeps at least one owner".into()));
    }
    let now = ports.clock.now();
    let mut next = repo::next_of(&user);
    next.role = role;
    ports
        .table
        .transact(vec![
            repo::put_if_version(repo::item(&next)?, user.version),
            audit_write(
                by,
                &format!("reseller:{reseller_id}"),
                "user.role_changed",
                format!("{user_id}: {} → {}", user.role.as_str(), role.as_str()),
                now,
            )?,
        ])
        .await
        .map_err(conflict_meanwhile)?;
    Ok(next)
}

fn conflict_meanwhile(e: StoreError) -> PeopleError {
    if e.is_conflict() {
        PeopleError::Conflict("changed meanwhile; read it again".into())
    } else {
        PeopleError::Store(e)
    }
}

/// What removing a person did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Removed {
    pub user_id: String,
    pub keys_revoked: usize,
    /// its open leads, now unassigned within the reseller
    pub leads_unassigned: Vec<String>,
}

/// Removes a person: at once its keys are revoked and its address freed, its sessions end on
/// their next request, and its open leads return to the reseller's unassigned list (each
/// audited with the remover's id). Removing someone already removed finishes what is left.
pub async fn remove(
    ports: &PeoplePorts<'_>,
    by: &Principal,
    reseller_id: &str,
    user_id: &str,
) -> Result<Removed, PeopleError> {
    refuse_other_reseller(by, reseller_id)?;
    let user = member(ports.table, reseller_id, user_id).await?;
    let now = ports.clock.now();
    let mut keys_revoked = 0;
    if user.status == PersonStatus::Active {
        if user.role == ResellerRole::Owner && people::last_owner(&team(ports.table, reseller_id).await?, user_id) {
            return Err(PeopleError::Conflict("a reseller keeps at least one owner".into()));
        }
        let mut next = repo::next_of(&user);
        next.status = PersonStatus::Removed;
        next.removed_at = Some(now);
        let keys = person_keys(ports.table, &repo::api_keys_index_pk(reseller_id), |k| {
            k.user_id.as_deref() == Some(user_id)
        })
        .await?;
        keys_revoked = keys.len();
        let mut writes = vec![
            repo::put_if_version(repo::item(&next)?, user.version),
            Write::Delete {
                key: repo::email_claim_key(&user.email),
                cond: Some(Cond::Equals("holder".into(), json!(format!("user:{user_id}")))),
            },
            audit_write(
                by,
                &format!("reseller:{reseller_id}"),
                "user.removed",
                format!("{user_id} ({}), {keys_revoked} key(s) revoked", user.role.as_str()),
                now,
            )?,
        ];
        writes.extend(keys.into_iter().map(|key| Write::Delete { key, cond: None }));
        match ports.table.transact(writes).await {
            Ok(()) => {}
            // the claim was already gone (an address freed by hand): remove without it
            Err(StoreError::TransactionCancelled { failed }) if failed.get(1) == Some(&true) => {
                return Err(PeopleError::Conflict("changed meanwhile; try again".into()))
            }
            Err(e) => return Err(conflict_meanwhile(e)),
        }
    }
    let leads_unassigned = unassign_leads(ports.table, by, reseller_id, user_id, now).await?;
    Ok(Removed {
        user_id: user_id.to_string(),
        keys_revoked,
        leads_unassigned,
    })
}

/// The keys on an index that `keep` selects.
async fn person_keys(
    table: &dyn Table,
    index_pk: &str,
    keep: impl Fn(&ApiKeyRecord) -> bool,
) -> Result<Vec<crate::ports::table::Key>, StoreError> {
    let mut out = Vec::new();
    for item in repo::query_all(table, Query::new(index_pk.to_string()).index(Index::Gsi1)).await? {
        let key = repo::key_of(&item);
        let record: ApiKeyRecord = repo::record(item)?;
        if let (true, Some(key)) = (keep(&record), key) {
            out.push(key);
        }
    }
    Ok(out)
}

/// Returns a removed person's open leads to its reseller's unassigned list.
async fn unassign_leads(
    table: &dyn Table,
    by: &Principal,
    reseller_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let mut done = Vec::new();
    for lead in crate::usecases::leads::owned_by(table, reseller_id).await? {
        if lead.assigned_user.as_deref() != Some(user_id) || !lead.is_open() {
            continue;
        }
        let mut next: Lead = repo::next_of(&lead);
        next.assigned_user = None;
        next.updated_at = now;
        let event = crate::usecases::pipeline::audit(
            by,
            "lead.unassigned",
            json!({"assigned_user": user_id}),
            json!({"assigned_user": null}),
            format!("{user_id} was removed from the team"),
            now,
        );
        match table
            .transact(crate::usecases::pipeline::lead_writes(&lead, &next, &event)?)
            .await
        {
            Ok(()) => done.push(lead.lead_id),
            // moved meanwhile: the next removal attempt (or the manager) takes it
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Assigns one of the reseller's open leads to one of its people (owner, manager or staff
/// looking after it); `null` unassigns.
pub async fn assign_lead(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    lead_id: &str,
    user_id: Option<&str>,
) -> Result<Lead, PeopleError> {
    let not_found = || PeopleError::NotFound(format!("no lead {lead_id}"));
    let lead: Lead = repo::get_record(table, &repo::lead_key(lead_id))
        .await?
        .ok_or_else(not_found)?;
    if !by.sees_lead(&lead) {
        return Err(not_found());
    }
    let Some(owner) = lead.owner_reseller_id.clone() else {
        return Err(PeopleError::Conflict(
            "the lead has no reseller yet: assign it to a reseller first".into(),
        ));
    };
    if !lead.is_open() {
        return Err(PeopleError::Conflict("the lead is closed".into()));
    }
    if let Some(u) = user_id {
        match active_user(table, u).await? {
            Some(user) if user.reseller_id == owner => {}
            Some(_) | None => {
                return Err(PeopleError::Invalid(vec![FieldError {
                    field: "user_id".into(),
                    message: format!("is not an active person of reseller {owner}"),
                }]))
            }
        }
    }
    if lead.assigned_user.as_deref() == user_id {
        return Ok(lead);
    }
    let now = clock.now();
    let mut next = repo::next_of(&lead);
    next.assigned_user = user_id.map(str::to_string);
    next.updated_at = now;
    let event = crate::usecases::pipeline::audit(
        by,
        "lead.assigned_user",
        json!({"assigned_user": lead.assigned_user}),
        json!({"assigned_user": user_id}),
        String::new(),
        now,
    );
    table
        .transact(crate::usecases::pipeline::lead_writes(&lead, &next, &event)?)
        .await
        .map_err(conflict_meanwhile)?;
    Ok(next)
}

// ---- keys ----

/// A key as its holder's team sees it: never the key, nor its hash.
pub fn key_info(r: &ApiKeyRecord) -> KeyInfo {
    KeyInfo::from(r)
}

/// Issues a key to a person of a reseller (returned once); the person acts with its role.
pub async fn issue_user_key(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    reseller_id: &str,
    user_id: Option<&str>,
) -> Result<(KeyInfo, String), PeopleError> {
    refuse_other_reseller(by, reseller_id)?;
    working_reseller(table, reseller_id).await?;
    // by default the key is the caller's own, or (for staff) the reseller's first owner's
    let holder = match user_id.or(by.user_id()) {
        Some(u) => member(table, reseller_id, u).await?,
        None => team_with(table, reseller_id, &[ResellerRole::Owner])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| PeopleError::Conflict(format!("reseller {reseller_id} has no owner")))?,
    };
    if holder.status != PersonStatus::Active {
        return Err(PeopleError::Conflict(format!("{} was removed", holder.user_id)));
    }
    let now = clock.now();
    let api_key = format!("rk_{}", random_hex(24)?);
    let record = ApiKeyRecord::for_user(&api_key, &holder, now);
    table
        .transact(vec![
            repo::put_new(repo::item(&record)?),
            audit_write(
                by,
                &format!("reseller:{reseller_id}"),
                "key.issued",
                format!("{} to {}", record.key_id.clone().unwrap_or_default(), holder.user_id),
                now,
            )?,
        ])
        .await?;
    Ok((KeyInfo::from(&record), api_key))
}

/// Issues a key to a member of staff: that person itself, a programme admin, or the bootstrap
/// key (to hand the first programme admin its key).
pub async fn issue_staff_key(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    staff_id: &str,
) -> Result<(KeyInfo, String), PeopleError> {
    use crate::domain::people::Role;
    let may = by.staff_id() == Some(staff_id) || by.has(Role::ProgrammeAdmin) || by.has(Role::Bootstrap);
    if !may {
        return Err(PeopleError::Forbidden(
            "a key is issued to that person itself or by a programme admin".into(),
        ));
    }
    let staff = active_staff(table, staff_id)
        .await?
        .ok_or_else(|| PeopleError::NotFound(format!("no staff member {staff_id}")))?;
    let now = clock.now();
    let api_key = format!("sk_{}", random_hex(24)?);
    let record = ApiKeyRecord::for_staff(&api_key, &staff.staff_id, now);
    table
        .transact(vec![
            repo::put_new(repo::item(&record)?),
            audit_write(
                by,
                &format!("staff:{staff_id}"),
                "key.issued",
                record.key_id.clone().unwrap_or_default(),
                now,
            )?,
        ])
        .await?;
    Ok((KeyInfo::from(&record), api_key))
}

// ---- the vendor's staff ----

/// Adds a member of staff with its sign-in link (`409` if the address belongs to anyone).
pub async fn create_staff(ports: &PeoplePorts<'_>, by: &Principal, input: &StaffIn) -> Result<Staff, PeopleError> {
    let (email, name, roles) = people::new_staff(input).map_err(PeopleError::Invalid)?;
    if let Some(why) = taken(ports.table, &email).await? {
        return Err(PeopleError::Conflict(why));
    }
    let now = ports.clock.now();
    let staff = Staff {
        staff_id: new_id(now),
        email: email.clone(),
        name: name.clone(),
        roles,
        status: PersonStatus::Active,
        created_by: by.actor(),
        created_at: now,
        removed_at: None,
        version: 1,
    };
    let mut writes = vec![
        repo::put_new(repo::item(&EmailClaim {
            email: email.clone(),
            holder: format!("staff:{}", staff.staff_id),
        })?),
        repo::put_new(repo::item(&staff)?),
        audit_write(
            by,
            &format!("staff:{}", staff.staff_id),
            "staff.created",
            roles_text(&staff.roles),
            now,
        )?,
    ];
    let (more, letter) = invitation(
        ports,
        PortalUser::Staff(staff.staff_id.clone()),
        &format!("invitation-{}", staff.staff_id),
        &email,
        &name,
        &format!("as the programme's {}", roles_text(&staff.roles).replace('+', " and ")),
        now,
    )?;
    writes.extend(more);
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { failed }) if failed.first() == Some(&true) => {
            return Err(PeopleError::Conflict(format!("{email} already belongs to an account")))
        }
        Err(e) => return Err(e.into()),
    }
    deliver(ports, letter).await;
    Ok(staff)
}

fn roles_text(roles: &[StaffRole]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("+")
}

fn last_programme_admin(all: &[Staff], staff_id: &str) -> bool {
    let admins: Vec<&Staff> = all
        .iter()
        .filter(|s| s.status == PersonStatus::Active && s.has(StaffRole::ProgrammeAdmin))
        .collect();
    admins.len() == 1 && admins[0].staff_id == staff_id
}

/// Changes a member of staff's name or roles; the programme keeps one programme admin.
pub async fn update_staff(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    staff_id: &str,
    input: &StaffIn,
) -> Result<Staff, PeopleError> {
    let staff = active_staff(table, staff_id)
        .await?
        .ok_or_else(|| PeopleError::NotFound(format!("no staff member {staff_id}")))?;
    let mut errors = Vec::new();
    if input.email.is_some() {
        errors.push(FieldError {
            field: "email".into(),
            message: "cannot change: remove the person and add the new address".into(),
        });
    }
    let name = input.name.as_deref().map(|n| people::person_name(Some(n), &mut errors));
    let roles = input
        .roles
        .as_deref()
        .map(|r| people::staff_roles(Some(r), &mut errors));
    if !errors.is_empty() {
        return Err(PeopleError::Invalid(errors));
    }
    let mut next = staff.clone();
    if let Some(Some(n)) = name {
        next.name = n;
    }
    if let Some(Some(r)) = roles {
        next.roles = r;
    }
    if !next.has(StaffRole::ProgrammeAdmin) && last_programme_admin(&all_staff(table).await?, staff_id) {
        return Err(PeopleError::Conflict(
            "the programme keeps at least one programme admin".into(),
        ));
    }
    if next == staff {
        return Ok(staff);
    }
    let now = clock.now();
    repo::bump(&mut next);
    table
        .transact(vec![
            repo::put_if_version(repo::item(&next)?, staff.version),
            audit_write(
                by,
                &format!("staff:{staff_id}"),
                "staff.changed",
                format!("{} → {}", roles_text(&staff.roles), roles_text(&next.roles)),
                now,
            )?,
        ])
        .await
        .map_err(conflict_meanwhile)?;
    Ok(next)
}

/// Removes a member of staff: its keys revoked, its address freed, its sessions end on their
/// next request; its partners are left without a channel manager.
pub async fn remove_staff(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    staff_id: &str,
) -> Result<usize, PeopleError> {
    let staff = active_staff(table, staff_id)
        .await?
        .ok_or_else(|| PeopleError::NotFound(format!("no staff member {staff_id}")))?;
    if last_programme_admin(&all_staff(table).await?, staff_id) {
        return Err(PeopleError::Conflict(
            "the programme keeps at least one programme admin".into(),
        ));
    }
    let now = clock.now();
    let mut next = repo::next_of(&staff);
    next.status = PersonStatus::Removed;
    next.removed_at = Some(now);
    let keys = person_keys(table, &repo::staff_keys_index_pk(staff_id), |_| true).await?;
    let revoked = keys.len();
    let mut writes = vec![
        repo::put_if_version(repo::item(&next)?, staff.version),
        Write::Delete {
            key: repo::email_claim_key(&staff.email),
            cond: None,
        },
        audit_write(
            by,
            &format!("staff:{staff_id}"),
            "staff.removed",
            format!("{revoked} key(s) revoked"),
            now,
        )?,
    ];
    writes.extend(keys.into_iter().map(|key| Write::Delete { key, cond: None }));
    table.transact(writes).await.map_err(conflict_meanwhile)?;
    for reseller in partners(table, staff_id).await? {
        // best effort: a partner left pointing at a removed manager is shown to nobody
        let _ = set_channel_manager_inner(table, by, &reseller, None, now).await;
    }
    Ok(revoked)
}

/// Puts a reseller in a channel manager's care (`None`: nobody's).
pub async fn set_channel_manager(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &Principal,
    reseller_id: &str,
    staff_id: Option<&str>,
) -> Result<Reseller, PeopleError> {
    if let Some(s) = staff_id {
        match active_staff(table, s).await? {
            Some(staff) if staff.has(StaffRole::ChannelManager) => {}
            _ => {
                return Err(PeopleError::Invalid(vec![FieldError {
                    field: "staff_id".into(),
                    message: "is not an active channel manager".into(),
                }]))
            }
        }
    }
    set_channel_manager_inner(table, by, reseller_id, staff_id, clock.now()).await
}

async fn set_channel_manager_inner(
    table: &dyn Table,
    by: &Principal,
    reseller_id: &str,
    staff_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reseller, PeopleError> {
    let reseller = crate::usecases::resellers::get(table, reseller_id)
        .await?
        .ok_or_else(|| PeopleError::NotFound(format!("no reseller {reseller_id}")))?;
    if reseller.channel_manager.as_deref() == staff_id {
        return Ok(reseller);
    }
    let mut next = repo::next_of(&reseller);
    next.channel_manager = staff_id.map(str::to_string);
    table
        .transact(vec![
            repo::put_if_version(repo::item(&next)?, reseller.version),
            audit_write(
                by,
                &format!("reseller:{reseller_id}"),
                "reseller.channel_manager",
                format!(
                    "{} → {}",
                    reseller.channel_manager.as_deref().unwrap_or("nobody"),
                    staff_id.unwrap_or("nobody")
                ),
                now,
            )?,
        ])
        .await
        .map_err(conflict_meanwhile)?;
    Ok(next)
}

// ---- the first people ----

/// Programme admins for the addresses in `ADMIN_EMAILS` that belong to nobody yet (a taken
/// address is left as it is). Returns how many were added.
pub async fn ensure_admins(table: &dyn Table, clock: &dyn Clock, admin_emails: &[String]) -> Result<usize, StoreError> {
    let mut added = 0;
    for email in admin_emails
        .iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
    {
        if taken(table, &email).await?.is_some() {
            continue;
        }
        let now = clock.now();
        let staff = Staff {
            staff_id: new_id(now),
            email: email.clone(),
            name: email.split('@').next().unwrap_or("admin").to_string(),
            roles: vec![StaffRole::ProgrammeAdmin],
            status: PersonStatus::Active,
            created_by: "system:admin-emails".into(),
            created_at: now,
            removed_at: None,
            version: 1,
        };
        let by = Principal::system("admin-emails");
        match table
            .transact(vec![
                repo::put_new(repo::item(&EmailClaim {
                    email: email.clone(),
                    holder: format!("staff:{}", staff.staff_id),
                })?),
                repo::put_new(repo::item(&staff)?),
                audit_write(
                    &by,
                    &format!("staff:{}", staff.staff_id),
                    "staff.created",
                    "programme_admin (ADMIN_EMAILS)".into(),
                    now,
                )?,
            ])
            .await
        {
            Ok(()) => added += 1,
            // claimed meanwhile by another start-up: theirs stands
            Err(StoreError::TransactionCancelled { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(added)
}

/// Registers a known key for the programme admin at `email` (made from `ADMIN_EMAILS` first):
/// the local stack's development key, so that a newcomer's `curl` works from the first start.
/// Never used in AWS, where keys are only issued (`POST /staff/{id}/keys`).
pub async fn seed_staff_key(
    table: &dyn Table,
    clock: &dyn Clock,
    email: &str,
    api_key: &str,
) -> Result<(), StoreError> {
    ensure_admins(table, clock, &[email.to_string()]).await?;
    let Some(PortalUser::Staff(staff_id)) = person_for_email(table, email).await? else {
        return Ok(());
    };
    let record = ApiKeyRecord::for_staff(api_key, &staff_id, clock.now());
    match table.put(repo::item(&record)?, Some(Cond::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

/// What the backfill did.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Backfill {
    pub resellers_seen: usize,
    pub owners_created: usize,
    pub keys_given_to_owners: usize,
    pub admins_created: usize,
}

/// Gives every reseller made before people were kept its first owner (its contact email, its
/// claim moved to the person), gives that owner the reseller's keys, and makes `ADMIN_EMAILS`
/// programme admins. Safe to run again: what is done is skipped.
pub async fn backfill(table: &dyn Table, clock: &dyn Clock, admin_emails: &[String]) -> Result<Backfill, StoreError> {
    let mut report = Backfill {
        admins_created: ensure_admins(table, clock, admin_emails).await?,
        ..Default::default()
    };
    let all = crate::usecases::resellers::by_status(table, &ResellerStatus::ALL).await?;
    for reseller in all {
        report.resellers_seen += 1;
        let (created, keys) = backfill_one(table, clock, &reseller).await?;
        report.owners_created += usize::from(created);
        report.keys_given_to_owners += keys;
    }
    Ok(report)
}

/// One reseller's part of the backfill: its first owner if it has none (`true` when made), and
/// its keys from before people were kept given to that owner (how many).
pub async fn backfill_one(
    table: &dyn Table,
    clock: &dyn Clock,
    reseller: &Reseller,
) -> Result<(bool, usize), StoreError> {
    let mut created = false;
    let mut given = 0;
    {
        let team = team(table, &reseller.reseller_id).await?;
        let owner = match team.iter().find(|u| u.role == ResellerRole::Owner) {
            Some(o) => o.clone(),
            None => match first_owner(table, clock, reseller).await? {
                Some(o) => {
                    created = true;
                    o
                }
                None => return Ok((false, 0)),
            },
        };
        let keys = repo::query_all(
            table,
            Query::new(repo::api_keys_index_pk(&reseller.reseller_id)).index(Index::Gsi1),
        )
        .await?;
        for item in keys {
            let mut record: ApiKeyRecord = repo::record(item.clone())?;
            if record.user_id.is_some() {
                continue;
            }
            let Some(hash) = repo::key_of(&item).and_then(|k| repo::api_key_hash_of(&k).map(str::to_string)) else {
                continue;
            };
            record.hash = hash;
            record.user_id = Some(owner.user_id.clone());
            if table.put(repo::item(&record)?, Some(Cond::Exists)).await.is_ok() {
                given += 1;
            }
        }
    }
    Ok((created, given))
}

/// The reseller's contact as its first owner, taking over the claim on its address.
async fn first_owner(table: &dyn Table, clock: &dyn Clock, reseller: &Reseller) -> Result<Option<User>, StoreError> {
    let now = clock.now();
    let email = reseller.email.trim().to_lowercase();
    let user = User {
        user_id: new_id(now),
        reseller_id: reseller.reseller_id.clone(),
        email: email.clone(),
        name: reseller.name.clone(),
        role: ResellerRole::Owner,
        status: PersonStatus::Active,
        invited_by: "system:backfill".into(),
        created_at: now,
        removed_at: None,
        version: 1,
    };
    let claim = repo::get_record::<EmailClaim>(table, &repo::email_claim_key(&email)).await?;
    let legacy = format!("reseller:{}", reseller.reseller_id);
    let claim_write = match claim {
        None => repo::put_new(repo::item(&EmailClaim {
            email: email.clone(),
            holder: format!("user:{}", user.user_id),
        })?),
        Some(c) if c.holder == legacy => Write::Put {
            item: repo::item(&EmailClaim {
                email: email.clone(),
                holder: format!("user:{}", user.user_id),
            })?,
            cond: Some(Cond::Equals("holder".into(), json!(legacy))),
        },
        // the address is someone else's: the owner is added without it and signs in by
        // another address the programme gives it
        Some(_) => {
            tracing::warn!(reseller_id = %reseller.reseller_id, "a reseller's contact address belongs to another account: no owner made");
            return Ok(None);
        }
    };
    let by = Principal::system("backfill");
    match table
        .transact(vec![
            claim_write,
            repo::put_new(repo::item(&user)?),
            audit_write(
                &by,
                &format!("reseller:{}", reseller.reseller_id),
                "user.invited",
                format!("{} as owner (backfill)", user.user_id),
                now,
            )?,
        ])
        .await
    {
        Ok(()) => Ok(Some(user)),
        Err(StoreError::TransactionCancelled { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
