//! Routing (SPEC §4): partner-owned first, then referral, then platform round-robin among the
//! best-ranked eligible resellers. Every decision keeps the candidates and why one won.

use crate::domain::region::Region;
use crate::domain::reseller::{Reseller, ResellerStatus, Tier};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub reseller_id: String,
    pub tier: Tier,
    pub win_rate: Decimal,
    pub open_leads: u32,
    pub capacity: u32,
    pub region_match: bool,
    pub industry_match: bool,
    pub last_assigned_at: Option<DateTime<Utc>>,
    pub eligible: bool,
    pub note: String,
}

/// Why a lead has its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingRule {
    /// a deal registration holds the company: the registering reseller keeps it
    PartnerOwned,
    /// it came through a reseller's referral link or code
    Referral,
    /// the platform chose among the eligible resellers
    Platform,
    /// nobody could take it: the programme's queue
    AdminQueue,
    /// its owner missed the first-response SLA and the lead moved on
    SlaReassignment,
}

impl RoutingRule {
    /// A registered or referred lead stays with its reseller.
    pub fn protects(self) -> bool {
        matches!(self, RoutingRule::PartnerOwned | RoutingRule::Referral)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingDecision {
    pub rule: RoutingRule,
    pub owner_reseller_id: Option<String>,
    /// set when no reseller could take the lead
    pub queue: Option<String>,
    /// which filter the winner came through: `region+industry`, `region`, `industry`, `any`
    pub match_level: Option<String>,
    pub candidates: Vec<Candidate>,
    pub why: String,
    pub decided_at: DateTime<Utc>,
}

pub struct RoutingInput<'a> {
    pub region: &'a Region,
    pub industry: &'a str,
    pub referral_code: Option<&'a str>,
    /// an owner already fixed by deal registration
    pub registered_owner: Option<&'a str>,
}

pub const ADMIN_QUEUE: &str = "admin";

/// A fallback level of routing: its name and which candidates it keeps.
type MatchLevel = (&'static str, fn(&Candidate) -> bool);

/// Chooses the owner from the roster of resellers (any status; only active ones are eligible).
pub fn route(input: &RoutingInput, roster: &[Reseller], now: DateTime<Utc>) -> RoutingDecision {
    let decision =
        |rule: RoutingRule, owner: Option<String>, level: Option<&str>, cands, why: String| RoutingDecision {
            rule,
            queue: if owner.is_none() {
                Some(ADMIN_QUEUE.into())
            } else {
                None
            },
            owner_reseller_id: owner,
            match_level: level.map(str::to_string),
            candidates: cands,
            why,
            decided_at: now,
        };
    if let Some(owner) = input.registered_owner {
        return decision(
            RoutingRule::PartnerOwned,
            Some(owner.to_string()),
            None,
            vec![],
            format!("registered by reseller {owner}: stays with it for the protection period"),
        );
    }
    if let Some(code) = input.referral_code.map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(r) = roster
            .iter()
            .find(|r| r.referral_code.eq_ignore_ascii_case(code) && r.status == ResellerStatus::Active)
        {
            return decision(
                RoutingRule::Referral,
                Some(r.reseller_id.clone()),
                None,
                vec![],
                format!("arrived through reseller {}'s referral code {code}", r.reseller_id),
            );
        }
    }

    let industry_known = input.industry != "unknown";
    let mut candidates: Vec<Candidate> = roster
        .iter()
        .map(|r| {
            let region_match = input.region.covered_by(&r.regions);
            let industry_match = industry_known && r.industries.iter().any(|i| i.eq_ignore_ascii_case(input.industry));
            let (eligible, note) = if r.status != ResellerStatus::Active {
                (false, format!("status {}", r.status.as_str()))
            } else if !r.has_capacity() {
                (false, format!("at capacity ({}/{})", r.open_leads, r.capacity))
            } else {
                (true, String::new())
            };
            Candidate {
                reseller_id: r.reseller_id.clone(),
                tier: r.tier,
                win_rate: r.effective_win_rate(),
                open_leads: r.open_leads,
                capacity: r.capacity,
                region_match,
                industry_match,
                last_assigned_at: r.last_assigned_at,
                eligible,
                note,
            }
        })
        .collect();

    // Narrowest match first, falling back until someone eligible is left.
    let levels: [MatchLevel; 4] = [
        ("region+industry", |c| c.region_match && c.industry_match),
        ("region", |c| c.region_match),
        ("industry", |c| c.industry_match),
        ("any", |_| true),
    ];
    for (level, keep) in levels {
        let mut pool: Vec<&Candidate> = candidates.iter().filter(|c| c.eligible && keep(c)).collect();
        if pool.is_empty() {
            continue;
        }
        // tier, then win rate, then round-robin: the least recently assigned goes first
        // (never assigned counts as oldest), then id for a stable order.
        pool.sort_by(|a, b| {
            b.tier
                .cmp(&a.tier)
                .then(b.win_rate.cmp(&a.win_rate))
                .then(a.last_assigned_at.cmp(&b.last_assigned_at))
                .then(a.reseller_id.cmp(&b.reseller_id))
        });
        let best = pool[0];
        let equals = pool
            .iter()
            .filter(|c| c.tier == best.tier && c.win_rate == best.win_rate)
            .count();
        let winner = best.reseller_id.clone();
        let why = format!(
            "matched on {level}; highest tier ({:?}) and win rate ({}) among {} eligible; {}",
            best.tier,
            best.win_rate,
            pool.len(),
            if equals > 1 {
                format!("round-robin among {equals} equals: least recently assigned")
            } else {
                "no equal".to_string()
            }
        );
        for c in candidates.iter_mut() {
            if c.reseller_id == winner {
                c.note = "chosen".into();
            } else if c.eligible && c.note.is_empty() {
                c.note = if keep(c) {
                    "ranked lower".into()
                } else {
                    format!("not a {level} match")
                };
            }
        }
        return decision(RoutingRule::Platform, Some(winner), Some(level), candidates, why);
    }
    let why = if roster.is_empty() {
        "no resellers to route to: admin queue".to_string()
    } else {
        "no active reseller with capacity: admin queue".to_string()
    };
    decision(RoutingRule::AdminQueue, None, None, candidates, why)
}

/// Routing's configurable numbers (SPEC §4), beside the rules that use them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingRules {
    pub sla_hours: u32,
    pub protection_days: u32,
    pub max_reassignments: u32,
    /// free-mail domains beyond the maintained list (`shared/data/free-mail-domains.txt`):
    /// deal registration never claims a company by these
    pub extra_free_mail_domains: Vec<String>,
}

impl Default for RoutingRules {
    fn default() -> Self {
        RoutingRules {
            sla_hours: 4,
            protection_days: 90,
            max_reassignments: 2,
            extra_free_mail_domains: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::resolve;
    use chrono::TimeZone;

    fn reseller(id: &str, regions: &[&str], industries: &[&str], tier: Tier) -> Reseller {
        Reseller {
            reseller_id: id.into(),
            name: id.into(),
            email: format!("{id}@example.com"),
            regions: regions.iter().map(|s| s.to_string()).collect(),
            industries: industries.iter().map(|s| s.to_string()).collect(),
            tier,
            capacity: 10,
            status: ResellerStatus::Active,
            win_rate: Decimal::ZERO,
            referral_code: format!("REF{id}"),
            open_leads: 0,
            last_assigned_at: None,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            plan: Default::default(),
            parent_reseller_id: None,
            outcomes: None,
            brand: None,
            terms: None,
            company_domain: None,
            status_history: vec![],
            tax: None,
            tax_changes: vec![],
            channel_manager: None,
            version: 1,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap()
    }

    #[test]
    fn region_and_industry_match_wins_over_higher_tier_elsewhere() {
        let region = resolve(Some("IN"), Some("MH"));
        let roster = vec![
            reseller("a", &["US"], &["retail"], Tier::Platinum),
            reseller("b", &["IN-MH"], &["retail"], Tier::Registered),
            reseller("c", &["IN"], &["healthcare"], Tier::Gold),
        ];
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "retail",
                referral_code: None,
                registered_owner: None,
            },
            &roster,
            now(),
        );
        assert_eq!(d.owner_reseller_id.as_deref(), Some("b"));
        assert_eq!(d.match_level.as_deref(), Some("region+industry"));
        assert_eq!(d.candidates.len(), 3);
        // no region+industry match: region only, highest tier there
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "education",
                referral_code: None,
                registered_owner: None,
            },
            &roster,
            now(),
        );
        assert_eq!(d.owner_reseller_id.as_deref(), Some("c"));
        assert_eq!(d.match_level.as_deref(), Some("region"));
    }

    #[test]
    fn round_robin_among_equals_by_least_recent_assignment() {
        let region = resolve(Some("IN"), None);
        let mut a = reseller("a", &["IN"], &[], Tier::Gold);
        let b = reseller("b", &["IN"], &[], Tier::Gold);
        a.last_assigned_at = Some(now());
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "unknown",
                referral_code: None,
                registered_owner: None,
            },
            &[a, b],
            now(),
        );
        assert_eq!(d.owner_reseller_id.as_deref(), Some("b"));
        assert!(d.why.contains("round-robin among 2"));
    }

    #[test]
    fn all_at_capacity_goes_to_the_admin_queue() {
        let region = resolve(Some("IN"), None);
        let mut a = reseller("a", &["IN"], &[], Tier::Gold);
        a.open_leads = a.capacity;
        let mut b = reseller("b", &["IN"], &[], Tier::Gold);
        b.status = ResellerStatus::Suspended;
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "unknown",
                referral_code: None,
                registered_owner: None,
            },
            &[a, b],
            now(),
        );
        assert_eq!(d.owner_reseller_id, None);
        assert_eq!(d.queue.as_deref(), Some(ADMIN_QUEUE));
        assert_eq!(d.rule, RoutingRule::AdminQueue);
        assert!(d.candidates[0].note.contains("at capacity"));
    }

    #[test]
    fn registration_then_referral_take_precedence() {
        let region = Region::default();
        let roster = vec![
            reseller("a", &["IN"], &[], Tier::Platinum),
            reseller("b", &[], &[], Tier::Registered),
        ];
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "unknown",
                referral_code: Some("refb"),
                registered_owner: None,
            },
            &roster,
            now(),
        );
        assert_eq!(
            (d.rule, d.owner_reseller_id.as_deref()),
            (RoutingRule::Referral, Some("b"))
        );
        let d = route(
            &RoutingInput {
                region: &region,
                industry: "unknown",
                referral_code: Some("REFb"),
                registered_owner: Some("a"),
            },
            &roster,
            now(),
        );
        assert_eq!(
            (d.rule, d.owner_reseller_id.as_deref()),
            (RoutingRule::PartnerOwned, Some("a"))
        );
    }
}
