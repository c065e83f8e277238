//! Emails the platform sends, as raw MIME (text + HTML), built with mail-builder. Everything
//! that came from outside is escaped in the HTML part.

use crate::domain::money::display;
use crate::domain::renewal::{Contract, RiskState};
use crate::domain::reseller::Reseller;
use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;

/// `Partner Programme <alerts@example.com>` → ("Partner Programme", "alerts@example.com").
pub fn parse_from(from: &str) -> (String, String) {
    match (from.find('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => (
            from[..a].trim().trim_matches('"').to_string(),
            from[a + 1..b].trim().to_string(),
        ),
        _ => (String::new(), from.trim().to_string()),
    }
}

/// The bare address of a From value (the SES envelope sender).
pub fn address(from: &str) -> String {
    parse_from(from).1
}

pub use crate::domain::text::escape_html;

/// A text + HTML message, with an attachment when given (content type, file name, bytes).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_with(
    from: &str,
    to_name: &str,
    to: &str,
    subject: &str,
    text: String,
    html: String,
    attachment: Option<(&str, String, Vec<u8>)>,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let (name, addr) = parse_from(from);
    let mut m = MessageBuilder::new()
        .from((name.as_str(), addr.as_str()))
        .to(vec![(to_name, to)])
        .subject(subject)
        .date(now.timestamp())
        .text_body(text)
        .html_body(html);
    if let Some((content_type, file, bytes)) = attachment {
        m = m.attachment(content_type.to_string(), file, bytes);
    }
    let mut out = Vec::new();
    m.write_to(&mut out)?;
    Ok(out)
}

fn build(
    from: &str,
    to_name: &str,
    to: &str,
    subject: &str,
    text: String,
    html: String,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    build_with(from, to_name, to, subject, text, html, None, now)
}

/// Sends a platform message (from `MAIL_FROM`'s address) to one recipient.
pub async fn send(
    mailer: &dyn crate::ports::Mailer,
    mail_from: &str,
    to: &str,
    mime: Vec<u8>,
) -> Result<String, crate::ports::mailer::MailError> {
    mailer.send_raw(&address(mail_from), &[to.to_string()], mime).await
}

/// Appends the reasons to `text` as lines and returns them as HTML: table rows, or list items.
fn reasons(reasons: &[crate::domain::scoring::ScoreReason], text: &mut String, table: bool) -> String {
    let mut html = String::new();
    for r in reasons {
        text.push_str(&format!("  - {} (+{}): {}\n", r.factor, r.points, r.evidence));
        let (factor, evidence) = (escape_html(&r.factor), escape_html(&r.evidence));
        html.push_str(&if table {
            format!("<tr><td>{factor}</td><td>+{}</td><td>{evidence}</td></tr>", r.points)
        } else {
            format!("<li>{factor} (+{}): {evidence}</li>", r.points)
        });
    }
    html
}

/// The renewal-risk alert to the owning reseller.
pub fn renewal_alert(
    from: &str,
    reseller: &Reseller,
    contract: &Contract,
    risk: &RiskState,
    previous: Option<u32>,
    now: DateTime<Utc>,
) -> std::io::Result<(String, Vec<u8>)> {
    let renewal = crate::domain::renewal::india_date(contract.renewal_date);
    let subject = match previous {
        Some(p) => format!(
            "Renewal risk up: {} ({p} → {}/100), renews {renewal}",
            contract.customer.name, risk.score
        ),
        None => format!(
            "Renewal at risk: {} ({}/100), renews {renewal}",
            contract.customer.name, risk.score
        ),
    };
    let amc = display(contract.amc_amount, &contract.currency);
    let mut text = format!(
        "Hello {},\n\nThe AMC of {} (contract {}, {amc} a year) renews on {renewal} and its churn risk is {}/100.\n\nWhy:\n",
        reseller.name, contract.customer.name, contract.contract_id, risk.score
    );
    let rows = reasons(&risk.reasons, &mut text, true);
    text.push_str("\nA call this week is the best way to secure the renewal.\n\n— Partner Programme\n");
    let html = format!(
        "<p>Hello {},</p><p>The AMC of <b>{}</b> (contract {}, {}) renews on <b>{renewal}</b> and its churn risk is <b>{}/100</b>.</p>\
         <table border=\"1\" cellpadding=\"4\"><tr><th>factor</th><th>points</th><th>evidence</th></tr>{rows}</table>\
         <p>A call this week is the best way to secure the renewal.</p><p>— Partner Programme</p>",
        escape_html(&reseller.name),
        escape_html(&contract.customer.name),
        escape_html(&contract.contract_id),
        escape_html(&amc),
        risk.score
    );
    let mime = build(from, &reseller.name, &reseller.email, &subject, text, html, now)?;
    Ok((subject, mime))
}

pub(crate) fn month_name(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| month.to_string())
}

/// The portal's one-time login link.
pub fn login_link(from: &str, to: &str, url: &str, minutes: i64, now: DateTime<Utc>) -> std::io::Result<Vec<u8>> {
    let subject = "Your partner portal login link";
    let text = format!(
        "Open this link to log in to the partner portal:\n\n{url}\n\nIt works once, for {minutes} minutes. If you did not ask for it, ignore this email.\n\n— Partner Programme\n"
    );
    let html = format!(
        "<p>Open this link to log in to the partner portal:</p><p><a href=\"{u}\">{u}</a></p><p>It works once, for {minutes} minutes. If you did not ask for it, ignore this email.</p><p>— Partner Programme</p>",
        u = escape_html(url)
    );
    build(from, "", to, subject, text, html, now)
}

/// The sending address for white-labelled mail: `partners@` the platform's verified domain.
pub fn branded_sender(mail_from: &str) -> String {
    let addr = address(mail_from);
    match addr.rsplit_once('@') {
        Some((_, domain)) => format!("partners@{domain}"),
        None => addr,
    }
}

/// A sequence email under a reseller's brand: its display name on the platform's domain, its
/// reply-to, a one-click unsubscribe (RFC 8058).
#[allow(clippy::too_many_arguments)]
pub fn branded(
    mail_from: &str,
    brand: &str,
    reply_to: Option<&str>,
    to: &str,
    subject: &str,
    text: String,
    html: String,
    unsubscribe: &str,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    use mail_builder::headers::raw::Raw;
    let sender = branded_sender(mail_from);
    let mut m = MessageBuilder::new()
        .from((brand, sender.as_str()))
        .to(vec![("", to)])
        .subject(subject)
        .date(now.timestamp())
        .header("List-Unsubscribe", Raw::new(format!("<{unsubscribe}>")))
        .header("List-Unsubscribe-Post", Raw::new("List-Unsubscribe=One-Click"))
        .text_body(text)
        .html_body(html);
    if let Some(r) = reply_to {
        m = m.reply_to((brand, r));
    }
    let mut out = Vec::new();
    m.write_to(&mut out)?;
    Ok(out)
}

/// The hot-lead alert to the owning reseller: who, why, and call within 4 hours.
pub fn hot_alert(
    from: &str,
    to_name: &str,
    to: &str,
    lead: &crate::domain::lead::Lead,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let who = lead.profile.name.clone().unwrap_or_else(|| lead.email.clone());
    let company = lead.profile.company.clone().unwrap_or_default();
    let subject = format!(
        "Hot lead: {who}{} — call within 4 hours",
        if company.is_empty() {
            String::new()
        } else {
            format!(" ({company})")
        }
    );
    let mut text = format!(
        "Hello {},\n\nA hot lead is yours: {who}, {}, {}{}.\nScore {}/100. Call within 4 hours.\n\nWhy:\n",
        to_name,
        lead.email,
        lead.profile.phone.clone().unwrap_or_default(),
        if company.is_empty() {
            String::new()
        } else {
            format!(", {company}")
        },
        lead.score.unwrap_or(0)
    );
    let rows = reasons(&lead.score_reasons, &mut text, false);
    let html = format!(
        "<p>Hello {},</p><p>A hot lead is yours: <b>{}</b>, {} {}. Score <b>{}/100</b>. <b>Call within 4 hours.</b></p><ul>{rows}</ul>",
        escape_html(to_name),
        escape_html(&who),
        escape_html(&lead.email),
        escape_html(&company),
        lead.score.unwrap_or(0)
    );
    build(from, to_name, to, &subject, text, html, now)
}

/// A short operational notice (SLA reassignments and escalations): one paragraph, text and HTML.
pub fn notice(
    from: &str,
    to_name: &str,
    to: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let text = format!("Hello {to_name},\n\n{body}\n\n— Partner Programme\n");
    let html = format!(
        "<p>Hello {},</p><p>{}</p><p>— Partner Programme</p>",
        escape_html(to_name),
        escape_html(body)
    );
    build(from, to_name, to, subject, text, html, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>Tom & 'Jerry'</b>"),
            "&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(
            parse_from("Partner Programme <alerts@x.in>"),
            ("Partner Programme".into(), "alerts@x.in".into())
        );
        assert_eq!(address("alerts@x.in"), "alerts@x.in");
    }
}
