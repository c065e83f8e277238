//! Reseller records for routing: create (admin) with a one-time API key, read, and resolve
//! an API key to its reseller.

use crate::domain::field::{is_valid_email, FieldError};
use crate::domain::region;
use crate::domain::reseller::{Reseller, ResellerStatus, Tier};
use crate::ids::new_id;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::ports::Clock;
use crate::repo;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewReseller {
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub tier: Option<String>,
    pub capacity: Option<u32>,
    pub status: Option<String>,
    /// a decimal string or number between 0 and 1
    #[schema(value_type = Option<String>)]
    pub win_rate: Option<serde_json::Value>,
    /// `{"kind": "tiered"}` (default), `{"kind": "revenue_share", "rate": "0.3"}`,
    /// `{"kind": "project", "fee": "75000"}` or `{"kind": "margin"}`
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub plan: Option<crate::domain::commission::Plan>,
    #[serde(default)]
    pub parent_reseller_id: Option<String>,
}

impl NewReseller {
    /// A reseller covering India with room for 100 leads and every other field its default
    /// (a seed, a test's fixture).
    pub fn in_india(name: &str, email: &str) -> NewReseller {
        NewReseller {
            name: Some(name.into()),
            email: Some(email.into()),
            regions: vec!["IN".into()],
            industries: vec![],
            tier: None,
            capacity: Some(100),
            status: None,
            win_rate: None,
            plan: None,
            parent_reseller_id: None,
        }
    }
}

pub use crate::ids::{sha256_bytes_hex, sha256_hex};

pub(crate) fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Unavailable(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

fn err(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks the fields and normalises codes; every problem is reported at once.
/// A reseller's fields after validation, codes normalised.
pub struct Valid {
    pub name: String,
    pub email: String,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    pub tier: Tier,
    pub capacity: u32,
    pub status: ResellerStatus,
    pub win_rate: Decimal,
}

pub fn validate(input: &NewReseller) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = crate::domain::text::collect(
        crate::domain::text::required("name", input.name.as_deref(), 200, crate::domain::text::Lines::Single),
        &mut errors,
    )
    .unwrap_or_default();
    // one address, one account: kept lower-cased, as the portal's login reads it
    let email = input.email.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    if !is_valid_email(&email) {
        errors.push(err("email", "is not a valid email address"));
    }
    let mut regions = Vec::new();
    for r in &input.regions {
        let code = region::country_code(r).or_else(|| region::subdivision_code(None, r));
        match code {
            Some(c) => regions.push(c),
            None => errors.push(err(
                "regions",
                &format!("\"{r}\" is not an ISO 3166 country or subdivision"),
            )),
        }
    }
    let industries: Vec<String> = input
        .industries
        .iter()
        .map(|i| i.trim().to_lowercase())
        .filter(|i| !i.is_empty())
        .collect();
    let tier = match input.tier.as_deref() {
        None => Tier::Registered,
        Some(t) => Tier::parse(t).unwrap_or_else(|| {
            errors.push(err("tier", "must be registered, silver, gold or platinum"));
            Tier::Registered
        }),
    };
    let capacity = input.capacity.unwrap_or(50);
    if capacity == 0 || capacity > 100_000 {
        errors.push(err("capacity", "must be between 1 and 100000"));
    }
    let status = match input.status.as_deref() {
        None => ResellerStatus::Active,
        Some(s) => ResellerStatus::parse(s).unwrap_or_else(|| {
            errors.push(err("status", "must be pending, active, suspended or rejected"));
            ResellerStatus::Active
        }),
    };
    let win_rate = match &input.win_rate {
        None | Some(serde_json::Value::Null) => Decimal::ZERO,
        Some(v) => {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match crate::domain::money::parse_decimal(text.trim()) {
                Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE => d,
                _ => {
                    errors.push(err("win_rate", "must be a number between 0 and 1"));
                    Decimal::ZERO
                }
            }
        }
    };
    if errors.is_empty() {
        Ok(Valid {
            name,
            email,
            regions,
            industries,
            tier,
            capacity,
            status,
            win_rate,
        })
    } else {
        Err(errors)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResellerError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// the reseller's state does not allow it (a key for a reseller that is not active)
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new reseller from what was sent, with a fresh id, API key and referral code (not yet
/// stored: `creation_writes` stores it).
pub fn draft(input: &NewReseller, now: chrono::DateTime<chrono::Utc>) -> Result<(Reseller, String), ResellerError> {
    let Valid {
        name,
        email,
        regions,
        industries,
        tier,
        capacity,
        status,
        win_rate,
    } = validate(input).map_err(ResellerError::Invalid)?;
    let reseller_id = new_id(now);
    let api_key = format!("rk_{}", random_hex(24)?);
    let slug: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(6)
        .collect::<String>()
        .to_uppercase();
    let referral_code = format!(
        "{}{}",
        if slug.is_empty() { "REF".to_string() } else { slug },
        &random_hex(3)?.to_uppercase()
    );
    let reseller = Reseller {
        reseller_id,
        name,
        email,
        regions,
        industries,
        tier,
        capacity,
        status,
        win_rate,
        referral_code,
        open_leads: 0,
        last_assigned_at: None,
        created_at: now,
        plan: input.plan.clone().unwrap_or_default(),
        parent_reseller_id: input.parent_reseller_id.clone().filter(|p| !p.trim().is_empty()),
        outcomes: None,
        brand: None,
        terms: None,
        company_domain: None,
        status_history: vec![],
        tax: None,
        tax_changes: vec![],
        channel_manager: None,
        version: 1,
    };
    Ok((reseller, api_key))
}

/// Where the email claim sits in `creation_writes` (its failure means the address is taken).
pub const EMAIL_CLAIM_WRITE: usize = 3;

/// The reseller's first owner: its contact, by the contact's address.
pub fn first_owner(reseller: &Reseller, name: &str, by: &crate::access::Principal) -> crate::domain::people::User {
    use crate::domain::people::{PersonStatus, ResellerRole, User};
    User {
        user_id: crate::ids::new_id(reseller.created_at),
        reseller_id: reseller.reseller_id.clone(),
        email: reseller.email.trim().to_lowercase(),
        name: name.to_string(),
        role: ResellerRole::Owner,
        status: PersonStatus::Active,
        invited_by: by.actor(),
        created_at: reseller.created_at,
        removed_at: None,
        version: 1,
    }
}

/// The writes that create a drafted reseller: it, its first owner's key (hashed), its referral
/// code, the claim on its email, its first owner and the audit record, each new (a
/// referral-code collision or a taken email cancels them all).
pub fn creation_writes(
    reseller: &Reseller,
    owner: &crate::domain::people::User,
    api_key: &str,
    by: &crate::access::Principal,
) -> Result<Vec<crate::ports::table::Write>, StoreError> {
    let audit = crate::usecases::audit::audit_record(
        by,
        &format!("reseller:{}", reseller.reseller_id),
        "reseller.created",
        format!("owner {}", owner.user_id),
        reseller.created_at,
    );
    Ok(vec![
        repo::put_new(repo::item(reseller)?),
        repo::put_new(repo::item(&repo::ApiKeyRecord::for_user(
            api_key,
            owner,
            reseller.created_at,
        ))?),
        repo::put_new(repo::item(&repo::ReferralCodeRecord {
            code: reseller.referral_code.clone(),
            reseller_id: Some(reseller.reseller_id.clone()),
            ..Default::default()
        })?),
        repo::put_new(repo::item(&repo::EmailClaim {
            email: reseller.email.clone(),
            holder: format!("user:{}", owner.user_id),
        })?),
        repo::put_new(repo::item(owner)?),
        repo::put_new(repo::item(&audit)?),
    ])
}

/// Why an address cannot be given to a new reseller: it is claimed, or (for resellers made
/// before claims were kept) another reseller already signs in with it, whatever its case.
pub async fn email_taken(table: &dyn Table, email: &str) -> Result<Option<String>, StoreError> {
    if table.get(&repo::email_claim_key(email)).await?.is_some() {
        return Ok(Some(format!("{email} already belongs to an account")));
    }
    let found = table
        .query(
            &crate::ports::table::Query::new(repo::reseller_email_index_pk(email))
                .index(crate::ports::table::Index::Gsi3)
                .limit(1),
        )
        .await?;
    Ok((!found.items.is_empty()).then(|| format!("{email} already belongs to a reseller")))
}

/// Creates the reseller with its API key and referral code; returns it and the key (shown once,
/// stored only as a SHA-256 hash).
pub async fn create(
    table: &dyn Table,
    clock: &dyn Clock,
    input: &NewReseller,
) -> Result<(Reseller, String), ResellerError> {
    create_by(table, clock, &crate::access::Principal::system("seed"), input).await
}

/// [`create`], audited to the person who asked.
pub async fn create_by(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &crate::access::Principal,
    input: &NewReseller,
) -> Result<(Reseller, String), ResellerError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let (reseller, api_key) = draft(input, clock.now())?;
        if let Some(why) = email_taken(table, &reseller.email).await? {
            return Err(ResellerError::Conflict(why));
        }
        let owner = first_owner(&reseller, &reseller.name, by);
        match table.transact(creation_writes(&reseller, &owner, &api_key, by)?).await {
            Ok(()) => return Ok((reseller, api_key)),
            Err(StoreError::TransactionCancelled { failed }) if failed.get(EMAIL_CLAIM_WRITE) == Some(&true) => {
                return Err(ResellerError::Conflict(format!(
                    "{} already belongs to an account",
                    reseller.email
                )))
            }
            // a referral-code collision: draw another
            Err(StoreError::TransactionCancelled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ResellerError::Store(StoreError::Throttled))
}

/// Replaces the reseller's channel prices, checked as at approval (every SKU in the catalogue):
/// the staff always, the reseller itself only when its terms say it may. `None` for an unknown
/// reseller.
pub async fn set_channel_prices(
    table: &dyn Table,
    reseller_id: &str,
    prices: Vec<crate::domain::application::ChannelPriceIn>,
    by_staff: bool,
    rules: &crate::domain::application::ApplicationRules,
) -> Result<Option<Reseller>, ResellerError> {
    use crate::domain::application::{validate_terms, TermsIn};
    let fixed = |r: &Reseller| {
        let may = r.terms.as_ref().is_some_and(|t| t.may_change_channel_price);
        (!by_staff && !may).then(|| {
            ResellerError::Invalid(vec![err(
                "channel_prices",
                "your terms fix your channel prices; ask the partner team",
            )])
        })
    };
    let Some(r) = get(table, reseller_id).await? else {
        return Ok(None);
    };
    if let Some(e) = fixed(&r) {
        return Err(e);
    }
    let checked = validate_terms(
        &TermsIn {
            channel_prices: prices,
            ..TermsIn::default()
        },
        rules,
    )
    .map_err(ResellerError::Invalid)?;
    for (i, c) in checked.channel_prices.iter().enumerate() {
        if crate::usecases::catalogue::get(table, &c.sku).await?.is_none() {
            return Err(ResellerError::Invalid(vec![err(
                &format!("channel_prices[{i}].sku"),
                &format!("no product {} in the catalogue", c.sku),
            )]));
        }
    }
    repo::update(table, &repo::reseller_key(reseller_id), |r: &Reseller| {
        if let Some(e) = fixed(r) {
            return Err(e);
        }
        let terms = r.terms.clone().unwrap_or_default();
        let mut next = r.clone();
        next.terms = Some(crate::domain::application::Terms {
            channel_prices: checked.channel_prices.clone(),
            ..terms
        });
        Ok(repo::Change::to(next))
    })
    .await
}

/// Replaces the reseller's brand, on the version read; `None` for an unknown reseller.
pub async fn set_brand(
    table: &dyn Table,
    reseller_id: &str,
    brand: crate::domain::reseller::Brand,
) -> Result<Option<Reseller>, StoreError> {
    repo::update(table, &repo::reseller_key(reseller_id), |r: &Reseller| {
        let mut next = r.clone();
        next.brand = Some(brand.clone());
        Ok::<_, StoreError>(repo::Change::to(next))
    })
    .await
}

/// The most levels a chain of resellers is walked (a guard against a cycle in old data).
const MAX_ANCESTORS: usize = 16;

/// The resellers above `reseller`, its parent first (each earns an override on its deals).
pub async fn ancestors_of(table: &dyn Table, reseller: &Reseller) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    let mut next = reseller.parent_reseller_id.clone();
    while let Some(id) = next.filter(|id| *id != reseller.reseller_id && !out.contains(id)) {
        if out.len() >= MAX_ANCESTORS {
            break;
        }
        next = get(table, &id).await?.and_then(|p| p.parent_reseller_id);
        out.push(id);
    }
    Ok(out)
}

pub async fn get(table: &dyn Table, reseller_id: &str) -> Result<Option<Reseller>, StoreError> {
    match table.get(&repo::reseller_key(reseller_id)).await? {
        Some(item) => Ok(Some(repo::record(item)?)),
        None => Ok(None),
    }
}

/// The record of a presented API key, if it exists (its last use noted, to the hour).
pub async fn key_record(table: &dyn Table, api_key: &str) -> Result<Option<repo::ApiKeyRecord>, StoreError> {
    let key = repo::api_key_key(&sha256_hex(api_key));
    let Some(item) = table.get(&key).await? else {
        return Ok(None);
    };
    let mut record: repo::ApiKeyRecord = repo::record(item)?;
    record.hash = sha256_hex(api_key);
    // the last use, kept to the hour: at most one write per key per hour
    let now = chrono::Utc::now();
    if record.last_used_at.is_none_or(|t| now - t > chrono::Duration::hours(1)) {
        let mut touched = record.clone();
        touched.last_used_at = Some(now);
        if let Err(e) = table
            .put(repo::item(&touched)?, Some(crate::ports::table::Cond::Exists))
            .await
        {
            tracing::debug!(error = %e, "last use of a key not recorded");
        }
    }
    Ok(Some(record))
}

/// A key as its owner sees it: never the key, nor its hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct KeyInfo {
    pub key_id: String,
    /// the person it was issued to (it acts with that person's role)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    pub prefix: Option<String>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&repo::ApiKeyRecord> for KeyInfo {
    fn from(r: &repo::ApiKeyRecord) -> KeyInfo {
        KeyInfo {
            key_id: r.key_id.clone().unwrap_or_default(),
            user_id: r.user_id.clone(),
            staff_id: r.staff_id.clone(),
            prefix: r.prefix.clone(),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// A reseller's keys, by id.
pub async fn keys(table: &dyn Table, reseller_id: &str) -> Result<Vec<KeyInfo>, StoreError> {
    let items = repo::query_all(
        table,
        crate::ports::table::Query::new(repo::api_keys_index_pk(reseller_id)).index(crate::ports::table::Index::Gsi1),
    )
    .await?;
    items
        .into_iter()
        .map(|i| repo::record::<repo::ApiKeyRecord>(i).map(|r| KeyInfo::from(&r)))
        .collect()
}

/// Revokes one of a reseller's keys; `false` when it has no such key.
pub async fn revoke_key(table: &dyn Table, reseller_id: &str, key_id: &str) -> Result<bool, StoreError> {
    let page = table
        .query(
            &crate::ports::table::Query::new(repo::api_keys_index_pk(reseller_id))
                .index(crate::ports::table::Index::Gsi1)
                .sk(crate::ports::table::SkRange::BeginsWith(key_id.to_string())),
        )
        .await?;
    let Some(item) = page
        .items
        .into_iter()
        .find(|i| repo::string_attr(i, "key_id").as_deref() == Some(key_id))
    else {
        return Ok(false);
    };
    let Some(key) = repo::key_of(&item) else {
        return Ok(false);
    };
    table
        .transact(vec![crate::ports::table::Write::Delete {
            key,
            cond: Some(crate::ports::table::Cond::Exists),
        }])
        .await?;
    Ok(true)
}

/// The resellers in each of `statuses`, by status then id.
pub async fn by_status(
    table: &dyn Table,
    statuses: &[crate::domain::reseller::ResellerStatus],
) -> Result<Vec<Reseller>, StoreError> {
    let mut resellers = Vec::new();
    for status in statuses {
        let items = repo::query_all(
            table,
            crate::ports::table::Query::new(repo::resellers_index_pk(status.as_str()))
                .index(crate::ports::table::Index::Gsi1),
        )
        .await?;
        for item in items {
            resellers.push(repo::record(item)?);
        }
    }
    Ok(resellers)
}

/// The resellers as a spreadsheet (text cells neutralised against formulas).
pub fn csv(resellers: &[Reseller]) -> String {
    use crate::csv_out::{header, line, Cell};
    let mut out = header(&[
        "reseller_id",
        "name",
        "email",
        "status",
        "tier",
        "regions",
        "industries",
        "capacity",
        "open_leads",
        "referral_code",
        "company_domain",
        "created_at",
    ]);
    for r in resellers {
        let tier = serde_json::to_value(r.tier)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let (regions, industries) = (r.regions.join(";"), r.industries.join(";"));
        let created = r.created_at.to_rfc3339();
        out.push_str(&line(&[
            Cell::Text(&r.reseller_id),
            Cell::Text(&r.name),
            Cell::Text(&r.email),
            Cell::Text(r.status.as_str()),
            Cell::Text(&tier),
            Cell::Text(&regions),
            Cell::Text(&industries),
            Cell::Number(r.capacity.into()),
            Cell::Number(r.open_leads.into()),
            Cell::Text(&r.referral_code),
            Cell::Text(r.company_domain.as_deref().unwrap_or("")),
            Cell::Text(&created),
        ]));
    }
    out
}

/// A reseller's sub-resellers (its direct children).
pub async fn children(table: &dyn Table, parent_id: &str) -> Result<Vec<Reseller>, StoreError> {
    repo::query_all(
        table,
        crate::ports::table::Query::new(repo::children_index_pk(parent_id)).index(crate::ports::table::Index::Gsi2),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect()
}

/// Every active reseller, following the index's pages to the end.
pub async fn active_resellers(table: &dyn Table) -> Result<Vec<Reseller>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query(
                &Query::new(repo::resellers_index_pk("active"))
                    .index(Index::Gsi1)
                    .after(cursor),
            )
            .await?;
        for item in page.items {
            out.push(repo::record::<Reseller>(item)?);
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}
