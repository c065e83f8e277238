//! The monthly payout (SPEC §8), fanned out per payee. The coordinator only enumerates payees
//! and queues one `payout.requested` each; a worker settles one payee-month:
//!
//! 1. the ticket (every currency's line, the entries it settles) and the payee's carried
//!    balance are written in one transaction — the ticket only if absent, the balance on its
//!    version — so a month is settled at most once per payee, whatever is retried;
//! 2. each settled entry leaves the unpaid index, marked with the ticket (only if unmarked);
//! 3. the ticket is locked as issued with the run's count of issued tickets, in one
//!    transaction; the leads it pays reach R010; the statement is claimed on the ticket with
//!    its letter (`outbox`: sent at least once);
//! 4. the worker that issues the month's last ticket sends finance the month's CSV, guarded by
//!    a once-only item; a redelivered worker, or a re-run of the coordinator, sends it if a
//!    crash interrupted that.
//!
//! A crash anywhere is resumed by redelivery or by running the payout again: each step skips
//! what is done (`tests/tests/suite/faults.rs` crashes it before every write).

use super::billing::advance_lead;
use super::commission::Entry;
use super::outbox;
use crate::config::Rules;
use crate::domain::fx::FxRates;
use crate::domain::lead::Lead;
use crate::domain::payout::{compute, month_end, payment_reference, Earning, Line, Transfer};
use crate::domain::payout_tax::{financial_year, tax_line, Payee as TaxPayee};
use crate::domain::reseller::Reseller;
use crate::domain::stage::Stage;
use crate::domain::tax_profile::{Residency, TaxProfile};
use crate::events::{Envelope, Event, PayoutRequested};
use crate::ports::table::{Cond, Index, Query, SkRange, StoreError, Table, Write};
use crate::ports::{Clock, Mailer, QueueSender};
use crate::repo;
use crate::repo::TaxYear;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeSet;

pub use crate::events::PAYOUT_REQUESTED;

pub use crate::domain::payout::{
    Balance, Invoice, InvoiceDraft, PayeeTax, Payment, PaymentStatus, Settlement, Ticket, TicketStatus,
};

pub struct PayoutPorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub rules: &'a Rules,
    pub payout_queue: &'a str,
    pub mail_from: &'a str,
    pub finance_email: &'a str,
    /// the platform's GSTIN: the recipient of resellers' invoices, and its state decides
    /// CGST + SGST or IGST
    pub platform_gstin: &'a str,
    /// hold a GST-registered reseller's payout until it records its invoice
    pub hold_until_invoice: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    #[error("invalid month {0}")]
    BadMonth(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

fn other(e: impl std::fmt::Display) -> PayoutError {
    PayoutError::Other(e.to_string())
}

use crate::repo::get_record as get;

use crate::repo::query_all;

/// The coordinator: records how many payees the month has and queues one request each.
pub async fn start_month(ports: &PayoutPorts<'_>, month: &str) -> Result<usize, PayoutError> {
    month_end(month).ok_or_else(|| PayoutError::BadMonth(month.into()))?;
    let payees: Vec<String> = query_all(ports.table, Query::new(repo::PAYEES_INDEX_PK).index(Index::Gsi3))
        .await?
        .iter()
        .filter_map(|i| repo::string_attr(i, "payee"))
        .collect();
    // the run record (and its `done` counter) is written once; a re-run keeps it
    let run = repo::PayoutRun {
        month: month.to_string(),
        payees: payees.len(),
        done: 0,
        started_at: ports.clock.now(),
    };
    match ports.table.put(repo::item(&run)?, Some(Cond::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    let now = ports.clock.now();
    let bodies = payees
        .iter()
        .map(|p| {
            let env = Envelope::new(
                Event::PayoutRequested(PayoutRequested {
                    payee: p.clone(),
                    month: month.to_string(),
                }),
                format!("payout-{month}-{p}"),
                now,
                month,
            );
            env.to_body().map_err(other)
        })
        .collect::<Result<Vec<_>, _>>()?;
    ports
        .queue
        .send_batch(ports.payout_queue, bodies)
        .await
        .map_err(other)?;
    // a re-run after every worker already finished still owes finance its email
    finish_month(ports, month, true).await?;
    Ok(payees.len())
}

/// A worker: settles one payee's month (see the module's steps), then tries to finish it.
pub async fn pay_payee(ports: &PayoutPorts<'_>, payee: &str, month: &str) -> Result<Ticket, PayoutError> {
    let end = month_end(month).ok_or_else(|| PayoutError::BadMonth(month.into()))?;
    let key = repo::payout_key(month, payee);
    let mut ticket = loop {
        if let Some(t) = get::<Ticket>(ports.table, &key).await? {
            break t;
        }
        match create_ticket(ports, payee, month, end).await {
            Ok(t) => break t,
            // a concurrent worker created it, or the balance moved: read again
            Err(PayoutError::Store(StoreError::TransactionCancelled { .. }))
            | Err(PayoutError::Store(StoreError::Throttled)) => continue,
            Err(e) => return Err(e),
        }
    };
    let mut last = false;
    // issued already: this is a redelivery of a worker that stopped after issuing
    let redelivered = ticket.status == TicketStatus::Issued;
    // (on a redelivery the entries are this ticket's already: reads only)
    let leads = mark_entries(ports, &ticket).await?;
    if !redelivered {
        let mut next = repo::next_of(&ticket);
        next.status = TicketStatus::Issued;
        next.issued_at = Some(ports.clock.now());
        // the month's count of issued tickets moves with the issue: the last one finishes it
        let writes = vec![
            repo::put_if_version(repo::item(&next)?, ticket.version),
            Write::Add {
                key: repo::payout_run_key(month),
                deltas: vec![("done".into(), 1)],
            },
        ];
        match ports.table.transact(writes).await {
            Ok(()) => {
                ticket = next;
                last = month_done(ports, month).await?;
            }
            Err(StoreError::TransactionCancelled { .. }) => {
                ticket = get(ports.table, &key).await?.ok_or_else(|| other("ticket vanished"))?
            }
            Err(e) => return Err(e.into()),
        }
    }
    for lead_id in leads {
        move_lead_to_r010(ports, &lead_id, &ticket.payout_id).await?;
    }
    if !ticket.statement_owed {
        // claim the statement with its letter: of two workers, one owes it; a crash after the
        // claim leaves the letter owed, and the outbox sweeper sends it (each send counted on
        // the ticket's `statement_deliveries`)
        let mut claimed = repo::next_of(&ticket);
        claimed.statement_owed = true;
        let letter = statement_letter(ports, &claimed).await?;
        let mut writes = vec![repo::put_if_version(repo::item(&claimed)?, ticket.version)];
        writes.extend(letter.as_ref().map(|(_, w)| w.clone()));
        match ports.table.transact(writes).await {
            Ok(()) => {
                if let Some((letter, _)) = letter {
                    // a failed send stays owed: the sweeper has it
                    let _ = outbox::deliver(ports.table, ports.mailer, &letter, ports.clock.now()).await;
                }
                ticket = claimed;
            }
            Err(StoreError::TransactionCancelled { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    leave_the_list_when_settled(ports.table, &ticket).await?;
    if last {
        finish_month(ports, month, false).await?;
    } else if redelivered && month_done(ports, month).await? {
        // the worker that issued the last ticket may have stopped before finishing the month:
        // finish it now (finance's email is guarded; an interrupted one is sent again)
        finish_month(ports, month, true).await?;
    }
    Ok(ticket)
}

/// Takes the payee off the payout's list once nothing of it is unpaid and its ticket carries
/// nothing into next month, so that the run asks only the payees with something to pay or
/// carry. Conservative both ways: an index read that still shows a settled entry leaves it on
/// the list (next month finds nothing due), and an entry written after the read changes the
/// marker, so it stays on.
async fn leave_the_list_when_settled(table: &dyn Table, ticket: &Ticket) -> Result<(), StoreError> {
    let payee = ticket.payee.as_str();
    if ticket
        .lines
        .iter()
        .any(|l| !l.carried_out.is_zero() || !l.carried_out_margin.is_zero())
    {
        return Ok(());
    }
    let Some(p) = get::<repo::Payee>(table, &repo::payee_key(payee)).await? else {
        return Ok(());
    };
    if !p.owed {
        return Ok(());
    }
    let unpaid = table
        .query(&Query::new(repo::unpaid_index_pk(payee)).index(Index::Gsi2).limit(1))
        .await?;
    if !unpaid.items.is_empty() {
        return Ok(());
    }
    let settled = repo::Payee {
        owed: false,
        ..p.clone()
    };
    match table
        .put(
            repo::item(&settled)?,
            Some(Cond::Equals("marker".into(), serde_json::json!(p.marker))),
        )
        .await
    {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether every payee's ticket of the month is issued (by the run's count).
async fn month_done(ports: &PayoutPorts<'_>, month: &str) -> Result<bool, PayoutError> {
    let run = ports.table.get(&repo::payout_run_key(month)).await?;
    let n = |name: &str| run.as_ref().and_then(|r| r.get(name).and_then(Value::as_i64));
    Ok(n("payees").is_some() && n("payees") == n("done"))
}

async fn create_ticket(
    ports: &PayoutPorts<'_>,
    payee: &str,
    month: &str,
    end: DateTime<Utc>,
) -> Result<Ticket, PayoutError> {
    let balance: Balance = get(ports.table, &repo::balance_key(payee)).await?.unwrap_or(Balance {
        payee: payee.into(),
        ..Default::default()
    });
    let upto = repo::ledger_upto(&end);
    let items = query_all(
        ports.table,
        Query::new(repo::unpaid_index_pk(payee))
            .index(Index::Gsi2)
            .sk(SkRange::UpTo(upto)),
    )
    .await?;
    let mut entries = Vec::new();
    let mut keys = Vec::new();
    for item in items {
        let sk = repo::string_attr(&item, "sk").unwrap_or_default();
        let e: Entry = repo::record(item)?;
        if e.payout_id.is_none() {
            keys.push(sk);
            entries.push(e);
        }
    }
    let earnings: Vec<Earning> = entries
        .iter()
        .map(|e| Earning {
            currency: &e.currency,
            component: e.component,
            amount: e.amount,
            kind: e.kind(),
        })
        .collect();
    let mut lines = compute(&earnings, &balance, &ports.rules.payout);
    let reseller = get::<Reseller>(ports.table, &repo::reseller_key(payee)).await?;
    let profile = reseller.as_ref().and_then(|r| r.tax.clone()).unwrap_or_default();
    let credited_on = end.date_naive();
    let fy = financial_year(credited_on);
    let year: TaxYear = get(ports.table, &repo::tax_year_key(payee, fy))
        .await?
        .unwrap_or(TaxYear {
            payee: payee.into(),
            fy,
            ..Default::default()
        });
    let taxes = &ports.rules.tax;
    let abroad = profile.residency == Residency::NonResident;
    let who = TaxPayee {
        pan: profile.pan.as_deref(),
        // a payee abroad adds no GST: the platform owes it under reverse charge
        gst_state: profile.gst_state.as_deref().filter(|_| !abroad),
        // only a certificate the staff recorded after checking it lowers the deduction (one
        // stored before certificates were checked has no recorder, and lowers nothing)
        lower_deduction: profile.lower_deduction.as_ref().filter(|l| l.recorded_by.is_some()),
        non_resident: abroad,
        country: profile.country.as_deref(),
        trc_valid_until: profile.trc_valid_until,
        form_10f: profile.form_10f,
    };
    let platform_state = ports.platform_gstin.get(..2).unwrap_or_default();
    let mut totals = year.totals.clone();
    for line in lines.iter_mut().filter(|l| !l.payable.is_zero()) {
        let tax = tax_line(
            line.commission_paid(),
            &line.currency,
            &who,
            &totals,
            credited_on,
            platform_state,
            taxes,
        );
        if line.currency == taxes.home_currency {
            totals = tax.year_after.clone();
        }
        line.tax = Some(tax);
        // a remittance abroad above the threshold needs the remittance forms
        if abroad && line.currency == taxes.home_currency && line.net_payable() > taxes.remittance_form_above {
            let law = taxes.law_on(credited_on);
            line.remittance_forms = Some(format!(
                "Forms {} ({}): a remittance abroad above {}",
                law.remittance_forms,
                law.act,
                crate::domain::money::display(taxes.remittance_form_above, &taxes.home_currency)
            ));
        }
    }
    // lines owed in another currency than the payee is paid in are converted at the payout
    // date's reference rates; without them the payout waits (nothing is paid at a guessed rate)
    let now = ports.clock.now();
    let payout_date = crate::domain::renewal::india_date(now);
    let payout_currency = reseller
        .as_ref()
        .and_then(|r| r.terms.as_ref())
        .and_then(|t| t.payout.as_ref())
        .map(|p| p.currency.clone());
    let awaiting_fx = match &payout_currency {
        Some(target)
            if lines
                .iter()
                .any(|l| l.net_payable() > Decimal::ZERO && &l.currency != target) =>
        {
            match get::<FxRates>(ports.table, &repo::fx_rates_key(&payout_date)).await? {
                Some(rates) => !convert_lines(&mut lines, target, &rates),
                None => true,
            }
        }
        _ => false,
    };
    let payee_name = match &reseller {
        Some(r) => r.name.clone(),
        None => payee.to_string(),
    };
    let invoice_draft = invoice_draft(&lines, &profile, &payee_name, month, ports);
    let ready = if lines.iter().all(|l| l.net_payable() <= Decimal::ZERO) {
        PaymentStatus::NothingDue
    } else if ports.hold_until_invoice && invoice_draft.is_some() {
        PaymentStatus::AwaitingInvoice
    } else {
        PaymentStatus::Payable
    };
    let status = if awaiting_fx && ready != PaymentStatus::NothingDue {
        PaymentStatus::AwaitingFxRate
    } else {
        ready
    };
    // a micro or small enterprise is paid within the agreed days of the payout (43B(h))
    let due_by = profile
        .msme
        .as_ref()
        .filter(|m| m.class.has_deadline() && ready != PaymentStatus::NothingDue)
        .map(|_| payout_date + chrono::Duration::days(taxes.msme_due_days));
    let ticket = Ticket {
        payout_id: format!("{month}/{payee}"),
        month: month.into(),
        payee: payee.into(),
        payee_name,
        lines: lines.clone(),
        entries: keys,
        status: TicketStatus::Issuing,
        created_at: now,
        issued_at: None,
        statement_owed: false,
        statement_deliveries: Some(0),
        version: 1,
        credited_on: Some(credited_on),
        payee_tax: Some(PayeeTax {
            pan: profile.pan.clone(),
            legal_name: profile.legal_name.clone(),
            gstin: profile.gstin.clone(),
            residency: profile.residency,
            country: profile.country.clone(),
            msme: profile.msme.clone(),
            einvoice_required: profile.einvoice_required,
        }),
        invoice_draft,
        invoice: None,
        payment: Payment {
            status,
            reference: payment_reference(month, payee),
            settled: Default::default(),
        },
        due_by,
        payout_currency: payout_currency.clone(),
        status_after_fx: awaiting_fx.then_some(ready),
        einvoice: None,
    };
    let mut next_balance = repo::next_of(&balance);
    next_balance.carried = lines
        .iter()
        .filter(|l| !l.carried_out.is_zero())
        .map(|l| (l.currency.clone(), l.carried_out))
        .collect();
    next_balance.carried_margin = lines
        .iter()
        .filter(|l| !l.carried_out_margin.is_zero())
        .map(|l| (l.currency.clone(), l.carried_out_margin))
        .collect();
    next_balance.last_month = Some(month.into());
    let balance_item = repo::item(&next_balance)?;
    let balance_write = if balance.version == 0 {
        repo::put_new(balance_item)
    } else {
        repo::put_if_version(balance_item, balance.version)
    };
    let mut writes = vec![repo::put_new(repo::item(&ticket)?), balance_write];
    // the dashboards count the payout with its ticket, once
    let mut tally = crate::domain::aggregates::Tally::default();
    if ticket.payable_lines().next().is_some() {
        tally.add(payee, month, crate::domain::aggregates::PAYOUTS, 1);
    }
    for l in ticket.payable_lines() {
        tally.add_money(
            payee,
            month,
            &crate::domain::aggregates::payout_net_counter(&l.currency),
            l.net_payable(),
            &l.currency,
        );
    }
    writes.extend(repo::tally_writes(tally));
    if totals != year.totals {
        // the year's totals move with the ticket, once: TDS is never deducted twice
        let mut next_year = repo::next_of(&year);
        next_year.totals = totals;
        let item = repo::item(&next_year)?;
        writes.push(if year.version == 0 {
            repo::put_new(item)
        } else {
            repo::put_if_version(item, year.version)
        });
    }
    ports.table.transact(writes).await?;
    Ok(ticket)
}

/// Converts each line owed in another currency than `target` at the day's rates (the ledger keeps
/// the original; the line shows original, rate, date and converted amount). Returns false, and
/// converts nothing, when the table lacks a currency one of the lines needs.
pub fn convert_lines(lines: &mut [Line], target: &str, rates: &FxRates) -> bool {
    let owed = |l: &Line| l.net_payable() > Decimal::ZERO && l.currency != target;
    let converted: Option<Vec<(Decimal, Decimal)>> = lines
        .iter()
        .filter(|l| owed(l))
        .map(|l| crate::domain::fx::convert(l.net_payable(), &l.currency, target, rates))
        .collect();
    let Some(converted) = converted else {
        return false;
    };
    for (line, (rate, amount)) in lines.iter_mut().filter(|l| owed(l)).zip(converted) {
        line.transfer = Some(Transfer {
            currency: target.to_string(),
            rate,
            rate_date: rates.date,
            amount,
        });
    }
    true
}

/// The GST invoice a registered reseller raises on the platform for the month's commission.
fn invoice_draft(
    lines: &[Line],
    profile: &TaxProfile,
    payee_name: &str,
    month: &str,
    ports: &PayoutPorts<'_>,
) -> Option<InvoiceDraft> {
    let gstin = profile.gstin.clone()?;
    let home = lines.iter().find(|l| l.currency == ports.rules.tax.home_currency)?;
    let tax = home.tax.as_ref()?;
    let gst = tax.gst.as_ref()?;
    Some(InvoiceDraft {
        supplier_gstin: gstin,
        supplier_legal_name: profile.legal_name.clone().unwrap_or_else(|| payee_name.to_string()),
        recipient_gstin: ports.platform_gstin.to_string(),
        sac: ports.rules.tax.sac.clone(),
        description: format!("Commission (business auxiliary services) for {month}"),
        taxable_value: tax.taxable_value,
        gst: gst.clone(),
        total: tax.taxable_value + gst.total,
    })
}

/// Takes each settled entry out of the unpaid index (only if no payout holds it yet);
/// returns the leads of the entries paid.
async fn mark_entries(ports: &PayoutPorts<'_>, ticket: &Ticket) -> Result<BTreeSet<String>, PayoutError> {
    let mut leads = BTreeSet::new();
    for sk in &ticket.entries {
        let key = repo::ledger_entry_key(&ticket.payee, sk);
        let Some(item) = ports.table.get(&key).await? else {
            continue;
        };
        let mut entry: Entry = repo::record(item)?;
        if let Some(lead) = &entry.lead_id {
            leads.insert(lead.clone());
        }
        match &entry.payout_id {
            Some(p) if *p == ticket.payout_id => continue,
            Some(p) => return Err(other(format!("entry {sk} already settled by {p}"))),
            None => {}
        }
        // settled: it leaves the unpaid index (the entity decides that from `payout_id`)
        entry.payout_id = Some(ticket.payout_id.clone());
        match ports
            .table
            .put(repo::item(&entry)?, Some(Cond::Missing("payout_id".into())))
            .await
        {
            Ok(()) | Err(StoreError::ConditionFailed) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(leads)
}

async fn move_lead_to_r010(ports: &PayoutPorts<'_>, lead_id: &str, payout_id: &str) -> Result<(), PayoutError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let Some(item) = ports.table.get(&repo::lead_key(lead_id)).await? else {
            return Ok(());
        };
        let lead: Lead = repo::record(item)?;
        let now = ports.clock.now();
        let mut writes = advance_lead(&lead, Stage::R010, "payout", "payout.issued", payout_id, now)?;
        if writes.is_empty() {
            return Ok(());
        }
        // the move is counted with it, once
        let mut tally = crate::domain::aggregates::Tally::default();
        tally.add(
            lead.owner_reseller_id
                .as_deref()
                .unwrap_or(crate::domain::aggregates::PROGRAMME),
            &crate::domain::aggregates::month_of(now),
            &crate::domain::aggregates::stage_counter(Stage::R010.code()),
            1,
        );
        writes.extend(repo::tally_writes(tally));
        match ports.table.transact(writes).await {
            Ok(()) => return Ok(()),
            Err(StoreError::TransactionCancelled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    // the payout stands; the lead's stage is the lesser record and is not worth failing it for
    tracing::warn!(lead_id = %lead_id, payout_id = %payout_id, "lead kept changing: not moved to R010");
    Ok(())
}

/// The statement's letter for an issued ticket, and the write that owes it; none when there is
/// nothing to say (no lines) or no reseller to say it to (customer referrers).
async fn statement_letter(
    ports: &PayoutPorts<'_>,
    ticket: &Ticket,
) -> Result<Option<(repo::Letter, Write)>, PayoutError> {
    if ticket.lines.is_empty() {
        return Ok(None);
    }
    let Some(reseller) = get::<Reseller>(ports.table, &repo::reseller_key(&ticket.payee)).await? else {
        return Ok(None);
    };
    let now = ports.clock.now();
    let mime = crate::payout_docs::statement(ports.mail_from, &reseller, ticket, now).map_err(other)?;
    let owed = outbox::owe_to(
        &format!("statement-{}", ticket.payout_id),
        ports.mail_from,
        &reseller.email,
        &mime,
        now,
    )?;
    let key = repo::payout_key(&ticket.month, &ticket.payee);
    Ok(Some(outbox::counting_on(owed, &key, "statement_deliveries")?))
}

/// Sends finance the month's email once every payee's ticket is issued. `resend` (a re-run of
/// the job) also retries an email whose sending was interrupted.
async fn finish_month(ports: &PayoutPorts<'_>, month: &str, resend: bool) -> Result<(), PayoutError> {
    let Some(run) = ports.table.get(&repo::payout_run_key(month)).await? else {
        return Ok(());
    };
    let expected = run.get("payees").and_then(Value::as_u64).unwrap_or(0) as usize;
    let tickets: Vec<Ticket> = query_all(
        ports.table,
        Query::new(repo::payout_pk(month)).sk(SkRange::BeginsWith(repo::PAYOUT_TICKET_PREFIX.into())),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect::<Result<_, _>>()?;
    if tickets.len() < expected || tickets.iter().any(|t| t.status != TicketStatus::Issued) {
        return Ok(());
    }
    let guard_key = repo::finance_email_key(month);
    let guard = repo::FinanceEmail {
        month: month.to_string(),
        status: repo::SendStatus::Sending,
        at: ports.clock.now(),
    };
    match ports.table.put(repo::item(&guard)?, Some(Cond::NotExists)).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => {
            let status = ports
                .table
                .get(&guard_key)
                .await?
                .and_then(|i| repo::string_attr(&i, "status"));
            if !(resend && status.as_deref() == Some("sending")) {
                return Ok(());
            }
        }
        Err(e) => return Err(e.into()),
    }
    let overdue: Vec<Ticket> = unpaid_tickets(ports.table, ports.clock.now(), ports.rules.tax.unpaid_after_days)
        .await?
        .into_iter()
        .filter(|t| t.month.as_str() < month)
        .collect();
    let mime = crate::payout_docs::finance(
        ports.mail_from,
        ports.finance_email,
        month,
        &tickets,
        &overdue,
        ports.clock.now(),
    )
    .map_err(other)?;
    crate::mail::send(ports.mailer, ports.mail_from, ports.finance_email, mime)
        .await
        .map_err(other)?;
    let sent = repo::FinanceEmail {
        month: month.to_string(),
        status: repo::SendStatus::Sent,
        at: ports.clock.now(),
    };
    ports.table.put(repo::item(&sent)?, None).await?;
    Ok(())
}

pub async fn month_tickets(table: &dyn Table, month: &str) -> Result<Vec<Ticket>, StoreError> {
    query_all(
        table,
        Query::new(repo::payout_pk(month)).sk(SkRange::BeginsWith(repo::PAYOUT_TICKET_PREFIX.into())),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect()
}

/// One page of a payee's tickets, oldest month first, and where the next page starts.
pub async fn payee_tickets_page(
    table: &dyn Table,
    payee: &str,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Ticket>, Option<String>), StoreError> {
    let q = Query::new(repo::payouts_index_pk(payee))
        .index(Index::Gsi1)
        .limit(limit.clamp(1, 100))
        .after(cursor);
    let page = table.query(&q).await?;
    let tickets = page.items.into_iter().map(repo::record).collect::<Result<_, _>>()?;
    Ok((tickets, page.cursor))
}

/// Every ticket of a payee, oldest month first (one a month it had something to pay).
pub async fn payee_tickets(table: &dyn Table, payee: &str) -> Result<Vec<Ticket>, StoreError> {
    query_all(table, Query::new(repo::payouts_index_pk(payee)).index(Index::Gsi1))
        .await?
        .into_iter()
        .map(repo::record)
        .collect()
}

/// Money owed to micro and small enterprises (section 43B(h)) on `on`: what is already late, and
/// what falls due within `within_days` — by due date, from the index of unpaid MSME tickets.
pub async fn msme_dues(table: &dyn Table, on: chrono::NaiveDate, within_days: i64) -> Result<MsmeDues, StoreError> {
    let upto = repo::msme_due_upto(&(on + chrono::Duration::days(within_days)));
    let tickets: Vec<Ticket> = query_all(
        table,
        Query::new(repo::MSME_DUE_INDEX_PK)
            .index(Index::Gsi2)
            .sk(SkRange::UpTo(upto)),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect::<Result<_, _>>()?;
    let (late, due_soon) = tickets.into_iter().partition(|t| t.due_by.is_some_and(|d| d < on));
    Ok(MsmeDues { on, late, due_soon })
}

/// Unpaid payables to micro and small enterprises around a day.
#[derive(Debug, Clone)]
pub struct MsmeDues {
    pub on: chrono::NaiveDate,
    /// past their due date
    pub late: Vec<Ticket>,
    /// due within the window
    pub due_soon: Vec<Ticket>,
}

/// The platform's GST under reverse charge for a month: per payee abroad, the commission (the
/// import of services) and the IGST the platform owes on it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RcmRow {
    pub payee: String,
    pub payee_name: String,
    pub country: Option<String>,
    pub payout_id: String,
    pub currency: String,
    #[schema(value_type = String)]
    pub taxable_value: Decimal,
    #[schema(value_type = String)]
    pub igst: Decimal,
}

pub async fn rcm_month(table: &dyn Table, month: &str) -> Result<Vec<RcmRow>, StoreError> {
    let mut rows = Vec::new();
    for t in month_tickets(table, month).await? {
        for l in &t.lines {
            let Some(tax) = &l.tax else { continue };
            if tax.rcm_igst.is_zero() {
                continue;
            }
            rows.push(RcmRow {
                payee: t.payee.clone(),
                payee_name: t.payee_name.clone(),
                country: t.payee_tax.as_ref().and_then(|p| p.country.clone()),
                payout_id: t.payout_id.clone(),
                currency: l.currency.clone(),
                taxable_value: tax.taxable_value,
                igst: tax.rcm_igst,
            });
        }
    }
    Ok(rows)
}

/// Issued tickets with money still to transfer `days` or more after their issue, oldest first.
pub async fn unpaid_tickets(table: &dyn Table, now: DateTime<Utc>, days: i64) -> Result<Vec<Ticket>, StoreError> {
    let before = now - chrono::Duration::days(days);
    let upto = format!("{}{}", repo::key_time(&before), repo::AFTER_ANY_ID);
    query_all(
        table,
        Query::new(repo::UNPAID_PAYOUTS_INDEX_PK)
            .index(Index::Gsi3)
            .sk(SkRange::UpTo(upto)),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect()
}

/// One payee's ticket of one month, if any.
pub async fn ticket(table: &dyn Table, month: &str, payee: &str) -> Result<Option<Ticket>, StoreError> {
    repo::get_record(table, &repo::payout_key(month, payee)).await
}
