//! The layers of `shared/src` depend downwards (see `docs/ARCHITECTURE.md`): handlers call use
//! cases; use cases call the repository, the domain and the ports; nothing below the use cases
//! names them, no handler names the repository, and no two use cases name each other. A change
//! that breaks one of these fails here, naming the file and line.

use super::source::{code_of, root, rust_files};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    root().join("shared/src")
}

/// A file's code lines (number, text) outside its unit tests and comments.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    code_of(path)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(n, l)| (n + 1, l.to_string()))
        .collect()
}

fn files_under(rel: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for r in rel {
        let p = src().join(r);
        if p.is_dir() {
            rust_files(&p, &mut out);
        } else {
            out.push(p);
        }
    }
    out
}

/// Every line of `files` that mentions one of `names`, as `file:line: text`.
fn mentions(files: &[PathBuf], names: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        for (n, line) in code_lines(f) {
            if names.iter().any(|m| line.contains(m)) {
                let rel = f.strip_prefix(src()).unwrap_or(f);
                found.push(format!("{}:{n}: {}", rel.display(), line.trim()));
            }
        }
    }
    found
}

/// What lies below the use cases: the domain, the table layout, the ports and their adapters,
/// and the shared building blocks (configuration, documents, mail, events, ids, the policy).
const BELOW_USE_CASES: [&str; 15] = [
    "domain",
    "repo",
    "ports",
    "adapters",
    "config.rs",
    "mail.rs",
    "payout_docs.rs",
    "proposal.rs",
    "csv_out.rs",
    "csv_stream.rs",
    "charts.rs",
    "events.rs",
    "ids.rs",
    "access.rs",
    "policy.rs",
];

#[test]
fn nothing_below_the_use_cases_names_them() {
    let found = mentions(&files_under(&BELOW_USE_CASES), &["usecases::", "usecases::{"]);
    assert!(found.is_empty(), "imports upwards:\n{}", found.join("\n"));
}

#[test]
fn handlers_reach_the_table_through_use_cases() {
    let found = mentions(&files_under(&["handlers"]), &["repo::", "crate::repo"]);
    assert!(
        found.is_empty(),
        "handlers naming the repository (call a use case instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_domain_does_not_name_the_ports_or_the_table() {
    let found = mentions(
        &files_under(&["domain"]),
        &["crate::ports", "crate::repo", "crate::adapters", "crate::handlers"],
    );
    assert!(
        found.is_empty(),
        "the domain is plain functions and records:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_two_use_cases_name_each_other() {
    let dir = src().join("usecases");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let name = |p: &Path| p.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
    let names: Vec<String> = files.iter().map(|f| name(f)).filter(|n| n != "mod").collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let me = name(f);
        let code: String = code_lines(f).into_iter().map(|(_, l)| l + "\n").collect();
        for other in names.iter().filter(|n| **n != me) {
            let named = [
                format!("usecases::{other}::"),
                format!("super::{other}::"),
                format!("use super::{other};"),
            ]
            .iter()
            .any(|m| code.contains(m.as_str()))
                || code.contains(&format!("usecases::{other};"))
                || code.contains(&format!("usecases::{{{other}"))
                || code.contains(&format!("usecases::{other} as"));
            if named {
                deps.entry(me.clone()).or_default().insert(other.clone());
            }
        }
    }
    let mut cycles = Vec::new();
    for (a, outs) in &deps {
        for b in outs {
            if a < b && deps.get(b).is_some_and(|o| o.contains(a)) {
                cycles.push(format!("{a} ↔ {b}"));
            }
        }
    }
    assert!(deps.len() > 10, "the scan sees the use cases' imports: {deps:?}");
    assert!(cycles.is_empty(), "use cases naming each other: {}", cycles.join(", "));
}
