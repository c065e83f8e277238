//! Sales activity on a lead: appended to its audit trail; the first response on a lead whose
//! SLA clock runs also stops the clock. The dashboards count the activity (and the response,
//! its minutes and whether it met the SLA) in the same transaction, once.

use crate::domain::aggregates::{self, Tally};
use crate::domain::audit::AuditEvent;
use crate::domain::lead::Lead;
use crate::ports::table::{StoreError, Table};
use crate::repo;
use crate::usecases::sla::{self, Sla};

/// The kinds of activity a lead can have logged.
pub const KINDS: &[&str] = &["call", "email", "meeting", "note", "reply", "webinar"];

/// The audit event of an activity of `kind` by `by`, with its note.
pub fn event(
    by: &crate::access::Principal,
    kind: &str,
    note: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditEvent {
    AuditEvent {
        event_id: crate::ids::new_id(now),
        at: now,
        actor: by.actor(),
        role: Some(by.role_label()),
        action: format!("activity.{kind}"),
        before: None,
        after: Some(serde_json::json!({ "type": kind })),
        correlation_id: crate::ids::new_id(now),
        detail: note.unwrap_or_default(),
    }
}

/// Records the activity; `read` is the lead's SLA as read with it. Returns the SLA when this
/// was the first response.
pub async fn record(
    table: &dyn Table,
    lead: &Lead,
    audit: &AuditEvent,
    kind: &str,
    read: Option<Sla>,
) -> Result<Option<Sla>, StoreError> {
    let audit_write = repo::put_new(repo::item(&repo::LeadAudit {
        lead_id: &lead.lead_id,
        event: audit,
    })?);
    let month = aggregates::month_of(audit.at);
    let scope = lead.owner_reseller_id.as_deref().unwrap_or(aggregates::PROGRAMME);
    let mut tally = Tally::default();
    tally.add(scope, &month, aggregates::ACTIVITIES, 1);
    if sla::RESPONSE_TYPES.contains(&kind) {
        let mut current = read;
        let mut tries = repo::Tries::default();
        while tries.again().await {
            let Some(sla_now) = current.take() else { break };
            let Some((next, write)) = sla::first_response(&sla_now, &audit.actor, audit.at)? else {
                break;
            };
            let mut counted = tally.clone();
            count_response(&mut counted, &next, &month);
            let mut writes = vec![audit_write.clone(), write];
            writes.extend(repo::tally_writes(counted));
            match table.transact(writes).await {
                Ok(()) => return Ok(Some(next)),
                // the SLA moved meanwhile (a reassignment, or another first response): read it again
                Err(e) if e.is_conflict() => {
                    current = repo::get_record::<Sla>(table, &sla::sla_key(&lead.lead_id)).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut writes = vec![audit_write];
    writes.extend(repo::tally_writes(tally));
    table.transact(writes).await?;
    Ok(None)
}

/// A first response: counted for the owner whose clock it stopped, with its minutes and
/// whether it came within the deadline.
fn count_response(tally: &mut Tally, s: &Sla, month: &str) {
    let owner = s.owner_reseller_id.as_str();
    tally.add(owner, month, aggregates::RESPONDED, 1);
    tally.add(
        owner,
        month,
        aggregates::RESPONSE_MINUTES,
        s.first_response_minutes.unwrap_or(0),
    );
    if s.first_response_at.is_some_and(|at| at <= s.deadline) {
        tally.add(owner, month, aggregates::SLA_MET, 1);
    }
}
