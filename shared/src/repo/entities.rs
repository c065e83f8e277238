//! Each persisted entity's one definition of its key and index entries (in the spirit of
//! modyne's `Entity`): every item the platform writes is built by [`item`] from a type
//! implementing [`Entity`], with its keys from `keys.rs`. An index entry that depends on state
//! (a payment on the held index while held, an entry on the unpaid index until paid, an SLA
//! or a step on its due index while waiting) is derived from that state here, nowhere else.

use super::keys::*;
use crate::domain::audit::AuditEvent;
use crate::domain::billing::{Order, Payment, Refund, Status};
use crate::domain::lead::{email_key, Lead};
use crate::domain::ledger::Entry;
use crate::domain::payout::{Balance, PaymentStatus, Ticket};
use crate::domain::prospects::{Counts, Import};
use crate::domain::renewal::{india_date, Contract, Signal};
use crate::domain::reseller::Reseller;
use crate::domain::routing::ADMIN_QUEUE;
use crate::domain::scoring::ScoreReason;
use crate::domain::sequence::{Step, StepStatus};
use crate::domain::sla::{Sla, SlaStatus};
use crate::ports::table::{Index, Item, Key, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An entry on one of the overloaded indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    pub index: Index,
    pub pk: String,
    pub sk: String,
}

fn on(index: Index, pk: impl Into<String>, sk: impl Into<String>) -> IndexEntry {
    IndexEntry {
        index,
        pk: pk.into(),
        sk: sk.into(),
    }
}

/// A record the table keeps.
pub trait Entity: Serialize {
    /// the `entity` attribute of its items
    const NAME: &'static str;
    fn key(&self) -> Key;
    /// its index entries, as its current state decides them
    fn index_entries(&self) -> Vec<IndexEntry> {
        Vec::new()
    }
}

/// The item for an entity: its attributes, `pk`, `sk`, `entity` and its index entries.
pub fn item<E: Entity>(e: &E) -> Result<Item, StoreError> {
    let mut item = match serde_json::to_value(e).map_err(|x| StoreError::Invalid(x.to_string()))? {
        Value::Object(m) => m,
        _ => return Err(StoreError::Invalid(format!("a {} is not an object", E::NAME))),
    };
    let key = e.key();
    item.insert("pk".into(), json!(key.pk));
    item.insert("sk".into(), json!(key.sk));
    item.insert("entity".into(), json!(E::NAME));
    for entry in e.index_entries() {
        let name = entry.index.name();
        item.insert(format!("{name}pk"), json!(entry.pk));
        item.insert(format!("{name}sk"), json!(entry.sk));
    }
    Ok(item)
}

// ---- leads ----

impl Entity for Lead {
    const NAME: &'static str = "lead";
    fn key(&self) -> Key {
        lead_key(&self.lead_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let stage = if self.spam {
            "SPAM".to_string()
        } else if self.closed_lost {
            "CLOSED_LOST".to_string()
        } else {
            self.stage.code().to_string()
        };
        let mut out = vec![
            on(Index::Gsi1, email_index_pk(&email_key(&self.email)), &self.lead_id),
            on(Index::Gsi3, stage_index_pk(&stage), &self.lead_id),
            on(
                Index::Gsi4,
                leads_index_pk(&crate::domain::aggregates::month_of(self.created_at)),
                &self.lead_id,
            ),
        ];
        // spam is listed by stage only: it is nobody's lead
        if !self.spam {
            let owner = match (&self.owner_reseller_id, &self.queue) {
                (Some(o), _) => o.clone(),
                (None, Some(q)) => q.clone(),
                (None, None) => "unassigned".into(),
            };
            out.push(on(Index::Gsi2, owner_index_pk(&owner), &self.lead_id));
        }
        if let Some((owner, column)) = self.board_place() {
            out.push(on(
                Index::Gsi5,
                board_index_pk(owner, column),
                board_index_sk(&self.updated_at, &self.lead_id),
            ));
            if self.is_valued_deal() {
                out.push(on(Index::Gsi6, deals_index_pk(owner), &self.lead_id));
            }
        }
        out
    }
}

/// Which owner value a lead without a reseller is listed under.
pub fn admin_queue() -> &'static str {
    ADMIN_QUEUE
}

/// An audit event, kept in its lead's partition.
#[derive(Debug, Serialize)]
pub struct LeadAudit<'a> {
    #[serde(skip)]
    pub lead_id: &'a str,
    #[serde(flatten)]
    pub event: &'a AuditEvent,
}

impl Entity for LeadAudit<'_> {
    const NAME: &'static str = "audit";
    fn key(&self) -> Key {
        audit_key(self.lead_id, &self.event.at, &self.event.event_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        audit_index_entries(self.event)
    }
}

/// Every audit event is listed by the person who acted and by day (`GET /audit`).
fn audit_index_entries(event: &AuditEvent) -> Vec<IndexEntry> {
    let sk = audit_index_sk(&event.at, &event.event_id);
    vec![
        on(Index::Gsi1, audit_by_index_pk(&event.actor), sk.clone()),
        on(Index::Gsi2, audit_day_index_pk(&event.at.date_naive()), sk),
    ]
}

/// An audit event about something other than a lead, in its subject's partition.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditRecord {
    /// `reseller:<id>`, `user:<id>`, `staff:<id>`, `payout:<month>`…
    pub subject: String,
    #[serde(flatten)]
    pub event: AuditEvent,
}

impl Entity for AuditRecord {
    const NAME: &'static str = "audit";
    fn key(&self) -> Key {
        audit_log_key(&self.subject, &self.event.at, &self.event.event_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        audit_index_entries(&self.event)
    }
}

/// A month in which leads were captured (written before its first lead is).
#[derive(Debug, Serialize, Deserialize)]
pub struct LeadMonth {
    pub month: String,
}

impl Entity for LeadMonth {
    const NAME: &'static str = "lead_month";
    fn key(&self) -> Key {
        lead_month_key(&self.month)
    }
}

/// The open lead an email address has (one at a time).
#[derive(Debug, Serialize, Deserialize)]
pub struct EmailGuard {
    #[serde(skip)]
    pub email_key: String,
    pub lead_id: String,
}

impl Entity for EmailGuard {
    const NAME: &'static str = "email_guard";
    fn key(&self) -> Key {
        email_guard_key(&self.email_key)
    }
}

/// The answer given to an `Idempotency-Key`, kept for replays.
#[derive(Debug, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    #[serde(skip)]
    pub key_hash: String,
    pub request_hash: String,
    pub body: Value,
    pub expires_at: String,
    /// lets DynamoDB delete it eventually (expiry is still checked on read)
    pub ttl: i64,
}

impl Entity for IdempotencyRecord {
    const NAME: &'static str = "idempotency";
    fn key(&self) -> Key {
        idempotency_key(&self.key_hash)
    }
}

/// The hot-lead alert's once-only guard, written with the call task and the alert's letter
/// (`LETTER#hot-<lead id>`, which says whether it was sent).
#[derive(Debug, Serialize, Deserialize)]
pub struct HotAlert {
    pub lead_id: String,
    /// `owed` (items written before the outbox say `sending` or `sent`)
    pub status: SendStatus,
    pub at: DateTime<Utc>,
    pub owner: Option<String>,
}

impl Entity for HotAlert {
    const NAME: &'static str = "hot_alert";
    fn key(&self) -> Key {
        hot_alert_key(&self.lead_id)
    }
}

/// The call a hot lead's owner is asked to make.
#[derive(Debug, Serialize, Deserialize)]
pub struct CallTask {
    pub lead_id: String,
    pub task: String,
    pub due_at: DateTime<Utc>,
    pub owner: Option<String>,
}

impl Entity for CallTask {
    const NAME: &'static str = "task";
    fn key(&self) -> Key {
        call_task_key(&self.lead_id)
    }
}

/// One engagement event applied to a lead's score, once.
#[derive(Debug, Serialize, Deserialize)]
pub struct Engagement {
    pub lead_id: String,
    #[serde(skip)]
    pub event_id: String,
    pub kind: String,
    pub at: DateTime<Utc>,
}

impl Entity for Engagement {
    const NAME: &'static str = "engagement";
    fn key(&self) -> Key {
        engagement_key(&self.lead_id, &self.event_id)
    }
}

/// A referred lead's ticket; its fee is settled when the deal pays.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReferralTicket {
    pub lead_id: String,
    pub referrer: String,
    pub referred_email: String,
    pub code: String,
    pub click_id: String,
    pub clicked_at: DateTime<Utc>,
    pub fee: String,
    pub created_at: DateTime<Utc>,
}

impl Entity for ReferralTicket {
    const NAME: &'static str = "referral_ticket";
    fn key(&self) -> Key {
        referral_ticket_key(&self.lead_id)
    }
}

// ---- resellers, keys, codes, clicks, registrations ----

impl Entity for Reseller {
    const NAME: &'static str = "reseller";
    fn key(&self) -> Key {
        reseller_key(&self.reseller_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = vec![on(
            Index::Gsi1,
            resellers_index_pk(self.status.as_str()),
            &self.reseller_id,
        )];
        if let Some(parent) = &self.parent_reseller_id {
            out.push(on(Index::Gsi2, children_index_pk(parent), &self.reseller_id));
        }
        out.push(on(Index::Gsi3, reseller_email_index_pk(&self.email), &self.reseller_id));
        if let Some(cm) = &self.channel_manager {
            out.push(on(Index::Gsi4, partners_index_pk(cm), &self.reseller_id));
        }
        out
    }
}

impl Entity for crate::domain::people::User {
    const NAME: &'static str = "user";
    fn key(&self) -> Key {
        user_key(&self.user_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(Index::Gsi1, team_index_pk(&self.reseller_id), &self.user_id)]
    }
}

impl Entity for crate::domain::people::Staff {
    const NAME: &'static str = "staff";
    fn key(&self) -> Key {
        staff_key(&self.staff_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(Index::Gsi1, STAFF_INDEX_PK, &self.staff_id)]
    }
}

/// Who a portal login or session is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum PortalUser {
    /// a person of a reseller, by user id
    User(String),
    /// a member of the vendor's staff, by staff id
    Staff(String),
    /// sessions from before people were kept: they end on their next visit
    Admin(String),
    Reseller(String),
}

/// A one-time login link: single use, short-lived.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginLink {
    #[serde(skip)]
    pub token_hash: String,
    pub user: PortalUser,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub ttl: i64,
}

impl Entity for LoginLink {
    const NAME: &'static str = "login_link";
    fn key(&self) -> Key {
        login_link_key(&self.token_hash)
    }
}

/// A portal session: who, until when, and the token its forms must carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    #[serde(skip)]
    pub session_hash: String,
    pub user: PortalUser,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ttl: i64,
}

impl Entity for Session {
    const NAME: &'static str = "session";
    fn key(&self) -> Key {
        session_key(&self.session_hash)
    }
}

impl Entity for crate::domain::pipeline::DecidedDeal {
    const NAME: &'static str = "outcome";
    fn key(&self) -> Key {
        outcome_key(&self.reseller_id, &self.at, &self.lead_id)
    }
}

impl Entity for crate::domain::application::Application {
    const NAME: &'static str = "application";
    fn key(&self) -> Key {
        application_key(&self.application_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(
            Index::Gsi1,
            applications_index_pk(self.status.as_str()),
            &self.application_id,
        )]
    }
}

/// Holds an email address for the account that signs in with it (a reseller today), so that
/// no second account differing only in case is ever given it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailClaim {
    #[serde(skip)]
    pub email: String,
    /// `user:<id>` or `staff:<id>` (`reseller:<id>` before people were kept: its owner)
    pub holder: String,
}

impl Entity for EmailClaim {
    const NAME: &'static str = "email_claim";
    fn key(&self) -> Key {
        email_claim_key(&self.email)
    }
}

/// Holds a company domain for one pending application, then for the reseller it became.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanyDomainGuard {
    pub domain: String,
    pub application_id: String,
    pub reseller_id: Option<String>,
}

impl Entity for CompanyDomainGuard {
    const NAME: &'static str = "company_domain_guard";
    fn key(&self) -> Key {
        company_domain_key(&self.domain)
    }
}

impl Entity for crate::domain::quote::Quote {
    const NAME: &'static str = "quote";
    fn key(&self) -> Key {
        quote_key(&self.quote_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            on(Index::Gsi1, lead_quotes_index_pk(&self.lead_id), &self.quote_id),
            on(Index::Gsi3, quote_status_index_pk(self.status.as_str()), &self.quote_id),
        ]
    }
}

impl Entity for crate::domain::quote::WonDiscount {
    const NAME: &'static str = "won_discount";
    fn key(&self) -> Key {
        won_discount_key(&self.erp_size, &self.industry, &self.at, &self.lead_id)
    }
}

impl Entity for crate::domain::support::CoSell {
    const NAME: &'static str = "cosell";
    fn key(&self) -> Key {
        cosell_key(&self.cosell_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(
            Index::Gsi1,
            cosell_status_index_pk(self.status.as_str()),
            &self.cosell_id,
        )]
    }
}

impl Entity for crate::domain::support::SupportTicket {
    const NAME: &'static str = "support_ticket";
    fn key(&self) -> Key {
        support_ticket_key(&self.ticket_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = vec![
            on(
                Index::Gsi1,
                contract_tickets_index_pk(&self.contract_id),
                &self.ticket_id,
            ),
            on(
                Index::Gsi2,
                reseller_tickets_index_pk(&self.reseller_id),
                &self.ticket_id,
            ),
        ];
        // escalated to the vendor and open: support's queue, by its response deadline
        if self.status == crate::domain::support::TicketStatus::Open && self.level != crate::domain::support::Level::L1
        {
            out.push(on(
                Index::Gsi3,
                VENDOR_TICKETS_INDEX_PK,
                format!("{}#{}", key_time(&self.respond_by), self.ticket_id),
            ));
        }
        out
    }
}

/// How often the stuck-lead sweep has queued a lead for scoring again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Requeued {
    pub lead_id: String,
    pub attempts: u32,
    pub last_at: DateTime<Utc>,
    pub version: u64,
}

impl Entity for Requeued {
    const NAME: &'static str = "requeued";
    fn key(&self) -> Key {
        requeue_key(&self.lead_id)
    }
}

impl Entity for crate::domain::catalogue::Product {
    const NAME: &'static str = "product";
    fn key(&self) -> Key {
        product_key(&self.sku)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(Index::Gsi1, PRODUCTS_INDEX_PK, &self.sku)]
    }
}

/// A reseller's API key, stored as its SHA-256 only (the key itself is shown once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    #[serde(skip)]
    pub hash: String,
    /// the reseller whose person holds it (empty for a staff member's key)
    pub reseller_id: String,
    /// the person it was issued to (a key from before people were kept: the reseller's owner)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// the key's public name: the first 16 hex digits of its hash
    #[serde(default)]
    pub key_id: Option<String>,
    /// the key's first characters (`rk_1a2b…`), to recognise it
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// when it was last used (kept to the hour)
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKeyRecord {
    /// A new key's record.
    pub fn new(api_key: &str, reseller_id: &str, now: DateTime<Utc>) -> ApiKeyRecord {
        let hash = crate::ids::sha256_hex(api_key);
        ApiKeyRecord {
            key_id: Some(hash[..16].to_string()),
            prefix: Some(api_key.chars().take(9).collect()),
            hash,
            reseller_id: reseller_id.to_string(),
            user_id: None,
            staff_id: None,
            created_at: Some(now),
            last_used_at: None,
        }
    }

    /// A new key for a person of a reseller.
    pub fn for_user(api_key: &str, user: &crate::domain::people::User, now: DateTime<Utc>) -> ApiKeyRecord {
        ApiKeyRecord {
            user_id: Some(user.user_id.clone()),
            ..ApiKeyRecord::new(api_key, &user.reseller_id, now)
        }
    }

    /// A new key for a member of staff.
    pub fn for_staff(api_key: &str, staff_id: &str, now: DateTime<Utc>) -> ApiKeyRecord {
        ApiKeyRecord {
            staff_id: Some(staff_id.to_string()),
            ..ApiKeyRecord::new(api_key, "", now)
        }
    }
}

impl Entity for ApiKeyRecord {
    const NAME: &'static str = "api_key";
    fn key(&self) -> Key {
        api_key_key(&self.hash)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        match (&self.key_id, &self.staff_id) {
            (Some(id), Some(staff)) => vec![on(Index::Gsi1, staff_keys_index_pk(staff), id)],
            (Some(id), None) => vec![on(Index::Gsi1, api_keys_index_pk(&self.reseller_id), id)],
            (None, _) => vec![],
        }
    }
}

/// A referral code: a reseller's, or a customer's (with the customer's name and email).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ReferralCodeRecord {
    #[serde(skip)]
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reseller_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

impl Entity for ReferralCodeRecord {
    const NAME: &'static str = "referral_code";
    fn key(&self) -> Key {
        referral_code_key(&self.code)
    }
}

impl Entity for crate::domain::referral::Click {
    const NAME: &'static str = "referral_click";
    fn key(&self) -> Key {
        referral_click_key(&self.click_id)
    }
}

impl Entity for crate::domain::registration::Registration {
    const NAME: &'static str = "registration";
    fn key(&self) -> Key {
        registration_key(&self.reseller_id, &self.registration_id)
    }
}

/// Where the claim on a company by name or by domain is kept.
pub fn claim_key(on: &crate::domain::registration::ClaimOn) -> Key {
    use crate::domain::registration::ClaimOn;
    match on {
        ClaimOn::Name(n) => name_claim_key(n),
        ClaimOn::Domain(d) => domain_claim_key(d),
    }
}

impl Entity for crate::domain::registration::Claim {
    const NAME: &'static str = "registration_claim";
    fn key(&self) -> Key {
        claim_key(&self.on)
    }
}

/// A registration refused because another reseller holds the company (for the programme).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationConflict {
    /// (kept from the key by records made before it was stored)
    #[serde(default)]
    pub id: String,
    pub company: String,
    pub domain: Option<String>,
    pub protected_for: String,
    pub claimed_by: String,
    pub protected_until: DateTime<Utc>,
    pub at: DateTime<Utc>,
    /// what the claimant registered with (to register it for the claimant if the programme
    /// decides for it)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_value: Option<String>,
    /// the programme's decision: `approved` (the company went to the claimant) or `rejected`
    /// (the holder keeps it); none while open
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<ConflictDecision>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConflictDecision {
    pub outcome: String,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Entity for RegistrationConflict {
    const NAME: &'static str = "registration_conflict";
    fn key(&self) -> Key {
        conflict_key(&self.id)
    }
}

// ---- billing, the ledger and contracts ----

impl Entity for Order {
    const NAME: &'static str = "order";
    fn key(&self) -> Key {
        order_key(&self.facts.order_id)
    }
}

impl Entity for Payment {
    const NAME: &'static str = "payment";
    fn key(&self) -> Key {
        payment_key(&self.facts.payment_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = vec![on(
            Index::Gsi2,
            order_payments_index_pk(&self.facts.order_id),
            &self.facts.payment_id,
        )];
        if self.status == Status::Held {
            out.push(on(
                Index::Gsi1,
                held_index_pk(&self.facts.order_id),
                &self.facts.payment_id,
            ));
        }
        out
    }
}

impl Entity for Refund {
    const NAME: &'static str = "refund";
    fn key(&self) -> Key {
        refund_key(&self.facts.refund_id)
    }
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![on(
            Index::Gsi2,
            payment_refunds_index_pk(&self.facts.payment_id),
            &self.facts.refund_id,
        )]
    }
}

impl Entity for Entry {
    const NAME: &'static str = "ledger_entry";
    fn key(&self) -> Key {
        ledger_key(&self.payee, &self.earned_at, &self.source_id, self.component.as_str())
    }
    /// listed as unpaid until a payout settles it
    fn index_entries(&self) -> Vec<IndexEntry> {
        match self.payout_id {
            Some(_) => vec![],
            None => vec![on(Index::Gsi2, unpaid_index_pk(&self.payee), self.key().sk)],
        }
    }
}

impl Entity for Contract {
    const NAME: &'static str = "contract";
    fn key(&self) -> Key {
        contract_key(&self.contract_id)
    }
    /// on the renewal index by its India renewal date, however and whenever it is written
    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![
            on(
                Index::Gsi1,
                RENEWALS_INDEX_PK,
                renewal_index_sk(india_date(self.renewal_date), &self.contract_id),
            ),
            on(
                Index::Gsi2,
                reseller_contracts_index_pk(&self.reseller_id),
                &self.contract_id,
            ),
        ]
    }
}

/// A health signal as received, once per signal id.
#[derive(Debug, Serialize, Deserialize)]
pub struct SignalRecord {
    #[serde(skip)]
    pub contract_id: String,
    pub signal_id: String,
    pub signal: Signal,
    pub request_hash: String,
    pub received_at: DateTime<Utc>,
}

impl Entity for SignalRecord {
    const NAME: &'static str = "signal";
    fn key(&self) -> Key {
        signal_key(&self.contract_id, &self.signal_id)
    }
}

/// Where a once-only send stands: owed (its letter is with the outbox), or the two steps of
/// items written before the outbox (`sending`, then `sent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendStatus {
    Owed,
    Sending,
    Sent,
}

/// A risk ticket is open for its cycle (a renewal paid starts the next cycle's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskTicketStatus {
    Open,
}

/// A contract at risk in a renewal cycle, for the reseller and admins.
#[derive(Debug, Serialize, Deserialize)]
pub struct RiskTicket {
    pub contract_id: String,
    pub cycle: String,
    pub score: u32,
    pub reasons: Vec<ScoreReason>,
    pub status: RiskTicketStatus,
    pub reseller_id: String,
    pub updated_at: DateTime<Utc>,
    pub first_flagged_at: DateTime<Utc>,
}

impl Entity for RiskTicket {
    const NAME: &'static str = "renewal_risk_ticket";
    fn key(&self) -> Key {
        risk_ticket_key(&self.contract_id, &self.cycle)
    }
}

// ---- payouts ----

/// A payee, on the monthly payout's list while something of it may be unpaid: every ledger
/// entry written puts it on the list with a fresh `marker`; the payout takes it off once
/// nothing of it is unpaid, on the marker it read (an entry written meanwhile keeps it on).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payee {
    pub payee: String,
    /// on the payout's list (payees registered before the list was kept are on it)
    #[serde(default = "on_the_list")]
    pub owed: bool,
    /// changes with every entry written for the payee
    #[serde(default)]
    pub marker: String,
}

fn on_the_list() -> bool {
    true
}

impl Entity for Payee {
    const NAME: &'static str = "payee";
    fn key(&self) -> Key {
        payee_key(&self.payee)
    }
    /// the payout's list is a sparse index: only payees with something to pay or carry
    fn index_entries(&self) -> Vec<IndexEntry> {
        if self.owed {
            vec![on(Index::Gsi3, PAYEES_INDEX_PK, &self.payee)]
        } else {
            vec![]
        }
    }
}

impl Entity for crate::domain::fx::FxRates {
    const NAME: &'static str = "fx_rates";
    fn key(&self) -> Key {
        fx_rates_key(&self.date)
    }
}

impl Entity for Balance {
    const NAME: &'static str = "balance";
    fn key(&self) -> Key {
        balance_key(&self.payee)
    }
}

impl Entity for Ticket {
    const NAME: &'static str = "payout_ticket";
    fn key(&self) -> Key {
        payout_key(&self.month, &self.payee)
    }
    /// an issued ticket with money still to transfer is on the unpaid index (and, owed to a
    /// micro or small enterprise, on the MSME index by its due date); one waiting for a rate is
    /// listed under the day of the rate it needs
    fn index_entries(&self) -> Vec<IndexEntry> {
        let mut out = vec![on(Index::Gsi1, payouts_index_pk(&self.payee), &self.month)];
        let unpaid = matches!(
            self.payment.status,
            PaymentStatus::Payable | PaymentStatus::AwaitingInvoice | PaymentStatus::AwaitingFxRate
        );
        if let (Some(issued), true) = (&self.issued_at, unpaid) {
            out.push(on(
                Index::Gsi3,
                UNPAID_PAYOUTS_INDEX_PK,
                unpaid_payout_sk(issued, &self.payout_id),
            ));
            if let Some(due) = &self.due_by {
                out.push(on(Index::Gsi2, MSME_DUE_INDEX_PK, msme_due_sk(due, &self.payout_id)));
            }
        }
        if let (PaymentStatus::AwaitingFxRate, Some(day)) = (self.payment.status, self.fx_rate_date()) {
            out.push(on(Index::Gsi4, awaiting_fx_index_pk(&day), &self.payout_id));
        }
        out
    }
}

/// A payee's running totals for one financial year (what decided each month's TDS).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaxYear {
    pub payee: String,
    pub fy: i32,
    pub totals: crate::domain::payout_tax::YearToDate,
    pub version: u64,
}

impl Entity for TaxYear {
    const NAME: &'static str = "tax_year";
    fn key(&self) -> Key {
        tax_year_key(&self.payee, self.fy)
    }
}

/// A UTR and the transfer it settled: the same UTR cannot settle two.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UtrClaim {
    pub utr: String,
    pub payout_id: String,
    pub currency: String,
}

impl Entity for UtrClaim {
    const NAME: &'static str = "utr";
    fn key(&self) -> Key {
        utr_key(&self.utr)
    }
}

/// A month's payout run: how many payees, and (an atomic counter) how many are done.
#[derive(Debug, Serialize, Deserialize)]
pub struct PayoutRun {
    pub month: String,
    pub payees: usize,
    pub done: u64,
    pub started_at: DateTime<Utc>,
}

impl Entity for PayoutRun {
    const NAME: &'static str = "payout_run";
    fn key(&self) -> Key {
        payout_run_key(&self.month)
    }
}

/// Finance's monthly email: intent before the send, then sent.
#[derive(Debug, Serialize, Deserialize)]
pub struct FinanceEmail {
    pub month: String,
    pub status: SendStatus,
    pub at: DateTime<Utc>,
}

impl Entity for FinanceEmail {
    const NAME: &'static str = "finance_email";
    fn key(&self) -> Key {
        finance_email_key(&self.month)
    }
}

/// An email a flow owes (the outbox): the message as it will be sent, written in the same
/// transaction as the claim that decided it, and marked sent once the mailer took it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Letter {
    pub letter_id: String,
    /// the envelope sender
    pub from: String,
    pub to: Vec<String>,
    /// the raw message, base64
    pub mime: String,
    pub status: LetterStatus,
    pub owed_at: DateTime<Utc>,
    /// when the sweeper may try it (again)
    pub next_try: DateTime<Utc>,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// sent and given-up letters expire (DynamoDB TTL, epoch seconds)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// a counter on another item that each send adds one to, in the transaction that marks
    /// the letter sent (a payout ticket's `statement_deliveries`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts_on: Option<CountOn>,
    pub version: u64,
}

/// Where a letter counts its sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountOn {
    pub pk: String,
    pub sk: String,
    pub attribute: String,
}

impl CountOn {
    pub fn key(&self) -> Key {
        Key::new(self.pk.clone(), self.sk.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    Owed,
    Sent,
    /// refused by the mailer too many times
    GivenUp,
}

impl Entity for Letter {
    const NAME: &'static str = "letter";
    fn key(&self) -> Key {
        letter_key(&self.letter_id)
    }
    /// an owed letter is on the outbox index; a sent one is not
    fn index_entries(&self) -> Vec<IndexEntry> {
        match self.status {
            LetterStatus::Owed => vec![on(
                Index::Gsi1,
                OUTBOX_INDEX_PK,
                outbox_sk(&self.next_try, &self.letter_id),
            )],
            _ => vec![],
        }
    }
}

// ---- the SLA, sequences, suppressions ----

impl Entity for Sla {
    const NAME: &'static str = "sla";
    fn key(&self) -> Key {
        sla_key(&self.lead_id)
    }
    /// a waiting SLA is on the deadline index; any other is not
    fn index_entries(&self) -> Vec<IndexEntry> {
        match self.status {
            SlaStatus::Waiting => vec![on(
                Index::Gsi1,
                SLA_DUE_INDEX_PK,
                sla_due_sk(&self.deadline, &self.lead_id),
            )],
            _ => vec![],
        }
    }
}

impl Entity for Step {
    const NAME: &'static str = "sequence_step";
    fn key(&self) -> Key {
        step_key(&self.lead_id, &step_sk(&self.sequence, self.index))
    }
    /// a scheduled step is on the due index; any other is not
    fn index_entries(&self) -> Vec<IndexEntry> {
        match self.status {
            StepStatus::Scheduled => vec![on(
                Index::Gsi1,
                DUE_INDEX_PK,
                step_due_sk(&self.due_at, &self.lead_id, &step_sk(&self.sequence, self.index)),
            )],
            _ => vec![],
        }
    }
}

/// An address that gets no more sequence email (unsubscribed, bounced, complained).
#[derive(Debug, Serialize, Deserialize)]
pub struct Suppression {
    pub email: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl Entity for Suppression {
    const NAME: &'static str = "suppression";
    fn key(&self) -> Key {
        suppression_key(&email_key(&self.email))
    }
}

// ---- prospect imports ----

impl Entity for Import {
    const NAME: &'static str = "import";
    fn key(&self) -> Key {
        import_key(&self.import_id)
    }
}

/// One chunk's result: that its report part exists, and its counts.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChunkResult {
    #[serde(skip)]
    pub import_id: String,
    #[serde(skip)]
    pub index: u32,
    pub counts: Counts,
    pub finished_at: DateTime<Utc>,
}

impl Entity for ChunkResult {
    const NAME: &'static str = "import_chunk";
    fn key(&self) -> Key {
        chunk_key(&self.import_id, self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_is_indexed_by_its_india_renewal_date() {
        // paid at 02:00 IST on 5 October: 20:30 UTC on the 4th
        let start = DateTime::parse_from_rfc3339("2026-10-05T02:00:00+05:30")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let renewal = start.checked_add_months(chrono::Months::new(12)).unwrap_or(start);
        let c = Contract {
            contract_id: "ORD-1".into(),
            order_id: "ORD-1".into(),
            lead_id: "L".into(),
            reseller_id: "R".into(),
            customer: crate::domain::billing::Customer {
                name: "C".into(),
                domain: None,
            },
            amc_amount: Default::default(),
            currency: "INR".into(),
            start,
            renewal_date: renewal,
            signals: Default::default(),
            risk: None,
            version: 1,
        };
        let item = item(&c).unwrap_or_default();
        assert_eq!(item["gsi1pk"], "RENEWALS");
        assert_eq!(item["gsi1sk"], "2027-10-05#ORD-1");
        assert_eq!(item["entity"], "contract");
    }
}
