//! Explainable lead scoring, 0–100 (SPEC §3): budget + timeline + authority + engagement, each
//! factor with its points and the evidence it was read from.

use crate::domain::money::{display, parse_amount_text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Hot,
    Warm,
    Cold,
}

crate::domain::wire_names::wire_names!(Band { Hot = "hot", Warm = "warm", Cold = "cold" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReason {
    pub factor: String,
    pub points: u32,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: u32,
    pub band: Band,
    pub reasons: Vec<ScoreReason>,
}

/// What the lead told us, as far as scoring cares.
#[derive(Debug, Clone, Default)]
pub struct ScoringInput<'a> {
    pub budget: Option<&'a str>,
    pub timeline: Option<&'a str>,
    pub title: Option<&'a str>,
}

/// Engagement counted so far (opens, clicks, webinar attendance, replies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    #[serde(default)]
    pub opens: u32,
    #[serde(default)]
    pub clicks: u32,
    #[serde(default)]
    pub webinars: u32,
    #[serde(default)]
    pub replies: u32,
}

pub fn band_for(score: u32, rules: &ScoringRules) -> Band {
    if score > rules.hot_above {
        Band::Hot
    } else if score >= rules.warm_from {
        Band::Warm
    } else {
        Band::Cold
    }
}

/// Units of INR per unit of each foreign currency, for reading budgets.
pub type FxTable = std::collections::BTreeMap<String, rust_decimal::Decimal>;

pub fn score(input: &ScoringInput, engagement: &Engagement, rules: &ScoringRules, fx: &FxTable) -> Score {
    let reasons = vec![
        budget_reason(input.budget, rules, fx),
        timeline_reason(input.timeline, rules),
        authority_reason(input.title, rules),
        engagement_reason(engagement, rules),
    ];
    let total = reasons.iter().map(|r| r.points).sum::<u32>().min(100);
    Score {
        score: total,
        band: band_for(total, rules),
        reasons,
    }
}

fn reason(factor: &str, points: u32, evidence: String) -> ScoreReason {
    ScoreReason {
        factor: factor.to_string(),
        points,
        evidence,
    }
}

fn budget_reason(budget: Option<&str>, s: &ScoringRules, fx: &FxTable) -> ScoreReason {
    let Some(text) = budget.map(str::trim).filter(|t| !t.is_empty()) else {
        return reason("budget", 0, "no budget given".into());
    };
    match parse_amount_text(text, fx) {
        None => reason("budget", 0, format!("budget \"{text}\" could not be read as an amount")),
        Some(p) => {
            let (points, bracket) = if p.inr >= s.budget_high_min_inr {
                (s.budget_high, format!("≥ {}", display(s.budget_high_min_inr, "INR")))
            } else if p.inr >= s.budget_mid_min_inr {
                (
                    s.budget_mid,
                    format!(
                        "{} to {}",
                        display(s.budget_mid_min_inr, "INR"),
                        display(s.budget_high_min_inr, "INR")
                    ),
                )
            } else {
                (s.budget_low, format!("< {}", display(s.budget_mid_min_inr, "INR")))
            };
            let read_as = if p.currency == "INR" {
                display(p.inr, "INR")
            } else {
                format!("{} {} ≈ {}", p.currency, p.original, display(p.inr, "INR"))
            };
            reason(
                "budget",
                points,
                format!("budget \"{text}\" read as {read_as} ({bracket})"),
            )
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn has_phrase(words: &[String], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    words.windows(p.len()).any(|w| w.iter().zip(&p).all(|(a, b)| a == b))
}

fn timeline_reason(timeline: Option<&str>, s: &ScoringRules) -> ScoreReason {
    let Some(text) = timeline.map(str::trim).filter(|t| !t.is_empty()) else {
        return reason("timeline", 0, "no timeline given".into());
    };
    let w = words(text);
    let any = |phrases: &[&'static str]| phrases.iter().find(|p| has_phrase(&w, p)).copied();
    // Ordered from "not buying" to "buying now": the first rule that matches decides.
    let rules_in_order: [(&[&'static str], u32, &str); 5] = [
        (
            &[
                "not planned",
                "no plan",
                "no plans",
                "just looking",
                "just browsing",
                "exploring",
                "researching",
                "not sure",
                "no timeline",
            ],
            0,
            "not planned",
        ),
        (
            &[
                "immediately",
                "immediate",
                "asap",
                "urgent",
                "urgently",
                "this month",
                "right away",
                "right now",
                "this week",
                "within a month",
                "1 month",
                "one month",
            ],
            s.timeline_now,
            "immediately / this month",
        ),
        (
            &[
                "this quarter",
                "next quarter",
                "within 3 months",
                "3 months",
                "three months",
                "next month",
                "2 months",
                "two months",
                "1 3 months",
                "90 days",
                "q1",
                "q2",
                "q3",
                "q4",
            ],
            s.timeline_quarter,
            "this quarter / next quarter / within 3 months",
        ),
        (
            &[
                "6 months",
                "six months",
                "3 6 months",
                "half year",
                "this year",
                "4 months",
                "5 months",
            ],
            s.timeline_half_year,
            "within 6 months",
        ),
        (
            &[
                "next year",
                "12 months",
                "1 year",
                "one year",
                "next financial year",
                "next fy",
                "9 months",
            ],
            s.timeline_next_year,
            "next year",
        ),
    ];
    for (phrases, points, label) in rules_in_order {
        if let Some(p) = any(phrases) {
            return reason(
                "timeline",
                points,
                format!("timeline \"{text}\" matches \"{p}\" ({label})"),
            );
        }
    }
    reason("timeline", 0, format!("timeline \"{text}\" not recognised"))
}

fn authority_reason(title: Option<&str>, s: &ScoringRules) -> ScoreReason {
    let Some(text) = title.map(str::trim).filter(|t| !t.is_empty()) else {
        return reason("authority", 0, "no job title given".into());
    };
    let w = words(text);
    let any = |phrases: &[&'static str]| phrases.iter().find(|p| has_phrase(&w, p)).copied();
    // "vice president" must not read as "president", nor "executive director" as "executive".
    let levels: [(&[&'static str], u32, &str); 4] = [
        (
            &[
                "vice president",
                "vp",
                "svp",
                "avp",
                "evp",
                "director",
                "head",
                "gm",
                "general manager",
            ],
            s.authority_vp,
            "VP / director / head",
        ),
        (
            &[
                "ceo",
                "cfo",
                "cto",
                "coo",
                "cio",
                "cmo",
                "cxo",
                "chief",
                "founder",
                "cofounder",
                "co founder",
                "owner",
                "proprietor",
                "md",
                "managing director",
                "president",
                "chairman",
                "partner",
            ],
            s.authority_c_level,
            "C-level / founder / owner / MD / president",
        ),
        (&["manager", "lead", "controller"], s.authority_manager, "manager"),
        (
            &[
                "junior",
                "executive",
                "intern",
                "student",
                "trainee",
                "assistant",
                "associate",
                "analyst",
                "clerk",
                "officer",
            ],
            s.authority_junior,
            "junior / executive / intern / student",
        ),
    ];
    // C-level outranks VP when both appear ("Managing Director" contains "director").
    let order = [1usize, 0, 2, 3];
    for i in order {
        let (phrases, points, label) = levels[i];
        let hit = any(phrases);
        // a bare "president" after "vice" is the VP level, handled by checking VP phrases first
        if i == 1 && hit == Some("president") && has_phrase(&w, "vice president") {
            continue;
        }
        if let Some(p) = hit {
            return reason(
                "authority",
                points,
                format!("title \"{text}\" matches \"{p}\" ({label})"),
            );
        }
    }
    reason("authority", 0, format!("title \"{text}\" not recognised"))
}

fn engagement_reason(e: &Engagement, s: &ScoringRules) -> ScoreReason {
    let opens = (e.opens * s.open_points).min(s.open_max);
    let clicks = (e.clicks * s.click_points).min(s.click_max);
    let webinar = if e.webinars > 0 { s.webinar_points } else { 0 };
    let reply = if e.replies > 0 { s.reply_points } else { 0 };
    let raw = opens + clicks + webinar + reply;
    let points = raw.min(s.engagement_cap);
    let evidence = if raw == 0 {
        "no engagement yet".to_string()
    } else {
        let mut parts = Vec::new();
        if e.opens > 0 {
            parts.push(format!("{} open(s) +{opens}", e.opens));
        }
        if e.clicks > 0 {
            parts.push(format!("{} click(s) +{clicks}", e.clicks));
        }
        if webinar > 0 {
            parts.push(format!("webinar attended +{webinar}"));
        }
        if reply > 0 {
            parts.push(format!("replied +{reply}"));
        }
        let capped = if raw > points {
            format!(" (capped at {})", s.engagement_cap)
        } else {
            String::new()
        };
        format!("{}{capped}", parts.join(", "))
    };
    reason("engagement", points, evidence)
}

/// Scoring's configurable points and thresholds (SPEC §3), beside the rules that use them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringRules {
    pub budget_high_min_inr: Decimal,
    pub budget_mid_min_inr: Decimal,
    pub budget_high: u32,
    pub budget_mid: u32,
    pub budget_low: u32,
    pub timeline_now: u32,
    pub timeline_quarter: u32,
    pub timeline_half_year: u32,
    pub timeline_next_year: u32,
    pub authority_c_level: u32,
    pub authority_vp: u32,
    pub authority_manager: u32,
    pub authority_junior: u32,
    pub open_points: u32,
    pub open_max: u32,
    pub click_points: u32,
    pub click_max: u32,
    pub webinar_points: u32,
    pub reply_points: u32,
    pub engagement_cap: u32,
    /// hot is strictly above this
    pub hot_above: u32,
    /// warm is at or above this (up to and including `hot_above`)
    pub warm_from: u32,
    pub erp_mid_from_employees: u32,
    pub erp_enterprise_from_employees: u32,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            budget_high_min_inr: Decimal::from(500_000),
            budget_mid_min_inr: Decimal::from(100_000),
            budget_high: 30,
            budget_mid: 15,
            budget_low: 5,
            timeline_now: 25,
            timeline_quarter: 20,
            timeline_half_year: 10,
            timeline_next_year: 5,
            authority_c_level: 25,
            authority_vp: 18,
            authority_manager: 10,
            authority_junior: 3,
            open_points: 2,
            open_max: 6,
            click_points: 4,
            click_max: 8,
            webinar_points: 10,
            reply_points: 10,
            engagement_cap: 20,
            hot_above: 70,
            warm_from: 40,
            erp_mid_from_employees: 50,
            erp_enterprise_from_employees: 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> crate::config::Rules {
        crate::config::Rules::default()
    }

    fn pts(input: ScoringInput) -> (u32, Band) {
        let s = score(&input, &Engagement::default(), &rules().scoring, &rules().fx_to_inr);
        (s.score, s.band)
    }

    #[test]
    fn band_boundaries() {
        let r = rules();
        assert_eq!(band_for(71, &r.scoring), Band::Hot);
        assert_eq!(band_for(70, &r.scoring), Band::Warm);
        assert_eq!(band_for(40, &r.scoring), Band::Warm);
        assert_eq!(band_for(39, &r.scoring), Band::Cold);
    }

    #[test]
    fn exact_totals_land_in_the_right_band() {
        // 30 + 20 + 10 + 10 (a reply) = 70 → warm; +1 open would not be exact, so use parts
        let s = score(
            &ScoringInput {
                budget: Some("₹5L+"),
                timeline: Some("next quarter"),
                title: Some("IT Manager"),
            },
            &Engagement {
                replies: 1,
                ..Default::default()
            },
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!((s.score, s.band), (70, Band::Warm));
        // 30 + 20 + 18 + 2 + ... : 15 + 25 + 25 + 6 = 71 → hot
        let s = score(
            &ScoringInput {
                budget: Some("2 lakh"),
                timeline: Some("immediately"),
                title: Some("Founder"),
            },
            &Engagement {
                opens: 3,
                ..Default::default()
            },
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!((s.score, s.band), (71, Band::Hot));
        // 15 + 25 = 40 → warm; 5 + 25 + 3 + 6 = 39 → cold
        assert_eq!(
            pts(ScoringInput {
                budget: Some("3L"),
                timeline: Some("ASAP"),
                title: None
            }),
            (40, Band::Warm)
        );
        let s = score(
            &ScoringInput {
                budget: Some("50000"),
                timeline: Some("this month"),
                title: Some("Intern"),
            },
            &Engagement {
                opens: 3,
                ..Default::default()
            },
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!((s.score, s.band), (39, Band::Cold));
    }

    #[test]
    fn budget_texts_at_or_above_five_lakh_score_high() {
        for text in ["₹5L+", "5-10 lakh", "10,00,000", "1.2 Cr", "$20k"] {
            let s = score(
                &ScoringInput {
                    budget: Some(text),
                    ..Default::default()
                },
                &Engagement::default(),
                &rules().scoring,
                &rules().fx_to_inr,
            );
            assert_eq!(s.reasons[0].points, 30, "{text}: {}", s.reasons[0].evidence);
        }
        let s = score(
            &ScoringInput {
                budget: Some("1.2 Cr"),
                ..Default::default()
            },
            &Engagement::default(),
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert!(
            s.reasons[0].evidence.contains("₹1,20,00,000.00"),
            "{}",
            s.reasons[0].evidence
        );
        let s = score(
            &ScoringInput {
                budget: Some("4.99 lakh"),
                ..Default::default()
            },
            &Engagement::default(),
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!(s.reasons[0].points, 15);
        let s = score(
            &ScoringInput {
                budget: Some("whatever it takes"),
                ..Default::default()
            },
            &Engagement::default(),
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!(s.reasons[0].points, 0);
    }

    #[test]
    fn ceo_next_quarter_five_lakh_is_hot() {
        let s = score(
            &ScoringInput {
                budget: Some("₹5L+"),
                timeline: Some("next quarter"),
                title: Some("CEO"),
            },
            &Engagement::default(),
            &rules().scoring,
            &rules().fx_to_inr,
        );
        assert_eq!(s.score, 75);
        assert_eq!(s.band, Band::Hot);
        assert_eq!(
            s.reasons.iter().map(|r| r.factor.as_str()).collect::<Vec<_>>(),
            ["budget", "timeline", "authority", "engagement"]
        );
    }

    #[test]
    fn authority_levels() {
        let a = |t: &str| {
            score(
                &ScoringInput {
                    title: Some(t),
                    ..Default::default()
                },
                &Engagement::default(),
                &rules().scoring,
                &rules().fx_to_inr,
            )
            .reasons[2]
                .points
        };
        assert_eq!(a("Chief Executive Officer"), 25);
        assert_eq!(a("Managing Director"), 25);
        assert_eq!(a("Co-Founder & CTO"), 25);
        assert_eq!(a("Vice President, Sales"), 18);
        assert_eq!(a("Executive Director"), 18);
        assert_eq!(a("Head of IT"), 18);
        assert_eq!(a("Purchase Manager"), 10);
        assert_eq!(a("Sales Executive"), 3);
        assert_eq!(a("Student"), 3);
        assert_eq!(a("Astronaut"), 0);
    }

    #[test]
    fn timelines() {
        let t = |s: &str| {
            score(
                &ScoringInput {
                    timeline: Some(s),
                    ..Default::default()
                },
                &Engagement::default(),
                &rules().scoring,
                &rules().fx_to_inr,
            )
            .reasons[1]
                .points
        };
        assert_eq!(t("Immediately"), 25);
        assert_eq!(t("within 3 months"), 20);
        assert_eq!(t("in 6 months"), 10);
        assert_eq!(t("next year"), 5);
        assert_eq!(t("just looking"), 0);
        assert_eq!(t("not planned this month"), 0);
    }

    #[test]
    fn engagement_is_capped_per_kind_and_overall() {
        let e = |opens, clicks, webinars, replies| {
            score(
                &ScoringInput::default(),
                &Engagement {
                    opens,
                    clicks,
                    webinars,
                    replies,
                },
                &rules().scoring,
                &rules().fx_to_inr,
            )
            .reasons[3]
                .points
        };
        assert_eq!(e(2, 1, 0, 0), 8);
        assert_eq!(e(10, 0, 0, 0), 6);
        assert_eq!(e(0, 5, 0, 0), 8);
        assert_eq!(e(3, 2, 1, 1), 20);
    }
}
