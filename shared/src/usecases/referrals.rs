//! Referral links (SPEC §4 rule 2): `GET /r/{code}` records a click and hands out its id; a
//! lead arriving with that code and click id within 90 days of the click is attributed to the
//! referrer and carries a referral ticket. Self-referrals (the referrer's own email domain) are
//! refused as referrals, the lead kept.

use crate::domain::lead::Lead;
use crate::ids::new_id;
use crate::ports::table::{Item, StoreError, Table};
use crate::repo;
use chrono::{DateTime, Duration, Utc};

/// How long a click attributes the leads that follow it.
pub const ATTRIBUTION_DAYS: i64 = 90;

pub use crate::domain::referral::Click;

/// The owner of a code: a reseller id, or `customer:<id>`; and the owner's email domain.
pub async fn code_owner(table: &dyn Table, code: &str) -> Result<Option<(String, Option<String>)>, StoreError> {
    let Some(item) = table.get(&repo::referral_code_key(code)).await? else {
        return Ok(None);
    };
    if let Some(customer) = repo::string_attr(&item, "customer_id") {
        let domain = repo::string_attr(&item, "email").and_then(|e| e.rsplit_once('@').map(|(_, d)| d.to_lowercase()));
        return Ok(Some((format!("customer:{customer}"), domain)));
    }
    let Some(reseller_id) = repo::string_attr(&item, "reseller_id") else {
        return Ok(None);
    };
    let domain = repo::get_record::<crate::domain::reseller::Reseller>(table, &repo::reseller_key(&reseller_id))
        .await?
        .and_then(|r| r.email.rsplit_once('@').map(|(_, d)| d.to_lowercase()));
    Ok(Some((reseller_id, domain)))
}

/// Records a click on a known code; `None` for an unknown code (it still redirects).
pub async fn record_click(table: &dyn Table, code: &str, now: DateTime<Utc>) -> Result<Option<Click>, StoreError> {
    let Some((referrer, _)) = code_owner(table, code).await? else {
        return Ok(None);
    };
    let click = Click {
        click_id: new_id(now),
        code: code.to_uppercase(),
        referrer,
        at: now,
    };
    // the click and its count in the referrer's month, together
    let mut tally = crate::domain::aggregates::Tally::default();
    tally.add(
        &click.referrer,
        &crate::domain::aggregates::month_of(now),
        crate::domain::aggregates::REFERRAL_CLICKS,
        1,
    );
    let mut writes = vec![repo::put_new(repo::item(&click)?)];
    writes.extend(repo::tally_writes(tally));
    table.transact(writes).await?;
    Ok(Some(click))
}

/// A customer asks for a code of its own.
pub async fn customer_code(
    table: &dyn Table,
    name: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let mut buf = [0u8; 3];
        getrandom::fill(&mut buf).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let code = format!("C{}", hex::encode(buf).to_uppercase());
        let customer_id = new_id(now);
        let record = repo::ReferralCodeRecord {
            code: code.clone(),
            customer_id: Some(customer_id),
            name: Some(name.to_string()),
            email: Some(email.to_lowercase()),
            created_at: Some(now),
            ..Default::default()
        };
        match table
            .put(repo::item(&record)?, Some(crate::ports::table::Cond::NotExists))
            .await
        {
            Ok(()) => return Ok(code),
            Err(StoreError::ConditionFailed) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Throttled)
}

/// What a lead's referral amounts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribution {
    /// no code, or a code that does not attribute (unknown, no click, expired click)
    None,
    Referred {
        referrer: String,
        click: Click,
    },
    /// the referrer's own email domain: not a referral, the lead kept
    SelfReferral,
}

pub async fn attribute(
    table: &dyn Table,
    code: Option<&str>,
    click_id: Option<&str>,
    lead_email: &str,
    now: DateTime<Utc>,
) -> Result<Attribution, StoreError> {
    let (Some(code), Some(click_id)) = (code, click_id) else {
        return Ok(Attribution::None);
    };
    let Some(click) = repo::get_record::<Click>(table, &repo::referral_click_key(click_id)).await? else {
        return Ok(Attribution::None);
    };
    if !click.code.eq_ignore_ascii_case(code) || now - click.at > Duration::days(ATTRIBUTION_DAYS) || now < click.at {
        return Ok(Attribution::None);
    }
    let Some((referrer, domain)) = code_owner(table, code).await? else {
        return Ok(Attribution::None);
    };
    let lead_domain = lead_email.rsplit_once('@').map(|(_, d)| d.to_lowercase());
    if domain.is_some() && domain == lead_domain {
        return Ok(Attribution::SelfReferral);
    }
    Ok(Attribution::Referred { referrer, click })
}

/// The referral ticket a referred lead carries (the fee is settled when the deal pays).
pub fn ticket_item(lead: &Lead, referrer: &str, click: &Click) -> Result<Item, StoreError> {
    repo::item(&repo::ReferralTicket {
        lead_id: lead.lead_id.clone(),
        referrer: referrer.to_string(),
        referred_email: lead.email.clone(),
        code: click.code.clone(),
        click_id: click.click_id.clone(),
        clicked_at: click.at,
        fee: "pending".into(),
        created_at: lead.created_at,
    })
}
