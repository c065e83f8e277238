//! Moving leads through the middle of the funnel by hand (SPEC §12): stage moves, closed-lost,
//! reopening, admin assignment, and the win rate the decided deals give. Every change is one
//! conditional transaction on the lead's version with its audit event, so of two concurrent
//! moves exactly one wins.

use crate::domain::audit::AuditEvent;
use crate::domain::field::FieldError;
use crate::domain::lead::{Lead, CLOSED_LOST_COLUMN};
use crate::domain::pipeline::{
    allowed_moves, check_move, may_reopen, outcomes, DecidedDeal, Lost, LostReason, MoveRefused, Outcomes,
    PipelineRules, Target,
};
use crate::domain::reseller::{Reseller, ResellerStatus};
use crate::ids::new_id;
use crate::ports::table::{Query, StoreError, Table, Write};
use crate::ports::Clock;
use crate::repo;
use chrono::{DateTime, Utc};
use serde_json::json;

pub struct PipelinePorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub rules: &'a PipelineRules,
}

/// Who asks: a person the policy let through, seeing only its data (`crate::access`).
pub type Asker<'a> = &'a crate::access::Principal;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// no such lead, or another reseller's
    #[error("no lead {0}")]
    NotFound(String),
    /// no such quote, request or ticket (or another reseller's): the whole message
    #[error("{0}")]
    Unknown(String),
    #[error(transparent)]
    Refused(#[from] MoveRefused),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A hand move as asked.
#[derive(Debug, Clone)]
pub struct MoveIn {
    pub to: Target,
    pub note: Option<String>,
    pub reason: Option<LostReason>,
    /// an admin's forced move (a reseller's is refused before this)
    pub force: bool,
}

/// The lead, if it exists and the asker may act on it.
pub(crate) async fn own_lead(table: &dyn Table, asker: Asker<'_>, lead_id: &str) -> Result<Lead, PipelineError> {
    let lead: Lead = repo::get_record(table, &repo::lead_key(lead_id))
        .await?
        .ok_or_else(|| PipelineError::NotFound(lead_id.into()))?;
    if asker.sees_lead(&lead) {
        Ok(lead)
    } else {
        Err(PipelineError::NotFound(lead_id.into()))
    }
}

/// An audit event naming the person who acted and its role.
pub(crate) fn audit(
    by: &crate::access::Principal,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    detail: String,
    now: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        event_id: new_id(now),
        at: now,
        actor: by.actor(),
        role: Some(by.role_label()),
        action: action.into(),
        before: Some(before),
        after: Some(after),
        correlation_id: new_id(now),
        detail,
    }
}

pub(crate) fn lead_writes(lead: &Lead, next: &Lead, event: &AuditEvent) -> Result<Vec<Write>, StoreError> {
    let mut writes = repo::lead_put(Some(lead), next)?;
    writes.push(repo::put_new(repo::item(&repo::LeadAudit {
        lead_id: &lead.lead_id,
        event,
    })?));
    Ok(writes)
}

/// Two writers raced on the lead: the loser is told, never retried behind its back.
pub(crate) fn raced(e: StoreError) -> PipelineError {
    if e.is_conflict() {
        PipelineError::Conflict("the lead changed meanwhile (another move won); read it again".into())
    } else {
        PipelineError::Store(e)
    }
}

/// Moves a lead to a hand stage or closes it as lost.
pub async fn move_stage(
    ports: &PipelinePorts<'_>,
    asker: Asker<'_>,
    lead_id: &str,
    input: MoveIn,
) -> Result<Lead, PipelineError> {
    let lead = own_lead(ports.table, asker, lead_id).await?;
    if lead.spam {
        return Err(PipelineError::Conflict("a spam lead has no pipeline".into()));
    }
    let force = input.force && asker.decides_for_programme();
    check_move(lead.stage, lead.closed_lost, input.to, force)?;
    let forced = force && !allowed_moves(lead.stage, lead.closed_lost).contains(&input.to);
    let now = ports.clock.now();
    let mut next = repo::next_of(&lead);
    next.updated_at = now;
    let mut writes = Vec::new();
    let (action, detail) = match input.to {
        Target::Stage(to) => {
            next.stage = to;
            (
                "stage.moved",
                format!("{} → {} ({})", lead.stage.code(), to.code(), to.name()),
            )
        }
        Target::ClosedLost => {
            let reason = input.reason.ok_or_else(|| {
                PipelineError::Invalid(vec![FieldError {
                    field: "reason".into(),
                    message: format!(
                        "closing as lost needs a reason: {}",
                        LostReason::ALL.map(|r| r.as_str()).join(", ")
                    ),
                }])
            })?;
            next.closed_lost = true;
            next.lost = Some(Lost {
                reason,
                note: input.note.clone(),
                at: now,
                by: asker.actor(),
                stage: lead.stage,
                owner: lead.owner_reseller_id.clone(),
            });
            if let Some(owner) = &lead.owner_reseller_id {
                writes.push(repo::put_new(repo::item(&DecidedDeal {
                    reseller_id: owner.clone(),
                    lead_id: lead.lead_id.clone(),
                    won: false,
                    at: now,
                })?));
            }
            (
                "lead.closed_lost",
                format!(
                    "lost at {} ({}): {}",
                    lead.stage.code(),
                    lead.stage.name(),
                    reason.as_str()
                ),
            )
        }
    };
    let detail = match (&input.note, forced) {
        (Some(n), true) => format!("{detail}; forced by the programme; {n}"),
        (None, true) => format!("{detail}; forced by the programme"),
        (Some(n), false) => format!("{detail}; {n}"),
        (None, false) => detail,
    };
    let event = audit(
        asker,
        action,
        json!({"stage": lead.stage.code(), "progress": lead.stage.progress(), "closed_lost": lead.closed_lost}),
        json!({"stage": next.stage.code(), "progress": next.stage.progress(), "closed_lost": next.closed_lost,
               "reason": input.reason.filter(|_| next.closed_lost).map(|r| r.as_str()), "forced": forced}),
        detail,
        now,
    );
    writes.extend(lead_writes(&lead, &next, &event)?);
    // the dashboards count the move (or the loss, by reason) with it, once
    let mut tally = crate::domain::aggregates::Tally::default();
    let scope = lead
        .owner_reseller_id
        .as_deref()
        .unwrap_or(crate::domain::aggregates::PROGRAMME);
    let month = crate::domain::aggregates::month_of(now);
    match (input.to, input.reason) {
        (Target::ClosedLost, Some(reason)) => {
            tally.add(scope, &month, crate::domain::aggregates::LOST, 1);
            tally.add(
                scope,
                &month,
                &crate::domain::aggregates::lost_counter(reason.as_str()),
                1,
            );
        }
        (Target::Stage(to), _) => tally.add(scope, &month, &crate::domain::aggregates::stage_counter(to.code()), 1),
        _ => {}
    }
    writes.extend(repo::tally_writes(tally));
    ports.table.transact(writes).await.map_err(raced)?;
    if let (true, Some(owner)) = (next.closed_lost, &lead.owner_reseller_id) {
        refresh_after_commit(ports, owner).await;
    }
    Ok(next)
}

/// Returns a closed-lost lead to the stage it was lost at: an admin any time, its owner within
/// the configured days.
pub async fn reopen(
    ports: &PipelinePorts<'_>,
    asker: Asker<'_>,
    lead_id: &str,
    note: Option<String>,
) -> Result<Lead, PipelineError> {
    let lead = own_lead(ports.table, asker, lead_id).await?;
    let Some(lost) = lead.lost.clone().filter(|_| lead.closed_lost) else {
        return Err(PipelineError::Conflict("the lead is not closed-lost".into()));
    };
    let now = ports.clock.now();
    if !may_reopen(&lost, now, asker.decides_for_programme(), ports.rules.reopen_days) {
        return Err(PipelineError::Forbidden(format!(
            "an owner may reopen a lost deal within {} days of losing it; ask an admin",
            ports.rules.reopen_days
        )));
    }
    let mut next = repo::next_of(&lead);
    next.closed_lost = false;
    next.lost = None;
    next.stage = lost.stage;
    next.updated_at = now;
    let mut writes = Vec::new();
    if let Some(owner) = &lost.owner {
        writes.push(Write::Delete {
            key: repo::outcome_key(owner, &lost.at, &lead.lead_id),
            cond: None,
        });
    }
    // the loss is taken back from the dashboards and the win rate, in the loss's month
    let mut tally = crate::domain::aggregates::Tally::default();
    let scope = lost.owner.as_deref().unwrap_or(crate::domain::aggregates::PROGRAMME);
    let lost_month = crate::domain::aggregates::month_of(lost.at);
    tally.add(scope, &lost_month, crate::domain::aggregates::LOST, -1);
    tally.add(
        scope,
        &lost_month,
        &crate::domain::aggregates::lost_counter(lost.reason.as_str()),
        -1,
    );
    writes.extend(repo::tally_writes(tally));
    let event = audit(
        asker,
        "lead.reopened",
        json!({"closed_lost": true, "reason": lost.reason.as_str(), "lost_at": lost.at}),
        json!({"closed_lost": false, "stage": lost.stage.code()}),
        match &note {
            Some(n) => format!("reopened at {}; {n}", lost.stage.code()),
            None => format!("reopened at {}", lost.stage.code()),
        },
        now,
    );
    writes.extend(lead_writes(&lead, &next, &event)?);
    ports.table.transact(writes).await.map_err(raced)?;
    if let Some(owner) = &lost.owner {
        refresh_after_commit(ports, owner).await;
    }
    Ok(next)
}

/// The programme gives a lead (typically from the admin queue) to a reseller: a programme
/// admin to any active reseller, a channel manager to one of its partners.
pub async fn assign(
    ports: &PipelinePorts<'_>,
    by: Asker<'_>,
    lead_id: &str,
    reseller_id: &str,
    note: Option<String>,
) -> Result<Lead, PipelineError> {
    let lead: Lead = repo::get_record(ports.table, &repo::lead_key(lead_id))
        .await?
        .ok_or_else(|| PipelineError::NotFound(lead_id.into()))?;
    // the admin queue's leads are the programme's; a channel manager may hand them to its
    // partners, and move its partners' leads between them
    if lead.owner_reseller_id.as_deref().is_some_and(|o| !by.sees_reseller(o)) {
        return Err(PipelineError::NotFound(lead_id.into()));
    }
    if !by.sees_reseller(reseller_id) {
        return Err(PipelineError::Forbidden(format!(
            "reseller {reseller_id} is not in your care"
        )));
    }
    if lead.owner_reseller_id.as_deref() == Some(reseller_id) {
        return Err(PipelineError::Conflict(format!("the lead is already {reseller_id}'s")));
    }
    let invalid = |m: String| {
        PipelineError::Invalid(vec![FieldError {
            field: "reseller_id".into(),
            message: m,
        }])
    };
    let to: Reseller = repo::get_record(ports.table, &repo::reseller_key(reseller_id))
        .await?
        .ok_or_else(|| invalid(format!("no reseller {reseller_id}")))?;
    if to.status != ResellerStatus::Active {
        return Err(invalid(format!("reseller {reseller_id} is {}", to.status.as_str())));
    }
    let now = ports.clock.now();
    let mut next = repo::next_of(&lead);
    next.owner_reseller_id = Some(reseller_id.to_string());
    // a new reseller decides who of its people works it
    next.assigned_user = None;
    next.queue = None;
    next.updated_at = now;
    // the new owner's load goes up, the old owner's down (each on its version)
    let mut writes = Vec::new();
    let mut new_owner = repo::next_of(&to);
    new_owner.open_leads += 1;
    new_owner.last_assigned_at = Some(now);
    writes.push(repo::put_if_version(repo::item(&new_owner)?, to.version));
    if let Some(old_id) = &lead.owner_reseller_id {
        if let Some(old) = repo::get_record::<Reseller>(ports.table, &repo::reseller_key(old_id)).await? {
            let mut o = repo::next_of(&old);
            o.open_leads = o.open_leads.saturating_sub(1);
            writes.push(repo::put_if_version(repo::item(&o)?, old.version));
        }
    }
    let event = audit(
        by,
        "lead.assigned",
        json!({"owner_reseller_id": lead.owner_reseller_id, "queue": lead.queue}),
        json!({"owner_reseller_id": reseller_id, "queue": null}),
        note.unwrap_or_else(|| format!("assigned to {reseller_id} by {}", by.actor())),
        now,
    );
    writes.extend(lead_writes(&lead, &next, &event)?);
    ports.table.transact(writes).await.map_err(raced)?;
    Ok(next)
}

/// The deals a reseller decided in the trailing window, counted by a key-range query on its
/// partition (no scan).
pub async fn count_outcomes(
    table: &dyn Table,
    reseller_id: &str,
    rules: &PipelineRules,
    now: DateTime<Utc>,
) -> Result<Outcomes, StoreError> {
    // the months' won and lost counters (kept with each decided deal, taken back by a reopen):
    // one batched read, however many deals the reseller has decided
    let months = crate::domain::aggregates::trailing_months(now, rules.win_rate_months);
    let counted = repo::aggregates(table, reseller_id, &months).await?;
    let sum = |counter: &str| -> u32 {
        let n: i64 = counted.values().map(|c| c.get(counter)).sum();
        u32::try_from(n.max(0)).unwrap_or(u32::MAX)
    };
    use crate::domain::aggregates::{LOST, WON};
    Ok(outcomes(sum(WON), sum(LOST), rules, now))
}

/// Recounts a reseller's decided deals and keeps them on its record, where routing reads the
/// win rate (its own once there are enough decided deals).
pub async fn refresh_outcomes(
    table: &dyn Table,
    reseller_id: &str,
    rules: &PipelineRules,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let counted = count_outcomes(table, reseller_id, rules, now).await?;
    repo::update(table, &repo::reseller_key(reseller_id), |r: &Reseller| {
        let mut next = r.clone();
        next.outcomes = Some(counted.clone());
        Ok::<_, StoreError>(repo::Change::to(next))
    })
    .await?;
    Ok(())
}

/// After a win or loss is committed: a failure to refresh is logged, and the next outcome (or
/// `GET /resellers/{id}`, which counts afresh) puts it right.
async fn refresh_after_commit(ports: &PipelinePorts<'_>, reseller_id: &str) {
    if let Err(e) = refresh_outcomes(ports.table, reseller_id, ports.rules, ports.clock.now()).await {
        tracing::warn!(reseller_id, error = %e, "win rate not refreshed");
    }
}

/// One lead on the board.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Card {
    pub lead_id: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub score: Option<u32>,
    pub owner_reseller_id: Option<String>,
    /// from the latest quote (ex GST), else the deal registration; a decimal string
    #[schema(value_type = Option<String>)]
    pub expected_value: Option<rust_decimal::Decimal>,
    /// the latest quote's expected close, when it gives one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<chrono::NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// One column of the board: a stage (or closed-lost) with its count and expected value.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Column {
    /// `R001`…`R010`, or `closed_lost`
    pub stage: &'static str,
    pub name: &'static str,
    pub progress: u8,
    pub count: usize,
    /// the sum of the known expected values, a decimal string
    #[schema(value_type = String)]
    pub expected_value: rust_decimal::Decimal,
    /// the most recently updated first, at most `limit`
    pub leads: Vec<Card>,
    /// more leads than shown
    pub more: bool,
    /// where the next page of this column starts (`?stage=…&offset=…`)
    pub next_offset: Option<usize>,
}

/// Which part of the board to show: at most `limit` leads per column from `offset`, of one
/// column (`R001`…`R010` or `closed_lost`) or of all.
#[derive(Debug, Clone, Copy)]
pub struct BoardPage<'a> {
    pub stage: Option<&'a str>,
    pub offset: usize,
    pub limit: usize,
}

/// The board's columns in order: every stage, then closed-lost.
fn columns_in_order() -> impl Iterator<Item = (&'static str, &'static str, u8)> {
    use crate::domain::stage::Stage;
    Stage::ALL
        .iter()
        .map(|s| (s.code(), s.name(), s.progress()))
        .chain(std::iter::once((CLOSED_LOST_COLUMN, "CLOSED LOST", 0)))
}

fn card(l: &Lead) -> Card {
    Card {
        lead_id: l.lead_id.clone(),
        name: l.profile.name.clone(),
        company: l.profile.company.clone(),
        score: l.score,
        owner_reseller_id: l.owner_reseller_id.clone(),
        expected_value: l.expected_value(),
        expected_close: l
            .quote
            .as_ref()
            .filter(|q| q.status.is_sendable())
            .and_then(|q| q.expected_close),
        updated_at: l.updated_at,
    }
}

/// The kanban: every stage in order, then closed-lost. `owner`: one reseller's board, read
/// column by column from its board index (the cards shown, after `offset`) with the counts and
/// values its counts item keeps — its cost follows the page, not the pipeline; else every
/// lead's (the leads index, for the programme's staff). Spam is never on the board.
pub async fn board(
    table: &dyn Table,
    owner: Option<&str>,
    viewer: Asker<'_>,
    page: BoardPage<'_>,
) -> Result<Vec<Column>, StoreError> {
    let wanted = |code: &str| page.stage.is_none_or(|s| s.eq_ignore_ascii_case(code));
    let Some(owner) = owner else {
        return programme_board(table, viewer, page).await.map(|mut c| {
            c.retain(|c| wanted(c.stage));
            c
        });
    };
    // a rep's board is what is assigned to it, counted apart
    let person = viewer.rep();
    let visible = viewer.sees_owned(Some(owner), person);
    let counts = if visible {
        repo::get_record::<serde_json::Map<String, serde_json::Value>>(table, &repo::board_counts_key(owner, person))
            .await?
            .unwrap_or_default()
    } else {
        Default::default()
    };
    let counter = |attr: String| counts.get(&attr).and_then(serde_json::Value::as_i64).unwrap_or(0);
    let shown = page.offset + page.limit;
    let mut out = Vec::new();
    for (code, name, progress) in columns_in_order().filter(|(code, ..)| wanted(code)) {
        let count = usize::try_from(counter(repo::board_count_attr(code)).max(0)).unwrap_or(0);
        let leads = if visible && count > page.offset && page.limit > 0 {
            column_cards(table, owner, code, person, shown).await?
        } else {
            Vec::new()
        };
        out.push(Column {
            stage: code,
            name,
            progress,
            count,
            expected_value: repo::board::units_value(counter(repo::board_value_attr(code))),
            more: count > shown,
            next_offset: (count > shown).then_some(shown),
            leads: leads.iter().skip(page.offset).take(page.limit).map(card).collect(),
        });
    }
    Ok(out)
}

/// The first `n` leads of one board column, most recently changed first (a rep's: those
/// assigned to it, read page by page until `n` are found).
async fn column_cards(
    table: &dyn Table,
    owner: &str,
    column: &str,
    person: Option<&str>,
    n: usize,
) -> Result<Vec<Lead>, StoreError> {
    use crate::ports::table::Index;
    let q = Query::new(repo::board_index_pk(owner, column))
        .index(Index::Gsi5)
        .backward()
        .limit(u32::try_from(n).unwrap_or(u32::MAX).max(1));
    let mut out = Vec::with_capacity(n);
    let mut cursor = None;
    loop {
        let page = table.query(&q.clone().after(cursor)).await?;
        for item in page.items {
            let lead: Lead = repo::record(item)?;
            if person.is_none_or(|p| lead.assigned_user.as_deref() == Some(p)) {
                out.push(lead);
            }
        }
        match page.cursor {
            Some(c) if out.len() < n => cursor = Some(c),
            _ => return Ok(out),
        }
    }
}

/// Every owner's leads on one board (the programme's view): the whole leads index, read once.
async fn programme_board(table: &dyn Table, viewer: Asker<'_>, page: BoardPage<'_>) -> Result<Vec<Column>, StoreError> {
    let BoardPage { offset, limit, .. } = page;
    let mut leads = crate::usecases::leads::all_leads(table).await?;
    leads.retain(|l| !l.spam && viewer.sees_lead(l));
    leads.sort_by_key(|l| std::cmp::Reverse(l.updated_at));
    Ok(columns_in_order()
        .map(|(code, name, progress)| {
            let of: Vec<&Lead> = leads
                .iter()
                .filter(|l| {
                    if code == CLOSED_LOST_COLUMN {
                        l.closed_lost
                    } else {
                        !l.closed_lost && l.stage.code() == code
                    }
                })
                .collect();
            Column {
                stage: code,
                name,
                progress,
                count: of.len(),
                expected_value: of.iter().filter_map(|l| l.expected_value()).sum(),
                more: of.len() > offset + limit,
                next_offset: (of.len() > offset + limit).then_some(offset + limit),
                leads: of.iter().skip(offset).take(limit).map(|l| card(l)).collect(),
            }
        })
        .collect())
}

/// A reseller's board counts as its leads make them now (read through its owner index), and
/// as its counts items hold them: equal unless a lead was written without [`repo::lead_put`].
pub async fn recount_board(
    table: &dyn Table,
    owner: &str,
) -> Result<(repo::board::Counts, repo::board::Counts), StoreError> {
    use crate::ports::table::SkRange;
    let leads = crate::usecases::leads::owned_by(table, owner).await?;
    let expected = repo::board::counts_of(&leads);
    let all = repo::board_counts_key(owner, None);
    let mut stored = repo::board::Counts::new();
    for item in repo::query_all(table, Query::new(all.pk.clone()).sk(SkRange::All)).await? {
        let Some(key) = repo::key_of(&item) else { continue };
        let attrs: std::collections::BTreeMap<String, i64> = item
            .iter()
            .filter(|(name, _)| repo::is_board_counter(name))
            .filter_map(|(name, v)| Some((name.clone(), v.as_i64()?)))
            .filter(|(_, n)| *n != 0)
            .collect();
        if !attrs.is_empty() {
            stored.insert(key, attrs);
        }
    }
    Ok((expected, stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use crate::domain::lead::LeadInput;
    use crate::domain::quote::{QuoteRef, QuoteStatus};
    use crate::domain::stage::Stage;
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    /// A lead of `owner` at `stage`, last changed `minutes` after a fixed start.
    fn lead(n: u32, owner: &str, stage: Stage, minutes: i64) -> Lead {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 4, 30, 0).single().expect("time");
        let input = LeadInput {
            email: format!("buyer{n}@company{n}.in"),
            ..Default::default()
        };
        let mut l = Lead::new(&input, &format!("L{n:03}"), t0);
        l.owner_reseller_id = Some(owner.to_string());
        l.stage = stage;
        l.updated_at = t0 + chrono::Duration::minutes(minutes);
        l
    }

    fn quoted(mut l: Lead, value: &str, status: QuoteStatus) -> Lead {
        l.quote = Some(QuoteRef {
            quote_id: format!("Q-{}", l.lead_id),
            currency: "INR".into(),
            value: value.parse().expect("decimal"),
            discount_percent: Decimal::ZERO,
            status,
            expected_close: None,
        });
        l
    }

    /// The board the portal and `GET /leads/board` show, on the embedded table: what the
    /// owner-and-stage index and its counters will have to reproduce (issue 27's item 2).
    #[tokio::test]
    async fn the_board_counts_orders_values_and_pages_one_owners_leads() {
        let table = EmbeddedTable::in_memory();
        let mut lost = lead(6, "R1", Stage::R003, 50);
        lost.closed_lost = true;
        let mut spam = lead(7, "R1", Stage::R002, 60);
        spam.spam = true;
        for l in [
            lead(1, "R1", Stage::R002, 10),
            quoted(lead(2, "R1", Stage::R002, 30), "100000", QuoteStatus::Issued),
            quoted(lead(3, "R1", Stage::R002, 20), "50000", QuoteStatus::PendingApproval),
            quoted(lead(4, "R1", Stage::R004, 40), "250000.50", QuoteStatus::Approved),
            lead(5, "R2", Stage::R002, 70),
            lost,
            spam,
        ] {
            table
                .transact(repo::lead_put(None, &l).expect("item"))
                .await
                .expect("put");
        }
        let system = crate::access::Principal::system("test");
        let page = |stage, offset, limit| BoardPage { stage, offset, limit };
        let columns = board(&table, Some("R1"), &system, page(None, 0, 2))
            .await
            .expect("board");
        let codes: Vec<&str> = columns.iter().map(|c| c.stage).collect();
        assert_eq!(codes.len(), 11, "R001…R010, then closed-lost: {codes:?}");
        assert_eq!((codes[0], codes[10]), ("R001", "closed_lost"));
        let col = |code: &str| columns.iter().find(|c| c.stage == code).expect("column");
        // spam and another owner's lead are not on it; closed-lost has its own column
        let r002 = col("R002");
        assert_eq!(r002.count, 3);
        // the most recently changed first, two to a page, the rest behind `next_offset`
        let ids: Vec<&str> = r002.leads.iter().map(|c| c.lead_id.as_str()).collect();
        assert_eq!(ids, ["L002", "L003"]);
        assert!(r002.more);
        assert_eq!(r002.next_offset, Some(2));
        // a quote waiting for approval forecasts nothing
        assert_eq!(r002.expected_value, "100000".parse::<Decimal>().expect("decimal"));
        assert_eq!(
            col("R004").expected_value,
            "250000.50".parse::<Decimal>().expect("decimal")
        );
        assert_eq!(col("closed_lost").count, 1);
        assert_eq!(col("R001").count, 0);
        // the next page of one column
        let rest = board(&table, Some("R1"), &system, page(Some("r002"), 2, 2))
            .await
            .expect("board");
        assert_eq!(rest.len(), 1);
        let ids: Vec<&str> = rest[0].leads.iter().map(|c| c.lead_id.as_str()).collect();
        assert_eq!(ids, ["L001"]);
        assert!(!rest[0].more);
        assert_eq!(rest[0].next_offset, None);
    }
}
