//! Regions as ISO 3166 codes: a country (`IN`) or a subdivision (`IN-MH`). Leads may give
//! either as a code or a name; resellers cover a list of codes.

const COUNTRIES: &[(&str, &[&str])] = &[
    ("IN", &["india", "bharat"]),
    ("US", &["united states", "usa", "united states of america", "america"]),
    ("GB", &["united kingdom", "uk", "great britain", "england", "britain"]),
    ("AE", &["united arab emirates", "uae", "emirates"]),
    ("SA", &["saudi arabia", "ksa"]),
    ("SG", &["singapore"]),
    ("MY", &["malaysia"]),
    ("ID", &["indonesia"]),
    ("LK", &["sri lanka"]),
    ("NP", &["nepal"]),
    ("BD", &["bangladesh"]),
    ("AU", &["australia"]),
    ("NZ", &["new zealand"]),
    ("CA", &["canada"]),
    ("DE", &["germany", "deutschland"]),
    ("FR", &["france"]),
    ("NL", &["netherlands", "holland"]),
    ("KE", &["kenya"]),
    ("NG", &["nigeria"]),
    ("ZA", &["south africa"]),
    ("QA", &["qatar"]),
    ("OM", &["oman"]),
    ("KW", &["kuwait"]),
    ("BH", &["bahrain"]),
];

/// Indian states and union territories (ISO 3166-2:IN).
const IN_SUBDIVISIONS: &[(&str, &[&str])] = &[
    ("AN", &["andaman and nicobar islands", "andaman & nicobar"]),
    ("AP", &["andhra pradesh"]),
    ("AR", &["arunachal pradesh"]),
    ("AS", &["assam"]),
    ("BR", &["bihar"]),
    ("CH", &["chandigarh"]),
    ("CG", &["chhattisgarh", "chattisgarh"]),
    ("DH", &["dadra and nagar haveli and daman and diu"]),
    ("DL", &["delhi", "new delhi", "nct of delhi"]),
    ("GA", &["goa"]),
    ("GJ", &["gujarat"]),
    ("HR", &["haryana"]),
    ("HP", &["himachal pradesh"]),
    ("JK", &["jammu and kashmir", "jammu & kashmir"]),
    ("JH", &["jharkhand"]),
    ("KA", &["karnataka"]),
    ("KL", &["kerala"]),
    ("LA", &["ladakh"]),
    ("LD", &["lakshadweep"]),
    ("MP", &["madhya pradesh"]),
    ("MH", &["maharashtra"]),
    ("MN", &["manipur"]),
    ("ML", &["meghalaya"]),
    ("MZ", &["mizoram"]),
    ("NL", &["nagaland"]),
    ("OD", &["odisha", "orissa"]),
    ("PY", &["puducherry", "pondicherry"]),
    ("PB", &["punjab"]),
    ("RJ", &["rajasthan"]),
    ("SK", &["sikkim"]),
    ("TN", &["tamil nadu"]),
    ("TS", &["telangana"]),
    ("TR", &["tripura"]),
    ("UP", &["uttar pradesh"]),
    ("UK", &["uttarakhand", "uttaranchal"]),
    ("WB", &["west bengal"]),
];

fn norm(s: &str) -> String {
    s.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A country code from a code or a name; `None` when not recognised.
pub fn country_code(input: &str) -> Option<String> {
    let n = norm(input);
    if n.is_empty() {
        return None;
    }
    let upper = n.to_uppercase();
    COUNTRIES
        .iter()
        .find(|(code, names)| *code == upper || names.contains(&n.as_str()))
        .map(|(code, _)| (*code).to_string())
}

/// A subdivision code (`IN-MH`) from `IN-MH`, `MH` or `Maharashtra`, given the country.
/// Only India's subdivisions are known by name; other countries accept `CC-XX` codes.
pub fn subdivision_code(country: Option<&str>, input: &str) -> Option<String> {
    let n = norm(input);
    if n.is_empty() {
        return None;
    }
    let upper = n.to_uppercase();
    if let Some((cc, sub)) = upper.split_once('-') {
        if cc.len() == 2 && !sub.is_empty() && sub.len() <= 3 && sub.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Some(format!("{cc}-{sub}"));
        }
    }
    if country.is_none() || country == Some("IN") {
        if let Some((code, _)) = IN_SUBDIVISIONS
            .iter()
            .find(|(code, names)| (country.is_some() && *code == upper) || names.contains(&n.as_str()))
        {
            return Some(format!("IN-{code}"));
        }
    }
    None
}

/// The lead's region: its country and subdivision codes, as far as they can be read.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    pub country: Option<String>,
    pub subdivision: Option<String>,
}

pub fn resolve(country: Option<&str>, state: Option<&str>) -> Region {
    let mut c = country.and_then(country_code);
    let s = state.and_then(|s| subdivision_code(c.as_deref(), s));
    if c.is_none() {
        c = s.as_ref().and_then(|s| s.split('-').next()).map(str::to_string);
    }
    Region {
        country: c,
        subdivision: s,
    }
}

impl Region {
    /// A reseller covering `IN` covers every Indian lead; one covering `IN-MH` covers Maharashtra.
    pub fn covered_by(&self, codes: &[String]) -> bool {
        codes.iter().any(|code| {
            let code = code.to_uppercase();
            Some(&code) == self.country.as_ref() || Some(&code) == self.subdivision.as_ref()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_resolve() {
        assert_eq!(
            resolve(Some("India"), Some("Maharashtra")),
            Region {
                country: Some("IN".into()),
                subdivision: Some("IN-MH".into())
            }
        );
        assert_eq!(resolve(Some("in"), Some("mh")).subdivision.as_deref(), Some("IN-MH"));
        assert_eq!(resolve(None, Some("IN-KA")).country.as_deref(), Some("IN"));
        assert_eq!(resolve(None, Some("Tamil Nadu")).subdivision.as_deref(), Some("IN-TN"));
        assert_eq!(
            resolve(Some("USA"), Some("US-CA")).subdivision.as_deref(),
            Some("US-CA")
        );
        assert_eq!(resolve(Some("Narnia"), None), Region::default());
    }

    #[test]
    fn coverage_by_country_or_subdivision() {
        let mh = resolve(Some("IN"), Some("MH"));
        assert!(mh.covered_by(&["IN".into()]));
        assert!(mh.covered_by(&["in-mh".into()]));
        assert!(!mh.covered_by(&["IN-KA".into(), "US".into()]));
    }
}
