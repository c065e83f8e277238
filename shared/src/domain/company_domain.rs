//! Which domain a company may be claimed by (deal registration, SPEC §4 rule 1). A domain
//! claims a company only if it is that company's own: never a free-mail or disposable
//! provider, a public suffix (`in`, `co.in`), a single label (`localhost`) or anything that
//! is not a host name. URLs are read for their host (`https://x.com/about` → `x.com`), and a
//! host is claimed at its registrable domain (`mail.x.co.in` → `x.co.in`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

const FREE_MAIL_LIST: &str = include_str!("../../data/free-mail-domains.txt");

fn built_in_free_mail() -> &'static BTreeSet<&'static str> {
    static SET: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        FREE_MAIL_LIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
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
    let registrable = psl::domain_str(&host).ok_or(NotClaimable::PublicSuffix)?;
    // the list names registrable domains; a configured entry may name a host too
    let listed =
        |d: &str| built_in_free_mail().contains(d) || extra_free_mail.iter().any(|e| e.eq_ignore_ascii_case(d));
    if listed(registrable) || listed(&host) {
        return Err(NotClaimable::FreeMail);
    }
    if !mailchecker::is_valid(&format!("someone@{registrable}")) || !mailchecker::is_valid(&format!("someone@{host}")) {
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
    fn public_and_shared_domains_are_refused() {
        use NotClaimable::*;
        for (input, why) in [
            ("gmail.com", FreeMail),
            ("hotmail.com", FreeMail),
            ("yahoo.co.in", FreeMail),
            ("https://outlook.com/", FreeMail),
            ("rediffmail.com", FreeMail),
            ("mailinator.com", Disposable),
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
