//! Prospect lists (SPEC §2): where an uploaded CSV belongs (campaign, report and summary keys),
//! which column is which (case-insensitive, with the aliases spreadsheets use), and what one
//! row becomes — the same validation a form submission gets, on channel `prospect_list`.

use crate::domain::field::FieldError;
use crate::domain::lead::{self, LeadInput};
use crate::domain::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Uploads under this prefix are imported.
pub const PREFIX: &str = "prospects/";
const REPORT_SUFFIX: &str = ".report.csv";
const SUMMARY_SUFFIX: &str = ".summary.json";

/// Where an upload sits: `prospects/<campaign>/<file>.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub key: String,
    pub campaign: String,
}

/// The upload a key names, or `None` for keys that are not imported (outside `prospects/`,
/// not `.csv`, or the report this import writes beside the upload).
pub fn upload(key: &str) -> Option<Upload> {
    let rest = key.strip_prefix(PREFIX)?;
    let (campaign, file) = rest.split_once('/')?;
    let lower = file.to_ascii_lowercase();
    if campaign.trim().is_empty() || file.is_empty() || !lower.ends_with(".csv") || lower.ends_with(REPORT_SUFFIX) {
        return None;
    }
    Some(Upload {
        key: key.to_string(),
        campaign: campaign.to_string(),
    })
}

fn stem(key: &str) -> &str {
    let cut = key.len() - ".csv".len().min(key.len());
    if key.is_char_boundary(cut) && key[cut..].eq_ignore_ascii_case(".csv") {
        &key[..cut]
    } else {
        key
    }
}

/// `prospects/c/list.csv` → `prospects/c/list.report.csv`
pub fn report_key(key: &str) -> String {
    format!("{}{REPORT_SUFFIX}", stem(key))
}

/// `prospects/c/list.csv` → `prospects/c/list.summary.json`
pub fn summary_key(key: &str) -> String {
    format!("{}{SUMMARY_SUFFIX}", stem(key))
}

/// The display fields whose whitespace a spreadsheet's cell may spread over lines.
const DISPLAY_FIELDS: &[&str] = &["name", "first_name", "last_name", "company", "title"];

/// The lead fields a column can fill, and the headers that name each (after `normalise`).
const ALIASES: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email",
            "e mail",
            "email address",
            "e mail address",
            "mail",
            "email id",
            "work email",
            "business email",
        ],
    ),
    (
        "name",
        &["name", "full name", "contact name", "contact", "contact person"],
    ),
    ("first_name", &["first name", "firstname", "given name"]),
    ("last_name", &["last name", "lastname", "surname", "family name"]),
    (
        "company",
        &[
            "company",
            "company name",
            "organisation",
            "organization",
            "organisation name",
            "organization name",
            "account",
            "account name",
            "business name",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "phone number",
            "mobile",
            "mobile number",
            "telephone",
            "tel",
            "contact number",
        ],
    ),
    (
        "title",
        &["title", "job title", "designation", "position", "role", "job role"],
    ),
    ("country", &["country", "country code"]),
    ("state", &["state", "province", "state province", "state code"]),
    ("industry", &["industry", "sector", "vertical"]),
    (
        "employees",
        &[
            "employees",
            "employee count",
            "no of employees",
            "number of employees",
            "headcount",
            "company size",
        ],
    ),
    ("budget", &["budget", "expected budget", "deal value"]),
    (
        "timeline",
        &["timeline", "timeframe", "time frame", "purchase timeline"],
    ),
    (
        "message",
        &["message", "notes", "note", "comments", "comment", "requirement"],
    ),
    ("utm_source", &["utm source"]),
    ("utm_medium", &["utm medium"]),
    ("utm_campaign", &["utm campaign"]),
];

/// `" E-Mail_Address "` → `"e mail address"`: lower case, punctuation as single spaces.
pub fn normalise(header: &str) -> String {
    let spaced: String = header
        .trim_start_matches('\u{feff}')
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which field each column fills (`None`: ignored), from the header row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Columns {
    pub fields: Vec<Option<String>>,
    /// header cells that name no field, as written
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the header row has no email column (looked for: E-mail, Email, Email Address, …)")]
    NoEmail,
    #[error("the header row names the {0} column twice")]
    Repeated(String),
}

pub fn columns(header: &[String]) -> Result<Columns, HeaderError> {
    let mut fields = Vec::with_capacity(header.len());
    let mut ignored = Vec::new();
    for cell in header {
        let norm = normalise(cell);
        let field = ALIASES
            .iter()
            .find(|(_, names)| names.contains(&norm.as_str()))
            .map(|(f, _)| (*f).to_string());
        match &field {
            Some(f) if fields.contains(&Some(f.clone())) => return Err(HeaderError::Repeated(f.clone())),
            Some(_) => {}
            None if !cell.trim().is_empty() => ignored.push(cell.trim().to_string()),
            None => {}
        }
        fields.push(field);
    }
    if !fields.iter().any(|f| f.as_deref() == Some("email")) {
        return Err(HeaderError::NoEmail);
    }
    Ok(Columns { fields, ignored })
}

/// The delimiter of a file from its first line: `;` when it has more semicolons than commas
/// outside quotes (what European spreadsheets export), otherwise `,`.
pub fn delimiter(first_line: &[u8]) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0usize, 0usize, false);
    for &b in first_line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Why a row was not imported.
#[derive(Debug, Clone, PartialEq)]
pub enum RowProblem {
    /// every cell empty: skipped without a report line
    Blank,
    Rejected(String),
}

/// One row (its cells as parsed) as a lead submission, or why not.
pub fn row_input(columns: &Columns, cells: &[&str], campaign: &str) -> Result<LeadInput, RowProblem> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Err(RowProblem::Blank);
    }
    if cells.len() > columns.fields.len() && cells[columns.fields.len()..].iter().any(|c| !c.trim().is_empty()) {
        return Err(RowProblem::Rejected(format!(
            "the row has {} cells, the header {}",
            cells.len(),
            columns.fields.len()
        )));
    }
    let mut map = Map::new();
    let (mut first, mut last) = (None, None);
    for (field, cell) in columns.fields.iter().zip(cells) {
        // names, titles and companies from a spreadsheet keep their words on one line (LinkedIn
        // writes line breaks inside quoted cells); every other field stays as strict as a form
        let value = match field.as_deref() {
            Some(f) if DISPLAY_FIELDS.contains(&f) => text::one_line(cell),
            _ => cell.trim().to_string(),
        };
        match field.as_deref() {
            None => {}
            Some("first_name") => first = Some(value),
            Some("last_name") => last = Some(value),
            Some(f) => {
                map.insert(f.to_string(), Value::String(value));
            }
        }
    }
    if !map.contains_key("name") {
        let joined = [first, last]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>();
        if !joined.is_empty() {
            map.insert("name".into(), Value::String(joined.join(" ")));
        }
    }
    map.insert("channel".into(), Value::String("prospect_list".into()));
    map.insert("campaign".into(), Value::String(campaign.to_string()));
    // `website` is the form's honeypot: a list's website column never reaches it (no alias maps it)
    match lead::validate(&map) {
        Ok(input) => Ok(input),
        Err(errors) => Err(RowProblem::Rejected(describe(&errors))),
    }
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A lead id fixed by the import and the row, so that a retried chunk finds its own leads
/// instead of creating them again. Time-ordered like every other id (the import's start).
pub fn lead_id(import_id: &str, row: u64, started_ms: u64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{import_id}|{row}").as_bytes());
    let mut random = [0u8; 16];
    random[6..].copy_from_slice(&digest[..10]);
    ulid::Ulid::from_parts(started_ms, u128::from_be_bytes(random)).to_string()
}

/// Reads an S3 event's object key: URL-encoded, with `+` for spaces.
pub fn decode_event_key(raw: &str) -> String {
    percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// What S3 leaves unescaped in an event's key (besides the space, which becomes `+`).
const EVENT_KEY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/')
    .remove(b' ');

/// An S3 event's key from a key as stored (the inverse of `decode_event_key`).
pub fn encode_event_key(key: &str) -> String {
    percent_encoding::utf8_percent_encode(key, EVENT_KEY)
        .to_string()
        .replace(' ', "+")
}

// ---- an import's records and its state machine ----

/// Where an import is. `started` (claimed) → `fanned_out` (chunks queued) → `complete` (the
/// report joined), or `started` → `complete` for a file read in one go, or `started` →
/// `rejected` (refused whole). `complete` and `rejected` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Started,
    FannedOut,
    Complete,
    Rejected,
}

impl ImportStatus {
    /// Whether an import in this state may move to `next` (a redelivered or late message
    /// must never move a finished import back).
    pub fn may_become(self, next: ImportStatus) -> bool {
        use ImportStatus::*;
        matches!(
            (self, next),
            (Started, FannedOut) | (Started, Complete) | (Started, Rejected) | (FannedOut, Complete)
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// data rows (not blank)
    pub rows_read: u64,
    pub created: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub blank_rows: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.rows_read += o.rows_read;
        self.created += o.created;
        self.duplicates += o.duplicates;
        self.rejected += o.rejected;
        self.blank_rows += o.blank_rows;
    }
}

/// One import: an object version being read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Import {
    pub import_id: String,
    pub key: String,
    pub campaign: String,
    /// the S3 version id, or the eTag when the bucket is not versioned
    pub object_version: String,
    pub started_at: DateTime<Utc>,
    pub status: ImportStatus,
    #[serde(default)]
    pub chunks: u32,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub counts: Counts,
    #[serde(default)]
    pub ignored_columns: Vec<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A byte range of the file, whole records only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub import_id: String,
    pub key: String,
    pub campaign: String,
    pub started_at: DateTime<Utc>,
    pub index: u32,
    pub total: u32,
    pub start: u64,
    pub end: u64,
    pub first_row: u64,
    pub delimiter: u8,
    pub columns: Columns,
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_import_only_moves_forward() {
        use ImportStatus::*;
        let all = [Started, FannedOut, Complete, Rejected];
        let allowed: Vec<(ImportStatus, ImportStatus)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Started, FannedOut),
                (Started, Complete),
                (Started, Rejected),
                (FannedOut, Complete)
            ]
        );
    }

    use super::*;

    fn cols(h: &[&str]) -> Columns {
        columns(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn keys() {
        let u = upload("prospects/diwali-2026/west list.csv").unwrap();
        assert_eq!(u.campaign, "diwali-2026");
        assert_eq!(report_key(&u.key), "prospects/diwali-2026/west list.report.csv");
        assert_eq!(summary_key("prospects/c/a.CSV"), "prospects/c/a.summary.json");
        for not_imported in [
            "prospects/c/a.report.csv",
            "prospects/a.csv",
            "prospects//a.csv",
            "other/c/a.csv",
            "prospects/c/a.txt",
        ] {
            assert_eq!(upload(not_imported), None, "{not_imported}");
        }
        let key = "prospects/q3 expo/lista ñ+1.csv";
        assert_eq!(decode_event_key(&encode_event_key(key)), key);
        assert_eq!(decode_event_key("prospects/a%2Bb/x+y.csv"), "prospects/a+b/x y.csv");
    }

    #[test]
    fn headers_match_with_aliases() {
        let c = cols(&[
            "\u{feff}E-mail",
            "Company Name",
            "Job Title",
            "First Name",
            "Last name",
            "Website",
            "",
        ]);
        assert_eq!(
            c.fields,
            vec![
                Some("email".into()),
                Some("company".into()),
                Some("title".into()),
                Some("first_name".into()),
                Some("last_name".into()),
                None,
                None
            ]
        );
        assert_eq!(c.ignored, vec!["Website".to_string()]);
        let none = columns(&["Name".into(), "Phone".into()]);
        assert_eq!(none, Err(HeaderError::NoEmail));
        assert!(matches!(
            columns(&["Email".into(), "E-mail".into()]),
            Err(HeaderError::Repeated(_))
        ));
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter(b"email;name;\"a,b,c\"\n"), b';');
        assert_eq!(delimiter(b"email,name\n;;;;;"), b',');
        assert_eq!(delimiter(b"\"x;y;z\",email"), b',');
    }

    #[test]
    fn rows() {
        let c = cols(&["Email", "First Name", "Last Name", "Website", "Job Title"]);
        let input = row_input(&c, &[" a@b.co ", "Asha", "Rao", "https://spam.example", "CEO"], "expo").unwrap();
        assert_eq!(input.email, "a@b.co");
        assert_eq!(input.profile.name.as_deref(), Some("Asha Rao"));
        assert_eq!(input.attribution.channel, "prospect_list");
        assert_eq!(input.attribution.campaign.as_deref(), Some("expo"));
        assert!(!input.spam, "a website column is not the honeypot");
        assert_eq!(row_input(&c, &["", " ", ""], "x"), Err(RowProblem::Blank));
        assert!(
            matches!(row_input(&c, &["not-an-email"], "x"), Err(RowProblem::Rejected(r)) if r.contains("email is not a valid"))
        );
        assert!(matches!(
            row_input(&c, &["a@b.co", "", "", "", "", "extra"], "x"),
            Err(RowProblem::Rejected(r)) if r.contains("6 cells")
        ));
        // fewer cells than the header is fine (trailing empties dropped by the exporter)
        assert!(row_input(&c, &["a@b.co"], "x").is_ok());
    }

    #[test]
    fn lead_ids_are_stable_per_row() {
        let a = lead_id("imp1", 7, 1_700_000_000_000);
        assert_eq!(a, lead_id("imp1", 7, 1_700_000_000_000));
        assert_ne!(a, lead_id("imp1", 8, 1_700_000_000_000));
        assert_ne!(a, lead_id("imp2", 7, 1_700_000_000_000));
        assert_eq!(a.len(), 26);
    }
}
