//! The repository layer: how domain records map onto the single table. Every key and index
//! entry is decided here (see `docs/DATA.md` for the access patterns).
//!
//! | item            | pk                    | sk                  | gsi1 (pk / sk)            | gsi2 (pk / sk)        | gsi3 (pk / sk)        |
//! |-----------------|-----------------------|---------------------|---------------------------|-----------------------|-----------------------|
//! | lead ticket     | `LEAD#<id>`           | `TICKET`            | `EMAIL#<email>` / id      | `OWNER#<owner>` / id  | `STAGE#<Rnnn>` / id   |
//! | audit event     | `LEAD#<id>`           | `AUDIT#<at>#<id>`   |                           |                       |                       |
//! | open-email guard| `EMAIL#<email>`       | `GUARD`             |                           |                       |                       |
//! | idempotency     | `IDEMPOTENCY#<hash>`  | `RESPONSE`          |                           |                       |                       |
//! | reseller        | `RESELLER#<id>`       | `PROFILE`           | `RESELLERS#<status>` / id |                       |                       |
//! | api key         | `APIKEY#<sha256>`     | `APIKEY`            |                           |                       |                       |
//! | referral code   | `REFCODE#<code>`      | `REFCODE`           |                           |                       |                       |

use crate::domain::audit::AuditEvent;
use crate::domain::lead::Lead;
use crate::domain::reseller::Reseller;
use crate::domain::routing::ADMIN_QUEUE;
use crate::ports::table::{Cond, Item, Key, StoreError, Write};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

pub const LEAD_SK: &str = "TICKET";
pub const AUDIT_PREFIX: &str = "AUDIT#";

pub fn lead_key(id: &str) -> Key {
    Key::new(format!("LEAD#{id}"), LEAD_SK)
}
pub fn lead_pk(id: &str) -> String {
    format!("LEAD#{id}")
}
pub fn email_guard_key(email_key: &str) -> Key {
    Key::new(format!("EMAIL#{email_key}"), "GUARD")
}
pub fn idempotency_key(hash: &str) -> Key {
    Key::new(format!("IDEMPOTENCY#{hash}"), "RESPONSE")
}
pub fn reseller_key(id: &str) -> Key {
    Key::new(format!("RESELLER#{id}"), "PROFILE")
}
pub fn api_key_key(hash: &str) -> Key {
    Key::new(format!("APIKEY#{hash}"), "APIKEY")
}
pub fn referral_code_key(code: &str) -> Key {
    Key::new(format!("REFCODE#{}", code.to_uppercase()), "REFCODE")
}
pub fn email_index_pk(email_key: &str) -> String {
    format!("EMAIL#{email_key}")
}
pub fn owner_index_pk(owner: &str) -> String {
    format!("OWNER#{owner}")
}
pub fn stage_index_pk(stage: &str) -> String {
    format!("STAGE#{stage}")
}
pub fn resellers_index_pk(status: &str) -> String {
    format!("RESELLERS#{status}")
}

fn object<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    match serde_json::to_value(value).map_err(|e| StoreError::Invalid(e.to_string()))? {
        Value::Object(m) => Ok(m),
        _ => Err(StoreError::Invalid("record is not an object".into())),
    }
}

/// Reads a record back, ignoring the key and index attributes.
pub fn record<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(item)).map_err(|e| StoreError::Invalid(format!("stored record: {e}")))
}

fn with_keys(mut item: Item, entity: &str, key: &Key, extra: &[(&str, String)]) -> Item {
    item.insert("pk".into(), json!(key.pk));
    item.insert("sk".into(), json!(key.sk));
    item.insert("entity".into(), json!(entity));
    for (k, v) in extra {
        item.insert((*k).into(), json!(v));
    }
    item
}

/// The lead as an item, with its index entries derived from its state.
pub fn lead_item(lead: &Lead) -> Result<Item, StoreError> {
    let owner = match (&lead.owner_reseller_id, &lead.queue) {
        (Some(o), _) => o.clone(),
        (None, Some(q)) => q.clone(),
        (None, None) => "unassigned".into(),
    };
    let stage = if lead.spam {
        "SPAM".to_string()
    } else if lead.closed_lost {
        "CLOSED_LOST".to_string()
    } else {
        lead.stage.code().to_string()
    };
    let mut extra = vec![
        ("gsi1pk", email_index_pk(&crate::domain::lead::email_key(&lead.email))),
        ("gsi1sk", lead.lead_id.clone()),
        ("gsi3pk", stage_index_pk(&stage)),
        ("gsi3sk", lead.lead_id.clone()),
    ];
    if !lead.spam {
        extra.push(("gsi2pk", owner_index_pk(&owner)));
        extra.push(("gsi2sk", lead.lead_id.clone()));
    }
    Ok(with_keys(object(lead)?, "lead", &lead_key(&lead.lead_id), &extra))
}

pub fn audit_item(lead_id: &str, event: &AuditEvent) -> Result<Item, StoreError> {
    let key = Key::new(
        lead_pk(lead_id),
        format!(
            "{AUDIT_PREFIX}{}#{}",
            event.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            event.event_id
        ),
    );
    Ok(with_keys(object(event)?, "audit", &key, &[]))
}

pub fn email_guard_item(email_key: &str, lead_id: &str) -> Item {
    with_keys(
        Item::new(),
        "email_guard",
        &email_guard_key(email_key),
        &[("lead_id", lead_id.to_string())],
    )
}

pub fn reseller_item(r: &Reseller) -> Result<Item, StoreError> {
    let extra = [
        ("gsi1pk", resellers_index_pk(r.status.as_str())),
        ("gsi1sk", r.reseller_id.clone()),
    ];
    Ok(with_keys(object(r)?, "reseller", &reseller_key(&r.reseller_id), &extra))
}

pub fn api_key_item(hash: &str, reseller_id: &str) -> Item {
    with_keys(
        Item::new(),
        "api_key",
        &api_key_key(hash),
        &[("reseller_id", reseller_id.to_string())],
    )
}

pub fn referral_code_item(code: &str, reseller_id: &str) -> Item {
    with_keys(
        Item::new(),
        "referral_code",
        &referral_code_key(code),
        &[("reseller_id", reseller_id.to_string())],
    )
}

/// A put that succeeds only if the stored record still has `version` (optimistic concurrency).
pub fn put_if_version(item: Item, version: u64) -> Write {
    Write::Put {
        item,
        cond: Some(Cond::Equals("version".into(), json!(version))),
    }
}

pub fn put_new(item: Item) -> Write {
    Write::Put {
        item,
        cond: Some(Cond::NotExists),
    }
}

/// Which owner value a lead without a reseller is listed under.
pub fn admin_queue() -> &'static str {
    ADMIN_QUEUE
}

pub fn string_attr(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_string)
}

// ---- orders, payments, refunds, the ledger and AMC contracts ----
//
// | item            | pk                    | sk                                         | gsi1 (pk / sk)                    |
// |-----------------|-----------------------|--------------------------------------------|-----------------------------------|
// | order           | `ORDER#<id>`          | `ORDER`                                    |                                   |
// | payment         | `PAYMENT#<id>`        | `PAYMENT`                                  | `HELD#<order id>` / id, while held |
// |                 |                       |                                            | gsi2 `ORDERPAYMENTS#<order id>` / id |
// | refund          | `REFUND#<id>`         | `REFUND`                                   | gsi2 `REFUNDS#<payment id>` / id  |
// | ledger entry    | `LEDGER#<payee>`      | `ENTRY#<earned_at>#<source id>#<component>` |                                   |
// | AMC contract    | `CONTRACT#<id>`       | `CONTRACT`                                 | `RENEWALS` / `<renewal date>#<id>` |

pub fn order_key(id: &str) -> Key {
    Key::new(format!("ORDER#{id}"), "ORDER")
}
pub fn payment_key(id: &str) -> Key {
    Key::new(format!("PAYMENT#{id}"), "PAYMENT")
}
pub fn refund_key(id: &str) -> Key {
    Key::new(format!("REFUND#{id}"), "REFUND")
}
pub fn contract_key(id: &str) -> Key {
    Key::new(format!("CONTRACT#{id}"), "CONTRACT")
}
pub fn ledger_pk(payee: &str) -> String {
    format!("LEDGER#{payee}")
}
pub fn held_index_pk(order_id: &str) -> String {
    format!("HELD#{order_id}")
}
pub const RENEWALS_INDEX_PK: &str = "RENEWALS";
/// Every payment of an order, whatever its status (to count what is still queued).
pub fn order_payments_index_pk(order_id: &str) -> String {
    format!("ORDERPAYMENTS#{order_id}")
}
/// Every refund of a payment, whatever its status.
pub fn payment_refunds_index_pk(payment_id: &str) -> String {
    format!("REFUNDS#{payment_id}")
}

/// The sortable text of a timestamp used in keys (UTC, microseconds).
pub fn key_time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// One entry per (source, component, payee): the key is derived from exactly those (and the
/// source's fixed earned_at), so a put conditioned on its absence is the once-only guard.
pub fn ledger_key(payee: &str, earned_at: &chrono::DateTime<chrono::Utc>, source_id: &str, component: &str) -> Key {
    Key::new(
        ledger_pk(payee),
        format!("ENTRY#{}#{source_id}#{component}", key_time(earned_at)),
    )
}

/// Any record as an item under `key`, with extra (index) attributes.
pub fn item_of<T: Serialize>(value: &T, entity: &str, key: &Key, extra: &[(&str, String)]) -> Result<Item, StoreError> {
    Ok(with_keys(object(value)?, entity, key, extra))
}

// ---- payouts ----
//
// | item                | pk                   | sk               | gsi1 (pk / sk)            | gsi2 / gsi3                    |
// |---------------------|----------------------|------------------|---------------------------|--------------------------------|
// | unpaid entry (index)| (the ledger entry)   |                  |                           | gsi2 `UNPAID#<payee>` / its sk |
// | payee registry      | `PAYEE#<payee>`      | `PAYEE`          |                           | gsi3 `PAYEES` / payee          |
// | carried balance     | `BALANCE#<payee>`    | `BALANCE`        |                           |                                |
// | payout ticket       | `PAYOUT#<month>`     | `PAYEE#<payee>`  | `PAYOUTS#<payee>` / month |                                |
// | payout run          | `PAYOUT#<month>`     | `RUN`            |                           |                                |
// | finance email guard | `PAYOUT#<month>`     | `FINANCE_EMAIL`  |                           |                                |

pub fn unpaid_index_pk(payee: &str) -> String {
    format!("UNPAID#{payee}")
}
pub const PAYEES_INDEX_PK: &str = "PAYEES";

pub fn payee_item(payee: &str) -> Item {
    with_keys(
        Item::new(),
        "payee",
        &Key::new(format!("PAYEE#{payee}"), "PAYEE"),
        &[
            ("payee", payee.to_string()),
            ("gsi3pk", PAYEES_INDEX_PK.to_string()),
            ("gsi3sk", payee.to_string()),
        ],
    )
}
pub fn balance_key(payee: &str) -> Key {
    Key::new(format!("BALANCE#{payee}"), "BALANCE")
}
pub fn payout_pk(month: &str) -> String {
    format!("PAYOUT#{month}")
}
pub fn payout_key(month: &str, payee: &str) -> Key {
    Key::new(payout_pk(month), format!("PAYEE#{payee}"))
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

/// The record under `key`, if any.
pub async fn get_record<T: DeserializeOwned>(
    table: &dyn crate::ports::Table,
    key: &Key,
) -> Result<Option<T>, StoreError> {
    match table.get(key).await? {
        Some(item) => Ok(Some(record(item)?)),
        None => Ok(None),
    }
}
