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

pub use crate::domain::text::escape_html;

/// A text + HTML message, with an attachment when given (content type, file name, bytes).
#[allow(clippy::too_many_arguments)]
fn build_with(
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

fn month_name(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| month.to_string())
}

/// A reseller's monthly statement: every currency's line, amounts in that currency's format.
pub fn statement(
    from: &str,
    reseller: &Reseller,
    t: &crate::usecases::payout::Ticket,
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let subject = format!("Your partner statement for {}", month_name(&t.month));
    let mut text = format!(
        "Hello {},\n\nYour statement for {}:\n",
        reseller.display_name(),
        month_name(&t.month)
    );
    let mut html = format!(
        "<p>Hello {},</p><p>Your statement for {}:</p>",
        escape_html(reseller.display_name()),
        month_name(&t.month)
    );
    for l in &t.lines {
        let rows = [
            ("Licence", l.licence),
            ("AMC, first year", l.amc_first_year),
            ("AMC, renewals", l.amc_renewal),
            ("Referrals", l.referral),
            ("Overrides", l.override_),
            ("Margin", l.margin),
            ("Clawbacks", l.clawbacks),
            ("Carried in", l.carried_in),
            ("Net", l.net),
            ("Paid this month", l.payable),
            ("Carried forward", l.carried_out),
        ];
        text.push_str(&format!("\n{}\n", l.currency));
        html.push_str(&format!(
            "<h3>{}</h3><table border=\"1\" cellpadding=\"4\">",
            escape_html(&l.currency)
        ));
        for (label, amount) in rows {
            let shown = display(amount, &l.currency);
            text.push_str(&format!("  {label:<16} {shown}\n"));
            html.push_str(&format!(
                "<tr><td>{label}</td><td align=\"right\">{}</td></tr>",
                escape_html(&shown)
            ));
        }
        html.push_str("</table>");
        if l.payable.is_zero() {
            let note = "Below the minimum payout (or negative): carried forward to next month.";
            text.push_str(&format!("  {note}\n"));
            html.push_str(&format!("<p>{note}</p>"));
        }
    }
    text.push_str("\n— Partner Programme\n");
    html.push_str("<p>— Partner Programme</p>");
    build(
        from,
        reseller.display_name(),
        &reseller.email,
        &subject,
        text,
        html,
        now,
    )
}

pub const FINANCE_CSV_HEADER: &str = "payee_id,payee_name,currency,licence,amc_first_year,amc_renewal,referral,override,margin,clawbacks,carried_in,carried_out,net_payable";

/// The month's payouts as CSV, one row per payee and currency (names neutralised, amounts
/// as plain decimals with the currency's minor digits).
pub fn finance_csv(tickets: &[crate::usecases::payout::Ticket]) -> String {
    use crate::csv_out::{line, Cell};
    let mut out = format!("{FINANCE_CSV_HEADER}\n");
    for t in tickets {
        for l in &t.lines {
            let amounts = [
                l.licence,
                l.amc_first_year,
                l.amc_renewal,
                l.referral,
                l.override_,
                l.margin,
                l.clawbacks,
                l.carried_in,
                l.carried_out,
                l.payable,
            ];
            let mut cells = vec![Cell::Text(&t.payee), Cell::Text(&t.payee_name), Cell::Text(&l.currency)];
            cells.extend(amounts.iter().map(|a| {
                let mut fixed = crate::domain::money::round_minor(*a, &l.currency);
                fixed.rescale(crate::domain::money::minor_units(&l.currency));
                Cell::Number(fixed)
            }));
            out.push_str(&line(&cells));
        }
    }
    out
}

/// Finance's monthly email: totals per currency in the body, the CSV attached.
pub fn finance(
    from: &str,
    to: &str,
    month: &str,
    tickets: &[crate::usecases::payout::Ticket],
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let mut totals: std::collections::BTreeMap<&str, (rust_decimal::Decimal, usize)> = Default::default();
    for l in tickets.iter().flat_map(|t| t.lines.iter()) {
        let e = totals.entry(l.currency.as_str()).or_default();
        e.0 += l.payable;
        if !l.payable.is_zero() {
            e.1 += 1;
        }
    }
    let subject = format!("Reseller payouts for {}", month_name(month));
    let mut text = format!("Payouts for {} ({} payees):\n\n", month_name(month), tickets.len());
    let mut html = format!(
        "<p>Payouts for {} ({} payees):</p><ul>",
        month_name(month),
        tickets.len()
    );
    for (currency, (total, payees)) in &totals {
        let shown = display(*total, currency);
        text.push_str(&format!("  {currency}: {shown} to {payees} payee(s)\n"));
        html.push_str(&format!(
            "<li>{currency}: <b>{}</b> to {payees} payee(s)</li>",
            escape_html(&shown)
        ));
    }
    text.push_str("\nThe attached CSV has one row per payee and currency.\n");
    html.push_str("</ul><p>The attached CSV has one row per payee and currency.</p>");
    let csv = (
        "text/csv",
        format!("payouts-{month}.csv"),
        finance_csv(tickets).into_bytes(),
    );
    build_with(from, "Finance", to, &subject, text, html, Some(csv), now)
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
    reseller: &Reseller,
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
        reseller.name,
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
        escape_html(&reseller.name),
        escape_html(&who),
        escape_html(&lead.email),
        escape_html(&company),
        lead.score.unwrap_or(0)
    );
    build(from, &reseller.name, &reseller.email, &subject, text, html, now)
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
    fn finance_csv_neutralises_names_and_keeps_amounts() {
        use crate::domain::payout::Line;
        use rust_decimal::Decimal;
        let ticket = crate::usecases::payout::Ticket {
            payout_id: "p".into(),
            month: "2026-10".into(),
            payee: "01RESELLER".into(),
            payee_name: "=cmd|' /C calc'!A0".into(),
            lines: vec![Line {
                currency: "INR".into(),
                licence: Decimal::new(25000000, 2),
                clawbacks: Decimal::new(-150, 0),
                payable: Decimal::new(24985, 0),
                ..Default::default()
            }],
            entries: vec![],
            status: crate::domain::payout::TicketStatus::Issued,
            created_at: Utc::now(),
            issued_at: None,
            statement_sent: false,
            version: 1,
        };
        let csv = finance_csv(&[ticket]);
        let row = csv.lines().nth(1).unwrap_or("");
        assert!(
            row.starts_with("01RESELLER,'=cmd|' /C calc'!A0,INR,250000.00,"),
            "{row}"
        );
        assert!(row.contains(",-150.00,"), "amounts stay numbers: {row}");
        assert!(row.ends_with(",24985.00"), "{row}");
    }

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
