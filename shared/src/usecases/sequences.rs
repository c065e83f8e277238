//! Sequences: enrolment on `lead.qualified` (or the hot-lead alert), the sender that mails the
//! steps now due — found by a key-range query on due time — and the stop/suppress rules.
//! Each step is claimed with a conditional write before it is sent: at most once, whatever is
//! retried.

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

/// The hot-lead alert: the intent is recorded (once, conditionally) before the email goes.
async fn hot_alert(ports: &SequencePorts<'_>, lead: &Lead) -> Result<Enrolled, SequenceError> {
    let now = ports.clock.now();
    let intent = repo::HotAlert {
        lead_id: lead.lead_id.clone(),
        status: "sending".into(),
        at: now,
        owner: lead.owner_reseller_id.clone(),
        message_id: None,
    };
    let call = repo::CallTask {
        lead_id: lead.lead_id.clone(),
        task: "call".into(),
        due_at: now + Duration::hours(ports.rules.sequences.call_within_hours),
        owner: lead.owner_reseller_id.clone(),
    };
    let writes = vec![repo::put_new(repo::item(&intent)?), repo::put_new(repo::item(&call)?)];
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { .. }) => return Ok(Enrolled::AlreadyDone),
        Err(e) => return Err(e.into()),
    }
    let Some(owner) = lead.owner_reseller_id.as_deref() else {
        return Ok(Enrolled::Skipped(
            "hot lead in the admin queue: no reseller to alert".into(),
        ));
    };
    let reseller: Reseller = get(ports.table, &repo::reseller_key(owner))
        .await?
        .ok_or_else(|| SequenceError::Unknown(format!("reseller {owner}")))?;
    let mime = crate::mail::hot_alert(ports.mail_from, &reseller, lead, now)
        .map_err(|e| SequenceError::Compose(e.to_string()))?;
    let id = crate::mail::send(ports.mailer, ports.mail_from, &reseller.email, mime).await?;
    let sent = repo::HotAlert {
        status: "sent".into(),
        message_id: Some(id),
        ..intent
    };
    ports.table.put(repo::item(&sent)?, None).await?;
    Ok(Enrolled::HotAlert)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SendReport {
    pub due: usize,
    pub sent: usize,
    pub deferred: usize,
    pub skipped: usize,
    pub failed: usize,
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
        let mut next = step.clone();
        next.version += 1;
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
        // claim it: only the run that moves it out of `scheduled` sends it — the one write
        // of a successful send (at most once: a crash after the claim loses the step)
        next.status = StepStatus::Sent;
        next.sent_at = Some(now);
        if !save(ports.table, &next, step.version).await? {
            continue;
        }
        let claimed = next.clone();
        let mut undo = claimed.clone();
        undo.version += 1;
        match send_step(ports, &lead, &claimed, now).await {
            Ok(_) => {
                report.sent += 1;
                mailed.insert(lead.lead_id.clone(), now);
            }
            Err(MailError::Throttled) => {
                // not sent: back to the queue for the next run
                undo.status = StepStatus::Scheduled;
                undo.sent_at = None;
                save(ports.table, &undo, claimed.version).await?;
            }
            Err(e) => {
                undo.status = StepStatus::Failed;
                undo.reason = Some(e.to_string());
                save(ports.table, &undo, claimed.version).await?;
                report.failed += 1;
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

async fn send_step(
    ports: &SequencePorts<'_>,
    lead: &Lead,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<String, MailError> {
    let template = ports
        .rules
        .sequences
        .sequences
        .get(&step.sequence)
        .and_then(|s| s.get(step.index))
        .ok_or_else(|| MailError::Rejected(format!("no step {} in {}", step.index, step.sequence)))?;
    let owner = match lead.owner_reseller_id.as_deref() {
        Some(o) => get::<Reseller>(ports.table, &repo::reseller_key(o))
            .await
            .map_err(|e| MailError::Unavailable(e.to_string()))?,
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
    let mime = crate::mail::branded(
        ports.mail_from,
        &brand,
        owner.as_ref().map(|r| r.reply_to()),
        &lead.email,
        &subject,
        text,
        html,
        &unsubscribe,
        now,
    )
    .map_err(|e| MailError::Rejected(e.to_string()))?;
    let sender = crate::mail::branded_sender(ports.mail_from);
    ports
        .mailer
        .send_raw(&sender, std::slice::from_ref(&lead.email), mime)
        .await
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
