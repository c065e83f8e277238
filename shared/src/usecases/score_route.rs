//! score_and_route: a captured lead is scored, categorised and routed, moved to R002, and
//! `lead.qualified` is published. One read (the lead) and one transaction (lead, audit event,
//! the chosen reseller's load, checks on its equals) when the reseller roster is cached.

use crate::config::Rules;
use crate::domain::audit::AuditEvent;
use crate::domain::categorise::{categorise, CategoryInput};
use crate::domain::lead::Lead;
use crate::domain::reseller::Reseller;
use crate::domain::routing::{route, RoutingDecision, RoutingInput};
use crate::domain::scoring::{score, ScoringInput};
use crate::domain::stage::Stage;
use crate::events::{Envelope, LeadQualified};
use crate::ids::new_id;
use crate::ports::table::{Cond, StoreError, Table, Write};
use crate::ports::{Clock, QueueSender};
use crate::repo;
use crate::usecases::resellers::active_resellers;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Active resellers, cached for a short while: routing reads them for every lead, and any
/// staleness is caught by the version conditions of the assignment transaction.
pub struct RosterCache {
    ttl: Duration,
    cached: Mutex<Option<(Instant, Vec<Reseller>)>>,
}

impl RosterCache {
    pub fn new(ttl: Duration) -> RosterCache {
        RosterCache {
            ttl,
            cached: Mutex::new(None),
        }
    }

    /// Keeps the cache current with this process's own write (the winner's new load).
    pub fn update(&self, reseller: &Reseller) {
        if let Some((_, roster)) = &mut *self.cached.lock().unwrap_or_else(|p| p.into_inner()) {
            if let Some(r) = roster.iter_mut().find(|r| r.reseller_id == reseller.reseller_id) {
                *r = reseller.clone();
            }
        }
    }

    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub async fn get(&self, table: &dyn Table) -> Result<Vec<Reseller>, StoreError> {
        if let Some((at, roster)) = &*self.cached.lock().unwrap_or_else(|p| p.into_inner()) {
            if at.elapsed() < self.ttl {
                return Ok(roster.clone());
            }
        }
        let roster = active_resellers(table).await?;
        // an empty roster is never kept: the first reseller is seen as soon as it exists
        if !self.ttl.is_zero() && !roster.is_empty() {
            *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), roster.clone()));
        }
        Ok(roster)
    }
}

pub struct ScorePorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub clock: &'a dyn Clock,
    pub roster: &'a RosterCache,
    pub rules: &'a Rules,
    /// where `lead.qualified` goes
    pub sequence_queue: &'a str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scored {
    Qualified {
        lead_id: String,
        score: u32,
        band: String,
        owner: Option<String>,
    },
    /// scored before (a redelivered message): nothing changed
    AlreadyScored { lead_id: String },
    /// spam is stored but never scored or routed
    Spam { lead_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("unknown lead {0}")]
    UnknownLead(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not publish lead.qualified: {0}")]
    Publish(String),
}

/// Applies score, category and routing to the lead (a pure step).
pub fn qualify(lead: &Lead, roster: &[Reseller], rules: &Rules, now: DateTime<Utc>) -> (Lead, RoutingDecision) {
    let s = score(
        &ScoringInput {
            budget: lead.profile.budget.as_deref(),
            timeline: lead.profile.timeline.as_deref(),
            title: lead.profile.title.as_deref(),
        },
        &lead.engagement,
        &rules.scoring,
        &rules.fx_to_inr,
    );
    let category = categorise(
        &CategoryInput {
            employees: lead.profile.employees.as_deref(),
            industry: lead.profile.industry.as_deref(),
            company: lead.profile.company.as_deref(),
            email_domain: lead.email_domain(),
            message: lead.profile.message.as_deref(),
        },
        &rules.scoring,
        &rules.industries,
    );
    let decision = route(
        &RoutingInput {
            region: &lead.region,
            industry: &category.industry,
            // only an attributed referral (code and click inside the window) decides the owner
            referral_code: lead
                .attribution
                .referral_code
                .as_deref()
                .filter(|_| lead.attribution.referral.as_deref() == Some("attributed")),
            registered_owner: lead.registered_by.as_deref(),
        },
        roster,
        now,
    );
    let mut next = lead.clone();
    next.score = Some(s.score);
    next.band = Some(s.band);
    next.score_reasons = s.reasons;
    next.category = Some(category);
    next.owner_reseller_id = decision.owner_reseller_id.clone();
    // the registering person keeps working its registration; anyone else's lead starts unassigned
    if next.owner_reseller_id.is_none() || next.owner_reseller_id != lead.registered_by {
        next.assigned_user = None;
    }
    next.queue = decision.queue.clone();
    next.routing = Some(decision.clone());
    next.stage = Stage::R002;
    next.updated_at = now;
    repo::bump(&mut next);
    (next, decision)
}

/// The roster with the lead's referrer in it: a referred lead goes to the reseller whose link it
/// came through, read directly when the cached roster does not know it yet (a reseller created
/// seconds ago), whatever the cache holds.
async fn with_referrer(
    ports: &ScorePorts<'_>,
    lead: &Lead,
    mut roster: Vec<Reseller>,
) -> Result<Vec<Reseller>, StoreError> {
    let attributed = lead.attribution.referral.as_deref() == Some("attributed");
    let Some(code) = lead.attribution.referral_code.as_deref().filter(|_| attributed) else {
        return Ok(roster);
    };
    if roster.iter().any(|r| r.referral_code.eq_ignore_ascii_case(code)) {
        return Ok(roster);
    }
    let Some(owner) = ports
        .table
        .get(&repo::referral_code_key(code))
        .await?
        .and_then(|i| repo::string_attr(&i, "reseller_id"))
    else {
        return Ok(roster);
    };
    if let Some(r) = crate::usecases::resellers::get(ports.table, &owner).await? {
        // the cache is behind: the next lead reads the roster afresh
        ports.roster.invalidate();
        roster.push(r);
    }
    Ok(roster)
}

fn already_scored(lead: &Lead) -> bool {
    lead.stage != Stage::R001 || lead.score.is_some()
}

pub async fn score_and_route(
    ports: &ScorePorts<'_>,
    lead_id: &str,
    correlation_id: &str,
) -> Result<Scored, ScoreError> {
    // The lead and the roster are independent reads: on a cold start (empty roster cache) they
    // go out together, so the first event waits for one round trip instead of two.
    let key = repo::lead_key(lead_id);
    let (item, roster) = tokio::join!(ports.table.get(&key), ports.roster.get(ports.table));
    let mut lead: Lead = match item? {
        Some(item) => repo::record(item)?,
        None => return Err(ScoreError::UnknownLead(lead_id.into())),
    };
    let mut roster = Some(roster?);
    let mut tries = repo::Tries::default();
    while tries.again().await {
        if lead.spam {
            return Ok(Scored::Spam {
                lead_id: lead_id.into(),
            });
        }
        if already_scored(&lead) {
            // Publish again: if the first delivery crashed after committing, this is the only
            // way lead.qualified gets out; consumers deduplicate on the event id.
            if lead.stage == Stage::R002 {
                publish(ports, &lead, correlation_id).await?;
            }
            return Ok(Scored::AlreadyScored {
                lead_id: lead_id.into(),
            });
        }
        let now = ports.clock.now();
        let roster = match roster.take() {
            Some(r) => r,
            None => ports.roster.get(ports.table).await?,
        };
        let roster = with_referrer(ports, &lead, roster).await?;
        let (next, decision) = qualify(&lead, &roster, ports.rules, now);
        let audit = AuditEvent {
            event_id: new_id(now),
            at: now,
            actor: "system:scoring".into(),
            role: None,
            action: "lead.qualified".into(),
            before: Some(json!({"stage": lead.stage.code(), "owner_reseller_id": lead.owner_reseller_id})),
            after: Some(json!({
                "stage": next.stage.code(), "score": next.score, "band": next.band,
                "owner_reseller_id": next.owner_reseller_id, "queue": next.queue, "rule": decision.rule,
            })),
            correlation_id: correlation_id.to_string(),
            detail: decision.why.clone(),
        };
        let mut writes = repo::lead_put(Some(&lead), &next)?;
        writes.push(repo::put_new(repo::item(&repo::LeadAudit { lead_id, event: &audit })?));
        let mut assigned = None;
        // The winner's load and round-robin position change; its equals are checked unchanged,
        // so a decision made on a stale roster is retried rather than committed.
        if decision.rule == crate::domain::routing::RoutingRule::Platform {
            if let Some(owner) = roster
                .iter()
                .find(|r| Some(&r.reseller_id) == decision.owner_reseller_id.as_ref())
            {
                let mut winner = repo::next_of(owner);
                winner.open_leads += 1;
                winner.last_assigned_at = Some(now);
                writes.push(repo::put_if_version(repo::item(&winner)?, owner.version));
                assigned = Some(winner);
                for equal in roster.iter().filter(|r| {
                    r.reseller_id != owner.reseller_id
                        && r.tier == owner.tier
                        && r.win_rate == owner.win_rate
                        && decision
                            .candidates
                            .iter()
                            .any(|c| c.reseller_id == r.reseller_id && c.eligible)
                }) {
                    // (slots stay free for the SLA item and the two counters)
                    if writes.len() + 3 >= crate::ports::table::MAX_TRANSACTION_ITEMS {
                        break;
                    }
                    writes.push(Write::Check {
                        key: repo::reseller_key(&equal.reseller_id),
                        cond: Cond::Equals("version".into(), json!(equal.version)),
                    });
                }
            }
        }
        // the dashboards count the lead received, by channel, with its routing (once)
        let mut tally = crate::domain::aggregates::Tally::default();
        let scope = next
            .owner_reseller_id
            .as_deref()
            .unwrap_or(crate::domain::aggregates::PROGRAMME);
        let month = crate::domain::aggregates::month_of(now);
        tally.add(scope, &month, crate::domain::aggregates::LEADS, 1);
        tally.add(
            scope,
            &month,
            &crate::domain::aggregates::leads_counter(&next.attribution.channel),
            1,
        );
        writes.extend(repo::tally_writes(tally));
        // an owner's first-response clock starts now (SPEC §4 SLA)
        if let Some(owner) = &next.owner_reseller_id {
            let sla = crate::usecases::sla::start(lead_id, owner, now, ports.rules);
            writes.push(repo::put_new(repo::item(&sla)?));
        }
        match ports.table.transact(writes).await {
            Ok(()) => {
                if let Some(winner) = &assigned {
                    ports.roster.update(winner);
                }
                publish(ports, &next, correlation_id).await?;
                return Ok(Scored::Qualified {
                    lead_id: lead_id.into(),
                    score: next.score.unwrap_or(0),
                    band: next.band.map(|b| b.as_str().to_string()).unwrap_or_default(),
                    owner: next.owner_reseller_id.clone(),
                });
            }
            Err(StoreError::TransactionCancelled { failed }) => {
                if failed.first().copied().unwrap_or(false) {
                    // the lead changed under us (or was scored by a concurrent delivery)
                    lead = match ports.table.get(&repo::lead_key(lead_id)).await? {
                        Some(item) => repo::record(item)?,
                        None => return Err(ScoreError::UnknownLead(lead_id.into())),
                    };
                } else {
                    ports.roster.invalidate();
                }
            }
            // throttled: the next round pauses first
            Err(StoreError::Throttled) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScoreError::Store(StoreError::Throttled))
}

async fn publish(ports: &ScorePorts<'_>, lead: &Lead, correlation_id: &str) -> Result<(), ScoreError> {
    let event = Envelope::new(
        crate::events::Event::LeadQualified(LeadQualified {
            lead_id: lead.lead_id.clone(),
            band: lead.band.map(|b| b.as_str().to_string()).unwrap_or_default(),
            score: lead.score.unwrap_or(0),
            owner_reseller_id: lead.owner_reseller_id.clone(),
            queue: lead.queue.clone(),
        }),
        format!(
            "qualified-{}-{}",
            lead.lead_id,
            lead.band.map(|b| b.as_str()).unwrap_or("")
        ),
        lead.updated_at,
        correlation_id,
    );
    let body = serde_json::to_string(&event).map_err(|e| ScoreError::Publish(e.to_string()))?;
    ports
        .queue
        .send(ports.sequence_queue, body)
        .await
        .map_err(|e| ScoreError::Publish(e.to_string()))?;
    Ok(())
}

/// Engagement (open, click, reply, webinar) re-scores the lead, once per event; crossing into
/// hot publishes `lead.qualified` again, whose hot alert the sequence sender sends once.
pub async fn apply_engagement(
    ports: &ScorePorts<'_>,
    lead_id: &str,
    kind: &str,
    event_id: &str,
    correlation_id: &str,
) -> Result<bool, ScoreError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let lead: Lead = match ports.table.get(&repo::lead_key(lead_id)).await? {
            Some(item) => repo::record(item)?,
            None => return Err(ScoreError::UnknownLead(lead_id.into())),
        };
        let now = ports.clock.now();
        let mut next = repo::next_of(&lead);
        match kind {
            "open" => next.engagement.opens += 1,
            "click" => next.engagement.clicks += 1,
            "webinar" => next.engagement.webinars += 1,
            "reply" => {
                next.engagement.replies += 1;
                next.replied = true;
            }
            _ => return Ok(false),
        }
        if lead.score.is_some() {
            let s = score(
                &ScoringInput {
                    budget: lead.profile.budget.as_deref(),
                    timeline: lead.profile.timeline.as_deref(),
                    title: lead.profile.title.as_deref(),
                },
                &next.engagement,
                &ports.rules.scoring,
                &ports.rules.fx_to_inr,
            );
            next.score = Some(s.score);
            next.band = Some(s.band);
            next.score_reasons = s.reasons;
        }
        next.updated_at = now;
        let audit = AuditEvent {
            event_id: new_id(now),
            at: now,
            actor: "system:tracking".into(),
            role: None,
            action: format!("lead.{kind}"),
            before: Some(json!({"score": lead.score, "band": lead.band})),
            after: Some(json!({"score": next.score, "band": next.band, "engagement": next.engagement})),
            correlation_id: correlation_id.to_string(),
            detail: format!("{kind} recorded"),
        };
        let marker = repo::Engagement {
            lead_id: lead_id.to_string(),
            event_id: event_id.to_string(),
            kind: kind.to_string(),
            at: now,
        };
        // the marker first: its failed condition means the event was counted already
        let mut writes = vec![repo::put_new(repo::item(&marker)?)];
        writes.extend(repo::lead_put(Some(&lead), &next)?);
        writes.push(repo::put_new(repo::item(&repo::LeadAudit { lead_id, event: &audit })?));
        match ports.table.transact(writes).await {
            Ok(()) => {
                let crossed = lead.band != Some(crate::domain::scoring::Band::Hot)
                    && next.band == Some(crate::domain::scoring::Band::Hot);
                if crossed {
                    publish(ports, &next, correlation_id).await?;
                }
                return Ok(true);
            }
            Err(StoreError::TransactionCancelled { failed }) if failed.first().copied().unwrap_or(false) => {
                return Ok(false)
            }
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScoreError::Store(StoreError::Throttled))
}
