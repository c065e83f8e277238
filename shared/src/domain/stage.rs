//! The ticket stages R001–R010 (SPEC §1) and the rule that they only move forward.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    R001,
    R002,
    R003,
    R004,
    R005,
    R006,
    R007,
    R008,
    R009,
    R010,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::R001,
        Stage::R002,
        Stage::R003,
        Stage::R004,
        Stage::R005,
        Stage::R006,
        Stage::R007,
        Stage::R008,
        Stage::R009,
        Stage::R010,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::R001 => "R001",
            Stage::R002 => "R002",
            Stage::R003 => "R003",
            Stage::R004 => "R004",
            Stage::R005 => "R005",
            Stage::R006 => "R006",
            Stage::R007 => "R007",
            Stage::R008 => "R008",
            Stage::R009 => "R009",
            Stage::R010 => "R010",
        }
    }

    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::R001 => "LEAD GEN",
            Stage::R002 => "QUALIFY",
            Stage::R003 => "DEMO & PROPOSAL",
            Stage::R004 => "NEGOTIATE",
            Stage::R005 => "ORDER",
            Stage::R006 => "COMMISSION",
            Stage::R007 => "HANDOFF",
            Stage::R008 => "AMC COLLECTION",
            Stage::R009 => "REFERRAL",
            Stage::R010 => "DASHBOARD",
        }
    }

    pub fn progress(self) -> u8 {
        match self {
            Stage::R001 => 5,
            Stage::R002 => 15,
            Stage::R003 => 30,
            Stage::R004 => 40,
            Stage::R005 => 50,
            Stage::R006 => 60,
            Stage::R007 => 70,
            Stage::R008 => 85,
            Stage::R009 => 95,
            Stage::R010 => 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("stage {from} cannot move back to {to}")]
    Backwards { from: &'static str, to: &'static str },
    #[error("stage {from} cannot skip to {to}; the next stage is {next}")]
    Skip {
        from: &'static str,
        to: &'static str,
        next: &'static str,
    },
    #[error("stage {0} is already the current stage")]
    Same(&'static str),
}

/// Checks a move from `from` to `to`: only to the next stage, unless an admin forces it.
pub fn check_move(from: Stage, to: Stage, forced: bool) -> Result<(), StageError> {
    if forced {
        return Ok(());
    }
    if to == from {
        return Err(StageError::Same(from.code()));
    }
    if to < from {
        return Err(StageError::Backwards {
            from: from.code(),
            to: to.code(),
        });
    }
    let next = Stage::ALL[(from as usize + 1).min(9)];
    if to != next {
        return Err(StageError::Skip {
            from: from.code(),
            to: to.code(),
            next: next.code(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_matches_the_spec_table() {
        let p: Vec<u8> = Stage::ALL.iter().map(|s| s.progress()).collect();
        assert_eq!(p, vec![5, 15, 30, 40, 50, 60, 70, 85, 95, 100]);
        assert_eq!(Stage::parse("r002"), Some(Stage::R002));
        assert_eq!(Stage::parse("R011"), None);
    }

    #[test]
    fn stages_move_forward_one_step_unless_forced() {
        assert!(check_move(Stage::R001, Stage::R002, false).is_ok());
        assert!(matches!(
            check_move(Stage::R002, Stage::R001, false),
            Err(StageError::Backwards { .. })
        ));
        assert!(matches!(
            check_move(Stage::R001, Stage::R005, false),
            Err(StageError::Skip { next: "R002", .. })
        ));
        assert!(check_move(Stage::R001, Stage::R005, true).is_ok());
    }
}
