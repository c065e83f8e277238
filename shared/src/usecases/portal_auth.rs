//! Passwordless portal login: an email asks for a one-time link (15 minutes, single use), the
//! link opens a session (12 hours) that carries its own CSRF token. Only hashes of the link and
//! session tokens are stored; the same answer is given whether or not the address is known.

use crate::domain::reseller::{Reseller, ResellerStatus};
use crate::ports::table::{Cond, Index, Query, StoreError, Table};
use crate::ports::{Clock, Mailer};
use crate::repo::{self, LoginLink};
pub use crate::repo::{PortalUser, Session};
use crate::usecases::resellers::{random_hex, sha256_hex};
use chrono::Duration;

pub const LINK_MINUTES: i64 = 15;
pub const SESSION_HOURS: i64 = 12;

pub struct LoginPorts<'a> {
    pub table: &'a dyn Table,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub mail_from: &'a str,
    /// addresses that log in as the admin
    pub admin_emails: &'a [String],
    /// the portal's public URL (the link points under it)
    pub portal_url: &'a str,
}

/// Who an address signs in as: a person of a reseller or a member of staff, by the claim on
/// the address (removed people, and people of a deactivated reseller, sign in as nobody). An
/// address in `ADMIN_EMAILS` that belongs to nobody yet becomes a programme admin; a reseller
/// made before people were kept gets its contact as its first owner.
pub async fn user_for(
    table: &dyn Table,
    clock: &dyn Clock,
    admin_emails: &[String],
    email: &str,
) -> Result<Option<PortalUser>, StoreError> {
    let email = email.trim().to_lowercase();
    if let Some(user) = crate::usecases::people::person_for_email(table, &email).await? {
        return Ok(Some(user));
    }
    if admin_emails.iter().any(|a| a.trim().eq_ignore_ascii_case(&email)) {
        crate::usecases::people::ensure_admins(table, clock, std::slice::from_ref(&email)).await?;
        return crate::usecases::people::person_for_email(table, &email).await;
    }
    let found = table
        .query(
            &Query::new(repo::reseller_email_index_pk(&email))
                .index(Index::Gsi3)
                .limit(10),
        )
        .await?;
    for item in found.items {
        let r: Reseller = repo::record(item)?;
        if r.status != ResellerStatus::Deactivated && r.email.eq_ignore_ascii_case(&email) {
            crate::usecases::people::backfill_one(table, clock, &r).await?;
            return crate::usecases::people::person_for_email(table, &email).await;
        }
    }
    Ok(None)
}

/// Queues a login request for the sequence sender, which mails the link if the address belongs
/// to someone: the portal does the same work for every address, so its answer cannot tell known
/// addresses from unknown ones by its content or its time.
pub async fn queue_link_request(
    queue: &dyn crate::ports::QueueSender,
    queue_url: &str,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let id = crate::ids::new_id(now);
    let envelope = crate::events::Envelope::new(
        crate::events::Event::LoginRequested(crate::events::LoginRequested {
            email: email.trim().to_lowercase(),
        }),
        format!("login-{id}"),
        now,
        &id,
    );
    let body = envelope
        .to_body()
        .map_err(|e| StoreError::Unavailable(format!("login request not encoded: {e}")))?;
    queue
        .send(queue_url, body)
        .await
        .map(|_| ())
        .map_err(|e| StoreError::Unavailable(format!("login request not queued: {e}")))
}

/// Mails a login link if the address belongs to someone; says nothing either way. A mail
/// failure is logged, not shown (the answer must not tell known addresses apart).
pub async fn request_link(ports: &LoginPorts<'_>, email: &str) -> Result<(), StoreError> {
    let Some(user) = user_for(ports.table, ports.clock, ports.admin_emails, email).await? else {
        tracing::info!("portal login asked for an unknown address");
        return Ok(());
    };
    let token = random_hex(32)?;
    let now = ports.clock.now();
    let expires_at = now + Duration::minutes(LINK_MINUTES);
    let link = LoginLink {
        token_hash: sha256_hex(&token),
        user,
        expires_at,
        used: false,
        ttl: (expires_at + Duration::days(1)).timestamp(),
    };
    ports.table.put(repo::item(&link)?, Some(Cond::NotExists)).await?;
    let url = format!("{}/portal/auth/{token}", ports.portal_url.trim_end_matches('/'));
    let to = email.trim().to_lowercase();
    match crate::mail::login_link(ports.mail_from, &to, &url, LINK_MINUTES, now) {
        Ok(mime) => {
            if let Err(e) = crate::mail::send(ports.mailer, ports.mail_from, &to, mime).await {
                tracing::error!(error = %e, "portal login email failed");
            }
        }
        Err(e) => tracing::error!(error = %e, "portal login email not built"),
    }
    Ok(())
}

/// A new session for a link's token, once: `None` for an unknown, used or expired link.
/// Returns the session cookie's value with the session.
pub async fn redeem(
    table: &dyn Table,
    clock: &dyn Clock,
    token: &str,
) -> Result<Option<(String, Session)>, StoreError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = sha256_hex(token);
    let Some(item) = table.get(&repo::login_link_key(&hash)).await? else {
        return Ok(None);
    };
    let mut link: LoginLink = repo::record(item)?;
    link.token_hash = hash;
    let now = clock.now();
    if link.used || link.expires_at <= now {
        return Ok(None);
    }
    // spent first: of two clicks at once, one wins
    link.used = true;
    match table
        .put(
            repo::item(&link)?,
            Some(Cond::Equals("used".into(), serde_json::json!(false))),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => return Ok(None),
        Err(e) => return Err(e),
    }
    let cookie = random_hex(32)?;
    let expires_at = now + Duration::hours(SESSION_HOURS);
    let session = Session {
        session_hash: sha256_hex(&cookie),
        user: link.user,
        csrf: random_hex(24)?,
        created_at: now,
        expires_at,
        ttl: (expires_at + Duration::days(1)).timestamp(),
    };
    table.put(repo::item(&session)?, Some(Cond::NotExists)).await?;
    Ok(Some((cookie, session)))
}

/// The live session a cookie names, if any.
pub async fn session(table: &dyn Table, clock: &dyn Clock, cookie: &str) -> Result<Option<Session>, StoreError> {
    if cookie.len() != 64 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = sha256_hex(cookie);
    let Some(item) = table.get(&repo::session_key(&hash)).await? else {
        return Ok(None);
    };
    let mut s: Session = repo::record(item)?;
    s.session_hash = hash;
    Ok((s.expires_at > clock.now()).then_some(s))
}

/// Ends a session (it expires now).
pub async fn end(table: &dyn Table, clock: &dyn Clock, mut s: Session) -> Result<(), StoreError> {
    s.expires_at = clock.now();
    table.put(repo::item(&s)?, None).await
}
