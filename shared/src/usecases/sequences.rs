//! Sequences: enrolment on `lead.qualified` (or the hot-lead alert), the sender that mails the
//! steps now due — found by a key-range query on due time — and the stop/suppress rules.
//! Each step is claimed with a conditional write that also owes its letter (`outbox`): one
//! claim whatever is retried, and the email at least once.

use super::outbox;
use crate::config::Rules;
use crate::domain::lead::{email_key, Lead};
use crate::domain::reseller::Reseller;
use crate::domain::sequence::{next_opening, render, sequence_for, timezone_for};
use crate::domain::stage::Stage;
use crate::domain::token;
use crate::ports::mailer::MailError;
use crate::ports::table::{Cond, Index, Key, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, Mailer};
use crate::repo;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub use crate::domain::sequence::{Step, StepStatus};
pub use crate::repo::{step_sk, DUE_INDEX_PK};

/// Where an address's suppression is kept.
pub fn suppression_key(email: &str) -> Key {
    repo::suppression_key(&email_key(email))
}

pub struct SequencePorts<'a> {
    pub table: &'a dyn Table,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub rules: &'a Rules,
    /// `Partner Programme <alerts@mail.partners.example>`: its domain sends every email
    pub mail_from: &'a str,
    /// where tracking and unsubscribe links point (the API's public URL)
    pub public_base_url: &'a str,
    pub tracking_secret: &'a str,
}

use crate::repo::get_record as get;

#[derive(Debug, Clone, PartialEq)]
pub enum Enrolled {
    Sequence(String),
    HotAlert,
    AlreadyDone,
    Skipped(String),
}

/// Why a qualified lead could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum SequenceError {
    /// the event names a lead (or its owner) that does not exist: it never will
    #[error("unknown {0}")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("composing the email: {0}")]
    Compose(String),
}

impl SequenceError {
    /// Whether trying again later cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            SequenceError::Unknown(_) | SequenceError::Compose(_) | SequenceError::Mail(MailError::Rejected(_))
        )
    }
}

/// On `lead.qualified`: hot → one alert to the owner (and the call task); otherwise the
/// lead joins its sequence, every step written once.
pub async fn on_qualified(ports: &SequencePorts<'_>, lead_id: &str) -> Result<Enrolled, SequenceError> {
    let lead: Lead = get(ports.table, &repo::lead_key(lead_id))
        .await?
        .ok_or_else(|| SequenceError::Unknown(format!("lead {lead_id}")))?;
    if lead.spam {
        return Ok(Enrolled::Skipped("spam".into()));
    }
    let band = lead.band.map(|b| b.as_str()).unwrap_or("cold");
    if band == "hot" {
        return hot_alert(ports, &lead).await;
    }
    let Some(sequence) = sequence_for(band, &lead.attribution.channel) else {
        return Ok(Enrolled::Skipped("no sequence".into()));
    };
    let templates = ports
        .rules
        .sequences
        .sequences
        .get(sequence)
        .cloned()
        .unwrap_or_default();
    let start = lead.updated_at;
    let writes: Vec<Write> = templates
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let step = Step {
                lead_id: lead.lead_id.clone(),
                sequence: sequence.to_string(),
                index: i,
                due_at: start + Duration::hours(t.delay_hours),
                status: StepStatus::Scheduled,
                reason: None,
                message_id: None,
                sent_at: None,
                links: t.links.clone(),
                version: 1,
            };
            repo::item(&step).map(repo::put_new)
        })
        .collect::<Result<_, _>>()?;
    if writes.is_empty() {
        return Ok(Enrolled::Skipped(format!("sequence {sequence} has no steps")));
    }
    match ports.table.transact(writes).await {
        Ok(()) => Ok(Enrolled::Sequence(sequence.to_string())),
        Err(StoreError::TransactionCancelled { .. }) => Ok(Enrolled::AlreadyDone),
        Err(e) => Err(e.into()),
    }
}

/// The hot-lead alert: the alert (with its letter to the owner) and the call task are recorded
/// once, conditionally, and the letter is sent at least once (see `outbox`).
async fn hot_alert(ports: &SequencePorts<'_>, lead: &Lead) -> Result<Enrolled, SequenceError> {
    let now = ports.clock.now();
    let intent = repo::HotAlert {
        lead_id: lead.lead_id.clone(),
        status: repo::SendStatus::Owed,
        at: now,
        owner: lead.owner_reseller_id.clone(),
    };
    let call = repo::CallTask {
        lead_id: lead.lead_id.clone(),
        task: "call".into(),
        due_at: now + Duration::hours(ports.rules.sequences.call_within_hours),
        owner: lead.owner_reseller_id.clone(),
    };
    let mut writes = vec![repo::put_new(repo::item(&intent)?), repo::put_new(repo::item(&call)?)];
    let letter = match lead.owner_reseller_id.as_deref() {
        Some(owner) => {
            let reseller: Reseller = get(ports.table, &repo::reseller_key(owner))
                .await?
                .ok_or_else(|| SequenceError::Unknown(format!("reseller {owner}")))?;
            // to the person working the lead, its managers copied (else its owners and managers)
            let (name, to) =
                crate::usecases::people::lead_recipients(ports.table, &reseller, lead.assigned_user.as_deref()).await?;
            let mime = crate::mail::hot_alert(ports.mail_from, &name, &to[0], lead, now)
                .map_err(|e| SequenceError::Compose(e.to_string()))?;
            let (letter, owe) = outbox::owe(
                &format!("hot-{}", lead.lead_id),
                &crate::mail::address(ports.mail_from),
                &to,
                &mime,
                now,
            )?;
            writes.push(owe);
            Some(letter)
        }
        None => None,
    };
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { .. }) => return Ok(Enrolled::AlreadyDone),
        Err(e) => return Err(e.into()),
    }
    let Some(letter) = letter else {
        return Ok(Enrolled::Skipped(
            "hot lead in the admin queue: no reseller to alert".into(),
        ));
    };
    // a failed send stays owed: the sweeper has it
    let _ = outbox::deliver(ports.table, ports.mailer, &letter, now).await;
    Ok(Enrolled::HotAlert)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SendReport {
    pub due: usize,
    pub sent: usize,
    pub deferred: usize,
    pub skipped: usize,
    pub failed: usize,
    /// claimed, but the mailer did not take it yet: the outbox sweeper sends it
    pub owed: usize,
}

/// Why a lead gets no more sequence mail, if it does not.
async fn stop_reason(table: &dyn Table, lead: &Lead) -> Result<Option<String>, StoreError> {
    if lead.closed_lost {
        return Ok(Some("closed lost".into()));
    }
    if lead.stage >= Stage::R003 {
        return Ok(Some(format!("converted ({})", lead.stage.code())));
    }
    if lead.replied {
        return Ok(Some("replied".into()));
    }
    if lead.unsubscribed {
        return Ok(Some("unsubscribed".into()));
    }
    if let Some(s) = table.get(&suppression_key(&lead.email)).await? {
        return Ok(Some(format!(
            "suppressed: {}",
            repo::string_attr(&s, "reason").unwrap_or_default()
        )));
    }
    Ok(None)
}

async fn save(table: &dyn Table, next: &Step, expected_version: u64) -> Result<bool, StoreError> {
    match table
        .transact(vec![repo::put_if_version(repo::item(next)?, expected_version)])
        .await
    {
        Ok(()) => Ok(true),
        Err(StoreError::TransactionCancelled { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Sends the steps due by `now` (at most `sends_per_run`), deferring those outside their
/// lead's business hours to the next opening and skipping those whose lead stopped.
pub async fn send_due(ports: &SequencePorts<'_>, now: DateTime<Utc>) -> Result<SendReport, StoreError> {
    let r = &ports.rules.sequences;
    let upto = repo::due_upto(&now);
    let page = ports
        .table
        .query(
            &Query::new(DUE_INDEX_PK)
                .index(Index::Gsi1)
                .sk(SkRange::UpTo(upto))
                .limit(r.sends_per_run as u32),
        )
        .await?;
    let mut report = SendReport {
        due: page.items.len(),
        ..Default::default()
    };
    // leads mailed by this run: their other due steps wait the gap (a backlog is spread)
    let mut mailed: std::collections::HashMap<String, DateTime<Utc>> = std::collections::HashMap::new();
    for item in page.items {
        let step: Step = repo::record(item)?;
        let mut next = repo::next_of(&step);
        let Some(lead) = get::<Lead>(ports.table, &repo::lead_key(&step.lead_id)).await? else {
            next.status = StepStatus::Skipped;
            next.reason = Some("lead not found".into());
            save(ports.table, &next, step.version).await?;
            report.skipped += 1;
            continue;
        };
        if let Some(reason) = stop_reason(ports.table, &lead).await? {
            next.status = StepStatus::Skipped;
            next.reason = Some(reason);
            save(ports.table, &next, step.version).await?;
            report.skipped += 1;
            continue;
        }
        // one email per lead per gap: after downtime or a clock jump, never a burst
        let previous = match mailed.get(&lead.lead_id) {
            Some(at) => Some(*at),
            None => previous_sent(ports.table, &step).await?,
        };
        if let Some(wait) = crate::domain::sequence::catch_up(previous, now, r.min_gap_hours) {
            next.due_at = wait;
            save(ports.table, &next, step.version).await?;
            report.deferred += 1;
            continue;
        }
        let opening = next_opening(now, timezone_for(&lead.region), r.open_hour, r.close_hour);
        if opening > now {
            next.due_at = opening;
            save(ports.table, &next, step.version).await?;
            report.deferred += 1;
            continue;
        }
        let (sender, mime) = match compose_step(ports, &lead, &next, now).await? {
            Ok(m) => m,
            Err(reason) => {
                next.status = StepStatus::Failed;
                next.reason = Some(reason);
                save(ports.table, &next, step.version).await?;
                report.failed += 1;
                continue;
            }
        };
        // claim it with its letter: only the run that moves it out of `scheduled` owes it, and
        // an owed letter is sent at least once (the outbox sweeper sends what a crash left)
        next.status = StepStatus::Sent;
        next.sent_at = Some(now);
        let letter_id = format!("step-{}-{}", lead.lead_id, step_sk(&next.sequence, next.index));
        let (letter, owe) = outbox::owe(&letter_id, &sender, std::slice::from_ref(&lead.email), &mime, now)?;
        match ports
            .table
            .transact(vec![repo::put_if_version(repo::item(&next)?, step.version), owe])
            .await
        {
            Ok(()) => {}
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e),
        }
        match outbox::deliver(ports.table, ports.mailer, &letter, now).await {
            Ok(_) => {
                report.sent += 1;
                mailed.insert(lead.lead_id.clone(), now);
            }
            Err(MailError::Rejected(reason)) => {
                let mut failed = repo::next_of(&next);
                failed.status = StepStatus::Failed;
                failed.reason = Some(reason);
                save(ports.table, &failed, next.version).await?;
                report.failed += 1;
            }
            Err(_) => {
                // owed: the sweeper sends it
                report.owed += 1;
                mailed.insert(lead.lead_id.clone(), now);
            }
        }
    }
    Ok(report)
}

/// When the step before this one in its sequence went out, if it did.
async fn previous_sent(table: &dyn Table, step: &Step) -> Result<Option<DateTime<Utc>>, StoreError> {
    let Some(before) = step.index.checked_sub(1) else {
        return Ok(None);
    };
    Ok(
        get::<Step>(table, &repo::step_key(&step.lead_id, &step_sk(&step.sequence, before)))
            .await?
            .and_then(|s| s.sent_at),
    )
}

/// A step's message: (envelope sender, MIME), or why it cannot be written.
async fn compose_step(
    ports: &SequencePorts<'_>,
    lead: &Lead,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Result<(String, Vec<u8>), String>, StoreError> {
    let Some(template) = ports
        .rules
        .sequences
        .sequences
        .get(&step.sequence)
        .and_then(|s| s.get(step.index))
    else {
        return Ok(Err(format!("no step {} in {}", step.index, step.sequence)));
    };
    let owner = match lead.owner_reseller_id.as_deref() {
        Some(o) => get::<Reseller>(ports.table, &repo::reseller_key(o)).await?,
        None => None,
    };
    let sk = step_sk(&step.sequence, step.index);
    let base = ports.public_base_url.trim_end_matches('/');
    let open = format!(
        "{base}/t/o/{}",
        token::sign(ports.tracking_secret, &format!("o|{}|{sk}", lead.lead_id))
    );
    let unsubscribe = format!(
        "{base}/u/{}",
        token::sign(ports.tracking_secret, &format!("u|{}|{}", lead.lead_id, lead.email))
    );
    let clicks: Vec<(String, String)> = step
        .links
        .iter()
        .enumerate()
        .map(|(i, url)| {
            (
                url.clone(),
                format!(
                    "{base}/t/c/{}",
                    token::sign(ports.tracking_secret, &format!("c|{}|{sk}|{i}", lead.lead_id))
                ),
            )
        })
        .collect();
    let name = lead.profile.name.clone().unwrap_or_else(|| "there".into());
    let company = lead.profile.company.clone().unwrap_or_else(|| "your company".into());
    // the owner's white label (display name, reply-to, signature), else the programme's
    let (brand, signature) = match &owner {
        Some(r) => (r.display_name().to_string(), r.signature()),
        None => ("Partner Programme".to_string(), "Partner Programme".to_string()),
    };
    let vars = [
        ("name", name.as_str()),
        ("company", company.as_str()),
        ("reseller", brand.as_str()),
        ("signature", signature.as_str()),
    ];
    let subject = render(&template.subject, &vars, false);
    let mut text = render(&template.text, &vars, false);
    let mut html = render(&template.html, &vars, true);
    for (url, tracked) in &clicks {
        text = text.replace(url.as_str(), tracked);
        html = html.replace(url.as_str(), tracked);
    }
    html.push_str(&format!("<p style=\"font-size:small\"><a href=\"{unsubscribe}\">Unsubscribe</a></p><img src=\"{open}\" width=\"1\" height=\"1\" alt=\"\">"));
    text.push_str(&format!("\n\nUnsubscribe: {unsubscribe}\n"));
    let mime = match crate::mail::branded(
        ports.mail_from,
        &brand,
        owner.as_ref().map(|r| r.reply_to()),
        &lead.email,
        &subject,
        text,
        html,
        &unsubscribe,
        now,
    ) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(Ok((crate::mail::branded_sender(ports.mail_from), mime)))
}

/// Suppresses an address for good (bounce, complaint, unsubscribe); idempotent.
pub async fn suppress(table: &dyn Table, email: &str, reason: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    let record = repo::Suppression {
        email: email_key(email),
        reason: reason.to_string(),
        at,
    };
    match table.put(repo::item(&record)?, Some(Cond::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Stops every email to the address and marks the link's lead unsubscribed (which stops its
/// sequences); done once, however often the link is used.
pub async fn unsubscribe(table: &dyn Table, lead_id: &str, email: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    suppress(table, email, "unsubscribed", at).await?;
    repo::update(table, &repo::lead_key(lead_id), |l: &crate::domain::lead::Lead| {
        Ok::<_, StoreError>(if l.unsubscribed {
            repo::Change::Keep
        } else {
            let mut next = l.clone();
            next.unsubscribed = true;
            repo::Change::to(next)
        })
    })
    .await?;
    Ok(())
}

/// A step's links (for the click redirect), if the step exists.
pub async fn step_links(table: &dyn Table, lead_id: &str, sk: &str) -> Result<Option<Vec<String>>, StoreError> {
    Ok(get::<Step>(table, &repo::step_key(lead_id, sk)).await?.map(|s| s.links))
}

/// Every step of a lead's sequences (for tests and the admin view).
pub async fn lead_steps(table: &dyn Table, lead_id: &str) -> Result<Vec<Step>, StoreError> {
    let page = table
        .query(&Query::new(repo::lead_pk(lead_id)).sk(SkRange::BeginsWith(repo::STEP_PREFIX.into())))
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use crate::adapters::faults::{Faults, Faulty, Plan};
    use std::sync::Arc;

    #[tokio::test]
    async fn an_unsubscribe_not_written_is_an_error_and_the_next_click_completes_it() {
        let inner: Arc<dyn Table> = Arc::new(EmbeddedTable::in_memory());
        let faults = Arc::new(Faults::default());
        let table = Faulty {
            inner: inner.clone(),
            faults: faults.clone(),
        };
        let now = Utc::now();
        let fields = serde_json::json!({"email": "asha@kaveri.in", "country": "IN"});
        let input = crate::domain::lead::validate(fields.as_object().expect("object")).expect("valid");
        let lead = Lead::new(&input, "L-UNSUB", now);
        inner.put(repo::item(&lead).expect("item"), None).await.expect("stored");
        let read = || async {
            get::<Lead>(inner.as_ref(), &repo::lead_key("L-UNSUB"))
                .await
                .expect("read")
                .expect("there")
        };

        faults.arm(Plan::Fail(2)); // the suppression is written, the lead's write fails
        assert!(unsubscribe(&table, "L-UNSUB", "asha@kaveri.in", now).await.is_err());
        faults.disarm();
        assert!(!read().await.unsubscribed, "not claimed done");

        unsubscribe(&table, "L-UNSUB", "asha@kaveri.in", now)
            .await
            .expect("done");
        unsubscribe(&table, "L-UNSUB", "asha@kaveri.in", now)
            .await
            .expect("again");
        let after = read().await;
        assert!(after.unsubscribed);
        assert_eq!(after.version, lead.version + 1, "written once");
    }
}
