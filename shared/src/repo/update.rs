//! The one way a stored record is changed: read it, decide the change on what was read, write
//! it only if nobody wrote since (its `version`, bumped here and nowhere else), and on a
//! conflict read again and decide again, after a short random pause so that two writers that
//! collided do not collide again in step.

use super::entities::{item, Entity};
use super::{get_record, put_if_version};
use crate::ports::table::{Key, StoreError, Table, Write};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A record written with optimistic concurrency: it carries the version it was read at.
pub trait Versioned: Entity + DeserializeOwned {
    fn version(&self) -> u64;
    fn version_mut(&mut self) -> &mut u64;
    /// The writes that store `next` over `read` (its version already bumped): the put on the
    /// version read first, then whatever moves with the record (a lead's board counts).
    fn writes(read: &Self, next: &Self) -> Result<Vec<Write>, StoreError>;
}

/// Implements [`Versioned`] for records with a `version: u64` field.
macro_rules! versioned {
    ($($t:ty),* $(,)?) => {
        $(impl Versioned for $t {
            fn version(&self) -> u64 {
                self.version
            }
            fn version_mut(&mut self) -> &mut u64 {
                &mut self.version
            }
            fn writes(read: &Self, next: &Self) -> Result<Vec<Write>, StoreError> {
                Ok(vec![put_if_version(item(next)?, read.version)])
            }
        })*
    };
}

impl Versioned for crate::domain::lead::Lead {
    fn version(&self) -> u64 {
        self.version
    }
    fn version_mut(&mut self) -> &mut u64 {
        &mut self.version
    }
    fn writes(read: &Self, next: &Self) -> Result<Vec<Write>, StoreError> {
        super::board::lead_put(Some(read), next)
    }
}

versioned!(
    crate::domain::reseller::Reseller,
    crate::domain::people::User,
    crate::domain::people::Staff,
    crate::domain::quote::Quote,
    crate::domain::support::SupportTicket,
    crate::domain::support::CoSell,
    crate::domain::application::Application,
    crate::domain::catalogue::Product,
    crate::domain::fx::FxRates,
    crate::domain::sla::Sla,
    crate::domain::payout::Ticket,
    crate::domain::renewal::Contract,
    crate::domain::billing::Order,
    crate::domain::billing::Payment,
    crate::domain::billing::Refund,
    crate::domain::sequence::Step,
    super::entities::Letter,
    crate::domain::payout::Balance,
    crate::domain::registration::Claim,
    super::entities::Requeued,
    super::entities::TaxYear,
);

/// `read` as the next version of itself, to change and then write over it on `read`'s version
/// (`put_if_version`, or `lead_put` for a lead): with [`update`], the only places a version moves.
pub fn next_of<T: Versioned + Clone>(read: &T) -> T {
    let mut next = read.clone();
    bump(&mut next);
    next
}

/// The version of a record written over `read`, or for the first time when there is none: a
/// whole new value replacing a stored one takes its version from here.
pub fn version_after<T: Versioned>(read: Option<&T>) -> u64 {
    read.map_or(1, |r| r.version() + 1)
}

/// One version on, for a record already changed in place (a copy compared with what was read
/// before it is known to change, or one taken out of another result).
pub fn bump<T: Versioned>(record: &mut T) {
    *record.version_mut() += 1;
}

/// What a change decided on the record as read.
pub enum Change<T> {
    /// write this (its version is set by [`update`]), with these writes in the same transaction
    Write(T, Vec<Write>),
    /// nothing to write: the record already says it
    Keep,
}

impl<T> Change<T> {
    /// Write `next` alone.
    pub fn to(next: T) -> Self {
        Change::Write(next, Vec::new())
    }
}

/// How often a change is decided again after losing a race for the record (each loss means
/// another writer succeeded, so the loop ends; five covers a burst of concurrent writers).
pub const ATTEMPTS: u32 = 5;

/// Whether the record's own versioned write (the first of the transaction) lost the race, as
/// opposed to a condition of one of the writes that came with it.
fn lost_the_race(e: &StoreError) -> bool {
    match e {
        StoreError::ConditionFailed => true,
        StoreError::TransactionCancelled { failed } => failed.first().copied().unwrap_or(true),
        _ => false,
    }
}

/// The attempts of one change that may lose a race: every read-decide-write loop counts its
/// rounds with it, so each makes at most [`ATTEMPTS`] and pauses for a random while (up to
/// `5 × 2^n` ms) before each round after the first, so that writers that collided do not collide
/// again in step. [`update`] is such a loop for one versioned record; a change that spans several
/// records (a lead with its roster entry, a quote with its lead) writes its own:
///
/// ```ignore
/// let mut tries = Tries::default();
/// while tries.again().await {
///     // read, decide, transact; `continue` when a condition failed
/// }
/// // every round lost: say what that means
/// ```
#[derive(Debug, Default)]
pub struct Tries {
    done: u32,
}

impl Tries {
    /// Whether to go round once more (pausing first unless this is the first round).
    pub async fn again(&mut self) -> bool {
        if self.done >= ATTEMPTS {
            return false;
        }
        if self.done > 0 {
            pause(self.done - 1).await;
        }
        self.done += 1;
        true
    }
}

/// A pause of up to `5 × 2^attempt` ms, its length drawn at random.
async fn pause(attempt: u32) {
    let mut b = [0u8; 2];
    let spread = 5u64 << attempt.min(6);
    let ms = match getrandom::fill(&mut b) {
        Ok(()) => u64::from(u16::from_le_bytes(b)) % spread + 1,
        Err(_) => spread,
    };
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Reads the record under `key`, lets `change` decide on it, and writes the result on the
/// version read (bumped by one). On a lost race it reads and decides again, up to [`ATTEMPTS`]
/// times, then answers [`StoreError::Throttled`] (a retryable `503`). `Ok(None)` when there is no
/// record; otherwise the record as it now stands (written, or as read when kept). An error
/// `change` returns ends the update with nothing written.
pub async fn update<T, E>(
    table: &dyn Table,
    key: &Key,
    mut change: impl FnMut(&T) -> Result<Change<T>, E>,
) -> Result<Option<T>, E>
where
    T: Versioned,
    E: From<StoreError>,
{
    let mut tries = Tries::default();
    while tries.again().await {
        let Some(mut read) = get_record::<T>(table, key).await? else {
            return Ok(None);
        };
        let (mut next, also) = match change(&read)? {
            Change::Keep => return Ok(Some(read)),
            Change::Write(next, also) => (next, also),
        };
        let version = *read.version_mut();
        *next.version_mut() = version + 1;
        let mut writes = T::writes(&read, &next)?;
        writes.extend(also);
        match table.transact(writes).await {
            Ok(()) => return Ok(Some(next)),
            Err(e) if lost_the_race(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Throttled.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use crate::domain::catalogue::{Product, ProductKind};

    fn product(sku: &str) -> Product {
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        Product {
            sku: sku.into(),
            name: "ERP".into(),
            kind: ProductKind::Licence,
            list_price: rust_decimal::Decimal::ONE_HUNDRED,
            currency: "INR".into(),
            amc_percent: rust_decimal::Decimal::ZERO,
            active: true,
            created_at: at,
            updated_at: at,
            version: 3,
        }
    }

    #[test]
    fn a_record_replacing_another_is_one_version_on_and_a_first_record_is_version_one() {
        let stored = product("ERP-1");
        assert_eq!(version_after(Some(&stored)), 4);
        assert_eq!(version_after::<Product>(None), 1);
        assert_eq!(next_of(&stored).version, version_after(Some(&stored)));
    }

    async fn stored(table: &EmbeddedTable, p: &Product) {
        table.put(item(p).expect("item"), None).await.expect("stored");
    }

    #[tokio::test]
    async fn every_loop_makes_the_same_number_of_rounds_and_pauses_between_them() {
        let mut tries = Tries::default();
        let started = std::time::Instant::now();
        let mut rounds = 0;
        while tries.again().await {
            rounds += 1;
        }
        assert_eq!(rounds, ATTEMPTS);
        assert!(
            started.elapsed() >= Duration::from_millis(u64::from(ATTEMPTS - 1)),
            "each later round paused"
        );
        assert!(!tries.again().await, "spent tries stay spent");
    }

    #[tokio::test]
    async fn concurrent_changes_all_land_each_on_its_own_version() {
        let table = EmbeddedTable::in_memory();
        let p = product("ERP-1");
        stored(&table, &p).await;
        let key = p.key();
        let writers = (0..4).map(|i| {
            let (table, key) = (&table, key.clone());
            async move {
                update(table, &key, |p: &Product| {
                    let mut next = p.clone();
                    next.name = format!("{} {i}", next.name);
                    Ok::<_, StoreError>(Change::to(next))
                })
                .await
            }
        });
        let results = futures_util::future::join_all(writers).await;
        assert!(results.iter().all(|r| matches!(r, Ok(Some(_)))), "{results:?}");
        let read: Product = get_record(&table, &key).await.expect("read").expect("there");
        assert_eq!(read.version, p.version + 4, "four writes, four versions");
        assert_eq!(read.name.matches(' ').count(), 4, "none lost: {}", read.name);
    }

    #[tokio::test]
    async fn kept_and_missing_records_write_nothing() {
        let table = EmbeddedTable::in_memory();
        let p = product("ERP-2");
        stored(&table, &p).await;
        let kept = update(&table, &p.key(), |_: &Product| Ok::<_, StoreError>(Change::Keep))
            .await
            .expect("kept");
        assert_eq!(kept.map(|k| k.version), Some(p.version));
        let missing = update(&table, &product("NONE").key(), |_: &Product| {
            Ok::<_, StoreError>(Change::Keep)
        })
        .await
        .expect("no error");
        assert!(missing.is_none());
        let refused = update(&table, &p.key(), |_: &Product| {
            Err::<Change<Product>, _>(StoreError::BadCursor)
        })
        .await;
        assert!(matches!(refused, Err(StoreError::BadCursor)));
        let read: Product = get_record(&table, &p.key()).await.expect("read").expect("there");
        assert_eq!(read.version, p.version, "nothing written");
    }
}
