//! The table layout lives in one place: `shared/src/repo/` (keys and entities). These tests
//! keep it so — no key or index format outside that layer — and keep `docs/DATA.md` true to it.

use super::source::{code_of, root, rust_files};

#[test]
fn no_key_or_index_format_outside_the_repository_layer() {
    let src = root().join("shared/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let layer = [src.join("repo"), src.join("ports"), src.join("adapters")];
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !layer.iter().any(|l| f.starts_with(l))) {
        for (n, line) in code_of(f).lines().enumerate() {
            let key_format = line.contains("Key::new(")
                || [
                    "\"gsi1pk\"",
                    "\"gsi1sk\"",
                    "\"gsi2pk\"",
                    "\"gsi2sk\"",
                    "\"gsi3pk\"",
                    "\"gsi3sk\"",
                ]
                .iter()
                .any(|a| line.contains(a))
                || line.split('"').skip(1).step_by(2).any(|lit| {
                    // `ENTRY#…`, `LEAD#{id}`: an upper-case word and `#` begin a key
                    let head = lit.split('#').next().unwrap_or("");
                    lit.contains('#') && head.len() >= 2 && head.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                });
            if key_format {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "key or index formats outside shared/src/repo:\n{}",
        found.join("\n")
    );
}

#[test]
fn data_md_documents_every_item_as_the_keys_make_it() {
    let doc = std::fs::read_to_string(root().join("docs/DATA.md")).expect("docs/DATA.md");
    let mut missing = Vec::new();
    for (item, key) in shared::repo::layout() {
        let row = format!("| {item} | `{}` | `{}` |", key.pk, key.sk);
        if !doc.lines().any(|l| l.starts_with(&row)) {
            missing.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/DATA.md lacks (or has other keys for):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_domain_depends_on_nothing_above_it() {
    let mut files = Vec::new();
    rust_files(&root().join("shared/src/domain"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_of(f).lines().enumerate() {
            for layer in [
                "crate::config",
                "crate::mail",
                "crate::usecases",
                "crate::handlers",
                "crate::repo",
                "crate::adapters",
                "crate::ports",
            ] {
                if line.contains(layer) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "domain/ reaches up a layer:\n{}", found.join("\n"));
}
