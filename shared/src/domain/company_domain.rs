//! Which domain a company may be claimed by (deal registration, SPEC §4 rule 1). A domain
//! claims a company only if it is that company's own: never a free-mail or disposable
//! provider, a public suffix (`in`, `co.in`), a single label (`localhost`) or anything that
//! is not a host name. URLs are read for their host (`https://x.com/about` → `x.com`), and a
//! host is claimed at its registrable domain (`mail.x.co.in` → `x.co.in`).
//!
//! The three lists are data files in `shared/data/`, embedded and parsed on first use (never at
//! start-up): the public-suffix list (Debian's `publicsuffix` package, MPL-2.0), the free-mail
//! list maintained here and the disposable-mail list (from `mailchecker`, MIT). As compiled-in
//! code tables the first and last cost the function binary ~4 MB and its start-up ~1 ms of
//! relocations; as text 1.1 MB; deflated by `build.rs` 0.4 MB, inflated in a few milliseconds
//! on the first registration (docs/BENCHMARKS.md).

use publicsuffix::{List, Psl};
use std::collections::HashSet;
use std::sync::OnceLock;

const PUBLIC_SUFFIX_LIST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/public_suffix_list.dat.deflate"));
const FREE_MAIL_LIST: &str = include_str!("../../data/free-mail-domains.txt");
const DISPOSABLE_MAIL_LIST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/disposable-mail-domains.txt.deflate"));

/// A list `build.rs` deflated, as text (empty if it could not be read back: a test inflates
/// both, so that cannot happen in a build that passed).
fn inflate(packed: &[u8]) -> String {
    miniz_oxide::inflate::decompress_to_vec(packed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// The text of a deflated list, inflated once and kept for the life of the process.
fn text_of(cell: &'static OnceLock<String>, packed: &[u8]) -> &'static str {
    cell.get_or_init(|| inflate(packed)).as_str()
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

fn disposable_mail() -> &'static HashSet<&'static str> {
    static TEXT: OnceLock<String> = OnceLock::new();
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| entries(text_of(&TEXT, DISPOSABLE_MAIL_LIST)))
}

fn public_suffixes() -> &'static List {
    static TEXT: OnceLock<String> = OnceLock::new();
    static LIST: OnceLock<List> = OnceLock::new();
    // the list is part of the source tree; a test parses it, so this cannot fail in a build
    LIST.get_or_init(|| text_of(&TEXT, PUBLIC_SUFFIX_LIST).parse().unwrap_or_default())
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
    fn the_bundled_lists_inflate_to_their_text_and_parse() {
        let psl = inflate(PUBLIC_SUFFIX_LIST);
        assert_eq!(
            psl,
            std::fs::read_to_string("data/public_suffix_list.dat").unwrap_or_default()
        );
        let disposable = inflate(DISPOSABLE_MAIL_LIST);
        assert_eq!(
            disposable,
            std::fs::read_to_string("data/disposable-mail-domains.txt").unwrap_or_default()
        );
        assert!(
            PUBLIC_SUFFIX_LIST.len() * 2 < psl.len(),
            "the list is embedded compressed"
        );
        let parsed: Result<List, _> = psl.parse();
        assert!(parsed.is_ok_and(|l| !l.is_empty()));
        assert!(free_mail().len() > 20);
        assert!(disposable_mail().len() > 50_000);
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
