//! The first-response SLA (SPEC §4): a lead assigned to a reseller must get a logged sales
//! activity within `sla_hours`. Assignment writes an SLA item indexed by its deadline; the
//! first activity takes it off the index; `watch` (every 15 minutes) reads only the overdue
//! ones, by a key-range query, and reassigns platform leads (at most `max_reassignments`
//! times, then the admin queue) or escalates partner-owned and referral leads — each step one
//! transaction, with an audit event and the emails to each party concerned (owed in the same
//! transaction, sent at least once: see `outbox`).

use super::outbox;
use crate::config::Rules;
use crate::domain::audit::AuditEvent;
use crate::domain::lead::Lead;
use crate::domain::reseller::Reseller;
use crate::domain::routing::ADMIN_QUEUE;
use crate::domain::sla::{needs_roster, next_step, SlaStep};
use crate::ids::new_id;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, Mailer};
use crate::repo;
use crate::repo::Letter;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

pub use crate::repo::{sla_key, SLA_DUE_INDEX_PK};
/// Overdue leads handled per run; the rest wait 15 minutes for the next.
pub const MAX_PER_RUN: usize = 500;

pub use crate::domain::sla::{Sla, SlaStatus};

/// The SLA a new assignment starts.
pub fn start(lead_id: &str, owner: &str, now: DateTime<Utc>, rules: &Rules) -> Sla {
    Sla {
        lead_id: lead_id.to_string(),
        owner_reseller_id: owner.to_string(),
        assigned_at: now,
        deadline: now + Duration::hours(rules.routing.sla_hours as i64),
        status: SlaStatus::Waiting,
        reassignments: 0,
        previous_owners: vec![],
        first_response_at: None,
        first_response_minutes: None,
        first_response_by: None,
        version: 1,
    }
}

/// Types of activity that count as the owner's response (a webinar is the lead's doing).
pub const RESPONSE_TYPES: &[&str] = &["call", "email", "meeting", "note", "reply"];

/// The write that records a first response on a waiting SLA (conditioned on its version),
/// or `None` when there is nothing to record.
pub fn first_response(sla: &Sla, by: &str, at: DateTime<Utc>) -> Result<Option<(Sla, Write)>, StoreError> {
    if sla.status != SlaStatus::Waiting {
        return Ok(None);
    }
    let mut next = repo::next_of(sla);
    next.status = SlaStatus::Responded;
    next.first_response_at = Some(at);
    // to the nearest minute
    next.first_response_minutes = Some(((at - sla.assigned_at).num_seconds() + 30).div_euclid(60));
    next.first_response_by = Some(by.to_string());
    let write = repo::put_if_version(repo::item(&next)?, sla.version);
    Ok(Some((next, write)))
}

pub struct SlaPorts<'a> {
    pub table: &'a dyn Table,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub rules: &'a Rules,
    pub mail_from: &'a str,
    /// who hears of escalations and of leads sent to the admin queue
    pub admin_email: &'a str,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WatchReport {
    pub overdue: u32,
    pub reassigned: u32,
    pub escalated: u32,
    pub admin_queue: u32,
    /// progressed, closed or moved by other means: nothing to do but stop watching
    pub closed: u32,
    /// changed while being handled; the next run sees them again
    pub conflicts: u32,
    pub emails: u32,
    pub failed: u32,
    /// the same run's stuck-lead sweep (leads left at R001 queued for scoring again)
    #[serde(default)]
    pub requeue: crate::usecases::requeue::RequeueReport,
    /// the same run's outbox sweep (emails owed and not yet sent by the flows that owe them)
    pub outbox: outbox::SweepReport,
}

/// What happened to one overdue lead, and who is told.
enum Step {
    Reassigned { from: String, to: String },
    Escalated { owner: String },
    AdminQueue { from: String },
    Closed,
}

pub async fn watch(ports: &SlaPorts<'_>, now: DateTime<Utc>) -> Result<WatchReport, StoreError> {
    let mut report = WatchReport::default();
    let mut due = Vec::new();
    let mut cursor = None;
    // everything whose deadline is at or before now ('~' sorts after every lead id)
    let upto = repo::due_upto(&now);
    loop {
        let page = ports
            .table
            .query(
                &Query::new(SLA_DUE_INDEX_PK)
                    .index(Index::Gsi1)
                    .sk(SkRange::UpTo(upto.clone()))
                    .limit(100)
                    .after(cursor),
            )
            .await?;
        for item in page.items {
            due.push(repo::record::<Sla>(item)?);
        }
        match page.cursor {
            Some(c) if due.len() < MAX_PER_RUN => cursor = Some(c),
            _ => break,
        }
    }
    due.truncate(MAX_PER_RUN);
    report.overdue = due.len() as u32;
    let mut roster: Option<Vec<Reseller>> = None;
    for sla in due {
        match handle(ports, &sla, now, &mut roster).await {
            Ok(Some((step, letters))) => {
                match &step {
                    Step::Reassigned { .. } => report.reassigned += 1,
                    Step::Escalated { .. } => report.escalated += 1,
                    Step::AdminQueue { .. } => report.admin_queue += 1,
                    Step::Closed => report.closed += 1,
                }
                for letter in letters {
                    // a failed send stays owed: the outbox sweeper has it
                    if outbox::deliver(ports.table, ports.mailer, &letter, now).await.is_ok() {
                        report.emails += 1;
                    }
                }
            }
            Ok(None) => report.conflicts += 1,
            Err(e) => {
                report.failed += 1;
                tracing::error!(lead_id = %sla.lead_id, error = %e, "SLA step failed");
            }
        }
    }
    Ok(report)
}

/// Decides and commits one overdue lead's step; `None` when something changed meanwhile.
async fn handle(
    ports: &SlaPorts<'_>,
    sla: &Sla,
    now: DateTime<Utc>,
    roster: &mut Option<Vec<Reseller>>,
) -> Result<Option<(Step, Vec<Letter>)>, StoreError> {
    let Some(lead) = repo::get_record::<Lead>(ports.table, &repo::lead_key(&sla.lead_id)).await? else {
        return Ok(None);
    };
    let mut next_sla = repo::next_of(sla);
    let mut next_lead = repo::next_of(&lead);
    next_lead.updated_at = now;
    let mut writes = Vec::new();
    let old = sla.owner_reseller_id.clone();
    // resellers whose load this step changes, to keep the run's roster current
    let mut updated: Vec<Reseller> = Vec::new();
    // the roster is read only when a reassignment may need it
    if roster.is_none() && needs_roster(&lead, sla) {
        *roster = Some(crate::usecases::resellers::active_resellers(ports.table).await?);
    }
    let current: &[Reseller] = roster.as_deref().unwrap_or(&[]);
    let decided = next_step(&lead, sla, current, &ports.rules.routing, now);
    let (step, action, detail) = match &decided {
        SlaStep::Close => {
            next_sla.status = SlaStatus::Closed;
            (Step::Closed, "", String::new())
        }
        SlaStep::Escalate { owner, why } => {
            next_sla.status = SlaStatus::Escalated;
            (Step::Escalated { owner: owner.clone() }, "sla.escalated", why.clone())
        }
        SlaStep::Reassign { .. } | SlaStep::AdminQueue { .. } => {
            // the old owner's load goes down either way
            if let Some(previous) = current.iter().find(|r| r.reseller_id == old) {
                let mut p = repo::next_of(previous);
                p.open_leads = p.open_leads.saturating_sub(1);
                writes.push(repo::put_if_version(repo::item(&p)?, previous.version));
                updated.push(p);
            }
            next_sla.previous_owners.push(old.clone());
            match &decided {
                SlaStep::Reassign { to, decision, .. } => {
                    let Some(w) = current.iter().find(|r| &r.reseller_id == to) else {
                        return Ok(None);
                    };
                    let mut nw = repo::next_of(w);
                    nw.open_leads += 1;
                    nw.last_assigned_at = Some(now);
                    writes.push(repo::put_if_version(repo::item(&nw)?, w.version));
                    updated.push(nw);
                    next_lead.owner_reseller_id = Some(to.clone());
                    next_lead.assigned_user = None;
                    next_lead.queue = None;
                    next_lead.routing = Some(decision.clone());
                    next_sla.owner_reseller_id = to.clone();
                    next_sla.reassignments += 1;
                    next_sla.assigned_at = now;
                    next_sla.deadline = now + Duration::hours(ports.rules.routing.sla_hours as i64);
                    (
                        Step::Reassigned {
                            from: old.clone(),
                            to: to.clone(),
                        },
                        "sla.reassigned",
                        decision.why.clone(),
                    )
                }
                SlaStep::AdminQueue { decision, .. } => {
                    next_lead.owner_reseller_id = None;
                    next_lead.assigned_user = None;
                    next_lead.queue = Some(ADMIN_QUEUE.into());
                    next_lead.routing = Some(decision.clone());
                    next_sla.status = SlaStatus::AdminQueue;
                    (
                        Step::AdminQueue { from: old.clone() },
                        "sla.admin_queue",
                        decision.why.clone(),
                    )
                }
                _ => return Ok(None),
            }
        }
    };
    writes.push(repo::put_if_version(repo::item(&next_sla)?, sla.version));
    if !action.is_empty() {
        writes.extend(repo::lead_put(Some(&lead), &next_lead)?);
        let audit = AuditEvent {
            event_id: new_id(now),
            at: now,
            actor: "system:sla-watch".into(),
            role: None,
            action: action.into(),
            before: Some(
                json!({"owner_reseller_id": lead.owner_reseller_id, "queue": lead.queue, "reassignments": sla.reassignments}),
            ),
            after: Some(
                json!({"owner_reseller_id": next_lead.owner_reseller_id, "queue": next_lead.queue, "reassignments": next_sla.reassignments, "deadline": (next_sla.status == SlaStatus::Waiting).then_some(next_sla.deadline)}),
            ),
            correlation_id: format!("sla-{}-{}", sla.lead_id, sla.version),
            detail,
        };
        writes.push(repo::put_new(repo::item(&repo::LeadAudit {
            lead_id: &sla.lead_id,
            event: &audit,
        })?));
    }
    // the step's emails are owed in the step's own transaction
    let letters = letters(
        ports,
        &step,
        &next_lead,
        lead.assigned_user.as_deref(),
        &format!("sla-{}-{}", sla.lead_id, next_sla.version),
        now,
    )
    .await?;
    writes.extend(letters.iter().map(|(_, w)| w.clone()));
    match ports.table.transact(writes).await {
        Ok(()) => {
            if let Some(r) = roster.as_mut() {
                for u in updated {
                    if let Some(slot) = r.iter_mut().find(|x| x.reseller_id == u.reseller_id) {
                        *slot = u;
                    }
                }
            }
            Ok(Some((step, letters.into_iter().map(|(l, _)| l).collect())))
        }
        Err(e) if e.is_conflict() => {
            // a first response, a stage move or a roster change won the race: look again later
            *roster = None;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The letters to each party of a step (`id` makes their ids), with the writes that owe them.
async fn letters(
    ports: &SlaPorts<'_>,
    step: &Step,
    lead: &Lead,
    was_assigned: Option<&str>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(Letter, Write)>, StoreError> {
    let hours = ports.rules.routing.sla_hours;
    let who = lead.profile.name.clone().unwrap_or_else(|| lead.email.clone());
    let company = lead
        .profile
        .company
        .as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let lead_line = format!("{who}{company}, lead {}", lead.lead_id);
    let mut messages: Vec<(String, Vec<String>, String, String)> = Vec::new(); // (name, addresses, subject, body)
                                                                               // a reseller's mail goes to the person working the lead, its managers copied (else to its
                                                                               // owners and managers)
    let reseller = |id: &str, assigned: Option<&str>| {
        let id = id.to_string();
        let assigned = assigned.map(str::to_string);
        async move {
            let r = repo::get_record::<Reseller>(ports.table, &repo::reseller_key(&id))
                .await
                .ok()
                .flatten()?;
            let (name, to) = crate::usecases::people::lead_recipients(ports.table, &r, assigned.as_deref())
                .await
                .ok()?;
            Some((r, name, to))
        }
    };
    match step {
        Step::Reassigned { from, to } => {
            if let Some((_, name, to)) = reseller(from, was_assigned).await {
                messages.push((
                    name,
                    to,
                    format!("Lead reassigned: {who}{company}"),
                    format!("No first response was logged within {hours} hours, so {lead_line} has been reassigned to another partner."),
                ));
            }
            if let Some((_, name, to)) = reseller(to, None).await {
                messages.push((
                    name,
                    to,
                    format!("New lead for you: {who}{company} — respond within {hours} hours"),
                    format!(
                        "{lead_line} is now yours: {}, {}. Log your first call, email or meeting within {hours} hours (POST /leads/{}/activities).",
                        lead.email,
                        lead.profile.phone.clone().unwrap_or_default(),
                        lead.lead_id
                    ),
                ));
            }
        }
        Step::Escalated { owner } => {
            if let Some((r, name, to)) = reseller(owner, lead.assigned_user.as_deref()).await {
                messages.push((
                    name,
                    to,
                    format!("Overdue: first response to {who}{company}"),
                    format!("No first response has been logged for {lead_line} within {hours} hours. The lead stays yours; the partner team has been told."),
                ));
                messages.push((
                    "Partner admin".into(),
                    vec![ports.admin_email.to_string()],
                    format!("Escalation: {} has not responded to {who}{company}", r.name),
                    format!("{} ({}) has logged no first response for {lead_line} within {hours} hours. It is a protected lead (partner-owned or referral), so it was not reassigned.", r.name, r.reseller_id),
                ));
            }
        }
        Step::AdminQueue { from } => {
            if let Some((_, name, to)) = reseller(from, was_assigned).await {
                messages.push((
                    name,
                    to,
                    format!("Lead withdrawn: {who}{company}"),
                    format!("No first response was logged within {hours} hours, so {lead_line} has gone to the partner team."),
                ));
            }
            messages.push((
                "Partner admin".into(),
                vec![ports.admin_email.to_string()],
                format!("Admin queue: {who}{company} needs an owner"),
                format!("{lead_line} had no first response after its reassignments and is in the admin queue."),
            ));
        }
        Step::Closed => {}
    }
    let mut letters = Vec::new();
    for (i, (name, to, subject, body)) in messages.into_iter().enumerate() {
        let Some(first) = to.first() else { continue };
        let mime = match crate::mail::notice(ports.mail_from, &name, first, &subject, &body, now) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "SLA email not built");
                continue;
            }
        };
        letters.push(outbox::owe(
            &format!("{id}-{i}"),
            &crate::mail::address(ports.mail_from),
            &to,
            &mime,
            now,
        )?);
    }
    Ok(letters)
}

/// A lead's first-response clock, if it has one.
pub async fn of_lead(table: &dyn Table, lead_id: &str) -> Result<Option<Sla>, StoreError> {
    repo::get_record(table, &repo::sla_key(lead_id)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_clock_is_indexed_by_deadline_only_while_waiting() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 4, 30, 0).single().expect("time");
        let sla = start("L1", "R1", t0, &Rules::default());
        assert_eq!(sla.deadline, t0 + Duration::hours(4));
        let item = repo::item(&sla).expect("item");
        assert_eq!(item["gsi1pk"], SLA_DUE_INDEX_PK);
        assert!(item["gsi1sk"]
            .as_str()
            .is_some_and(|s| s.starts_with("2026-11-23T08:30:00")));

        // the first response: rounded minutes, off the index, written on the version read
        let (done, write) = first_response(&sla, "reseller:R1", t0 + Duration::seconds(59 * 60 + 40))
            .expect("ok")
            .expect("recorded");
        assert_eq!(done.status, SlaStatus::Responded);
        assert_eq!(done.first_response_minutes, Some(60));
        let Write::Put { item, cond } = write else {
            panic!("a put")
        };
        assert!(!item.contains_key("gsi1pk"));
        assert_eq!(
            cond,
            Some(crate::ports::table::Cond::Equals("version".into(), json!(1)))
        );
        // only the first counts
        assert!(first_response(&done, "admin", t0 + Duration::hours(2))
            .expect("ok")
            .is_none());
    }
}
