//! The first-response SLA (SPEC §4): a lead assigned to a reseller must get a logged sales
//! activity within the configured hours.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an SLA is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// the clock runs (listed in the deadline index)
    Waiting,
    /// the owner logged a first response in time or late
    Responded,
    /// a protected (partner-owned or referral) lead passed its deadline: admins were told
    Escalated,
    /// no one else could take it, or it was reassigned too often
    AdminQueue,
    /// the lead moved on by other means
    Closed,
}

/// The SLA of one lead's current assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    pub lead_id: String,
    pub owner_reseller_id: String,
    pub assigned_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub status: SlaStatus,
    pub reassignments: u32,
    #[serde(default)]
    pub previous_owners: Vec<String>,
    #[serde(default)]
    pub first_response_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    pub first_response_by: Option<String>,
    pub version: u64,
}

use crate::domain::lead::Lead;
use crate::domain::reseller::Reseller;
use crate::domain::routing::{route, RoutingDecision, RoutingInput, RoutingRule, RoutingRules, ADMIN_QUEUE};
use crate::domain::stage::Stage;

/// What the watch does with one overdue SLA.
#[derive(Debug, Clone, PartialEq)]
pub enum SlaStep {
    /// the lead moved on (progressed, closed, or has another owner): stop watching
    Close,
    /// a partner-owned or referral lead stays with its reseller; admins are told
    Escalate { owner: String, why: String },
    /// to another reseller, whose clock starts now
    Reassign {
        from: String,
        to: String,
        decision: RoutingDecision,
    },
    /// nobody else can or may take it
    AdminQueue { from: String, decision: RoutingDecision },
}

/// The lead progressed, closed or has another owner since the SLA started.
fn moved_on(lead: &Lead, sla: &Sla) -> bool {
    !lead.is_open()
        || lead.stage > Stage::R002
        || lead.owner_reseller_id.as_deref() != Some(sla.owner_reseller_id.as_str())
}

/// A partner-owned or referral lead stays with its reseller.
fn is_protected(lead: &Lead) -> bool {
    lead.registered_by.is_some() || lead.routing.as_ref().is_some_and(|r| r.rule.protects())
}

/// Whether deciding this SLA's step needs the roster (only a reassignment does).
pub fn needs_roster(lead: &Lead, sla: &Sla) -> bool {
    !moved_on(lead, sla) && !is_protected(lead)
}

/// The step for an overdue SLA: a pure decision from the lead, its SLA, the active roster,
/// the rules and the time. The roster is every active reseller; those who already had the
/// lead are never chosen again.
pub fn next_step(lead: &Lead, sla: &Sla, roster: &[Reseller], rules: &RoutingRules, now: DateTime<Utc>) -> SlaStep {
    let old = sla.owner_reseller_id.as_str();
    if moved_on(lead, sla) {
        return SlaStep::Close;
    }
    let rule = lead.routing.as_ref().map(|r| r.rule);
    if is_protected(lead) {
        let kind = if rule == Some(RoutingRule::Referral) {
            "referral"
        } else {
            "partner-owned"
        };
        return SlaStep::Escalate {
            owner: old.to_string(),
            why: format!(
                "no first response from {old} within {} h; a {kind} lead stays with its reseller and is escalated",
                rules.sla_hours
            ),
        };
    }
    let tried: Vec<&str> = sla
        .previous_owners
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(old))
        .collect();
    let candidates: Vec<Reseller> = roster
        .iter()
        .filter(|r| !tried.contains(&r.reseller_id.as_str()))
        .cloned()
        .collect();
    let industry = lead
        .category
        .as_ref()
        .map(|c| c.industry.clone())
        .unwrap_or_else(|| "unknown".into());
    let decision = route(
        &RoutingInput {
            region: &lead.region,
            industry: &industry,
            referral_code: None,
            registered_owner: None,
        },
        &candidates,
        now,
    );
    let may_reassign = sla.reassignments < rules.max_reassignments;
    match decision.owner_reseller_id.clone().filter(|_| may_reassign) {
        Some(to) => {
            let mut d = decision.clone();
            d.rule = RoutingRule::SlaReassignment;
            d.why = format!(
                "no first response from {old} within {} h (reassignment {} of {}); {}",
                rules.sla_hours,
                sla.reassignments + 1,
                rules.max_reassignments,
                decision.why
            );
            SlaStep::Reassign {
                from: old.to_string(),
                to,
                decision: d,
            }
        }
        None => {
            let why = if may_reassign {
                format!("no first response from {old}, and no other eligible reseller: admin queue")
            } else {
                format!(
                    "no first response from {old} after {} reassignments: admin queue",
                    sla.reassignments
                )
            };
            let mut d = decision;
            d.rule = RoutingRule::AdminQueue;
            d.owner_reseller_id = None;
            d.queue = Some(ADMIN_QUEUE.into());
            d.why = why;
            SlaStep::AdminQueue {
                from: old.to_string(),
                decision: d,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reseller::{ResellerStatus, Tier};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn reseller(id: &str) -> Reseller {
        Reseller {
            reseller_id: id.into(),
            name: id.into(),
            email: format!("{id}@r.example"),
            regions: vec!["IN".into()],
            industries: vec![],
            tier: Tier::Gold,
            capacity: 10,
            status: ResellerStatus::Active,
            win_rate: Default::default(),
            referral_code: id.into(),
            open_leads: 0,
            last_assigned_at: None,
            created_at: t("2026-01-01T00:00:00Z"),
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

    fn lead(owner: &str) -> Lead {
        let input = crate::domain::lead::LeadInput {
            email: "p@x.in".into(),
            profile: crate::domain::lead::Profile {
                country: Some("IN".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut l = Lead::new(&input, "L1", t("2026-11-23T04:30:00Z"));
        l.stage = Stage::R002;
        l.owner_reseller_id = Some(owner.into());
        l.routing = Some(RoutingDecision {
            rule: RoutingRule::Platform,
            owner_reseller_id: Some(owner.into()),
            queue: None,
            match_level: Some("region".into()),
            candidates: vec![],
            why: String::new(),
            decided_at: t("2026-11-23T04:30:00Z"),
        });
        l
    }

    fn sla(owner: &str, reassignments: u32, previous: &[&str]) -> Sla {
        Sla {
            lead_id: "L1".into(),
            owner_reseller_id: owner.into(),
            assigned_at: t("2026-11-23T04:30:00Z"),
            deadline: t("2026-11-23T08:30:00Z"),
            status: SlaStatus::Waiting,
            reassignments,
            previous_owners: previous.iter().map(|s| s.to_string()).collect(),
            first_response_at: None,
            first_response_minutes: None,
            first_response_by: None,
            version: 1,
        }
    }

    fn now() -> DateTime<Utc> {
        t("2026-11-23T09:00:00Z")
    }

    #[test]
    fn a_lead_that_moved_on_is_closed() {
        let rules = RoutingRules::default();
        let roster = [reseller("A"), reseller("B")];
        let mut progressed = lead("A");
        progressed.stage = Stage::R003;
        assert_eq!(
            next_step(&progressed, &sla("A", 0, &[]), &roster, &rules, now()),
            SlaStep::Close
        );
        let mut elsewhere = lead("A");
        elsewhere.owner_reseller_id = Some("B".into());
        assert_eq!(
            next_step(&elsewhere, &sla("A", 0, &[]), &roster, &rules, now()),
            SlaStep::Close
        );
        let mut lost = lead("A");
        lost.closed_lost = true;
        assert_eq!(
            next_step(&lost, &sla("A", 0, &[]), &roster, &rules, now()),
            SlaStep::Close
        );
    }

    #[test]
    fn protected_leads_are_escalated_not_moved() {
        let rules = RoutingRules::default();
        let roster = [reseller("A"), reseller("B")];
        let mut registered = lead("A");
        registered.registered_by = Some("A".into());
        assert!(matches!(
            next_step(&registered, &sla("A", 0, &[]), &roster, &rules, now()),
            SlaStep::Escalate { ref owner, ref why } if owner == "A" && why.contains("partner-owned")
        ));
        let mut referred = lead("A");
        if let Some(r) = referred.routing.as_mut() {
            r.rule = RoutingRule::Referral;
        }
        assert!(matches!(
            next_step(&referred, &sla("A", 0, &[]), &roster, &rules, now()),
            SlaStep::Escalate { ref why, .. } if why.contains("referral")
        ));
    }

    #[test]
    fn an_unanswered_platform_lead_goes_to_someone_who_has_not_had_it() {
        let rules = RoutingRules::default();
        let roster = [reseller("A"), reseller("B"), reseller("C")];
        match next_step(&lead("B"), &sla("B", 1, &["A"]), &roster, &rules, now()) {
            SlaStep::Reassign { from, to, decision } => {
                assert_eq!((from.as_str(), to.as_str()), ("B", "C"), "A and B had it");
                assert_eq!(decision.rule, RoutingRule::SlaReassignment);
                assert!(decision.why.contains("reassignment 2 of 2"), "{}", decision.why);
            }
            other => panic!("expected a reassignment, got {other:?}"),
        }
    }

    #[test]
    fn too_many_reassignments_or_nobody_left_means_the_admin_queue() {
        let rules = RoutingRules::default();
        let roster = [reseller("A"), reseller("B"), reseller("C")];
        match next_step(&lead("C"), &sla("C", 2, &["A", "B"]), &roster, &rules, now()) {
            SlaStep::AdminQueue { from, decision } => {
                assert_eq!(from, "C");
                assert_eq!(decision.queue.as_deref(), Some(ADMIN_QUEUE));
                assert!(decision.why.contains("after 2 reassignments"), "{}", decision.why);
            }
            other => panic!("expected the admin queue, got {other:?}"),
        }
        match next_step(&lead("A"), &sla("A", 0, &[]), &[reseller("A")], &rules, now()) {
            SlaStep::AdminQueue { decision, .. } => {
                assert!(decision.why.contains("no other eligible reseller"), "{}", decision.why)
            }
            other => panic!("expected the admin queue, got {other:?}"),
        }
    }
}
