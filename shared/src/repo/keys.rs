//! Every key and index value of the single table, and nothing else: the one place a key
//! format is written. Entities (`entities.rs`) build their items from these; use cases look
//! records up and query ranges with them. `docs/DATA.md` is checked against `LAYOUT` by a test.

use crate::ports::table::Key;
use chrono::{DateTime, NaiveDate, Utc};

/// The sortable text of a timestamp used in keys (UTC, microseconds).
pub fn key_time(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Sorts after every id that may follow a `#` in a sort key (for "up to" ranges).
pub const AFTER_ANY_ID: char = '~';

// ---- leads ----

pub const LEAD_SK: &str = "TICKET";
pub const AUDIT_PREFIX: &str = "AUDIT#";

pub fn lead_pk(id: &str) -> String {
    format!("LEAD#{id}")
}
pub fn lead_key(id: &str) -> Key {
    Key::new(lead_pk(id), LEAD_SK)
}
fn audit_sk(at: &str, event_id: &str) -> String {
    format!("{AUDIT_PREFIX}{at}#{event_id}")
}
pub fn audit_key(lead_id: &str, at: &DateTime<Utc>, event_id: &str) -> Key {
    Key::new(lead_pk(lead_id), audit_sk(&key_time(at), event_id))
}
const EMAIL_PREFIX: &str = "EMAIL#";
pub fn email_guard_key(email_key: &str) -> Key {
    Key::new(format!("{EMAIL_PREFIX}{email_key}"), "GUARD")
}
/// The email key an open-email guard's `pk` names.
pub fn email_key_of_guard(pk: &str) -> Option<&str> {
    pk.strip_prefix(EMAIL_PREFIX)
}
pub fn idempotency_key(hash: &str) -> Key {
    Key::new(format!("IDEMPOTENCY#{hash}"), "RESPONSE")
}
pub fn email_index_pk(email_key: &str) -> String {
    format!("{EMAIL_PREFIX}{email_key}")
}
pub fn owner_index_pk(owner: &str) -> String {
    format!("OWNER#{owner}")
}
/// every lead captured in a month (UTC, `YYYY-MM`), newest first: the admin's unfiltered list,
/// one partition a month so that no single partition takes every capture
pub fn leads_index_pk(month: &str) -> String {
    format!("LEADS#{month}")
}
/// the months that have leads (a marker each), which the unfiltered list walks newest first
pub const LEAD_MONTHS_PK: &str = "LEADMONTHS";
pub fn lead_month_key(month: &str) -> Key {
    Key::new(LEAD_MONTHS_PK, month)
}
pub fn stage_index_pk(stage: &str) -> String {
    format!("STAGE#{stage}")
}
/// One column of a reseller's board (a stage code or `closed_lost`), most recently changed
/// first (gsi5): the kanban reads the cards it shows, not the whole pipeline.
pub fn board_index_pk(owner: &str, column: &str) -> String {
    format!("BOARD#{owner}#{column}")
}
pub fn board_index_sk(updated_at: &DateTime<Utc>, lead_id: &str) -> String {
    format!("{}#{lead_id}", key_time(updated_at))
}
/// A reseller's open deals with an expected value (gsi6): what its forecast is made of.
pub fn deals_index_pk(owner: &str) -> String {
    format!("DEALS#{owner}")
}
/// The counts and expected values of a reseller's board, moved by every write of its leads:
/// of all its leads (`user` none), or of those assigned to one person (what a rep's board counts).
pub fn board_counts_key(owner: &str, user: Option<&str>) -> Key {
    match user {
        None => Key::new(format!("BOARDCOUNTS#{owner}"), "ALL"),
        Some(u) => Key::new(format!("BOARDCOUNTS#{owner}"), format!("USER#{u}")),
    }
}
/// The attribute of a board's counts item holding how many leads a column has.
pub fn board_count_attr(column: &str) -> String {
    format!("{BOARD_COUNT_PREFIX}{column}")
}
/// The attribute holding the sum of a column's expected values, in ten-thousandths (an
/// integer, so that `ADD` keeps it exact).
pub fn board_value_attr(column: &str) -> String {
    format!("{BOARD_VALUE_PREFIX}{column}")
}
const BOARD_COUNT_PREFIX: &str = "n_";
const BOARD_VALUE_PREFIX: &str = "v_";
/// Whether an attribute of a board's counts item is a count or a value (not its keys).
pub fn is_board_counter(attr: &str) -> bool {
    attr.starts_with(BOARD_COUNT_PREFIX) || attr.starts_with(BOARD_VALUE_PREFIX)
}
/// The decimal places a board value is counted in.
pub const BOARD_VALUE_SCALE: u32 = 4;

pub fn hot_alert_key(lead_id: &str) -> Key {
    Key::new(lead_pk(lead_id), "ALERT#hot")
}
pub fn call_task_key(lead_id: &str) -> Key {
    Key::new(lead_pk(lead_id), "TASK#call")
}
pub fn engagement_key(lead_id: &str, event_id: &str) -> Key {
    Key::new(lead_pk(lead_id), format!("ENGAGED#{event_id}"))
}
pub fn referral_ticket_key(lead_id: &str) -> Key {
    Key::new(lead_pk(lead_id), "REFERRAL")
}
/// how often the stuck-lead sweep has queued a lead for scoring again
pub fn requeue_key(lead_id: &str) -> Key {
    Key::new(lead_pk(lead_id), "REQUEUED")
}
/// The stage-index range of leads captured before `before` (lead ids are time-ordered ULIDs).
pub fn captured_before(before: &DateTime<Utc>) -> (String, String) {
    (
        "0".to_string(),
        ulid::Ulid::from_parts(before.timestamp_millis().max(0) as u64, 0).to_string(),
    )
}

// ---- reseller applications and rate limits ----

pub fn application_key(id: &str) -> Key {
    Key::new(format!("APPLICATION#{id}"), "APPLICATION")
}
/// applications by status, oldest first (the review queue)
pub fn applications_index_pk(status: &str) -> String {
    format!("APPLICATIONS#{status}")
}
/// one account per email address (lower-cased): whoever holds it, nobody else is given it
pub fn email_claim_key(email: &str) -> Key {
    Key::new(format!("ACCOUNTEMAIL#{}", email.trim().to_lowercase()), "CLAIM")
}
/// one pending application or reseller per company domain
pub fn company_domain_key(domain: &str) -> Key {
    Key::new(format!("COMPANYDOMAIN#{domain}"), "GUARD")
}
/// a counter of requests from one source (`scope`: what is counted) in one window
pub fn rate_key(scope: &str, source: &str, window: &str) -> Key {
    Key::new(format!("RATE#{scope}#{source}"), window)
}

// ---- quotes, co-selling, support ----

pub fn quote_key(id: &str) -> Key {
    Key::new(format!("QUOTE#{id}"), "QUOTE")
}
/// a lead's quotes, oldest first
pub fn lead_quotes_index_pk(lead_id: &str) -> String {
    format!("LEADQUOTES#{lead_id}")
}
/// quotes by status (the admin's approval queue)
pub fn quote_status_index_pk(status: &str) -> String {
    format!("QUOTES#{status}")
}
/// won deals' discounts per segment, for pricing recommendations
pub fn segment_pk(erp_size: &str, industry: &str) -> String {
    format!("SEGMENT#{erp_size}#{industry}")
}
pub const WON_PREFIX: &str = "WON#";
pub fn won_discount_key(erp_size: &str, industry: &str, at: &DateTime<Utc>, lead_id: &str) -> Key {
    Key::new(
        segment_pk(erp_size, industry),
        format!("{WON_PREFIX}{}#{lead_id}", key_time(at)),
    )
}
pub fn cosell_key(id: &str) -> Key {
    Key::new(format!("COSELL#{id}"), "COSELL")
}
/// co-sell requests by status, oldest first (the presales queue)
pub fn cosell_status_index_pk(status: &str) -> String {
    format!("COSELLS#{status}")
}
pub fn support_ticket_key(id: &str) -> Key {
    Key::new(format!("SUPPORT#{id}"), "SUPPORT")
}
/// a contract's support tickets
pub fn contract_tickets_index_pk(contract_id: &str) -> String {
    format!("CONTRACTTICKETS#{contract_id}")
}
/// a reseller's support tickets
/// Tickets escalated to the vendor (L2/L3) and open, by response deadline (gsi3).
pub const VENDOR_TICKETS_INDEX_PK: &str = "TICKETS_VENDOR";
pub fn reseller_tickets_index_pk(reseller_id: &str) -> String {
    format!("RESELLERTICKETS#{reseller_id}")
}
/// a proposal document in the blob store
pub fn proposal_blob_key(lead_id: &str, quote_id: &str) -> String {
    format!("proposals/{lead_id}/{quote_id}.html")
}

// ---- resellers, keys, referral codes, registrations ----

pub fn reseller_pk(id: &str) -> String {
    format!("RESELLER#{id}")
}
pub fn reseller_key(id: &str) -> Key {
    Key::new(reseller_pk(id), "PROFILE")
}
pub const OUTCOME_PREFIX: &str = "OUTCOME#";
/// a decided deal (won or lost) in its closing reseller's partition, by when it was decided
pub fn outcome_key(reseller_id: &str, at: &DateTime<Utc>, lead_id: &str) -> Key {
    Key::new(
        reseller_pk(reseller_id),
        format!("{OUTCOME_PREFIX}{}#{lead_id}", key_time(at)),
    )
}
pub fn product_key(sku: &str) -> Key {
    Key::new(format!("PRODUCT#{sku}"), "PRODUCT")
}
/// every catalogue product, by SKU
pub const PRODUCTS_INDEX_PK: &str = "PRODUCTS";
/// a reseller's sub-resellers
pub fn children_index_pk(parent: &str) -> String {
    format!("CHILDREN#{parent}")
}
pub fn resellers_index_pk(status: &str) -> String {
    format!("RESELLERS#{status}")
}
pub fn api_key_key(hash: &str) -> Key {
    Key::new(format!("APIKEY#{hash}"), "APIKEY")
}
/// The key hash an API key's item is stored under.
pub fn api_key_hash_of(key: &Key) -> Option<&str> {
    key.pk.strip_prefix("APIKEY#")
}
/// a reseller's keys, by key id
pub fn api_keys_index_pk(reseller_id: &str) -> String {
    format!("KEYS#{reseller_id}")
}
pub fn referral_code_key(code: &str) -> Key {
    Key::new(format!("REFCODE#{}", code.to_uppercase()), "REFCODE")
}
pub fn referral_click_key(id: &str) -> Key {
    Key::new(format!("REFCLICK#{id}"), "CLICK")
}
pub const REGISTRATION_PREFIX: &str = "REGISTRATION#";
pub fn registration_key(reseller_id: &str, registration_id: &str) -> Key {
    Key::new(
        reseller_pk(reseller_id),
        format!("{REGISTRATION_PREFIX}{registration_id}"),
    )
}
pub fn name_claim_key(normalised_name: &str) -> Key {
    Key::new(format!("REGCLAIM#NAME#{normalised_name}"), "CLAIM")
}
pub fn domain_claim_key(domain: &str) -> Key {
    Key::new(format!("REGCLAIM#DOMAIN#{domain}"), "CLAIM")
}
pub const CONFLICTS_PK: &str = "REGCONFLICTS";
pub fn conflict_key(id: &str) -> Key {
    Key::new(CONFLICTS_PK, id)
}

// ---- orders, payments, refunds, the ledger and AMC contracts ----

pub fn order_key(id: &str) -> Key {
    Key::new(format!("ORDER#{id}"), "ORDER")
}
pub fn payment_key(id: &str) -> Key {
    Key::new(format!("PAYMENT#{id}"), "PAYMENT")
}
pub fn refund_key(id: &str) -> Key {
    Key::new(format!("REFUND#{id}"), "REFUND")
}
pub fn held_index_pk(order_id: &str) -> String {
    format!("HELD#{order_id}")
}
/// Every payment of an order, whatever its status (to count what is still queued).
pub fn order_payments_index_pk(order_id: &str) -> String {
    format!("ORDERPAYMENTS#{order_id}")
}
/// Every refund of a payment, whatever its status.
pub fn payment_refunds_index_pk(payment_id: &str) -> String {
    format!("REFUNDS#{payment_id}")
}
pub fn ledger_pk(payee: &str) -> String {
    format!("LEDGER#{payee}")
}
/// One entry per (source, component, payee): the key is derived from exactly those (and the
/// source's fixed earned_at), so a put conditioned on its absence is the once-only guard.
fn ledger_sk(earned_at: &str, source_id: &str, component: &str) -> String {
    format!("ENTRY#{earned_at}#{source_id}#{component}")
}
pub fn ledger_key(payee: &str, earned_at: &DateTime<Utc>, source_id: &str, component: &str) -> Key {
    Key::new(ledger_pk(payee), ledger_sk(&key_time(earned_at), source_id, component))
}
/// An entry's key from its payee and sort key (as a payout ticket lists them).
pub fn ledger_entry_key(payee: &str, sk: &str) -> Key {
    Key::new(ledger_pk(payee), sk)
}
/// The sort-key prefix of a month's entries (`YYYY-MM`, UTC).
pub fn ledger_month_prefix(month: &str) -> String {
    format!("ENTRY#{month}-")
}
/// The sort key every entry earned at or before `end` sorts below.
pub fn ledger_upto(end: &DateTime<Utc>) -> String {
    format!("ENTRY#{}{AFTER_ANY_ID}", key_time(end))
}
pub fn unpaid_index_pk(payee: &str) -> String {
    format!("UNPAID#{payee}")
}
pub fn contract_pk(id: &str) -> String {
    format!("CONTRACT#{id}")
}
pub fn contract_key(id: &str) -> Key {
    Key::new(contract_pk(id), "CONTRACT")
}
pub const RENEWALS_INDEX_PK: &str = "RENEWALS";
/// a reseller's AMC contracts (the usage report)
pub fn reseller_contracts_index_pk(reseller_id: &str) -> String {
    format!("CONTRACTS#{reseller_id}")
}
/// A contract's place on the renewal index: its renewal date in India, then its id.
pub fn renewal_index_sk(india_date: NaiveDate, contract_id: &str) -> String {
    format!("{}#{contract_id}", india_date.format("%Y-%m-%d"))
}
/// The renewal-index range of contracts renewing from `first` to `last` (India dates).
pub fn renewal_range(first: NaiveDate, last: NaiveDate) -> (String, String) {
    (
        format!("{}#", first.format("%Y-%m-%d")),
        format!("{}#\u{10FFFF}", last.format("%Y-%m-%d")),
    )
}
pub fn signal_key(contract_id: &str, signal_id: &str) -> Key {
    Key::new(contract_pk(contract_id), format!("SIGNAL#{signal_id}"))
}
pub fn risk_ticket_key(contract_id: &str, cycle: &str) -> Key {
    Key::new(contract_pk(contract_id), format!("RISK#{cycle}"))
}

// ---- payouts ----

pub const PAYEES_INDEX_PK: &str = "PAYEES";
pub fn payee_key(payee: &str) -> Key {
    Key::new(format!("PAYEE#{payee}"), "PAYEE")
}
pub fn balance_key(payee: &str) -> Key {
    Key::new(format!("BALANCE#{payee}"), "BALANCE")
}
pub fn payout_pk(month: &str) -> String {
    format!("PAYOUT#{month}")
}
pub const PAYOUT_TICKET_PREFIX: &str = "PAYEE#";
pub fn payout_key(month: &str, payee: &str) -> Key {
    Key::new(payout_pk(month), format!("{PAYOUT_TICKET_PREFIX}{payee}"))
}
pub fn payout_run_key(month: &str) -> Key {
    Key::new(payout_pk(month), "RUN")
}
pub fn finance_email_key(month: &str) -> Key {
    Key::new(payout_pk(month), "FINANCE_EMAIL")
}
pub fn payouts_index_pk(payee: &str) -> String {
    format!("PAYOUTS#{payee}")
}
/// Issued tickets not yet paid, by when they were issued.
pub const UNPAID_PAYOUTS_INDEX_PK: &str = "PAYOUTS_UNPAID";
pub fn unpaid_payout_sk(issued_at: &DateTime<Utc>, payout_id: &str) -> String {
    format!("{}#{payout_id}", key_time(issued_at))
}
/// Unpaid tickets of micro and small enterprises by the day they must be paid (section 43B(h)).
pub const MSME_DUE_INDEX_PK: &str = "PAYOUTS_MSME_DUE";
pub fn msme_due_sk(due_by: &chrono::NaiveDate, payout_id: &str) -> String {
    format!("{due_by}#{payout_id}")
}
/// The sort key that ends the MSME-due range on `day` (everything due on or before it).
pub fn msme_due_upto(day: &chrono::NaiveDate) -> String {
    format!("{day}#~")
}
/// The reference exchange rates of one day.
pub fn fx_rates_key(date: &chrono::NaiveDate) -> Key {
    Key::new(format!("FXRATES#{date}"), "RATES")
}
/// Tickets waiting for a day's reference rate.
pub fn awaiting_fx_index_pk(date: &chrono::NaiveDate) -> String {
    format!("PAYOUTS_AWAITING_FX#{date}")
}
/// A payee's financial-year running totals (TDS).
pub fn tax_year_key(payee: &str, fy: i32) -> Key {
    Key::new(format!("TAXYEAR#{payee}"), format!("FY#{fy}"))
}
/// A bank UTR, claimed by the one transfer it settled.
pub fn utr_key(utr: &str) -> Key {
    Key::new(format!("UTR#{utr}"), "UTR")
}

// ---- dashboards ----

/// A scope's (a reseller's, or `PROGRAMME`) counters for one month.
pub fn aggregate_key(scope: &str, month: &str) -> Key {
    Key::new(format!("AGG#{scope}"), month)
}

// ---- the portal ----

/// A one-time login link, by the hash of its token.
pub fn login_link_key(token_hash: &str) -> Key {
    Key::new(format!("LOGINLINK#{token_hash}"), "LINK")
}
/// A portal session, by the hash of its cookie.
pub fn session_key(session_hash: &str) -> Key {
    Key::new(format!("SESSION#{session_hash}"), "SESSION")
}
/// Resellers by contact email (the portal's login).
pub fn reseller_email_index_pk(email: &str) -> String {
    format!("RESELLEREMAIL#{}", email.trim().to_lowercase())
}

// ---- people: reseller teams, the vendor's staff, the audit trail ----

/// A person in a reseller company.
pub fn user_key(user_id: &str) -> Key {
    Key::new(format!("USER#{user_id}"), "USER")
}
/// A reseller's people, by user id (gsi1).
pub fn team_index_pk(reseller_id: &str) -> String {
    format!("TEAM#{reseller_id}")
}
/// A member of the vendor's staff.
pub fn staff_key(staff_id: &str) -> Key {
    Key::new(format!("STAFF#{staff_id}"), "STAFF")
}
/// Every member of staff, by staff id (gsi1).
pub const STAFF_INDEX_PK: &str = "STAFF";
/// A staff member's keys, by key id (gsi1).
pub fn staff_keys_index_pk(staff_id: &str) -> String {
    format!("STAFFKEYS#{staff_id}")
}
/// The resellers a channel manager looks after, by reseller id (gsi4).
pub fn partners_index_pk(staff_id: &str) -> String {
    format!("PARTNERS#{staff_id}")
}

/// An audit event about something other than a lead (a person, a reseller, a payout…), in its
/// subject's partition (`reseller:<id>`, `user:<id>`, `staff:<id>`…).
pub fn audit_log_key(subject: &str, at: &DateTime<Utc>, event_id: &str) -> Key {
    Key::new(format!("AUDITLOG#{subject}"), audit_sk(&key_time(at), event_id))
}
/// What an audit item is about, from its partition: `lead:<id>`, or the subject an audit log
/// partition names (`reseller:<id>`, `user:<id>`, `staff:<id>`, `payout:<id>`).
pub fn audit_subject(pk: &str) -> String {
    match (pk.strip_prefix("LEAD#"), pk.strip_prefix("AUDITLOG#")) {
        (Some(lead), _) => format!("lead:{lead}"),
        (_, Some(s)) => s.to_string(),
        _ => pk.to_string(),
    }
}
/// Every audit event by the person who acted, by time (gsi1).
pub fn audit_by_index_pk(actor: &str) -> String {
    format!("AUDITBY#{actor}")
}
/// Every audit event of a day (UTC), by time (gsi2).
pub fn audit_day_index_pk(day: &chrono::NaiveDate) -> String {
    format!("AUDITDAY#{day}")
}
/// The sort key of an audit event on both indexes.
pub fn audit_index_sk(at: &DateTime<Utc>, event_id: &str) -> String {
    format!("{}#{event_id}", key_time(at))
}

// ---- the SLA, sequences and suppressions ----

pub fn sla_key(lead_id: &str) -> Key {
    Key::new(lead_pk(lead_id), "SLA")
}
/// An email owed by a flow (the outbox): written with the claim that decides it, marked sent.
pub fn letter_key(letter_id: &str) -> Key {
    Key::new(format!("LETTER#{letter_id}"), "LETTER")
}
/// The index of letters still owed, by when they are next tried.
pub const OUTBOX_INDEX_PK: &str = "OUTBOX";
pub fn outbox_sk(next_try: &DateTime<Utc>, letter_id: &str) -> String {
    format!("{}#{letter_id}", key_time(next_try))
}

pub const SLA_DUE_INDEX_PK: &str = "SLA_DUE";
pub fn sla_due_sk(deadline: &DateTime<Utc>, lead_id: &str) -> String {
    format!("{}#{lead_id}", key_time(deadline))
}
/// The due-index sort key everything due at or before `now` sorts below.
pub fn due_upto(now: &DateTime<Utc>) -> String {
    format!("{}{AFTER_ANY_ID}", key_time(now))
}
pub const STEP_PREFIX: &str = "STEP#";
pub fn step_sk(sequence: &str, index: usize) -> String {
    format!("{STEP_PREFIX}{sequence}#{index:02}")
}
pub fn step_key(lead_id: &str, step_sk: &str) -> Key {
    Key::new(lead_pk(lead_id), step_sk)
}
pub const DUE_INDEX_PK: &str = "DUE";
pub fn step_due_sk(due_at: &DateTime<Utc>, lead_id: &str, step_sk: &str) -> String {
    format!("{}#{lead_id}#{step_sk}", key_time(due_at))
}
pub fn suppression_key(email_key: &str) -> Key {
    Key::new(format!("SUPPRESS#{email_key}"), "SUPPRESS")
}

// ---- prospect imports ----

pub fn import_pk(import_id: &str) -> String {
    format!("IMPORT#{import_id}")
}
pub fn import_key(import_id: &str) -> Key {
    Key::new(import_pk(import_id), "IMPORT")
}
pub const CHUNK_PREFIX: &str = "CHUNK#";
pub fn chunk_key(import_id: &str, index: u32) -> Key {
    Key::new(import_pk(import_id), format!("{CHUNK_PREFIX}{index:06}"))
}

/// The table's items as `docs/DATA.md` documents them — (item, pk, sk) with placeholders —
/// made by the functions above, so that a test keeps the document true.
pub fn layout() -> Vec<(&'static str, Key)> {
    vec![
        ("lead ticket", lead_key("<id>")),
        ("audit event", Key::new(lead_pk("<id>"), audit_sk("<at>", "<event id>"))),
        ("open-email guard", email_guard_key("<email>")),
        ("idempotency record", idempotency_key("<sha256 of key>")),
        ("hot-lead alert guard", hot_alert_key("<id>")),
        ("call task", call_task_key("<id>")),
        ("engagement guard", engagement_key("<id>", "<event id>")),
        ("referral ticket", referral_ticket_key("<id>")),
        ("re-queue counter", requeue_key("<id>")),
        ("month with leads", lead_month_key("<YYYY-MM>")),
        ("board counts", board_counts_key("<reseller id>", None)),
        (
            "board counts of a person",
            board_counts_key("<reseller id>", Some("<user id>")),
        ),
        ("reseller application", application_key("<id>")),
        ("company-domain guard", company_domain_key("<domain>")),
        (
            "rate counter",
            rate_key("<scope>", "<address or domain>", "<YYYY-MM-DDTHH>"),
        ),
        ("quote", quote_key("<id>")),
        (
            "won-deal discount",
            Key::new(
                segment_pk("<erp size>", "<industry>"),
                format!("{WON_PREFIX}<at>#<lead id>"),
            ),
        ),
        ("co-sell request", cosell_key("<id>")),
        ("support ticket", support_ticket_key("<id>")),
        ("reseller", reseller_key("<id>")),
        (
            "deal outcome",
            Key::new(reseller_pk("<id>"), format!("{OUTCOME_PREFIX}<at>#<lead id>")),
        ),
        ("API key", api_key_key("<sha256 of key>")),
        ("reseller user", user_key("<user id>")),
        ("staff member", staff_key("<staff id>")),
        (
            "audit event of a person, reseller or payout",
            Key::new("AUDITLOG#<subject>", audit_sk("<at>", "<event id>")),
        ),
        ("product", product_key("<sku>")),
        ("referral code", Key::new("REFCODE#<code>", "REFCODE")),
        ("referral click", referral_click_key("<click id>")),
        ("deal registration", registration_key("<reseller id>", "<id>")),
        ("registration claim by name", name_claim_key("<normalised name>")),
        ("registration claim by domain", domain_claim_key("<domain>")),
        ("registration conflict", conflict_key("<id>")),
        ("order", order_key("<id>")),
        ("payment", payment_key("<id>")),
        ("refund", refund_key("<id>")),
        (
            "ledger entry",
            Key::new(
                ledger_pk("<payee>"),
                ledger_sk("<earned_at>", "<source id>", "<component>"),
            ),
        ),
        ("AMC contract", contract_key("<order id>")),
        ("health signal", signal_key("<id>", "<signal id>")),
        ("renewal-risk ticket", risk_ticket_key("<id>", "<renewal date>")),
        ("payee registry", payee_key("<payee>")),
        ("carried balance", balance_key("<payee>")),
        ("payout ticket", payout_key("<YYYY-MM>", "<payee>")),
        ("payout run", payout_run_key("<YYYY-MM>")),
        ("finance email guard", finance_email_key("<YYYY-MM>")),
        (
            "financial-year tax totals",
            Key::new("TAXYEAR#<payee>", "FY#<first year>"),
        ),
        ("UTR claim", utr_key("<utr>")),
        (
            "dashboard aggregate",
            aggregate_key("<reseller id or PROGRAMME>", "<YYYY-MM>"),
        ),
        ("portal login link", login_link_key("<sha256 of token>")),
        ("portal session", session_key("<sha256 of cookie>")),
        ("SLA clock", sla_key("<id>")),
        (
            "sequence step",
            step_key("<id>", &format!("{STEP_PREFIX}<sequence>#<nn>")),
        ),
        ("suppression", suppression_key("<email>")),
        ("prospect import", import_key("<id>")),
        (
            "import chunk result",
            Key::new(import_pk("<id>"), format!("{CHUNK_PREFIX}<nnnnnn>")),
        ),
    ]
}
