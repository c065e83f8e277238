//! capture_lead: a submission becomes a lead ticket (R001) — ticket, audit event, open-email
//! guard and idempotency record in one transaction — then `lead.captured` goes to scoring.

use crate::domain::audit::AuditEvent;
use crate::domain::lead::{email_key, Lead, LeadInput};
use crate::events::Envelope;
use crate::ids::new_id;
use crate::ports::table::{Cond, Item, StoreError, Table, Write};
use crate::ports::{Clock, QueueSender};
use crate::repo;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// How long an `Idempotency-Key` replays its first response.
pub const IDEMPOTENCY_HOURS: i64 = 24;

pub struct CapturePorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub clock: &'a dyn Clock,
    /// where `lead.captured` goes (queue URL, or name in the embedded queue)
    pub scoring_queue: &'a str,
}

/// An `Idempotency-Key` (hashed) and a hash of the request it came with.
pub struct Idempotency {
    pub key_hash: String,
    pub request_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Captured {
    Created {
        lead_id: String,
    },
    /// an open lead with this email exists; it got a "re-submitted" activity
    Duplicate {
        lead_id: String,
    },
    /// the same `Idempotency-Key` was seen before: its first answer, again
    Replayed {
        body: Value,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn idempotency_record(idem: &Idempotency, body: &Value, now: DateTime<Utc>) -> Result<Item, StoreError> {
    let expires = now + Duration::hours(IDEMPOTENCY_HOURS);
    repo::item(&repo::IdempotencyRecord {
        key_hash: idem.key_hash.clone(),
        request_hash: idem.request_hash.clone(),
        body: body.clone(),
        expires_at: expires.to_rfc3339(),
        ttl: expires.timestamp(),
    })
}

async fn replay(table: &dyn Table, idem: &Idempotency, now: DateTime<Utc>) -> Result<Option<Captured>, CaptureError> {
    let Some(item) = table.get(&repo::idempotency_key(&idem.key_hash)).await? else {
        return Ok(None);
    };
    let expired = repo::string_attr(&item, "expires_at")
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .is_some_and(|e| e < now);
    if expired {
        return Ok(None);
    }
    if repo::string_attr(&item, "request_hash").as_deref() != Some(idem.request_hash.as_str()) {
        return Err(CaptureError::IdempotencyMismatch);
    }
    Ok(Some(Captured::Replayed {
        body: item.get("body").cloned().unwrap_or(Value::Null),
    }))
}

pub async fn capture_lead(
    ports: &CapturePorts<'_>,
    input: &LeadInput,
    idem: Option<&Idempotency>,
    correlation_id: &str,
) -> Result<Captured, CaptureError> {
    // a referral code attributes the lead only with its click, inside the window
    let attribution = match input.attribution.referral_code.as_deref() {
        Some(code) => {
            crate::usecases::referrals::attribute(
                ports.table,
                Some(code),
                input.attribution.referral_click.as_deref(),
                &input.email,
                ports.clock.now(),
            )
            .await?
        }
        None => crate::usecases::referrals::Attribution::None,
    };
    // A few rounds at most: a guard can be stale (its lead closed) or an expired idempotency
    // record may need replacing; each round re-reads what it conflicted with.
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let now = ports.clock.now();
        let lead_id = new_id(now);
        let mut lead = Lead::new(input, &lead_id, now);
        if input.attribution.referral_code.is_some() {
            lead.attribution.referral = Some(
                match &attribution {
                    crate::usecases::referrals::Attribution::Referred { .. } => "attributed",
                    crate::usecases::referrals::Attribution::SelfReferral => "self_referral",
                    crate::usecases::referrals::Attribution::None => "not_attributed",
                }
                .to_string(),
            );
        }
        let ekey = email_key(&input.email);
        let audit = AuditEvent {
            event_id: new_id(now),
            at: now,
            actor: "public".into(),
            role: None,
            action: if lead.spam {
                "lead.captured_as_spam".into()
            } else {
                "lead.captured".into()
            },
            before: None,
            after: Some(json!({"stage": "R001", "channel": lead.attribution.channel})),
            correlation_id: correlation_id.to_string(),
            detail: format!("lead from channel {}", lead.attribution.channel),
        };
        let body = json!({ "lead_id": lead_id });
        crate::usecases::leads::note_month(ports.table, now).await?;
        let mut writes = repo::lead_put(None, &lead)?;
        writes.extend([repo::put_new(repo::item(&repo::LeadAudit {
            lead_id: &lead_id,
            event: &audit,
        })?)]);
        if let crate::usecases::referrals::Attribution::Referred { referrer, click } = &attribution {
            writes.push(repo::put_new(crate::usecases::referrals::ticket_item(
                &lead, referrer, click,
            )?));
            let mut tally = crate::domain::aggregates::Tally::default();
            tally.add(
                referrer,
                &crate::domain::aggregates::month_of(now),
                crate::domain::aggregates::REFERRED_LEADS,
                1,
            );
            writes.extend(repo::tally_writes(tally));
        }
        // spam never claims the address: a real person can still submit with it
        let guard_at = if lead.spam {
            None
        } else {
            writes.push(repo::put_new(repo::item(&repo::EmailGuard {
                email_key: ekey.clone(),
                lead_id: lead_id.clone(),
            })?));
            Some(writes.len() - 1)
        };
        let idem_at = match idem {
            Some(i) => {
                writes.push(repo::put_new(idempotency_record(i, &body, now)?));
                Some(writes.len() - 1)
            }
            None => None,
        };

        match super::retry_throttled(|| ports.table.transact(writes.clone())).await {
            Ok(()) => {
                if !lead.spam {
                    let msg = Envelope::lead_captured(&lead_id, now, correlation_id)
                        .to_body()
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    if let Err(e) = ports.queue.send(ports.scoring_queue, msg).await {
                        // The ticket is stored; it stays at R001 and shows in `GET /leads?stage=R001`.
                        tracing::error!(lead_id = %lead_id, error = %e, "lead stored but lead.captured not queued");
                    }
                }
                return Ok(Captured::Created { lead_id });
            }
            Err(StoreError::TransactionCancelled { failed }) => {
                let hit = |at: Option<usize>| at.is_some_and(|i| failed.get(i).copied().unwrap_or(false));
                if hit(idem_at) {
                    if let Some(i) = idem {
                        if let Some(replayed) = replay(ports.table, i, now).await? {
                            return Ok(replayed);
                        }
                        // expired record: drop it and go round again
                        ports
                            .table
                            .transact(vec![Write::Delete {
                                key: repo::idempotency_key(&i.key_hash),
                                cond: None,
                            }])
                            .await?;
                    }
                    continue;
                }
                if hit(guard_at) {
                    if let Some(found) = resubmitted(ports, &ekey, input, idem, correlation_id).await? {
                        return Ok(found);
                    }
                    continue;
                }
                // an id collision is the only other way: go round with a fresh id
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(CaptureError::Store(StoreError::Throttled))
}

/// The email already has a lead: if it is open, record the re-submission on it and name it;
/// if it closed, release the stale guard so the caller can create a new lead.
async fn resubmitted(
    ports: &CapturePorts<'_>,
    ekey: &str,
    input: &LeadInput,
    idem: Option<&Idempotency>,
    correlation_id: &str,
) -> Result<Option<Captured>, CaptureError> {
    let guard_key = repo::email_guard_key(ekey);
    let Some(guard) = ports.table.get(&guard_key).await? else {
        return Ok(None);
    };
    let existing_id = repo::string_attr(&guard, "lead_id").unwrap_or_default();
    let existing: Option<Lead> = match ports.table.get(&repo::lead_key(&existing_id)).await? {
        Some(item) => Some(repo::record(item)?),
        None => None,
    };
    let now = ports.clock.now();
    match existing {
        Some(lead) if lead.is_open() => {
            let audit = AuditEvent {
                event_id: new_id(now),
                at: now,
                actor: "public".into(),
                role: None,
                action: "lead.resubmitted".into(),
                before: None,
                after: Some(json!({"channel": input.attribution.channel, "campaign": input.attribution.campaign})),
                correlation_id: correlation_id.to_string(),
                detail: "the same email submitted again while the lead is open".into(),
            };
            let body = json!({ "lead_id": existing_id, "duplicate": true });
            let mut writes = vec![repo::put_new(repo::item(&repo::LeadAudit {
                lead_id: &existing_id,
                event: &audit,
            })?)];
            if let Some(i) = idem {
                writes.push(repo::put_new(idempotency_record(i, &body, now)?));
            }
            match ports.table.transact(writes).await {
                Ok(()) => Ok(Some(Captured::Duplicate { lead_id: existing_id })),
                // the idempotency record appeared meanwhile: a concurrent replay
                Err(StoreError::TransactionCancelled { .. }) => match idem {
                    Some(i) => replay(ports.table, i, now).await,
                    None => Ok(None),
                },
                Err(e) => Err(e.into()),
            }
        }
        _ => {
            // closed or missing lead: release its guard (only if it still names that lead)
            let release = Write::Delete {
                key: guard_key,
                cond: Some(Cond::Equals("lead_id".into(), json!(existing_id))),
            };
            match ports.table.transact(vec![release]).await {
                Ok(()) | Err(StoreError::TransactionCancelled { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }
    }
}
