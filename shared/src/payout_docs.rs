//! The documents a payout produces: the reseller's statement (with its taxes — each citing the
//! law in force on its date of credit — the draft GST invoice, the conversion into its payout
//! currency and when it must be paid), finance's CSV and email, and the bank's bulk-transfer
//! file (NEFT, or RazorpayX's bulk payouts). Amounts are shown in the currency's format in mail
//! and as plain decimals in CSV.

use crate::csv_out::{line, Cell};
use crate::domain::money::display;
use crate::domain::payout::{Line, PaymentStatus, Ticket};
use crate::domain::reseller::Reseller;
use crate::mail::{build_with, escape_html, month_name};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

fn percent(rate: Decimal) -> String {
    let p = (rate * Decimal::ONE_HUNDRED).normalize();
    format!("{p}%")
}

/// The statement's rows for one line: what was earned, the taxes, what is transferred.
fn statement_rows(l: &Line) -> Vec<(String, Decimal)> {
    let mut rows: Vec<(String, Decimal)> = [
        ("Licence", l.licence),
        ("AMC, first year", l.amc_first_year),
        ("AMC, renewals", l.amc_renewal),
        ("Referrals", l.referral),
        ("Overrides", l.override_),
        ("Margin", l.margin),
        ("Clawbacks", l.clawbacks),
        ("Carried in", l.carried_in),
        ("Net", l.net),
        ("Paid this month (gross)", l.payable),
        ("Carried forward", l.carried_out),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(t) = &l.tax {
        rows.push(("Commission (taxable value)".into(), t.taxable_value));
        if let Some(g) = &t.gst {
            if g.igst.is_zero() {
                rows.push((format!("CGST {}", percent(g.rate / Decimal::TWO)), g.cgst));
                rows.push((format!("SGST {}", percent(g.rate / Decimal::TWO)), g.sgst));
            } else {
                rows.push((format!("IGST {}", percent(g.rate)), g.igst));
            }
        }
        for p in t.tds.iter().filter(|p| !p.tds.is_zero()) {
            rows.push((
                format!(
                    "TDS u/s {} at {} on {}",
                    crate::domain::payout_tax::TdsLaw::cite(&p.section, p.code.as_deref()),
                    percent(p.rate),
                    display(p.base, &l.currency)
                ),
                -p.tds,
            ));
        }
        rows.push(("Net payable".into(), l.net_payable()));
    }
    rows
}

/// The line's transfer in its payout currency, when converted: original, rate, date, amount.
fn transfer_note(l: &Line) -> Option<String> {
    let t = l.transfer.as_ref()?;
    Some(format!(
        "Paid in {}: {} at {} {} per {} (reference rate of {}) = {}.",
        t.currency,
        display(l.net_payable(), &l.currency),
        t.rate.normalize(),
        t.currency,
        l.currency,
        t.rate_date,
        display(t.amount, &t.currency)
    ))
}

/// Notes under a line: why no TDS, the year so far, reverse charge.
fn statement_notes(l: &Line) -> Vec<String> {
    let mut notes = Vec::new();
    if l.payable.is_zero() {
        notes.push("Below the minimum payout (or negative): carried forward to next month.".into());
    }
    if let Some(t) = &l.tax {
        let year_name = t
            .tds
            .first()
            .and_then(|p| p.act.as_deref())
            .filter(|act| act.ends_with("1961"))
            .map_or("Tax year", |_| "Financial year");
        if t.reverse_charge {
            notes.push(
                "Paid abroad: no Indian TDS and no GST added to your invoice; the platform self-invoices this commission and pays the GST itself under reverse charge."
                    .into(),
            );
            if let Some(why) = &t.withholding_note {
                notes.push(format!("Withholding: {why}."));
            }
        } else if t
            .tds
            .iter()
            .any(|p| p.basis == crate::domain::payout_tax::TdsBasis::Threshold)
        {
            notes.push(format!(
                "No TDS yet: your commission this {} ({}) is within the section {} threshold.",
                year_name.to_lowercase(),
                display(t.year_after.credited, &l.currency),
                t.tds.first().map(|p| p.section.as_str()).unwrap_or_default()
            ));
        }
        if !t.reverse_charge && !t.taxable_value.is_zero() {
            notes.push(format!(
                "{year_name} {} so far: commission {}, TDS {}.",
                t.financial_year,
                display(t.year_after.credited, &l.currency),
                display(t.year_after.tds, &l.currency)
            ));
        }
    }
    if let Some(n) = transfer_note(l) {
        notes.push(n);
    }
    if let Some(f) = &l.remittance_forms {
        notes.push(format!("Remittance: {f}."));
    }
    notes
}

/// A reseller's monthly statement as text and HTML: every currency's line with its taxes, the
/// draft GST invoice for a registered reseller, and where the payment is.
pub fn statement_parts(reseller: &Reseller, t: &Ticket) -> (String, String) {
    let name = reseller.display_name();
    let mut text = format!("Hello {name},\n\nYour statement for {}:\n", month_name(&t.month));
    let mut html = format!(
        "<p>Hello {},</p><p>Your statement for {}:</p>",
        escape_html(name),
        month_name(&t.month)
    );
    for l in &t.lines {
        text.push_str(&format!("\n{}\n", l.currency));
        html.push_str(&format!(
            "<h3>{}</h3><table border=\"1\" cellpadding=\"4\">",
            escape_html(&l.currency)
        ));
        for (label, amount) in statement_rows(l) {
            let shown = display(amount, &l.currency);
            text.push_str(&format!("  {label:<40} {shown}\n"));
            html.push_str(&format!(
                "<tr><td>{}</td><td align=\"right\">{}</td></tr>",
                escape_html(&label),
                escape_html(&shown)
            ));
        }
        html.push_str("</table>");
        for note in statement_notes(l) {
            text.push_str(&format!("  {note}\n"));
            html.push_str(&format!("<p>{}</p>", escape_html(&note)));
        }
    }
    if let Some(d) = &t.invoice_draft {
        let rows = [
            (
                "Supplier (you)",
                // its GSTIN holds its PAN: masked, as in every read but the admin's
                format!(
                    "{} — GSTIN {}",
                    d.supplier_legal_name,
                    crate::domain::tax_id::mask(&d.supplier_gstin, 4)
                ),
            ),
            ("Recipient", format!("GSTIN {}", d.recipient_gstin)),
            ("Description", d.description.clone()),
            ("SAC", d.sac.clone()),
            ("Taxable value", display(d.taxable_value, "INR")),
            ("CGST", display(d.gst.cgst, "INR")),
            ("SGST", display(d.gst.sgst, "INR")),
            ("IGST", display(d.gst.igst, "INR")),
            ("Invoice total", display(d.total, "INR")),
        ];
        text.push_str("\nDraft tax invoice (issue it in your own name, then record its number and date):\n");
        html.push_str("<h3>Draft tax invoice</h3><p>Issue it in your own name, then record its number and date.</p><table border=\"1\" cellpadding=\"4\">");
        for (k, v) in rows {
            text.push_str(&format!("  {k:<16} {v}\n"));
            html.push_str(&format!("<tr><td>{k}</td><td>{}</td></tr>", escape_html(&v)));
        }
        html.push_str("</table>");
    }
    if let Some(e) = &t.einvoice {
        let line = format!(
            "E-invoice: IRN {}, acknowledgement {} of {}.",
            e.irn, e.ack_no, e.ack_date
        );
        text.push_str(&format!("\n{line}\n"));
        html.push_str(&format!("<p>{}</p>", escape_html(&line)));
    }
    if let Some(due) = t.due_by {
        let line = format!("As a micro or small enterprise you are paid by {due} (section 43B(h)).");
        text.push_str(&format!("\n{line}\n"));
        html.push_str(&format!("<p>{}</p>", escape_html(&line)));
    }
    let payment = match t.payment.status {
        PaymentStatus::AwaitingInvoice => {
            Some("Your payout is held until you record your GST invoice for this month.".to_string())
        }
        PaymentStatus::AwaitingFxRate => Some(
            "Your payout is converted into your payout currency at the payout date's reference rate, which finance is recording; it is paid once converted."
                .to_string(),
        ),
        PaymentStatus::Payable => Some(format!(
            "It will reach your bank account with reference {}.",
            t.payment.reference
        )),
        PaymentStatus::Paid => Some(format!(
            "Paid: {}.",
            t.payment
                .settled
                .iter()
                .map(|(c, s)| format!("{} on {} (UTR {})", display(s.amount, c), s.paid_at.date_naive(), s.utr))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        PaymentStatus::NothingDue => None,
    };
    if let Some(p) = payment {
        text.push_str(&format!("\n{p}\n"));
        html.push_str(&format!("<p>{}</p>", escape_html(&p)));
    }
    text.push_str("\n— Partner Programme\n");
    html.push_str("<p>— Partner Programme</p>");
    (text, html)
}

/// The statement as an email.
pub fn statement(from: &str, reseller: &Reseller, t: &Ticket, now: DateTime<Utc>) -> std::io::Result<Vec<u8>> {
    let subject = format!("Your partner statement for {}", month_name(&t.month));
    let (text, html) = statement_parts(reseller, t);
    build_with(
        from,
        reseller.display_name(),
        &reseller.email,
        &subject,
        text,
        html,
        None,
        now,
    )
}

pub const FINANCE_CSV_HEADER: &str = "payee_id,payee_name,currency,licence,amc_first_year,amc_renewal,referral,override,margin,clawbacks,carried_in,carried_out,gross_payable,taxable_value,cgst,sgst,igst,tds_section,tds_rate,tds_base,tds,net_payable,financial_year,fy_commission,fy_tds,reverse_charge,payment_status,reference,utr,tds_reason,certificate_number,tds_code,rcm_igst,transfer_currency,transfer_rate,transfer_amount,due_by,irn";

use crate::domain::money::fixed_minor as fixed;

fn status_name(s: PaymentStatus) -> &'static str {
    match s {
        PaymentStatus::NothingDue => "nothing_due",
        PaymentStatus::AwaitingInvoice => "awaiting_invoice",
        PaymentStatus::AwaitingFxRate => "awaiting_fx_rate",
        PaymentStatus::Payable => "payable",
        PaymentStatus::Paid => "paid",
    }
}

/// The month's payouts as CSV, one row per payee and currency (names neutralised, amounts
/// as plain decimals with the currency's minor digits). Every TDS part is listed with its
/// section, rate, reason and certificate as the quarterly return has them — a 0% deduction under
/// a certificate too — and a line taxed at two rates (a certificate's limit reached) lists both,
/// `;`-separated.
pub fn finance_csv(tickets: &[Ticket]) -> String {
    let mut out = format!("{FINANCE_CSV_HEADER}\n");
    for t in tickets {
        for l in &t.lines {
            let c = l.currency.as_str();
            let tax = l.tax.clone().unwrap_or_default();
            let gst = tax.gst.clone().unwrap_or_default();
            let join = |f: &dyn Fn(&crate::domain::payout_tax::TdsPart) -> String| {
                tax.tds.iter().map(f).collect::<Vec<_>>().join(";")
            };
            let section = join(&|p| p.section.clone());
            let rate = join(&|p| p.rate.normalize().to_string());
            let reason = join(&|p| p.reason.clone().unwrap_or_default());
            let certificate = join(&|p| p.certificate.clone().unwrap_or_default());
            let code = join(&|p| p.code.clone().unwrap_or_default());
            let due_by = t.due_by.map(|d| d.to_string()).unwrap_or_default();
            let irn = t.einvoice.as_ref().map(|e| e.irn.clone()).unwrap_or_default();
            let base: Decimal = tax.tds.iter().map(|p| p.base).sum();
            let utr = t.payment.settled.get(c).map(|s| s.utr.clone()).unwrap_or_default();
            let mut cells = vec![Cell::Text(&t.payee), Cell::Text(&t.payee_name), Cell::Text(c)];
            cells.extend(
                [
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
                    tax.taxable_value,
                    gst.cgst,
                    gst.sgst,
                    gst.igst,
                ]
                .iter()
                .map(|a| Cell::Number(fixed(*a, c))),
            );
            cells.push(Cell::Text(&section));
            cells.push(Cell::Text(&rate));
            cells.push(Cell::Number(fixed(base, c)));
            cells.push(Cell::Number(fixed(tax.tds_total, c)));
            cells.push(Cell::Number(fixed(l.net_payable(), c)));
            cells.push(Cell::Text(&tax.financial_year));
            cells.push(Cell::Number(fixed(tax.year_after.credited, c)));
            cells.push(Cell::Number(fixed(tax.year_after.tds, c)));
            cells.push(Cell::Text(if tax.reverse_charge { "yes" } else { "" }));
            cells.push(Cell::Text(status_name(t.payment.status)));
            cells.push(Cell::Text(&t.payment.reference));
            cells.push(Cell::Text(&utr));
            cells.push(Cell::Text(&reason));
            cells.push(Cell::Text(&certificate));
            cells.push(Cell::Text(&code));
            cells.push(Cell::Number(fixed(tax.rcm_igst, c)));
            match &l.transfer {
                Some(x) => {
                    cells.push(Cell::Text(&x.currency));
                    cells.push(Cell::Number(x.rate.normalize()));
                    cells.push(Cell::Number(fixed(x.amount, &x.currency)));
                }
                None => cells.extend([Cell::Text(""), Cell::Text(""), Cell::Text("")]),
            }
            cells.push(Cell::Text(&due_by));
            cells.push(Cell::Text(&irn));
            out.push_str(&line(&cells));
        }
    }
    out
}

/// Finance's monthly email: what to transfer per currency in the body, tickets still unpaid
/// from earlier months, the CSV attached.
pub fn finance(
    from: &str,
    to: &str,
    month: &str,
    tickets: &[Ticket],
    overdue: &[Ticket],
    now: DateTime<Utc>,
) -> std::io::Result<Vec<u8>> {
    let mut totals: std::collections::BTreeMap<&str, (Decimal, usize)> = Default::default();
    for l in tickets.iter().flat_map(|t| t.lines.iter()) {
        let e = totals.entry(l.currency.as_str()).or_default();
        e.0 += l.net_payable();
        if !l.payable.is_zero() {
            e.1 += 1;
        }
    }
    let subject = format!("Reseller payouts for {}", month_name(month));
    let mut text = format!(
        "Payouts for {} ({} payees), net of TDS and with GST:\n\n",
        month_name(month),
        tickets.len()
    );
    let mut html = format!(
        "<p>Payouts for {} ({} payees), net of TDS and with GST:</p><ul>",
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
    html.push_str("</ul>");
    let waiting: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| t.payment.status == PaymentStatus::AwaitingFxRate)
        .collect();
    if !waiting.is_empty() {
        let day = waiting[0].fx_rate_date().map(|d| d.to_string()).unwrap_or_default();
        let head = format!(
            "Waiting for the reference rates of {day} (record them with PUT /fx-rates/{day}; nothing is paid at a guessed rate):"
        );
        text.push_str(&format!("\n{head}\n"));
        html.push_str(&format!("<p>{}</p><ul>", escape_html(&head)));
        for t in &waiting {
            let row = format!(
                "{} ({}): paid in {}",
                t.payee_name,
                t.payment.reference,
                t.payout_currency.as_deref().unwrap_or("?")
            );
            text.push_str(&format!("  {row}\n"));
            html.push_str(&format!("<li>{}</li>", escape_html(&row)));
        }
        html.push_str("</ul>");
    }
    if !overdue.is_empty() {
        text.push_str("\nStill unpaid from earlier months:\n");
        html.push_str("<p>Still unpaid from earlier months:</p><ul>");
        for t in overdue {
            let owed: Vec<String> = t
                .payable_lines()
                .map(|l| display(l.net_payable(), &l.currency))
                .collect();
            let row = format!(
                "{} {} ({}): {} — {}",
                t.month,
                t.payee_name,
                t.payment.reference,
                owed.join(", "),
                status_name(t.payment.status)
            );
            text.push_str(&format!("  {row}\n"));
            html.push_str(&format!("<li>{}</li>", escape_html(&row)));
        }
        html.push_str("</ul>");
    }
    text.push_str("\nThe attached CSV has one row per payee and currency.\n");
    html.push_str("<p>The attached CSV has one row per payee and currency.</p>");
    let csv = (
        "text/csv",
        format!("payouts-{month}.csv"),
        finance_csv(tickets).into_bytes(),
    );
    build_with(from, "Finance", to, &subject, text, html, Some(csv), now)
}

pub const BANK_FILE_HEADER: &str =
    "payment_mode,beneficiary_name,account_number,ifsc,amount,currency,reference,payout_id,batch";

/// RazorpayX's bulk-payout upload, with the columns of its published template (amounts in
/// rupees): <https://razorpay.com/docs/x/bulk-payouts/>.
pub const RAZORPAYX_HEADER: &str = "RazorpayX Account Number,Payout Amount,Payout Currency,Payout Mode,Payout Purpose,Fund Account Id,Fund Account Type,Fund Account Name,Fund Account Ifsc,Fund Account Number,Fund Account Vpa,Fund Account Phone Number,Contact Name,Payout Narration,Payout Reference Id,Fund Account Email,Contact Type,Contact Email,Contact Mobile,Contact Reference Id,notes[batch],notes[payout_id]";

/// The bank's bulk-transfer file for a batch: one row per payable home-currency transfer to a
/// payee with a bank account; the payout ids left out for want of one are returned beside it.
/// Every row names the batch; every text cell is neutralised against formulas.
pub fn bank_file(
    tickets: &[(Ticket, Option<crate::domain::tax_profile::BankAccount>)],
    home: &str,
    batch: &str,
    format: &crate::domain::payout::BankFileFormat,
) -> (String, Vec<String>) {
    let mut out = match format {
        crate::domain::payout::BankFileFormat::Neft => format!("{BANK_FILE_HEADER}\n"),
        crate::domain::payout::BankFileFormat::Razorpayx { .. } => format!("{RAZORPAYX_HEADER}\n"),
    };
    let mut skipped = Vec::new();
    for (t, bank) in tickets {
        if t.payment.status != PaymentStatus::Payable {
            continue;
        }
        for l in t.payable_lines().filter(|l| l.transfer_currency() == home) {
            if t.payment.settled.contains_key(l.transfer_currency()) {
                continue;
            }
            let Some(b) = bank else {
                skipped.push(t.payout_id.clone());
                continue;
            };
            let amount = Cell::Number(fixed(l.transfer_amount(), home));
            out.push_str(&match format {
                crate::domain::payout::BankFileFormat::Neft => line(&[
                    Cell::Text("NEFT"),
                    Cell::Text(&b.account_name),
                    Cell::Text(&b.account_number),
                    Cell::Text(&b.ifsc),
                    amount,
                    Cell::Text(home),
                    Cell::Text(&t.payment.reference),
                    Cell::Text(&t.payout_id),
                    Cell::Text(batch),
                ]),
                crate::domain::payout::BankFileFormat::Razorpayx { account_number } => {
                    let narration = format!("Commission {}", t.month);
                    line(&[
                        Cell::Text(account_number),
                        amount,
                        Cell::Text(home),
                        Cell::Text("NEFT"),
                        Cell::Text("vendor bill"),
                        Cell::Text(""),
                        Cell::Text("bank_account"),
                        Cell::Text(&b.account_name),
                        Cell::Text(&b.ifsc),
                        Cell::Text(&b.account_number),
                        Cell::Text(""),
                        Cell::Text(""),
                        Cell::Text(&t.payee_name),
                        Cell::Text(&narration),
                        Cell::Text(&t.payment.reference),
                        Cell::Text(""),
                        Cell::Text("vendor"),
                        Cell::Text(""),
                        Cell::Text(""),
                        Cell::Text(&t.payee),
                        Cell::Text(batch),
                        Cell::Text(&t.payout_id),
                    ])
                }
            });
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payout::{Payment, TicketStatus};

    #[test]
    fn finance_csv_neutralises_names_and_keeps_amounts() {
        let ticket = Ticket {
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
            status: TicketStatus::Issued,
            created_at: Utc::now(),
            issued_at: None,
            statement_owed: false,
            statement_deliveries: Some(0),
            due_by: None,
            payout_currency: None,
            status_after_fx: None,
            einvoice: None,
            version: 1,
            credited_on: None,
            payee_tax: None,
            invoice_draft: None,
            invoice: None,
            payment: Payment {
                reference: "PO202610RESELLER".into(),
                ..Default::default()
            },
        };
        let csv = finance_csv(&[ticket]);
        let header: Vec<&str> = FINANCE_CSV_HEADER.split(',').collect();
        let row = csv.lines().nth(1).unwrap_or("");
        assert!(
            row.starts_with("01RESELLER,'=cmd|' /C calc'!A0,INR,250000.00,"),
            "{row}"
        );
        assert!(row.contains(",-150.00,"), "amounts stay numbers: {row}");
        let cells: Vec<&str> = row.split(',').collect();
        let col = |n: &str| cells[header.iter().position(|h| *h == n).unwrap_or(0)];
        assert_eq!((col("gross_payable"), col("net_payable")), ("24985.00", "24985.00"));
        assert_eq!(col("reference"), "PO202610RESELLER", "{row}");
        assert_eq!(cells.len(), header.len(), "{row}");
    }
}
