//! The audit trail by person and time (`GET /audit`): every audit event — on a lead's trail or
//! about a person, a reseller or a payout — is on two indexes, by the person who acted and by
//! day, so one person's actions over any span, or everyone's over a few days, are read by key
//! range without a scan.

use crate::access::Principal;
use crate::domain::audit::AuditEvent;
use crate::ids::new_id;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table};
use crate::repo;
use crate::repo::AuditRecord;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The longest span listed without naming a person (one index partition per day).
pub const MAX_DAYS_WITHOUT_ACTOR: i64 = 31;

/// One audit event as the trail lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: Option<String>,
    pub action: String,
    /// what it was about: `lead:<id>`, `reseller:<id>`, `user:<id>`, `staff:<id>`, `payout:<id>`
    pub subject: String,
    pub detail: String,
    pub event_id: String,
}

fn row(item: crate::ports::table::Item) -> Result<AuditRow, StoreError> {
    let subject = repo::audit_subject(&repo::string_attr(&item, "pk").unwrap_or_default());
    let e: AuditEvent = repo::record(item)?;
    Ok(AuditRow {
        at: e.at,
        actor: e.actor,
        role: e.role,
        action: e.action,
        subject,
        detail: e.detail,
        event_id: e.event_id,
    })
}

/// A page of the trail between `from` and `to` (inclusive), oldest first: one person's
/// (`actor`), or everyone's over at most [`MAX_DAYS_WITHOUT_ACTOR`] days. The cursor continues
/// where the page ended.
pub async fn page(
    table: &dyn Table,
    actor: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<AuditRow>, Option<String>), StoreError> {
    let range = SkRange::Between(repo::key_time(&from), format!("{}~", repo::key_time(&to)));
    let limit = limit.clamp(1, 500);
    if let Some(a) = actor {
        let page = table
            .query(
                &Query::new(repo::audit_by_index_pk(a))
                    .index(Index::Gsi1)
                    .sk(range)
                    .limit(limit)
                    .after(cursor),
            )
            .await?;
        let rows = page.items.into_iter().map(row).collect::<Result<_, _>>()?;
        return Ok((rows, page.cursor));
    }
    // everyone's, day by day: the cursor is `<day>|<that day's cursor>`
    let (mut day, mut inner) = match cursor.as_deref().and_then(|c| c.split_once('|')) {
        Some((d, c)) => (
            d.parse::<NaiveDate>().map_err(|_| StoreError::BadCursor)?,
            Some(c.to_string()).filter(|c| !c.is_empty()),
        ),
        None => (from.date_naive(), None),
    };
    let mut rows = Vec::new();
    while day <= to.date_naive() && (rows.len() as u32) < limit {
        let page = table
            .query(
                &Query::new(repo::audit_day_index_pk(&day))
                    .index(Index::Gsi2)
                    .sk(range.clone())
                    .limit(limit - rows.len() as u32)
                    .after(inner.take()),
            )
            .await?;
        for item in page.items {
            rows.push(row(item)?);
        }
        match page.cursor {
            Some(c) => return Ok((rows, Some(format!("{day}|{c}")))),
            None => day += Duration::days(1),
        }
    }
    let next = (day <= to.date_naive()).then(|| format!("{day}|"));
    Ok((rows, next))
}

/// An audit event by `by`, about `subject`.
pub fn audit_record(by: &Principal, subject: &str, action: &str, detail: String, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        subject: subject.to_string(),
        event: AuditEvent {
            event_id: new_id(now),
            at: now,
            actor: by.actor(),
            role: Some(by.role_label()),
            action: action.into(),
            before: None,
            after: None,
            correlation_id: new_id(now),
            detail,
        },
    }
}
