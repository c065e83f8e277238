//! Reading lead tickets: one with its audit trail (a single query on its partition), and
//! lists by email, owner or stage (an index query each, paginated).

use crate::domain::audit::AuditEvent;
use crate::domain::lead::{email_key, Lead};
use crate::domain::stage::Stage;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table};
use crate::repo;
use crate::usecases::sla::Sla;
use serde_json::{json, Value};

/// A ticket as its partition holds it: the lead, its audit trail (oldest event first) and its
/// first-response clock, when an owner has one.
pub struct LeadRecord {
    pub lead: Lead,
    pub audit: Vec<AuditEvent>,
    pub sla: Option<Sla>,
}

/// The lead alone (one read), if any.
pub async fn get(table: &dyn Table, lead_id: &str) -> Result<Option<Lead>, StoreError> {
    repo::get_record(table, &repo::lead_key(lead_id)).await
}

/// The ticket with its audit trail and SLA, from one query on its partition.
pub async fn get_ticket(table: &dyn Table, lead_id: &str) -> Result<Option<LeadRecord>, StoreError> {
    let mut lead = None;
    let mut audit = Vec::new();
    let mut sla = None;
    let mut cursor = None;
    loop {
        let page = table.query(&Query::new(repo::lead_pk(lead_id)).after(cursor)).await?;
        for item in page.items {
            match item.get("entity").and_then(Value::as_str) {
                Some("lead") => lead = Some(repo::record::<Lead>(item)?),
                Some("audit") => audit.push(repo::record::<AuditEvent>(item)?),
                Some("sla") => sla = Some(repo::record::<Sla>(item)?),
                _ => {}
            }
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(lead.map(|lead| LeadRecord { lead, audit, sla }))
}

/// The ticket as the API shows it.
/// The routing decision as `reader` may see it: the admin (`None`) sees every candidate
/// considered; a reseller sees why the lead came to it, with its own figures only — never
/// another reseller's id, tier, win rate, capacity or load.
pub fn routing_for(routing: &crate::domain::routing::RoutingDecision, reader: Option<&str>) -> Value {
    let mut shown = routing.clone();
    if let Some(me) = reader {
        shown.candidates.retain(|c| c.reseller_id == me);
    }
    serde_json::to_value(shown).unwrap_or(Value::Null)
}

/// A ticket as `reader` may see it (`None`: the admin; `Some(id)`: that reseller).
pub fn view(lead: &Lead, audit: &[AuditEvent], reader: Option<&str>) -> Value {
    let status = if lead.spam {
        "spam"
    } else if lead.closed_lost {
        "closed_lost"
    } else {
        "open"
    };
    json!({
        "lead_id": lead.lead_id,
        "email": lead.email,
        "name": lead.profile.name,
        "company": lead.profile.company,
        "phone": lead.profile.phone,
        "title": lead.profile.title,
        "country": lead.profile.country,
        "state": lead.profile.state,
        "region": lead.region,
        "industry": lead.profile.industry,
        "employees": lead.profile.employees,
        "budget": lead.profile.budget,
        "timeline": lead.profile.timeline,
        "message": lead.profile.message,
        "channel": lead.attribution.channel,
        "attribution": lead.attribution,
        "import": lead.import,
        "status": status,
        "spam": lead.spam,
        "stage": lead.stage.code(),
        "stage_name": lead.stage.name(),
        "progress": lead.stage.progress(),
        "score": lead.score,
        "band": lead.band,
        "score_reasons": lead.score_reasons,
        "category": lead.category,
        "engagement": lead.engagement,
        "owner_reseller_id": lead.owner_reseller_id,
        "assigned_user": lead.assigned_user,
        "queue": lead.queue,
        "routing": lead.routing.as_ref().map(|r| routing_for(r, reader)),
        "created_at": lead.created_at,
        "lost": lead.lost,
        "updated_at": lead.updated_at,
        "audit": audit,
    })
}

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub email: Option<String>,
    /// `R001`…`R010`, `spam` or `closed_lost`
    pub stage: Option<String>,
    /// a reseller id, or `admin` for the admin queue
    pub owner: Option<String>,
    /// the person it is assigned to (a rep's list: its own)
    pub assigned_user: Option<String>,
    /// a channel manager's list: leads of these resellers only
    pub partners: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    BadFilter(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn stage_partition(stage: &str) -> Result<String, ListError> {
    let s = stage.trim();
    if s.eq_ignore_ascii_case("spam") {
        return Ok("SPAM".into());
    }
    if s.eq_ignore_ascii_case("closed_lost") {
        return Ok("CLOSED_LOST".into());
    }
    Stage::parse(s)
        .map(|st| st.code().to_string())
        .ok_or_else(|| ListError::BadFilter("stage must be R001…R010, spam or closed_lost".into()))
}

/// One page of tickets matching every given filter, newest first. The most selective filter
/// picks the index; the others are applied to what it returns (so a page may hold fewer than
/// `limit` items while a cursor still follows, as with a DynamoDB filter).
pub async fn list(
    table: &dyn Table,
    filter: &LeadFilter,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<LeadRecord>, Option<String>), ListError> {
    let (leads, cursor) = list_leads(table, filter, limit, cursor).await?;
    let mut out = Vec::new();
    for lead in leads {
        if let Some(full) = get_ticket(table, &lead.lead_id).await? {
            out.push(full);
        }
    }
    Ok((out, cursor))
}

/// One page of the leads a filter selects, newest first, without their audit trails (an
/// export reads a page in one query).
pub async fn list_leads(
    table: &dyn Table,
    filter: &LeadFilter,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Lead>, Option<String>), ListError> {
    let stage = filter.stage.as_deref().map(stage_partition).transpose()?;
    let (index, pk) = if let Some(e) = &filter.email {
        (Index::Gsi1, repo::email_index_pk(&email_key(e)))
    } else if let Some(o) = &filter.owner {
        (Index::Gsi2, repo::owner_index_pk(o.trim()))
    } else if let Some(s) = &stage {
        (Index::Gsi3, repo::stage_index_pk(s))
    } else {
        // no filter: every lead (only an admin gets here; a reseller's list has its owner)
        (Index::Gsi4, repo::LEADS_INDEX_PK.to_string())
    };
    let page = table
        .query(
            &Query::new(pk)
                .index(index)
                .sk(SkRange::All)
                .backward()
                .limit(limit.clamp(1, 100))
                .after(cursor),
        )
        .await?;
    let mut out = Vec::new();
    for item in page.items {
        let lead: Lead = repo::record(item)?;
        let stage_ok = stage.as_deref().is_none_or(|s| match s {
            "SPAM" => lead.spam,
            "CLOSED_LOST" => lead.closed_lost,
            code => !lead.spam && !lead.closed_lost && lead.stage.code() == code,
        });
        let owner_ok = filter.owner.as_deref().is_none_or(|o| {
            lead.owner_reseller_id.as_deref() == Some(o.trim())
                || (lead.owner_reseller_id.is_none() && lead.queue.as_deref() == Some(o.trim()))
        });
        let assigned_ok = filter
            .assigned_user
            .as_deref()
            .is_none_or(|u| lead.assigned_user.as_deref() == Some(u));
        let partner_ok = filter.partners.as_ref().is_none_or(|ps| {
            lead.owner_reseller_id
                .as_deref()
                .is_some_and(|o| ps.iter().any(|p| p == o))
        });
        if stage_ok && owner_ok && assigned_ok && partner_ok {
            out.push(lead);
        }
    }
    Ok((out, page.cursor))
}

/// Every lead a reseller owns (every page of its owner index).
pub async fn owned_by(table: &dyn Table, reseller_id: &str) -> Result<Vec<Lead>, StoreError> {
    repo::query_all(table, Query::new(repo::owner_index_pk(reseller_id)).index(Index::Gsi2))
        .await?
        .into_iter()
        .map(repo::record)
        .collect()
}

/// The export's header row.
pub const CSV_COLUMNS: &[&str] = &[
    "lead_id",
    "created_at",
    "stage",
    "closed_lost",
    "spam",
    "score",
    "band",
    "owner_reseller_id",
    "name",
    "company",
    "email",
    "phone",
    "title",
    "country",
    "state",
    "industry",
    "employees",
    "budget",
    "timeline",
    "channel",
    "campaign",
];

/// One lead as a CSV row (formula-safe, in `CSV_COLUMNS` order).
pub fn csv_row(l: &Lead) -> String {
    use crate::csv_out::{line, Cell};
    let p = &l.profile;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let texts = [
        l.lead_id.clone(),
        l.created_at.to_rfc3339(),
        l.stage.code().to_string(),
        l.closed_lost.to_string(),
        l.spam.to_string(),
        l.score.map(|s| s.to_string()).unwrap_or_default(),
        l.band.map(|b| format!("{b:?}").to_lowercase()).unwrap_or_default(),
        o(&l.owner_reseller_id),
        o(&p.name),
        o(&p.company),
        l.email.clone(),
        o(&p.phone),
        o(&p.title),
        o(&p.country),
        o(&p.state),
        o(&p.industry),
        o(&p.employees),
        o(&p.budget),
        o(&p.timeline),
        l.attribution.channel.clone(),
        o(&l.attribution.campaign),
    ];
    line(&texts.iter().map(|t| Cell::Text(t)).collect::<Vec<_>>())
}
