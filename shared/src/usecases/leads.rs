//! Reading lead tickets: one with a page of its audit trail, and lists by email, owner or
//! stage (an index query each, paginated).

use crate::domain::audit::AuditEvent;
use crate::domain::lead::{email_key, Lead};
use crate::domain::stage::Stage;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table};
use crate::repo;
use crate::usecases::sla::Sla;
use serde_json::{json, Value};

/// A ticket as its partition holds it: the lead, a page of its audit trail (oldest event
/// first) and its first-response clock, when an owner has one.
pub struct LeadRecord {
    pub lead: Lead,
    pub audit: Vec<AuditEvent>,
    pub sla: Option<Sla>,
    /// where the next page of the trail starts, when there is more
    pub audit_next: Option<String>,
}

/// Which page of a ticket's audit trail to read: `limit` events (at most [`HISTORY_MAX`]) from
/// the start or from `cursor`, or the latest `limit` (`latest`), always shown oldest first.
#[derive(Debug, Clone)]
pub struct History {
    pub limit: u32,
    pub cursor: Option<String>,
    pub latest: bool,
}

/// The events of a trail read in one page unless asked otherwise.
pub const HISTORY_PAGE: u32 = 100;
/// The most events of a trail one page may hold.
pub const HISTORY_MAX: u32 = 500;

impl History {
    /// The first page, from the lead's capture.
    pub fn first() -> History {
        History {
            limit: HISTORY_PAGE,
            cursor: None,
            latest: false,
        }
    }
    /// The latest page (a timeline that shows what happened last).
    pub fn latest() -> History {
        History {
            latest: true,
            ..History::first()
        }
    }
}

/// Marks `at`'s month as one with leads before a lead of it is written, so that the unfiltered
/// list and the programme's board find every month: one read of its marker (written once).
pub async fn note_month(table: &dyn Table, at: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    let month = crate::domain::aggregates::month_of(at);
    if table.get(&repo::lead_month_key(&month)).await?.is_none() {
        table.put(repo::item(&repo::LeadMonth { month })?, None).await?;
    }
    Ok(())
}

/// The months that have leads, newest first.
pub async fn lead_months(table: &dyn Table) -> Result<Vec<String>, StoreError> {
    Ok(repo::query_all(table, Query::new(repo::LEAD_MONTHS_PK).backward())
        .await?
        .iter()
        .filter_map(|i| repo::string_attr(i, "sk"))
        .collect())
}

/// Every lead, newest first: the months' partitions of the leads index in turn.
pub async fn all_leads(table: &dyn Table) -> Result<Vec<Lead>, StoreError> {
    let mut out = Vec::new();
    for month in lead_months(table).await? {
        let q = Query::new(repo::leads_index_pk(&month)).index(Index::Gsi4).backward();
        for item in repo::query_all(table, q).await? {
            out.push(repo::record(item)?);
        }
    }
    Ok(out)
}

/// The lead alone (one read), if any.
pub async fn get(table: &dyn Table, lead_id: &str) -> Result<Option<Lead>, StoreError> {
    repo::get_record(table, &repo::lead_key(lead_id)).await
}

/// The ticket with the first page of its audit trail, and its SLA.
pub async fn get_ticket(table: &dyn Table, lead_id: &str) -> Result<Option<LeadRecord>, StoreError> {
    get_ticket_page(table, lead_id, &History::first()).await
}

/// The ticket with one page of its audit trail, and its SLA: three reads, whatever else its
/// partition holds (engagement guards, tasks) and however long its trail.
pub async fn get_ticket_page(
    table: &dyn Table,
    lead_id: &str,
    history: &History,
) -> Result<Option<LeadRecord>, StoreError> {
    let Some(lead) = get(table, lead_id).await? else {
        return Ok(None);
    };
    let sla = repo::get_record::<Sla>(table, &repo::sla_key(lead_id)).await?;
    let mut q = Query::new(repo::lead_pk(lead_id))
        .sk(SkRange::BeginsWith(repo::AUDIT_PREFIX.into()))
        .limit(history.limit.clamp(1, HISTORY_MAX))
        .after(history.cursor.clone());
    if history.latest {
        q = q.backward();
    }
    let page = table.query(&q).await?;
    let mut audit: Vec<AuditEvent> = page.items.into_iter().map(repo::record).collect::<Result<_, _>>()?;
    if history.latest {
        audit.reverse();
    }
    Ok(Some(LeadRecord {
        lead,
        audit,
        sla,
        audit_next: page.cursor,
    }))
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
    let limit = limit.clamp(1, 100);
    let partition = if let Some(e) = &filter.email {
        Some((Index::Gsi1, repo::email_index_pk(&email_key(e))))
    } else if let Some(o) = &filter.owner {
        Some((Index::Gsi2, repo::owner_index_pk(o.trim())))
    } else {
        stage.as_ref().map(|s| (Index::Gsi3, repo::stage_index_pk(s)))
    };
    let (items, cursor) = match partition {
        Some((index, pk)) => {
            let q = Query::new(pk).index(index).backward().limit(limit).after(cursor);
            let page = table.query(&q).await?;
            (page.items, page.cursor)
        }
        // no filter: every lead (only an admin gets here; a reseller's list has its owner)
        None => every_lead_page(table, limit, cursor).await?,
    };
    let mut out = Vec::new();
    for item in items {
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
    Ok((out, cursor))
}

/// One page of every lead, newest first, across the months' partitions of the leads index.
/// Its cursor is `<month>.<the month's own cursor>` (empty: from the month's newest lead).
async fn every_lead_page(
    table: &dyn Table,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<crate::ports::table::Item>, Option<String>), StoreError> {
    let months = lead_months(table).await?;
    let (mut at, mut inner) = match cursor {
        None => (0, None),
        Some(c) => {
            let (month, rest) = c.split_once('.').ok_or(StoreError::BadCursor)?;
            let at = months.iter().position(|m| m == month).ok_or(StoreError::BadCursor)?;
            (at, Some(rest.to_string()).filter(|r| !r.is_empty()))
        }
    };
    let mut items = Vec::new();
    while let Some(month) = months.get(at) {
        let want = limit.saturating_sub(u32::try_from(items.len()).unwrap_or(u32::MAX));
        let q = Query::new(repo::leads_index_pk(month))
            .index(Index::Gsi4)
            .backward()
            .limit(want.max(1))
            .after(inner.take());
        let page = table.query(&q).await?;
        items.extend(page.items);
        let full = items.len() >= limit as usize;
        match page.cursor {
            Some(c) if full => return Ok((items, Some(format!("{month}.{c}")))),
            // cut by size before the limit: the same month goes on
            Some(c) => inner = Some(c),
            None => {
                at += 1;
                if full {
                    return Ok((items, months.get(at).map(|m| format!("{m}."))));
                }
            }
        }
    }
    Ok((items, None))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use crate::domain::lead::LeadInput;
    use chrono::{Duration, TimeZone, Utc};

    /// A lead with `events` audit events, a minute apart.
    async fn lead_with_trail(table: &EmbeddedTable, id: &str, events: i64) {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().expect("time");
        let lead = Lead::new(&LeadInput::default(), id, at);
        let mut writes = repo::lead_put(None, &lead).expect("item");
        for n in 0..events {
            let event = AuditEvent {
                event_id: format!("E{n:03}"),
                at: at + Duration::minutes(n),
                actor: "test".into(),
                role: None,
                action: format!("step.{n}"),
                before: None,
                after: None,
                correlation_id: "c".into(),
                detail: String::new(),
            };
            writes.push(repo::put_new(
                repo::item(&repo::LeadAudit {
                    lead_id: id,
                    event: &event,
                })
                .expect("item"),
            ));
        }
        table.transact(writes).await.expect("stored");
    }

    fn actions(r: &LeadRecord) -> Vec<String> {
        r.audit.iter().map(|e| e.action.clone()).collect()
    }

    #[tokio::test]
    async fn a_trail_is_read_a_page_at_a_time_and_only_with_its_own_cursor() {
        let table = EmbeddedTable::in_memory();
        lead_with_trail(&table, "L1", 5).await;
        lead_with_trail(&table, "L2", 1).await;
        let page = |limit, cursor, latest| History { limit, cursor, latest };
        let first = get_ticket_page(&table, "L1", &page(2, None, false))
            .await
            .expect("read")
            .expect("lead");
        assert_eq!(actions(&first), ["step.0", "step.1"]);
        let second = get_ticket_page(&table, "L1", &page(3, first.audit_next.clone(), false))
            .await
            .expect("read")
            .expect("lead");
        assert_eq!(actions(&second), ["step.2", "step.3", "step.4"]);
        // the latest page, shown oldest first
        let latest = get_ticket_page(&table, "L1", &page(2, None, true))
            .await
            .expect("read")
            .expect("lead");
        assert_eq!(actions(&latest), ["step.3", "step.4"]);
        // L1's cursor does not page L2's trail
        let other = get_ticket_page(&table, "L2", &page(2, first.audit_next, false)).await;
        assert!(
            matches!(other, Err(StoreError::BadCursor)),
            "{:?}",
            other.map(|r| r.map(|r| actions(&r)))
        );
        assert!(get_ticket_page(&table, "L3", &History::first())
            .await
            .expect("read")
            .is_none());
    }

    #[tokio::test]
    async fn every_lead_is_listed_newest_first_across_the_months() {
        let table = EmbeddedTable::in_memory();
        let mut ids = Vec::new();
        // five leads over three months, one month with none between
        for (n, (month, day)) in [(9, 3), (9, 20), (11, 1), (12, 2), (12, 5)].iter().enumerate() {
            let at = Utc
                .with_ymd_and_hms(2026, *month, *day, 9, 0, 0)
                .single()
                .expect("time");
            let id = ulid::Ulid::from_parts(at.timestamp_millis() as u64, n as u128).to_string();
            note_month(&table, at).await.expect("marked");
            let lead = Lead::new(&LeadInput::default(), &id, at);
            table
                .transact(repo::lead_put(None, &lead).expect("item"))
                .await
                .expect("stored");
            ids.push(id);
        }
        ids.reverse();
        assert_eq!(
            lead_months(&table).await.expect("months"),
            ["2026-12", "2026-11", "2026-09"]
        );
        for limit in [1, 2, 3, 5, 7] {
            let mut seen = Vec::new();
            let mut cursor = None;
            for _ in 0..10 {
                let (page, next) = list_leads(&table, &LeadFilter::default(), limit, cursor)
                    .await
                    .expect("page");
                assert!(page.len() <= limit as usize);
                seen.extend(page.into_iter().map(|l| l.lead_id));
                cursor = next;
                if cursor.is_none() {
                    break;
                }
            }
            assert_eq!(seen, ids, "pages of {limit}");
        }
        for bad in ["2026-10.", "no-month", "2026-12.not-a-cursor"] {
            let refused = list_leads(&table, &LeadFilter::default(), 2, Some(bad.into())).await;
            assert!(matches!(refused, Err(ListError::Store(StoreError::BadCursor))), "{bad}");
        }
        let everyone: Vec<String> = all_leads(&table)
            .await
            .expect("all")
            .into_iter()
            .map(|l| l.lead_id)
            .collect();
        assert_eq!(everyone, ids);
    }
}
