//! Emails that must not be lost: the outbox.
//!
//! A flow that decides an email (a payout statement, an SLA notice, a sequence step, a renewal
//! alert, an application decision) writes the message as a [`Letter`] in the same transaction
//! as the claim that decided it ([`owe`]), then sends it ([`deliver`]) and marks it sent. A
//! crash between the commit and the send leaves the letter owed; the sweeper ([`sweep`], run
//! by the SLA watch every 15 minutes) sends what is still owed after [`GRACE`]. So each email
//! is sent **at least once**; a crash between the send and the mark sends it twice, and the
//! second copy is the same message byte for byte (same Message-ID, subject and date), which
//! mail clients show as one.

use crate::ports::mailer::{MailError, Mailer};
use crate::ports::table::{Index, Query, SkRange, StoreError, Table, Write};
use crate::repo::{self, Letter, LetterStatus};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};

/// How long the sweeper leaves a fresh letter to the flow that owes it.
pub const GRACE_MINUTES: i64 = 2;
/// A letter the mailer refuses this many times is given up (and logged as an error).
pub const MAX_ATTEMPTS: u32 = 5;
/// How long sent letters are kept (then DynamoDB's TTL removes them).
const KEEP_DAYS: i64 = 30;
/// Letters a sweep handles at most (the rest wait for the next run).
const MAX_PER_SWEEP: usize = 200;

/// The letter and the write that owes it (a put that fails if the letter is already owed, so
/// a claim made twice cannot owe it twice).
pub fn owe(
    letter_id: &str,
    from: &str,
    to: &[String],
    mime: &[u8],
    now: DateTime<Utc>,
) -> Result<(Letter, Write), StoreError> {
    let letter = Letter {
        letter_id: letter_id.to_string(),
        from: from.to_string(),
        to: to.to_vec(),
        mime: base64::engine::general_purpose::STANDARD.encode(mime),
        status: LetterStatus::Owed,
        owed_at: now,
        next_try: now + Duration::minutes(GRACE_MINUTES),
        attempts: 0,
        message_id: None,
        error: None,
        ttl: None,
        counts_on: None,
        version: 0,
    };
    let write = repo::put_new(repo::item(&letter)?);
    Ok((letter, write))
}

/// The same letter, counting each send on `attribute` of the (versioned) item at `key`.
pub fn counting_on(
    owed: (Letter, Write),
    key: &crate::ports::table::Key,
    attribute: &str,
) -> Result<(Letter, Write), StoreError> {
    let (mut letter, _) = owed;
    letter.counts_on = Some(repo::CountOn {
        pk: key.pk.clone(),
        sk: key.sk.clone(),
        attribute: attribute.to_string(),
    });
    let write = repo::put_new(repo::item(&letter)?);
    Ok((letter, write))
}

/// A platform letter (from `MAIL_FROM`'s address) to one recipient: [`owe`]'s common case.
pub fn owe_to(
    letter_id: &str,
    mail_from: &str,
    to: &str,
    mime: &[u8],
    now: DateTime<Utc>,
) -> Result<(Letter, Write), StoreError> {
    owe(
        letter_id,
        &crate::mail::address(mail_from),
        &[to.to_string()],
        mime,
        now,
    )
}

/// Sends an owed letter now and marks it sent. A send that failed for now (throttled, the
/// mailer unavailable) leaves it owed for the sweeper; one the mailer refuses for good is
/// given up at once; a failed mark is logged (the sweeper may send it again: at least once).
pub async fn deliver(
    table: &dyn Table,
    mailer: &dyn Mailer,
    letter: &Letter,
    now: DateTime<Utc>,
) -> Result<String, MailError> {
    let mime = base64::engine::general_purpose::STANDARD
        .decode(&letter.mime)
        .map_err(|e| MailError::Rejected(format!("stored letter: {e}")));
    let result = match mime {
        Ok(mime) => mailer.send_raw(&letter.from, &letter.to, mime).await,
        Err(e) => Err(e),
    };
    let next = match &result {
        Ok(id) => {
            let mut sent = letter.clone();
            sent.status = LetterStatus::Sent;
            sent.message_id = Some(id.clone());
            sent.error = None;
            Some(sent)
        }
        Err(MailError::Rejected(why)) => {
            tracing::error!(letter_id = %letter.letter_id, error = %why, "letter refused by the mailer: given up");
            let mut given_up = letter.clone();
            given_up.status = LetterStatus::GivenUp;
            given_up.error = Some(why.clone());
            Some(given_up)
        }
        Err(e) => {
            tracing::warn!(letter_id = %letter.letter_id, error = %e, "letter not sent yet: left to the sweeper");
            None
        }
    };
    if let Some(mut next) = next {
        next.ttl = Some((now + Duration::days(KEEP_DAYS)).timestamp());
        repo::bump(&mut next);
        let count = match (&next.counts_on, next.status) {
            // the item's version moves too: a read-modify-write of it made before this send
            // fails its condition and reads the count again, rather than writing it back stale
            (Some(c), LetterStatus::Sent) => Some(Write::Add {
                key: c.key(),
                deltas: vec![(c.attribute.clone(), 1), ("version".into(), 1)],
            }),
            _ => None,
        };
        if let Err(e) = mark_counting(table, &next, letter.version, count).await {
            tracing::warn!(letter_id = %letter.letter_id, error = %e, "letter not marked: the sweeper may try it again");
        }
    }
    result
}

async fn mark(table: &dyn Table, letter: &Letter, version: u64) -> Result<(), StoreError> {
    mark_counting(table, letter, version, None).await
}

/// The letter's new state, with the count of its send where it keeps one.
async fn mark_counting(
    table: &dyn Table,
    letter: &Letter,
    version: u64,
    count: Option<Write>,
) -> Result<(), StoreError> {
    let mut writes = vec![repo::put_if_version(repo::item(letter)?, version)];
    writes.extend(count);
    table.transact(writes).await
}

#[derive(Debug, Default, Clone, serde::Serialize, PartialEq, Eq)]
pub struct SweepReport {
    /// owed letters sent by this sweep
    pub sent: u32,
    /// letters the mailer did not take, to be tried again later
    pub retrying: u32,
    /// letters given up after `MAX_ATTEMPTS`
    pub given_up: u32,
}

/// Sends the letters owed for longer than the grace period. Each is leased first (its next try
/// pushed back), so two sweeps never send one letter together.
pub async fn sweep(table: &dyn Table, mailer: &dyn Mailer, now: DateTime<Utc>) -> Result<SweepReport, StoreError> {
    let page = table
        .query(
            &Query::new(repo::OUTBOX_INDEX_PK)
                .index(Index::Gsi1)
                .sk(SkRange::UpTo(repo::due_upto(&now)))
                .limit(MAX_PER_SWEEP as u32),
        )
        .await?;
    let mut report = SweepReport::default();
    for item in page.items {
        let letter: Letter = repo::record(item)?;
        let mut leased = repo::next_of(&letter);
        leased.attempts += 1;
        // back off: 5, 10, 20, 40 minutes
        leased.next_try = now + Duration::minutes(5 * (1 << (leased.attempts - 1).min(6)));
        match mark(table, &leased, letter.version).await {
            Ok(()) => {}
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e),
        }
        match deliver(table, mailer, &leased, now).await {
            Ok(_) => report.sent += 1,
            Err(MailError::Rejected(_)) => report.given_up += 1,
            Err(e) if leased.attempts >= MAX_ATTEMPTS => {
                tracing::error!(letter_id = %leased.letter_id, attempts = leased.attempts, error = %e, "letter given up");
                let mut given_up = repo::next_of(&leased);
                given_up.status = LetterStatus::GivenUp;
                given_up.error = Some(e.to_string());
                given_up.ttl = Some((now + Duration::days(KEEP_DAYS)).timestamp());
                mark(table, &given_up, leased.version).await?;
                report.given_up += 1;
            }
            Err(_) => report.retrying += 1,
        }
    }
    Ok(report)
}

/// The letters still owed (for tests and the operator).
pub async fn owed(table: &dyn Table) -> Result<Vec<Letter>, StoreError> {
    let page = table
        .query(&Query::new(repo::OUTBOX_INDEX_PK).index(Index::Gsi1).limit(1000))
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use chrono::TimeZone;
    use std::sync::Mutex;

    /// A mailer that answers from a script, then accepts; it keeps what it took.
    #[derive(Default)]
    struct Scripted {
        answers: Mutex<Vec<MailError>>,
        sent: Mutex<Vec<Vec<u8>>>,
    }

    #[async_trait::async_trait]
    impl Mailer for Scripted {
        async fn send_raw(&self, _from: &str, _to: &[String], mime: Vec<u8>) -> Result<String, MailError> {
            if let Some(e) = self.answers.lock().expect("lock").pop() {
                return Err(e);
            }
            let mut sent = self.sent.lock().expect("lock");
            sent.push(mime);
            Ok(format!("m{}", sent.len()))
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).single().expect("time")
    }

    async fn owed_letter(table: &EmbeddedTable, id: &str) -> Letter {
        let (letter, write) = owe_to(
            id,
            "Partners <p@x.example>",
            "r@x.example",
            b"Subject: hi\r\n\r\nbody",
            t0(),
        )
        .expect("letter");
        table.transact(vec![write]).await.expect("owed");
        letter
    }

    #[tokio::test]
    async fn a_letter_not_taken_is_swept_after_the_grace_with_back_off_then_given_up() {
        let table = EmbeddedTable::in_memory();
        let mailer = Scripted::default();
        *mailer.answers.lock().expect("lock") = (0..6).map(|_| MailError::Throttled).collect();
        let letter = owed_letter(&table, "a").await;
        assert!(deliver(&table, &mailer, &letter, t0()).await.is_err());
        // within the grace the flow is left to it
        assert_eq!(
            sweep(&table, &mailer, t0() + Duration::minutes(1))
                .await
                .expect("sweep"),
            SweepReport::default()
        );
        let mut at = t0() + Duration::minutes(GRACE_MINUTES);
        for attempt in 1..MAX_ATTEMPTS {
            let r = sweep(&table, &mailer, at).await.expect("sweep");
            assert_eq!(r.retrying, 1, "attempt {attempt}");
            // leased: not again before its back-off
            assert_eq!(sweep(&table, &mailer, at).await.expect("sweep").retrying, 0);
            at += Duration::minutes(5 * (1 << (attempt - 1)));
        }
        let r = sweep(&table, &mailer, at).await.expect("sweep");
        assert_eq!(r.given_up, 1, "{r:?}");
        assert!(owed(&table).await.expect("owed").is_empty());
        assert!(mailer.sent.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn a_swept_letter_is_the_same_message_and_goes_once() {
        let table = EmbeddedTable::in_memory();
        let mailer = Scripted::default();
        owed_letter(&table, "b").await;
        let later = t0() + Duration::minutes(GRACE_MINUTES);
        let r = sweep(&table, &mailer, later).await.expect("sweep");
        assert_eq!(r.sent, 1);
        assert_eq!(
            sweep(&table, &mailer, later + Duration::hours(1))
                .await
                .expect("sweep")
                .sent,
            0
        );
        let sent = mailer.sent.lock().expect("lock").clone();
        assert_eq!(sent, vec![b"Subject: hi\r\n\r\nbody".to_vec()]);
        // owing the same letter again is refused: one claim, one letter
        let (_, again) = owe_to("b", "p@x.example", "r@x.example", b"other", t0()).expect("letter");
        assert!(table.transact(vec![again]).await.is_err());
    }

    #[tokio::test]
    async fn a_refused_letter_is_given_up_at_once() {
        let table = EmbeddedTable::in_memory();
        let mailer = Scripted::default();
        *mailer.answers.lock().expect("lock") = vec![MailError::Rejected("address".into())];
        let letter = owed_letter(&table, "c").await;
        assert!(matches!(
            deliver(&table, &mailer, &letter, t0()).await,
            Err(MailError::Rejected(_))
        ));
        assert!(owed(&table).await.expect("owed").is_empty());
        let r = sweep(&table, &mailer, t0() + Duration::hours(1)).await.expect("sweep");
        assert_eq!(r, SweepReport::default());
    }
}
