//! Co-sell requests to presales and L1/L2/L3 support tickets on AMC contracts (SPEC §12,
//! seed 003). A co-sell request is audited on its lead and mailed to presales; a support
//! ticket's every step is folded into its contract's renewal-risk signals in the same
//! transaction, so the nightly scan sees it without anyone posting a signal.

use crate::domain::field::FieldError;
use crate::domain::lead::Lead;
use crate::domain::renewal::{Contract, Signal};
use crate::domain::support::{
    CoSell, CoSellKind, CoSellStatus, Level, Severity, SupportRules, SupportTicket, TicketStatus, TicketStep,
};
use crate::ids::new_id;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::ports::{Clock, Mailer};
use crate::repo;
use crate::usecases::pipeline::{audit, lead_writes, own_lead, raced, Asker, PipelineError};
use crate::usecases::renewals::apply_signal;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

pub struct SupportPorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub mailer: &'a dyn Mailer,
    pub rules: &'a SupportRules,
    pub mail_from: &'a str,
    pub presales_email: &'a str,
}

fn conflict(m: impl Into<String>) -> PipelineError {
    PipelineError::Conflict(m.into())
}

// ---- co-selling ----

pub struct CoSellIn {
    pub kind: CoSellKind,
    pub note: Option<String>,
    pub preferred_times: Vec<String>,
}

/// The owner asks presales for help on a lead: a request in the presales queue, audited on the
/// lead, then mailed to presales (a failed mail is logged; the queue still has it).
pub async fn request_cosell(
    ports: &SupportPorts<'_>,
    asker: Asker<'_>,
    lead_id: &str,
    input: CoSellIn,
) -> Result<CoSell, PipelineError> {
    let lead = own_lead(ports.table, asker, lead_id).await?;
    if lead.spam || lead.closed_lost {
        return Err(conflict("a spam or closed-lost lead needs no co-selling"));
    }
    let Some(owner) = lead.owner_reseller_id.clone() else {
        return Err(conflict("the lead has no reseller yet; assign it first"));
    };
    let now = ports.clock.now();
    let request = CoSell {
        cosell_id: new_id(now),
        lead_id: lead.lead_id.clone(),
        reseller_id: owner.clone(),
        kind: input.kind,
        note: input.note,
        preferred_times: input.preferred_times,
        status: CoSellStatus::Open,
        assignee: None,
        outcome: None,
        respond_by: now + Duration::hours(i64::from(ports.rules.cosell_response_hours)),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut next = repo::next_of(&lead);
    next.updated_at = now;
    let event = audit(
        asker,
        "cosell.requested",
        json!({}),
        json!({"cosell_id": request.cosell_id, "kind": request.kind.as_str()}),
        format!(
            "co-sell request {} ({}) to presales, answer by {}",
            request.cosell_id,
            request.kind.as_str(),
            request.respond_by.format("%Y-%m-%d %H:%M UTC")
        ),
        now,
    );
    let mut writes = vec![repo::put_new(repo::item(&request)?)];
    writes.extend(lead_writes(&lead, &next, &event)?);
    ports.table.transact(writes).await.map_err(raced)?;
    mail_presales(ports, &lead, &request).await;
    Ok(request)
}

async fn mail_presales(ports: &SupportPorts<'_>, lead: &Lead, r: &CoSell) {
    let company = lead.profile.company.as_deref().unwrap_or("(no company given)");
    let body = format!(
        "Reseller {} asks for a {} on lead {} ({company}). Preferred times: {}. Note: {}. Please answer by {}.",
        r.reseller_id,
        r.kind.as_str().replace('_', " "),
        r.lead_id,
        if r.preferred_times.is_empty() {
            "any".to_string()
        } else {
            r.preferred_times.join("; ")
        },
        r.note.as_deref().unwrap_or("none"),
        r.respond_by.format("%Y-%m-%d %H:%M UTC")
    );
    let subject = format!("Co-sell request: {} for {company}", r.kind.as_str().replace('_', " "));
    let sent = match crate::mail::notice(
        ports.mail_from,
        "Presales",
        ports.presales_email,
        &subject,
        &body,
        r.created_at,
    ) {
        Ok(mime) => crate::mail::send(ports.mailer, ports.mail_from, ports.presales_email, mime)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = sent {
        tracing::error!(cosell_id = %r.cosell_id, error = %e, "co-sell request not mailed to presales");
    }
}

/// The presales queue: requests in one status, oldest first, at most `limit`.
pub async fn cosell_queue(table: &dyn Table, status: CoSellStatus, limit: u32) -> Result<Vec<CoSell>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::cosell_status_index_pk(status.as_str()))
                .index(Index::Gsi1)
                .limit(limit),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

/// Presales (or a programme admin) assigns a request to a presales engineer, or completes it
/// with its outcome.
pub async fn update_cosell(
    ports: &SupportPorts<'_>,
    by: Asker<'_>,
    cosell_id: &str,
    to: CoSellStatus,
    who: Option<String>,
    note: Option<String>,
) -> Result<CoSell, PipelineError> {
    let request: CoSell = repo::get_record(ports.table, &repo::cosell_key(cosell_id))
        .await?
        .ok_or_else(|| PipelineError::Unknown(format!("no co-sell request {cosell_id}")))?;
    if request.status == CoSellStatus::Completed {
        return Err(conflict(format!("co-sell request {cosell_id} is already completed")));
    }
    let now = ports.clock.now();
    let mut next = repo::next_of(&request);
    next.status = to;
    if let Some(w) = who {
        next.assignee = Some(w);
    }
    if to == CoSellStatus::Completed {
        next.outcome = note.clone();
    }
    next.updated_at = now;
    let mut writes = vec![repo::put_if_version(repo::item(&next)?, request.version)];
    if let Some(lead) = repo::get_record::<Lead>(ports.table, &repo::lead_key(&request.lead_id)).await? {
        let mut lead_next = repo::next_of(&lead);
        lead_next.updated_at = now;
        let event = audit(
            by,
            &format!("cosell.{}", to.as_str()),
            json!({"cosell_id": cosell_id, "status": request.status.as_str()}),
            json!({"cosell_id": cosell_id, "status": to.as_str(), "assignee": next.assignee}),
            format!(
                "co-sell request {cosell_id} {}{}",
                to.as_str(),
                note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
            ),
            now,
        );
        writes.extend(lead_writes(&lead, &lead_next, &event)?);
    }
    ports.table.transact(writes).await.map_err(raced)?;
    Ok(next)
}

// ---- support tickets ----

pub struct TicketIn {
    pub severity: Severity,
    pub subject: String,
    pub description: String,
}

async fn own_contract(table: &dyn Table, asker: Asker<'_>, contract_id: &str) -> Result<Contract, PipelineError> {
    let unknown = || PipelineError::Unknown(format!("no contract {contract_id}"));
    let contract: Contract = repo::get_record(table, &repo::contract_key(contract_id))
        .await?
        .ok_or_else(unknown)?;
    if asker.sees_reseller(&contract.reseller_id) {
        Ok(contract)
    } else {
        Err(unknown())
    }
}

/// The ticket, if the asker may see it (the contract's reseller, or an admin).
pub async fn get_ticket(table: &dyn Table, asker: Asker<'_>, ticket_id: &str) -> Result<SupportTicket, PipelineError> {
    let unknown = || PipelineError::Unknown(format!("no ticket {ticket_id}"));
    let ticket: SupportTicket = repo::get_record(table, &repo::support_ticket_key(ticket_id))
        .await?
        .ok_or_else(unknown)?;
    if asker.sees_reseller(&ticket.reseller_id) {
        Ok(ticket)
    } else {
        Err(unknown())
    }
}

fn signal_of(t: &SupportTicket, at: DateTime<Utc>) -> Signal {
    Signal::SupportTicket {
        ticket_id: t.ticket_id.clone(),
        severity: t.severity.risk_severity().into(),
        status: if t.status == TicketStatus::Resolved {
            "closed".into()
        } else {
            "opened".into()
        },
        at,
        level: Some(t.level.number()),
    }
}

/// Writes the ticket (new, or on its version) and folds it into its contract's signals, in one
/// transaction, retrying when the contract changed meanwhile.
async fn save_with_signal(
    table: &dyn Table,
    ticket: &SupportTicket,
    previous: Option<&SupportTicket>,
    at: DateTime<Utc>,
) -> Result<(), PipelineError> {
    let ticket_write = || -> Result<crate::ports::table::Write, StoreError> {
        Ok(match previous {
            None => repo::put_new(repo::item(ticket)?),
            Some(p) => repo::put_if_version(repo::item(ticket)?, p.version),
        })
    };
    // the contract's write comes first: losing it reads the contract again; losing the
    // ticket's (another change to the ticket won) is the caller's conflict
    repo::update(
        table,
        &repo::contract_key(&ticket.contract_id),
        |contract: &Contract| {
            let mut next = contract.clone();
            apply_signal(&mut next.signals, &signal_of(ticket, at));
            Ok(repo::Change::Write(next, vec![ticket_write()?]))
        },
    )
    .await
    .map_err(raced)?
    .ok_or_else(|| PipelineError::Unknown(format!("no contract {}", ticket.contract_id)))?;
    Ok(())
}

/// Opens an L1 ticket on a contract (its reseller, or an admin).
pub async fn open_ticket(
    ports: &SupportPorts<'_>,
    asker: Asker<'_>,
    contract_id: &str,
    input: TicketIn,
) -> Result<SupportTicket, PipelineError> {
    let contract = own_contract(ports.table, asker, contract_id).await?;
    let now = ports.clock.now();
    let ticket = SupportTicket {
        ticket_id: new_id(now),
        contract_id: contract.contract_id.clone(),
        reseller_id: contract.reseller_id.clone(),
        severity: input.severity,
        subject: input.subject,
        description: input.description,
        level: Level::L1,
        team: Level::L1.team().into(),
        status: TicketStatus::Open,
        respond_by: ports.rules.respond_by(input.severity, Level::L1, now),
        history: vec![TicketStep {
            at: now,
            by: asker.actor(),
            action: "opened".into(),
            level: Level::L1,
            note: None,
        }],
        opened_at: now,
        resolved_at: None,
        version: 1,
    };
    save_with_signal(ports.table, &ticket, None, now).await?;
    Ok(ticket)
}

/// Escalates a ticket one level (L1 → L2 → L3), with the new level's response deadline.
pub async fn escalate(
    ports: &SupportPorts<'_>,
    asker: Asker<'_>,
    ticket_id: &str,
    note: Option<String>,
) -> Result<SupportTicket, PipelineError> {
    let ticket = get_ticket(ports.table, asker, ticket_id).await?;
    if ticket.status == TicketStatus::Resolved {
        return Err(conflict(format!("ticket {ticket_id} is resolved")));
    }
    let Some(level) = ticket.level.next() else {
        return Err(conflict(format!("ticket {ticket_id} is already at L3, the core team")));
    };
    let now = ports.clock.now();
    let mut next = repo::next_of(&ticket);
    next.level = level;
    next.team = level.team().into();
    next.respond_by = ports.rules.respond_by(ticket.severity, level, now);
    next.history.push(TicketStep {
        at: now,
        by: asker.actor(),
        action: "escalated".into(),
        level,
        note,
    });
    save_with_signal(ports.table, &next, Some(&ticket), now).await?;
    Ok(next)
}

/// Resolves a ticket (the signal closes it for the renewal scan).
pub async fn resolve(
    ports: &SupportPorts<'_>,
    asker: Asker<'_>,
    ticket_id: &str,
    note: Option<String>,
) -> Result<SupportTicket, PipelineError> {
    let ticket = get_ticket(ports.table, asker, ticket_id).await?;
    if ticket.status == TicketStatus::Resolved {
        return Err(conflict(format!("ticket {ticket_id} is already resolved")));
    }
    let now = ports.clock.now();
    let mut next = repo::next_of(&ticket);
    next.status = TicketStatus::Resolved;
    next.resolved_at = Some(now);
    next.history.push(TicketStep {
        at: now,
        by: asker.actor(),
        action: "resolved".into(),
        level: ticket.level,
        note,
    });
    save_with_signal(ports.table, &next, Some(&ticket), now).await?;
    Ok(next)
}

/// A contract's tickets, oldest first.
pub async fn contract_tickets(
    table: &dyn Table,
    asker: Asker<'_>,
    contract_id: &str,
) -> Result<Vec<SupportTicket>, PipelineError> {
    own_contract(table, asker, contract_id).await?;
    let items = repo::query_all(
        table,
        Query::new(repo::contract_tickets_index_pk(contract_id)).index(Index::Gsi1),
    )
    .await?;
    Ok(items.into_iter().map(repo::record).collect::<Result<_, _>>()?)
}

/// Validates a ticket's text fields.
/// The tickets escalated to the vendor and still open, soonest deadline first (support's queue).
pub async fn vendor_queue(table: &dyn Table, limit: u32) -> Result<Vec<SupportTicket>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::VENDOR_TICKETS_INDEX_PK)
                .index(Index::Gsi3)
                .limit(limit),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

pub fn ticket_text(subject: Option<&str>, description: Option<&str>, errors: &mut Vec<FieldError>) -> (String, String) {
    use crate::domain::text::{self, Lines};
    let s = text::collect(text::required("subject", subject, 200, Lines::Single), errors).unwrap_or_default();
    let d = text::collect(text::required("description", description, 8000, Lines::Multi), errors).unwrap_or_default();
    (s, d)
}
