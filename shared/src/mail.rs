//! Emails the platform sends, as raw MIME (text + HTML), built with mail-builder. Everything
//! that came from outside is escaped in the HTML part.

use crate::domain::money::display;
use crate::domain::reseller::Reseller;
use crate::usecases::commission::Contract;
use crate::usecases::renewals::RiskState;
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

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
    let (name, addr) = parse_from(from);
    let mut out = Vec::new();
    MessageBuilder::new()
        .from((name.as_str(), addr.as_str()))
        .to(vec![(to_name, to)])
        .subject(subject)
        .date(now.timestamp())
        .text_body(text)
        .html_body(html)
        .write_to(&mut out)?;
    Ok(out)
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
    let mut rows = String::new();
    for r in &risk.reasons {
        text.push_str(&format!("  - {} (+{}): {}\n", r.factor, r.points, r.evidence));
        rows.push_str(&format!(
            "<tr><td>{}</td><td>+{}</td><td>{}</td></tr>",
            escape_html(&r.factor),
            r.points,
            escape_html(&r.evidence)
        ));
    }
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
