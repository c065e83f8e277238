//! Categorisation (SPEC §3): ERP size from head-count and industry from the form field or from
//! keywords in the company name, email domain or message.

use crate::domain::scoring::ScoringRules;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// `small` | `mid` | `enterprise` | `unknown`
    pub erp_size: String,
    /// one of the configured industries, or `unknown`
    pub industry: String,
    /// how each was decided
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CategoryInput<'a> {
    pub employees: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub company: Option<&'a str>,
    pub email_domain: Option<&'a str>,
    pub message: Option<&'a str>,
}

/// Reads a head-count such as "120", "1,200", "50-200" (lower bound) or "500+".
pub fn parse_employees(text: &str) -> Option<u32> {
    let digits: String = text
        .trim()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.parse().ok()
}

pub fn categorise(input: &CategoryInput, rules: &ScoringRules, industries: &[IndustryKeywords]) -> Category {
    let mut evidence = Vec::new();
    let erp_size = match input.employees.and_then(parse_employees) {
        Some(n) => {
            let size = if n >= rules.erp_enterprise_from_employees {
                "enterprise"
            } else if n >= rules.erp_mid_from_employees {
                "mid"
            } else {
                "small"
            };
            evidence.push(format!("{n} employees → {size}"));
            size.to_string()
        }
        None => {
            evidence.push("employee count not given → size unknown".into());
            "unknown".to_string()
        }
    };
    let known = |name: &str| {
        let n = name.trim().to_lowercase();
        industries.iter().find(|i| i.industry == n).map(|i| i.industry.clone())
    };
    let industry = if let Some(i) = input.industry.and_then(known) {
        evidence.push(format!("industry \"{i}\" from the form"));
        i
    } else {
        let sources = [
            ("company name", input.company),
            ("email domain", input.email_domain),
            ("message", input.message),
        ];
        let found = sources.iter().find_map(|(label, text)| {
            let text = (*text)?.to_lowercase();
            industries.iter().find_map(|i| {
                i.keywords
                    .iter()
                    .find(|k| text.contains(k.as_str()))
                    .map(|k| (i.industry.clone(), format!("keyword \"{k}\" in the {label}")))
            })
        });
        match found {
            Some((i, why)) => {
                evidence.push(format!("industry \"{i}\" from {why}"));
                i
            }
            None => {
                if let Some(given) = input.industry.filter(|s| !s.trim().is_empty()) {
                    evidence.push(format!("industry \"{}\" is not a known category", given.trim()));
                }
                "unknown".to_string()
            }
        }
    };
    Category {
        erp_size,
        industry,
        evidence,
    }
}

/// Words that place a lead in an industry (configuration).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndustryKeywords {
    pub industry: String,
    pub keywords: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_head_count_bands() {
        let r = crate::config::Rules::default();
        let size = |e: &str| {
            categorise(
                &CategoryInput {
                    employees: Some(e),
                    ..Default::default()
                },
                &r.scoring,
                &r.industries,
            )
            .erp_size
        };
        assert_eq!(size("49"), "small");
        assert_eq!(size("50-200"), "mid");
        assert_eq!(size("499"), "mid");
        assert_eq!(size("1,200"), "enterprise");
        assert_eq!(size("500+"), "enterprise");
        assert_eq!(size("lots"), "unknown");
    }

    #[test]
    fn industry_from_field_then_keywords() {
        let r = crate::config::Rules::default();
        let c = categorise(
            &CategoryInput {
                industry: Some("Retail"),
                company: Some("Acme Hospital"),
                ..Default::default()
            },
            &r.scoring,
            &r.industries,
        );
        assert_eq!(c.industry, "retail");
        let c = categorise(
            &CategoryInput {
                company: Some("Shree Textile Industries"),
                ..Default::default()
            },
            &r.scoring,
            &r.industries,
        );
        assert_eq!(c.industry, "manufacturing");
        assert!(c.evidence.iter().any(|e| e.contains("company name")));
        let c = categorise(
            &CategoryInput {
                email_domain: Some("citycarehospital.in"),
                ..Default::default()
            },
            &r.scoring,
            &r.industries,
        );
        assert_eq!(c.industry, "healthcare");
        let c = categorise(
            &CategoryInput {
                company: Some("Zyx"),
                ..Default::default()
            },
            &r.scoring,
            &r.industries,
        );
        assert_eq!(c.industry, "unknown");
    }
}
