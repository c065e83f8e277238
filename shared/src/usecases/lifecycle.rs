//! Suspending, reactivating and deactivating a reseller (issue 13, seed 002's "delete that
//! keeps history"). Suspended: no new leads, keeps its own. Deactivated: its keys revoked, its
//! open platform leads re-routed (each one transaction with its audit event), its
//! registrations' protection ended; nothing deleted, its ledger and payouts untouched.

use crate::domain::audit::AuditEvent;
use crate::domain::lead::Lead;
use crate::domain::reseller::{Reseller, ResellerStatus, StatusChange};
use crate::domain::routing::{route, RoutingInput};
use crate::domain::stage::Stage;
use crate::ids::new_id;
use crate::ports::table::{Cond, Index, Query, StoreError, Table, Write};
use crate::ports::Clock;
use crate::repo;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("no reseller {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a deactivation did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Deactivated {
    pub keys_revoked: u32,
    /// open platform leads given to another reseller
    pub rerouted: u32,
    /// … or to the admin queue when no reseller could take them
    pub to_admin_queue: u32,
    /// leads that changed meanwhile (a move, an activity): left with it, see the audit
    pub skipped: u32,
    pub registrations_released: u32,
}

/// Which status each action leads from and to.
fn transition(action: &str, from: ResellerStatus) -> Result<ResellerStatus, String> {
    use ResellerStatus::*;
    match (action, from) {
        ("suspend", Active) => Ok(Suspended),
        ("reactivate", Suspended) => Ok(Active),
        ("deactivate", Active | Suspended) => Ok(Deactivated),
        (a, f) => Err(format!("a {} reseller cannot be {a}d", f.as_str())),
    }
}

/// Changes the reseller's status (on its version), recording who and why.
pub async fn change_status(
    table: &dyn Table,
    clock: &dyn Clock,
    by: &crate::access::Principal,
    reseller_id: &str,
    action: &str,
    reason: &str,
) -> Result<Reseller, LifecycleError> {
    let now = clock.now();
    repo::update(
        table,
        &repo::reseller_key(reseller_id),
        |r: &Reseller| -> Result<_, LifecycleError> {
            let to = transition(action, r.status).map_err(LifecycleError::Conflict)?;
            let mut next = r.clone();
            next.status = to;
            next.status_history.push(StatusChange {
                at: now,
                by: by.actor(),
                from: r.status,
                to,
                reason: reason.to_string(),
            });
            let audit = crate::usecases::audit::audit_record(
                by,
                &format!("reseller:{reseller_id}"),
                &format!("reseller.{}", to.as_str()),
                reason.to_string(),
                now,
            );
            Ok(repo::Change::Write(next, vec![repo::put_new(repo::item(&audit)?)]))
        },
    )
    .await?
    .ok_or_else(|| LifecycleError::NotFound(reseller_id.into()))
}

/// Deactivates a reseller, then revokes its keys, re-routes its open platform leads and ends
/// its registrations' protection. Each step is idempotent: a deactivation interrupted half-way
/// is finished by `finish_deactivation` again (the status is already `deactivated`).
pub async fn deactivate(
    table: &dyn Table,
    clock: &dyn Clock,
    rules: &crate::config::Rules,
    by: &crate::access::Principal,
    reseller_id: &str,
    reason: &str,
) -> Result<(Reseller, Deactivated), LifecycleError> {
    let r = change_status(table, clock, by, reseller_id, "deactivate", reason).await?;
    let done = finish_deactivation(table, clock, rules, reseller_id).await?;
    Ok((r, done))
}

pub async fn finish_deactivation(
    table: &dyn Table,
    clock: &dyn Clock,
    rules: &crate::config::Rules,
    reseller_id: &str,
) -> Result<Deactivated, StoreError> {
    let mut done = Deactivated::default();
    // 1. its keys stop working
    for item in repo::query_all(
        table,
        Query::new(repo::api_keys_index_pk(reseller_id)).index(Index::Gsi1),
    )
    .await?
    {
        if let Some(key) = repo::key_of(&item) {
            table.transact(vec![Write::Delete { key, cond: None }]).await?;
            done.keys_revoked += 1;
        }
    }
    // 2. its open platform leads go to someone else (partner-owned ones stay: they are its own)
    let leads: Vec<Lead> = repo::query_all(table, Query::new(repo::owner_index_pk(reseller_id)).index(Index::Gsi2))
        .await?
        .into_iter()
        .map(repo::record)
        .collect::<Result<_, _>>()?;
    for lead in leads {
        let open = !lead.closed_lost && !lead.spam && lead.stage < Stage::R005;
        let own = lead.registered_by.as_deref() == Some(reseller_id);
        if !open || own || lead.owner_reseller_id.as_deref() != Some(reseller_id) {
            continue;
        }
        match reroute(table, clock, rules, &lead, reseller_id).await? {
            Some(true) => done.rerouted += 1,
            Some(false) => done.to_admin_queue += 1,
            None => done.skipped += 1,
        }
    }
    // 3. its registrations protect nothing any more
    let now = clock.now();
    for reg in crate::usecases::registrations::list_own(table, reseller_id).await? {
        if reg.protected_until <= now {
            continue;
        }
        let mut claims = vec![repo::name_claim_key(
            &crate::usecases::registrations::normalise_company(&reg.company_name),
        )];
        if let Some(d) = &reg.domain {
            claims.push(repo::domain_claim_key(d));
        }
        for key in claims {
            let held = Cond::Equals("owner".into(), json!(reseller_id));
            match table.transact(vec![Write::Delete { key, cond: Some(held) }]).await {
                Ok(()) => {}
                // another reseller's claim (or none): nothing of ours to release
                Err(e) if e.is_conflict() => {}
                Err(e) => return Err(e),
            }
        }
        let mut ended = reg.clone();
        ended.protected_until = now;
        table.put(repo::item(&ended)?, None).await?;
        done.registrations_released += 1;
    }
    Ok(done)
}

/// Routes one lead again without the deactivated reseller: `Some(true)` to a reseller,
/// `Some(false)` to the admin queue, `None` when the lead changed meanwhile.
async fn reroute(
    table: &dyn Table,
    clock: &dyn Clock,
    rules: &crate::config::Rules,
    lead: &Lead,
    from: &str,
) -> Result<Option<bool>, StoreError> {
    let roster = crate::usecases::resellers::active_resellers(table).await?;
    let now = clock.now();
    let industry = lead.category.as_ref().map(|c| c.industry.as_str()).unwrap_or("unknown");
    let decision = route(
        &RoutingInput {
            region: &lead.region,
            industry,
            referral_code: None,
            registered_owner: None,
        },
        &roster,
        now,
    );
    let mut next = repo::next_of(lead);
    next.owner_reseller_id = decision.owner_reseller_id.clone();
    next.assigned_user = None;
    next.queue = decision.queue.clone();
    next.routing = Some(decision.clone());
    next.updated_at = now;
    let event = AuditEvent {
        event_id: new_id(now),
        at: now,
        actor: "system:deactivation".into(),
        role: None,
        action: "lead.rerouted".into(),
        before: Some(json!({"owner_reseller_id": from})),
        after: Some(json!({"owner_reseller_id": next.owner_reseller_id, "queue": next.queue})),
        correlation_id: format!("deactivate-{from}"),
        detail: format!("reseller {from} was deactivated; {}", decision.why),
    };
    let mut writes = repo::lead_put(Some(lead), &next)?;
    writes.push(repo::put_new(repo::item(&repo::LeadAudit {
        lead_id: &lead.lead_id,
        event: &event,
    })?));
    let to = decision
        .owner_reseller_id
        .as_deref()
        .and_then(|id| roster.iter().find(|r| r.reseller_id == id));
    if let Some(w) = to {
        let mut nw = repo::next_of(w);
        nw.open_leads += 1;
        nw.last_assigned_at = Some(now);
        writes.push(repo::put_if_version(repo::item(&nw)?, w.version));
        // its first-response clock starts for the new owner
        if lead.stage == Stage::R002 {
            let sla = crate::usecases::sla::start(&lead.lead_id, &w.reseller_id, now, rules);
            writes.push(Write::Put {
                item: repo::item(&sla)?,
                cond: None,
            });
        }
    }
    match table.transact(writes).await {
        Ok(()) => Ok(Some(to.is_some())),
        Err(e) if e.is_conflict() => Ok(None),
        Err(e) => Err(e),
    }
}
