//! Which domain a company may be claimed by (deal registration, SPEC §4 rule 1). A domain
//! claims a company only if it is that company's own: never a free-mail or disposable
//! provider, a public suffix (`in`, `co.in`), a single label (`localhost`) or anything that
//! is not a host name. URLs are read for their host (`https://x.com/about` → `x.com`), and a
//! host is claimed at its registrable domain (`mail.x.co.in` → `x.co.in`).
//!
//! The three lists are data files in `shared/data/`: the public-suffix list (Debian's
//! `publicsuffix` package, MPL-2.0), the free-mail list maintained here and the disposable-mail
//! list (from `mailchecker`, MIT). The short free-mail list is compiled in. The two long ones
//! (1.1 MB of text: as compiled-in code tables they cost a function ~4 MB and ~1 ms of
//! relocations at start; deflated and embedded still 0.39 MiB of four functions) are read from
//! a directory on their first use, never at start-up: `DOMAIN_LISTS_DIR`, which the template
//! fills from a layer at `/opt` and each deployed function checks at start
//! ([`use_lists_in`]); the source tree's `shared/data` when it is not set (the local stack,
//! the tests). The directory is read once per process.

use publicsuffix::{List, Psl};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The public-suffix list's file name, in the lists directory.
pub const PUBLIC_SUFFIX_FILE: &str = "public_suffix_list.dat";
/// The disposable-mail list's file name, in the lists directory.
pub const DISPOSABLE_MAIL_FILE: &str = "disposable-mail-domains.txt";
const FREE_MAIL_LIST: &str = include_str!("../../data/free-mail-domains.txt");

/// Where the long lists are read from (set once, at start).
static LISTS_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The source tree's lists: the directory when none was set.
fn source_lists() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Reads the long lists from `dir` from now on, after checking both files are there (a
/// deployed function calls this at start, so a missing layer is a configuration error rather
/// than every registration refused).
pub fn use_lists_in(dir: &Path) -> Result<(), String> {
    for name in [PUBLIC_SUFFIX_FILE, DISPOSABLE_MAIL_FILE] {
        let file = dir.join(name);
        match std::fs::metadata(&file) {
            Ok(m) if m.is_file() && m.len() > 0 => {}
            Ok(_) => return Err(format!("{} is empty or not a file", file.display())),
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        }
    }
    // a second call (tests in one process) keeps the first directory
    let _ = LISTS_DIR.set(dir.to_path_buf());
    Ok(())
}

/// The text of one long list, read once and kept for the life of the process (empty, and
/// logged, if it cannot be read: [`use_lists_in`] checked it was there at start).
fn text_of(cell: &'static OnceLock<String>, name: &str) -> &'static str {
    cell.get_or_init(|| {
        let file = LISTS_DIR.get().cloned().unwrap_or_else(source_lists).join(name);
        std::fs::read_to_string(&file).unwrap_or_else(|e| {
            tracing::error!(file = %file.display(), error = %e, "domain list not read");
            String::new()
        })
    })
}

/// The entries of a `#`-commented, one-per-line list.
fn entries(list: &'static str) -> HashSet<&'static str> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn free_mail() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| entries(FREE_MAIL_LIST))
}

static DISPOSABLE_TEXT: OnceLock<String> = OnceLock::new();
static PSL_TEXT: OnceLock<String> = OnceLock::new();

fn disposable_mail() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| entries(text_of(&DISPOSABLE_TEXT, DISPOSABLE_MAIL_FILE)))
}

fn public_suffixes() -> &'static List {
    static LIST: OnceLock<List> = OnceLock::new();
    // the list is part of the source tree and a test parses it; unread, no domain is claimable
    LIST.get_or_init(|| text_of(&PSL_TEXT, PUBLIC_SUFFIX_FILE).parse().unwrap_or_default())
}

/// The registrable domain of a host (`mail.x.co.in` → `x.co.in`); none for a public suffix.
fn registrable_domain(host: &str) -> Option<&str> {
    let domain = public_suffixes().domain(host.as_bytes())?;
    let len = domain.as_bytes().len();
    host.get(host.len() - len..)
}

/// A host at or under a listed disposable provider (`x.mailinator.com` too).
fn is_disposable(host: &str) -> bool {
    let set = disposable_mail();
    let mut rest = host;
    loop {
        if set.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

/// Why a domain cannot claim a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotClaimable {
    NotAHost,
    SingleLabel,
    PublicSuffix,
    FreeMail,
    Disposable,
}

impl NotClaimable {
    pub fn describe(&self, domain: &str) -> String {
        match self {
            NotClaimable::NotAHost => format!("{domain:?} is not a domain name"),
            NotClaimable::SingleLabel => format!("{domain} is a single label, not a company's domain"),
            NotClaimable::PublicSuffix => format!("{domain} is a public suffix, not a company's domain"),
            NotClaimable::FreeMail => format!("{domain} is a free-mail provider"),
            NotClaimable::Disposable => format!("{domain} is a disposable-mail provider"),
        }
    }
}

/// The host of what was typed: scheme, credentials, port, path, query and `www.` removed.
pub fn host_of(input: &str) -> String {
    let s = input.trim().to_lowercase();
    let s = s.split_once("://").map(|(_, rest)| rest.to_string()).unwrap_or(s);
    let s = s.split(['/', '?', '#']).next().unwrap_or("");
    let s = s.rsplit_once('@').map(|(_, h)| h).unwrap_or(s);
    let s = s.split(':').next().unwrap_or("");
    let s = s.trim_end_matches('.');
    s.strip_prefix("www.").unwrap_or(s).to_string()
}

fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The registrable domain that may claim a company, or why none may. `extra_free_mail`
/// extends the maintained free-mail list (configuration).
pub fn claimable(input: &str, extra_free_mail: &[String]) -> Result<String, NotClaimable> {
    let host = host_of(input);
    if !is_host_name(&host) {
        return Err(NotClaimable::NotAHost);
    }
    if !host.contains('.') {
        return Err(NotClaimable::SingleLabel);
    }
    let registrable = registrable_domain(&host).ok_or(NotClaimable::PublicSuffix)?;
    // the list names registrable domains; a configured entry may name a host too
    let listed = |d: &str| free_mail().contains(d) || extra_free_mail.iter().any(|e| e.eq_ignore_ascii_case(d));
    if listed(registrable) || listed(&host) {
        return Err(NotClaimable::FreeMail);
    }
    if is_disposable(&host) {
        return Err(NotClaimable::Disposable);
    }
    Ok(registrable.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_domains_are_claimable_at_their_registrable_domain() {
        assert_eq!(claimable("shreetextiles.in", &[]), Ok("shreetextiles.in".into()));
        assert_eq!(
            claimable("https://www.ShreeTextiles.co.in/about?x=1", &[]),
            Ok("shreetextiles.co.in".into())
        );
        assert_eq!(
            claimable("mail.shreetextiles.co.in", &[]),
            Ok("shreetextiles.co.in".into())
        );
        assert_eq!(claimable("http://user@acme.com:8080/", &[]), Ok("acme.com".into()));
    }

    #[test]
    fn the_lists_are_read_from_the_source_tree_and_parse() {
        let psl = text_of(&PSL_TEXT, PUBLIC_SUFFIX_FILE);
        assert_eq!(
            psl,
            std::fs::read_to_string("data/public_suffix_list.dat").unwrap_or_default()
        );
        let parsed: Result<List, _> = psl.parse();
        assert!(parsed.is_ok_and(|l| !l.is_empty()));
        assert!(free_mail().len() > 20);
        assert!(disposable_mail().len() > 50_000);
    }

    #[test]
    fn a_directory_without_the_lists_is_refused() {
        let dir = std::env::temp_dir().join(format!("no-lists-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let refused = use_lists_in(&dir);
        assert!(
            refused.as_ref().is_err_and(|e| e.contains(PUBLIC_SUFFIX_FILE)),
            "{refused:?}"
        );
        std::fs::write(dir.join(PUBLIC_SUFFIX_FILE), "com\n").expect("write");
        let refused = use_lists_in(&dir);
        assert!(
            refused.as_ref().is_err_and(|e| e.contains(DISPOSABLE_MAIL_FILE)),
            "{refused:?}"
        );
        assert_eq!(use_lists_in(&source_lists()), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn public_and_shared_domains_are_refused() {
        use NotClaimable::*;
        for (input, why) in [
            ("gmail.com", FreeMail),
            ("hotmail.com", FreeMail),
            ("yahoo.co.in", FreeMail),
            ("https://outlook.com/", FreeMail),
            ("rediffmail.com", FreeMail),
            ("mailinator.com", Disposable),
            ("inbox.mailinator.com", Disposable),
            ("https://10minutemail.com/x", Disposable),
            ("blogspot.com", PublicSuffix),
            ("in", SingleLabel),
            ("localhost", SingleLabel),
            ("a", SingleLabel),
            ("co.in", PublicSuffix),
            ("github.io", PublicSuffix),
            ("", NotAHost),
            ("exa mple.com", NotAHost),
            ("-x.com", NotAHost),
        ] {
            assert_eq!(claimable(input, &[]), Err(why), "{input}");
        }
        // configuration extends the list
        assert_eq!(claimable("acme.com", &["ACME.com".into()]), Err(FreeMail));
    }
}
