//! The middle of the funnel (SPEC §1, §12): the stages a reseller moves by hand, closed-lost
//! with a reason, reopening, and the win rate that deals decided by outcomes give.

use crate::domain::stage::Stage;
use chrono::{DateTime, Duration, Months, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The stages a reseller (or an admin) moves a lead to by hand; the others are moved by
/// scoring (R001–R002), billing (R005, R006, R008) and payouts (R010).
pub const HAND_STAGES: [Stage; 4] = [Stage::R003, Stage::R004, Stage::R007, Stage::R009];

/// Why a deal was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LostReason {
    Price,
    Competitor,
    NoBudget,
    NoDecision,
    Timing,
    Other,
}

crate::domain::wire_names::wire_names!(LostReason {
    Price = "price",
    Competitor = "competitor",
    NoBudget = "no_budget",
    NoDecision = "no_decision",
    Timing = "timing",
    Other = "other",
});

/// Where a hand move goes: a stage, or closed-lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Stage(Stage),
    ClosedLost,
}

impl Target {
    pub fn parse(s: &str) -> Option<Target> {
        if s.trim().eq_ignore_ascii_case("closed_lost") {
            return Some(Target::ClosedLost);
        }
        Stage::parse(s).map(Target::Stage)
    }
    pub fn code(self) -> &'static str {
        match self {
            Target::Stage(s) => s.code(),
            Target::ClosedLost => "closed_lost",
        }
    }
}

/// A lost deal: when, why, by whom, and the stage it was lost at (where reopening returns it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lost {
    pub reason: LostReason,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    pub stage: Stage,
    /// the reseller whose win rate counts the loss
    #[serde(default)]
    pub owner: Option<String>,
}

/// A decided deal: won (its order's first payment) or lost (closed-lost), counted in its
/// reseller's trailing win rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecidedDeal {
    pub reseller_id: String,
    pub lead_id: String,
    pub won: bool,
    pub at: DateTime<Utc>,
}

/// Why a hand move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("{0} is moved by scoring, billing or payouts, not by hand")]
    SystemStage(&'static str),
    #[error("the lead is closed-lost; reopen it first")]
    ClosedLost,
    #[error("{from} cannot move to {to}")]
    Illegal {
        from: &'static str,
        to: &'static str,
        allowed: Vec<&'static str>,
    },
}

/// Open: not yet won (no first payment) nor lost, so it may still be closed-lost.
pub fn is_open(stage: Stage, closed_lost: bool) -> bool {
    !closed_lost && stage < Stage::R006
}

/// The moves an owner may make from `from`: the next stage when it is a hand stage, and
/// closed-lost while the deal is open.
pub fn allowed_moves(from: Stage, closed_lost: bool) -> Vec<Target> {
    if closed_lost {
        return vec![];
    }
    let mut out = Vec::new();
    if let Some(next) = Stage::ALL.get(from as usize + 1) {
        if HAND_STAGES.contains(next) {
            out.push(Target::Stage(*next));
        }
    }
    if is_open(from, closed_lost) {
        out.push(Target::ClosedLost);
    }
    out
}

/// Checks a hand move. An admin's `force` allows any hand stage other than the current one,
/// backwards or skipping (recorded as forced); closed-lost needs an open deal even then.
pub fn check_move(from: Stage, closed_lost: bool, to: Target, force: bool) -> Result<(), MoveRefused> {
    if let Target::Stage(s) = to {
        if !HAND_STAGES.contains(&s) {
            return Err(MoveRefused::SystemStage(s.code()));
        }
    }
    if closed_lost {
        return Err(MoveRefused::ClosedLost);
    }
    let allowed = allowed_moves(from, closed_lost);
    let ok = match to {
        Target::ClosedLost => is_open(from, closed_lost),
        Target::Stage(s) => allowed.contains(&to) || (force && s != from),
    };
    if ok {
        Ok(())
    } else {
        Err(MoveRefused::Illegal {
            from: from.code(),
            to: to.code(),
            allowed: allowed.iter().map(|t| t.code()).collect(),
        })
    }
}

/// Whether a lost deal may be reopened now: an admin always, the owner within `reopen_days`.
pub fn may_reopen(lost: &Lost, now: DateTime<Utc>, admin: bool, reopen_days: u32) -> bool {
    admin || now - lost.at <= Duration::days(reopen_days as i64)
}

/// The win-rate settings (`RULES_JSON` `pipeline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PipelineRules {
    /// how long after losing a deal its owner may reopen it
    pub reopen_days: u32,
    /// decided deals (won + lost) a reseller needs before its own win rate replaces the
    /// configured one in routing
    pub min_decided_deals: u32,
    /// the trailing window the win rate is computed over
    pub win_rate_months: u32,
    /// a lead still at R001 this long after capture is queued for scoring again (its
    /// `lead.captured` message was lost)
    pub requeue_after_minutes: u32,
    /// … at most this many times (then it waits for a person: `GET /leads?stage=R001`)
    pub requeue_max_attempts: u32,
}

impl Default for PipelineRules {
    fn default() -> Self {
        PipelineRules {
            reopen_days: 90,
            min_decided_deals: 5,
            win_rate_months: 12,
            requeue_after_minutes: 10,
            requeue_max_attempts: 3,
        }
    }
}

impl PipelineRules {
    /// The start of the trailing window ending at `now`.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(self.win_rate_months)).unwrap_or(now)
    }
}

/// Deals decided in the trailing window and the win rate they give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub won: u32,
    pub lost: u32,
    /// won ÷ (won + lost), 4 decimals; none before any deal is decided
    pub win_rate: Option<Decimal>,
    /// whether there are enough decided deals for this rate to be used in routing
    pub applies: bool,
    pub since: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
}

/// The outcomes from counted deals.
pub fn outcomes(won: u32, lost: u32, rules: &PipelineRules, now: DateTime<Utc>) -> Outcomes {
    let decided = won + lost;
    let win_rate = (decided > 0).then(|| (Decimal::from(won) / Decimal::from(decided)).round_dp(4));
    Outcomes {
        won,
        lost,
        win_rate,
        applies: decided >= rules.min_decided_deals && decided > 0,
        since: rules.window_start(now),
        computed_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn codes(v: Vec<Target>) -> Vec<&'static str> {
        v.into_iter().map(|t| t.code()).collect()
    }

    #[test]
    fn owners_move_forward_one_hand_stage_at_a_time() {
        use Stage::*;
        assert_eq!(codes(allowed_moves(R002, false)), vec!["R003", "closed_lost"]);
        assert_eq!(codes(allowed_moves(R003, false)), vec!["R004", "closed_lost"]);
        assert_eq!(codes(allowed_moves(R004, false)), vec!["closed_lost"]);
        assert_eq!(codes(allowed_moves(R006, false)), vec!["R007"]);
        assert_eq!(codes(allowed_moves(R008, false)), vec!["R009"]);
        assert_eq!(codes(allowed_moves(R010, false)), Vec::<&str>::new());
        assert!(allowed_moves(R003, true).is_empty());
        assert!(check_move(R002, false, Target::Stage(R003), false).is_ok());
        assert!(check_move(R003, false, Target::Stage(R004), false).is_ok());
        assert_eq!(
            check_move(R004, false, Target::Stage(R003), false),
            Err(MoveRefused::Illegal {
                from: "R004",
                to: "R003",
                allowed: vec!["closed_lost"]
            })
        );
        // a skip
        assert!(matches!(
            check_move(R002, false, Target::Stage(R004), false),
            Err(MoveRefused::Illegal { .. })
        ));
        // system stages, even forced
        for s in [R001, R002, R005, R006, R008, R010] {
            assert_eq!(
                check_move(R004, false, Target::Stage(s), true),
                Err(MoveRefused::SystemStage(s.code()))
            );
        }
    }

    #[test]
    fn an_admin_may_force_any_hand_stage_but_not_reopen_by_moving() {
        use Stage::*;
        assert!(check_move(R004, false, Target::Stage(R003), true).is_ok());
        assert!(check_move(R002, false, Target::Stage(R007), true).is_ok());
        assert!(check_move(R003, false, Target::Stage(R003), true).is_err());
        assert_eq!(
            check_move(R003, true, Target::Stage(R004), true),
            Err(MoveRefused::ClosedLost)
        );
        // a won deal is not lost
        assert!(check_move(R006, false, Target::ClosedLost, true).is_err());
        assert!(check_move(R005, false, Target::ClosedLost, false).is_ok());
    }

    #[test]
    fn owners_reopen_within_the_window_admins_always() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let lost = Lost {
            reason: LostReason::Price,
            note: None,
            at,
            by: "r1".into(),
            stage: Stage::R004,
            owner: Some("r1".into()),
        };
        assert!(may_reopen(&lost, at + Duration::days(90), false, 90));
        assert!(!may_reopen(&lost, at + Duration::days(91), false, 90));
        assert!(may_reopen(&lost, at + Duration::days(400), true, 90));
    }

    #[test]
    fn win_rate_applies_from_the_configured_number_of_decided_deals() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let rules = PipelineRules::default();
        let o = outcomes(3, 1, &rules, now);
        assert_eq!(o.win_rate, Some(Decimal::new(75, 2)));
        assert!(!o.applies);
        let o = outcomes(3, 2, &rules, now);
        assert_eq!(o.win_rate, Some(Decimal::new(6, 1)));
        assert!(o.applies);
        assert_eq!(o.since, Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap());
        assert_eq!(outcomes(0, 0, &rules, now).win_rate, None);
        assert_eq!(LostReason::parse("no_budget"), Some(LostReason::NoBudget));
        assert_eq!(LostReason::parse("cheaper"), None);
    }
}
