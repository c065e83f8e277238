//! The response bodies of the money reads (`GET /orders/{id}`, the ledger, payout tickets):
//! typed, so the OpenAPI description shows their fields. Amounts are decimal strings.

use crate::domain::billing::{Customer, Order, OrderLine, Payment, Refund, Status};
use crate::domain::catalogue::ProductKind;
use crate::domain::ledger::Entry;
use crate::domain::payout::{Invoice, InvoiceDraft, Line, PaymentStatus, Settlement, Ticket, TicketStatus};
use crate::domain::payout_tax::LineTax;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Amounts per currency, e.g. `{"INR": "1200.00"}`.
pub type Totals = BTreeMap<String, Decimal>;

/// What a billing webhook answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAnswer {
    /// accepted | already_received
    pub status: &'static str,
    pub id: String,
}

impl WebhookAnswer {
    pub fn accepted(id: &str) -> WebhookAnswer {
        WebhookAnswer {
            status: "accepted",
            id: id.to_string(),
        }
    }
    pub fn already_received(id: &str) -> WebhookAnswer {
        WebhookAnswer {
            status: "already_received",
            id: id.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub refund_id: String,
    pub amount: Decimal,
    pub reason: String,
    pub refunded_at: DateTime<Utc>,
    /// received | held | processed | rejected
    #[schema(value_type = String)]
    pub status: Status,
    pub status_reason: Option<String>,
}

impl From<&Refund> for RefundView {
    fn from(r: &Refund) -> RefundView {
        RefundView {
            refund_id: r.facts.refund_id.clone(),
            amount: r.facts.amount,
            reason: r.facts.reason.clone(),
            refunded_at: r.facts.refunded_at,
            status: r.status,
            status_reason: r.status_reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub payment_id: String,
    /// licence | amc | renewal | milestone
    #[schema(value_type = String)]
    pub kind: crate::domain::commission::PaymentKind,
    pub amount: Decimal,
    pub currency: String,
    pub paid_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub status: Status,
    pub status_reason: Option<String>,
    pub refunded: Decimal,
    /// the ledger entries it earned, with their explanations
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<crate::domain::commission::Draft>,
    pub refunds: Vec<RefundView>,
}

impl PaymentView {
    pub fn new(p: &Payment, refunds: &[Refund]) -> PaymentView {
        PaymentView {
            payment_id: p.facts.payment_id.clone(),
            kind: p.facts.kind,
            amount: p.facts.amount,
            currency: p.facts.currency.clone(),
            paid_at: p.facts.paid_at,
            status: p.status,
            status_reason: p.status_reason.clone(),
            refunded: p.refunded,
            entries: p.entries.clone(),
            refunds: refunds.iter().map(RefundView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderTotals {
    pub licence: Decimal,
    pub amc: Decimal,
    pub services: Decimal,
}

/// An order, its deal terms, what was paid, and every payment with its entries and refunds.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub order_id: String,
    pub lead_id: String,
    pub reseller_id: String,
    #[schema(value_type = Object)]
    pub customer: Customer,
    pub customer_po: Option<String>,
    pub vendor_po: Option<String>,
    pub currency: String,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<OrderLine>,
    pub totals: OrderTotals,
    pub referring_reseller_id: Option<String>,
    pub referral_code: Option<String>,
    pub sell_price: Option<Decimal>,
    /// the commission terms fixed when the order arrived
    #[schema(value_type = Object)]
    pub deal: crate::domain::commission::Deal,
    /// paid so far, per payment kind
    #[schema(value_type = Object)]
    pub paid: Totals,
    pub payments: Vec<PaymentView>,
    pub received_at: DateTime<Utc>,
}

impl OrderView {
    pub fn new(order: &Order, payments: Vec<PaymentView>) -> OrderView {
        let f = &order.facts;
        OrderView {
            order_id: f.order_id.clone(),
            lead_id: f.lead_id.clone(),
            reseller_id: f.reseller_id.clone(),
            customer: f.customer.clone(),
            customer_po: f.customer_po.clone(),
            vendor_po: f.vendor_po.clone(),
            currency: f.currency.clone(),
            lines: f.lines.clone(),
            totals: OrderTotals {
                licence: f.total(ProductKind::Licence),
                amc: f.total(ProductKind::Amc),
                services: f.total(ProductKind::Services),
            },
            referring_reseller_id: f.referring_reseller_id.clone(),
            referral_code: f.referral_code.clone(),
            sell_price: f.sell_price,
            deal: order.deal.clone(),
            paid: order.earned.paid.clone(),
            payments,
            received_at: order.received_at,
        }
    }
}

/// One ledger entry as a reseller sees it: what earned it and how it was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub payee: String,
    pub source: crate::domain::ledger::EntrySource,
    pub source_id: String,
    pub order_id: String,
    pub component: crate::domain::commission::Component,
    pub base: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
    pub currency: String,
    pub earned_at: DateTime<Utc>,
    pub explanation: String,
}

impl From<&Entry> for EntryView {
    fn from(e: &Entry) -> EntryView {
        EntryView {
            payee: e.payee.clone(),
            source: e.source,
            source_id: e.source_id.clone(),
            order_id: e.order_id.clone(),
            component: e.component,
            base: e.base,
            rate: e.rate,
            amount: e.amount,
            currency: e.currency.clone(),
            earned_at: e.earned_at,
            explanation: e.explanation.clone(),
        }
    }
}

/// A reseller's ledger for one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerView {
    pub reseller_id: String,
    pub month: String,
    /// the currency `totals` is in
    pub currency: String,
    pub entries: Vec<EntryView>,
    /// per component, in `currency`
    #[schema(value_type = Object)]
    pub totals: Totals,
    /// per currency, per component
    #[schema(value_type = Object)]
    pub totals_by_currency: BTreeMap<String, Totals>,
}

/// One currency's line of a payout ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutLineView {
    pub currency: String,
    pub licence: Decimal,
    pub amc_first_year: Decimal,
    pub amc_renewal: Decimal,
    pub referral: Decimal,
    #[serde(rename = "override")]
    pub override_: Decimal,
    pub margin: Decimal,
    pub clawbacks: Decimal,
    pub carried_in: Decimal,
    pub net: Decimal,
    /// paid this month before taxes (`net` when at least the minimum payout)
    pub gross_payable: Decimal,
    /// what is transferred: gross + GST − TDS
    pub net_payable: Decimal,
    pub carried_out: Decimal,
    /// of the net, margin (not commission: no TDS, no GST)
    pub margin_net: Decimal,
    pub entries: usize,
    /// TDS (each rate's part, with the section and code in force on the date of credit), GST,
    /// the platform's reverse-charge IGST for a payee abroad, and the year's totals
    pub tax: Option<LineTax>,
    /// the net payable converted into the payout currency (original, rate, date, amount)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<crate::domain::payout::Transfer>,
    /// a remittance abroad that needs the remittance forms
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remittance_forms: Option<String>,
}

impl From<&Line> for PayoutLineView {
    fn from(l: &Line) -> PayoutLineView {
        PayoutLineView {
            currency: l.currency.clone(),
            licence: l.licence,
            amc_first_year: l.amc_first_year,
            amc_renewal: l.amc_renewal,
            referral: l.referral,
            override_: l.override_,
            margin: l.margin,
            clawbacks: l.clawbacks,
            carried_in: l.carried_in,
            net: l.net,
            gross_payable: l.payable,
            net_payable: l.net_payable(),
            carried_out: l.carried_out,
            margin_net: l.margin_net,
            entries: l.entries,
            tax: l.tax.clone(),
            transfer: l.transfer.clone(),
            remittance_forms: l.remittance_forms.clone(),
        }
    }
}

/// Where a ticket's money is: its status, the bank reference, and each transfer's UTR.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutPaymentView {
    pub status: PaymentStatus,
    pub reference: String,
    /// per currency
    #[schema(value_type = Object)]
    pub settled: BTreeMap<String, Settlement>,
}

/// The payee's tax identity on the ticket (PAN and GSTIN masked except for the admin).
#[derive(Debug, Serialize, ToSchema)]
pub struct PayeeTaxView {
    pub pan: Option<String>,
    pub legal_name: Option<String>,
    pub gstin: Option<String>,
    pub residency: crate::domain::tax_profile::Residency,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msme: Option<crate::domain::tax_profile::Msme>,
    pub einvoice_required: bool,
}

/// A payout ticket: one payee's month.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutTicketView {
    pub payout_id: String,
    pub month: String,
    pub payee: String,
    pub payee_name: String,
    #[schema(value_type = String)]
    pub status: TicketStatus,
    pub lines: Vec<PayoutLineView>,
    pub entries_settled: usize,
    pub issued_at: Option<DateTime<Utc>>,
    pub statement_sent: bool,
    #[schema(value_type = Option<String>)]
    pub credited_on: Option<chrono::NaiveDate>,
    pub payee_tax: Option<PayeeTaxView>,
    pub invoice_draft: Option<InvoiceDraft>,
    pub invoice: Option<Invoice>,
    /// the e-invoice's IRN, acknowledgement number and date
    #[serde(skip_serializing_if = "Option::is_none")]
    pub einvoice: Option<crate::domain::payout::EInvoice>,
    pub payment: PayoutPaymentView,
    /// the last day to pay a micro or small enterprise (section 43B(h))
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub due_by: Option<chrono::NaiveDate>,
    /// the currency the payee is paid in, when converted
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payout_currency: Option<String>,
}

impl PayoutTicketView {
    /// `full`: the admin's view (PAN and GSTIN unmasked).
    pub fn of(t: &Ticket, full: bool) -> PayoutTicketView {
        let mask = |v: &Option<String>| {
            v.as_deref().map(|v| {
                if full {
                    v.to_string()
                } else {
                    crate::domain::tax_id::mask(v, 4)
                }
            })
        };
        PayoutTicketView {
            payout_id: t.payout_id.clone(),
            month: t.month.clone(),
            payee: t.payee.clone(),
            payee_name: t.payee_name.clone(),
            status: t.status,
            lines: t.lines.iter().map(PayoutLineView::from).collect(),
            entries_settled: t.entries.len(),
            issued_at: t.issued_at,
            statement_sent: t.statement_sent(),
            credited_on: t.credited_on,
            payee_tax: t.payee_tax.as_ref().map(|p| PayeeTaxView {
                pan: mask(&p.pan),
                legal_name: p.legal_name.clone(),
                gstin: mask(&p.gstin),
                residency: p.residency,
                country: p.country.clone(),
                msme: p.msme.clone(),
                einvoice_required: p.einvoice_required,
            }),
            // the supplier's GSTIN holds its PAN: masked like it
            invoice_draft: t.invoice_draft.clone().map(|mut d| {
                if !full {
                    d.supplier_gstin = crate::domain::tax_id::mask(&d.supplier_gstin, 4);
                }
                d
            }),
            invoice: t.invoice.clone(),
            einvoice: t.einvoice.clone(),
            due_by: t.due_by,
            payout_currency: t.payout_currency.clone(),
            payment: PayoutPaymentView {
                status: t.payment.status,
                reference: t.payment.reference.clone(),
                settled: t.payment.settled.clone(),
            },
        }
    }
}

/// Every payout ticket of a month, with the month's totals per currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthPayoutsView {
    pub month: String,
    pub payouts: Vec<PayoutTicketView>,
    #[schema(value_type = Object)]
    pub totals: Totals,
}

/// A reseller's payout tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResellerPayoutsView {
    pub reseller_id: String,
    /// oldest month first
    pub payouts: Vec<PayoutTicketView>,
    /// where the next page starts (`?cursor=`), when more months follow
    pub cursor: Option<String>,
}
