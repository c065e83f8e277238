//! The one way a lead is written: its conditional put, with the moves of its owner's board
//! counts (`keys::board_counts_key`) in the same transaction, so that the kanban and the home
//! page read a column's count and value instead of counting the whole pipeline.

use super::entities::item;
use super::keys::{board_count_attr, board_counts_key, board_value_attr, BOARD_VALUE_SCALE};
use super::{put_if_version, put_new};
use crate::domain::lead::Lead;
use crate::ports::table::{Key, StoreError, Write};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Writes `next` over `read` (on the version read; `None`: a new lead, which must not exist),
/// and moves the board counts by the difference. The lead's put is the first write.
pub fn lead_put(read: Option<&Lead>, next: &Lead) -> Result<Vec<Write>, StoreError> {
    let put = match read {
        Some(r) => put_if_version(item(next)?, r.version),
        None => put_new(item(next)?),
    };
    let mut out = vec![put];
    out.extend(board_moves(read, Some(next)));
    Ok(out)
}

/// A column's expected value as the counter holds it (ten-thousandths, an integer).
pub fn value_units(v: Decimal) -> i64 {
    (v * Decimal::from(10i64.pow(BOARD_VALUE_SCALE)))
        .round()
        .to_i64()
        .unwrap_or(0)
}

/// A counter's value back as a decimal.
pub fn units_value(units: i64) -> Decimal {
    Decimal::new(units, BOARD_VALUE_SCALE).normalize()
}

/// The counts items and their deltas for a lead going from `before` to `after`; nothing when
/// the lead stays in its column with the same value and person.
pub fn board_moves(before: Option<&Lead>, after: Option<&Lead>) -> Vec<Write> {
    let mut deltas = Counts::new();
    for (lead, sign) in [(before, -1i64), (after, 1)] {
        if let Some(lead) = lead {
            tally(&mut deltas, lead, sign);
        }
    }
    adds(deltas)
}

/// Counts items by key, each attribute's value (zeros left out).
pub type Counts = BTreeMap<Key, BTreeMap<String, i64>>;

/// What the counts items of these leads' boards hold: for the recount.
pub fn counts_of<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> Counts {
    let mut counts = Counts::new();
    for lead in leads {
        tally(&mut counts, lead, 1);
    }
    counts.retain(|_, attrs| {
        attrs.retain(|_, n| *n != 0);
        !attrs.is_empty()
    });
    counts
}

fn tally(counts: &mut Counts, lead: &Lead, sign: i64) {
    let Some((owner, column)) = lead.board_place() else {
        return;
    };
    let value = lead.expected_value().map(value_units).unwrap_or(0);
    let mut keys = vec![board_counts_key(owner, None)];
    if let Some(user) = &lead.assigned_user {
        keys.push(board_counts_key(owner, Some(user)));
    }
    for key in keys {
        let attrs = counts.entry(key).or_default();
        *attrs.entry(board_count_attr(column)).or_default() += sign;
        *attrs.entry(board_value_attr(column)).or_default() += sign * value;
    }
}

fn adds(deltas: Counts) -> Vec<Write> {
    deltas
        .into_iter()
        .filter_map(|(key, attrs)| {
            let deltas: Vec<(String, i64)> = attrs.into_iter().filter(|(_, d)| *d != 0).collect();
            (!deltas.is_empty()).then_some(Write::Add { key, deltas })
        })
        .collect()
}

/// The same writes with every `Add` to one item merged into one (a transaction may name an
/// item once): for transactions that write several leads of one owner.
pub fn merge_adds(writes: Vec<Write>) -> Vec<Write> {
    let mut deltas = Counts::new();
    let mut out = Vec::with_capacity(writes.len());
    for w in writes {
        match w {
            Write::Add { key, deltas: d } => {
                let attrs = deltas.entry(key).or_default();
                for (attr, n) in d {
                    *attrs.entry(attr).or_default() += n;
                }
            }
            other => out.push(other),
        }
    }
    out.extend(adds(deltas));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lead::{LeadInput, RegisteredValue};
    use crate::domain::stage::Stage;

    fn owned(owner: &str, stage: Stage, user: Option<&str>) -> Lead {
        let mut l = Lead::new(&LeadInput::default(), "L1", chrono::Utc::now());
        l.owner_reseller_id = Some(owner.into());
        l.stage = stage;
        l.assigned_user = user.map(str::to_string);
        l
    }

    /// Each `Add` as (pk, sk, its deltas).
    type Moved = (String, String, Vec<(String, i64)>);

    fn deltas(writes: &[Write]) -> Vec<Moved> {
        writes
            .iter()
            .filter_map(|w| match w {
                Write::Add { key, deltas } => Some((key.pk.clone(), key.sk.clone(), deltas.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_move_takes_one_from_the_old_column_and_gives_it_to_the_new() {
        let before = owned("R1", Stage::R002, None);
        let mut after = before.clone();
        after.stage = Stage::R003;
        let moves = board_moves(Some(&before), Some(&after));
        assert_eq!(
            deltas(&moves),
            vec![(
                "BOARDCOUNTS#R1".into(),
                "ALL".into(),
                vec![("n_R002".into(), -1), ("n_R003".into(), 1)]
            )]
        );
        // an unchanged place and value move nothing; a new lead nobody owns is on no board
        assert!(board_moves(Some(&before), Some(&before)).is_empty());
        let mut unowned = before.clone();
        unowned.owner_reseller_id = None;
        assert!(board_moves(None, Some(&unowned)).is_empty());
    }

    #[test]
    fn values_people_owners_and_spam_move_their_own_counts() {
        let mut before = owned("R1", Stage::R002, Some("U1"));
        before.registered_value = Some(RegisteredValue {
            reseller_id: "R1".into(),
            value: Decimal::new(12345, 1),
        });
        // lost, to another owner, its registration no longer counting
        let mut after = before.clone();
        after.owner_reseller_id = Some("R2".into());
        after.closed_lost = true;
        let moves = deltas(&board_moves(Some(&before), Some(&after)));
        let of = |pk: &str, sk: &str| moves.iter().find(|m| m.0 == pk && m.1 == sk).map(|m| m.2.clone());
        assert_eq!(
            of("BOARDCOUNTS#R1", "ALL"),
            Some(vec![("n_R002".into(), -1), ("v_R002".into(), -12_345_000)])
        );
        assert_eq!(
            of("BOARDCOUNTS#R1", "USER#U1"),
            Some(vec![("n_R002".into(), -1), ("v_R002".into(), -12_345_000)])
        );
        assert_eq!(of("BOARDCOUNTS#R2", "ALL"), Some(vec![("n_closed_lost".into(), 1)]));
        // spam leaves the board
        let mut spam = before.clone();
        spam.spam = true;
        assert_eq!(deltas(&board_moves(Some(&before), Some(&spam))).len(), 2);
        assert_eq!(units_value(value_units(Decimal::new(12345, 1))), Decimal::new(12345, 1));
    }

    #[test]
    fn adds_to_one_item_are_merged_and_zeros_dropped() {
        let a = owned("R1", Stage::R002, None);
        let mut b = a.clone();
        b.lead_id = "L2".into();
        let mut writes = lead_put(None, &a).expect("put");
        writes.extend(lead_put(None, &b).expect("put"));
        let merged = merge_adds(writes);
        assert_eq!(merged.len(), 3, "two puts and one add");
        assert_eq!(
            deltas(&merged),
            vec![("BOARDCOUNTS#R1".into(), "ALL".into(), vec![("n_R002".into(), 2)])]
        );
        let back = merge_adds([board_moves(None, Some(&a)), board_moves(Some(&a), None)].concat());
        assert!(back.is_empty(), "{back:?}");
    }
}
