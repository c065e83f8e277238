//! A reseller's home page as data: what it earned (the event-maintained aggregates), its
//! commission forecast (its valued deals and contracts), what it is owed, the leads waiting
//! for its first response with their clocks, its renewals with their churn risk, and its latest
//! payouts. Every read is bounded by what the page shows, not by the size of the pipeline or
//! the ledger; the portal's handler only formats it.

use crate::access::Principal;
use crate::config::Rules;
use crate::domain::aggregates::month_of;
use crate::domain::forecast::MonthForecast;
use crate::domain::payout::Ticket;
use crate::domain::renewal::{india_date, Contract};
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;
use crate::usecases::pipeline::{board, BoardPage, Card};
use crate::usecases::sla::Sla;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// The currency the home page totals in.
pub const HOME: &str = "INR";
/// How many waiting leads the page lists (the most recently changed).
pub const WAITING_SHOWN: usize = 10;
/// How many payout tickets (months) the page lists (the latest).
pub const PAYOUTS_SHOWN: u32 = 6;

/// Commission earned in the home currency: this month, quarter and financial year to date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EarnedToDate {
    pub mtd: Decimal,
    pub qtd: Decimal,
    pub ytd: Decimal,
}

/// A lead waiting at R002 for the reseller's first response, with its clock when one runs.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub card: Card,
    pub sla: Option<Sla>,
}

#[derive(Debug, Clone)]
pub struct ResellerHome {
    pub earned: EarnedToDate,
    /// each month of the financial year so far and its commission in the home currency
    pub earned_by_month: Vec<(String, Decimal)>,
    /// the next months (`rules.forecast.horizon`), each with its parts
    pub forecast: Vec<MonthForecast>,
    /// accrued and not yet paid out, in the home currency
    pub unpaid: Decimal,
    pub waiting: Vec<Waiting>,
    /// contracts renewing within the renewal window, soonest first
    pub renewing: Vec<Contract>,
    /// the latest payout tickets, oldest first
    pub payouts: Vec<Ticket>,
}

/// The home page of `reseller_id` as `viewer` sees it at `now`; `None` for an unknown reseller.
pub async fn reseller_home(
    table: &dyn Table,
    rules: &Rules,
    viewer: &Principal,
    reseller_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<ResellerHome>, StoreError> {
    let today = india_date(now);
    let dash = crate::usecases::dashboard::dashboard(table, reseller_id, &month_of(today)).await?;
    let earned = dash
        .as_ref()
        .and_then(|d| d.earned.iter().find(|e| e.currency == HOME))
        .map(|e| EarnedToDate {
            mtd: e.mtd,
            qtd: e.qtd,
            ytd: e.ytd,
        })
        .unwrap_or_default();
    let earned_by_month = dash
        .iter()
        .flat_map(|d| d.earned_by_month.iter())
        .map(|(m, by)| (m.clone(), by.get(HOME).copied().unwrap_or_default()))
        .collect();
    // the reseller's valued deals and contracts, read once: the forecast and renewals at risk
    let Some(book) = crate::usecases::forecast::read_book(table, reseller_id).await? else {
        return Ok(None);
    };
    let forecast = crate::usecases::forecast::forecast_of(&book, today, rules);
    let unpaid = crate::usecases::commission::unpaid_total(table, reseller_id, HOME).await?;
    // one column, ten cards, and each card's clock
    let page = BoardPage {
        stage: Some("R002"),
        offset: 0,
        limit: WAITING_SHOWN,
    };
    let mut waiting = Vec::new();
    for card in board(table, Some(reseller_id), viewer, page)
        .await?
        .into_iter()
        .flat_map(|c| c.leads)
    {
        let sla = crate::usecases::sla::of_lead(table, &card.lead_id).await?;
        waiting.push(Waiting { card, sla });
    }
    let window = chrono::Duration::days(rules.renewal.window_days);
    let mut renewing: Vec<Contract> = book
        .contracts
        .into_iter()
        .filter(|c| c.renewal_date >= now && c.renewal_date <= now + window)
        .collect();
    renewing.sort_by_key(|c| c.renewal_date);
    Ok(Some(ResellerHome {
        earned,
        earned_by_month,
        forecast,
        unpaid,
        waiting,
        renewing,
        payouts: latest_payouts(table, reseller_id, PAYOUTS_SHOWN).await?,
    }))
}

/// A payee's latest `n` payout tickets, oldest first (its payouts index is by month).
pub async fn latest_payouts(table: &dyn Table, payee: &str, n: u32) -> Result<Vec<Ticket>, StoreError> {
    let q = Query::new(repo::payouts_index_pk(payee))
        .index(Index::Gsi1)
        .backward()
        .limit(n.max(1));
    let mut tickets: Vec<Ticket> = table
        .query(&q)
        .await?
        .items
        .into_iter()
        .map(repo::record)
        .collect::<Result<_, _>>()?;
    tickets.reverse();
    Ok(tickets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::EmbeddedTable;
    use crate::domain::lead::{Lead, LeadInput, RegisteredValue};
    use crate::domain::stage::Stage;
    use crate::ports::clock::SystemClock;
    use chrono::Duration;

    #[tokio::test]
    async fn the_home_page_shows_ten_waiting_leads_and_the_valued_deals_forecast() {
        let table = EmbeddedTable::in_memory();
        let seed = crate::usecases::resellers::NewReseller::in_india("Home", "home@partner.example");
        let (reseller, _) = crate::usecases::resellers::create(&table, &SystemClock, &seed)
            .await
            .expect("reseller");
        let id = reseller.reseller_id.clone();
        let now = Utc::now();
        // twelve leads waiting, a minute apart; one valued deal at R004
        for n in 0..13 {
            let mut l = Lead::new(
                &LeadInput::default(),
                &format!("L{n:02}"),
                now - Duration::minutes(60 - n),
            );
            l.owner_reseller_id = Some(id.clone());
            l.stage = if n == 12 { Stage::R004 } else { Stage::R002 };
            if n == 12 {
                l.registered_value = Some(RegisteredValue {
                    reseller_id: id.clone(),
                    value: Decimal::new(1_000_000, 0),
                });
            }
            table
                .transact(repo::lead_put(None, &l).expect("item"))
                .await
                .expect("put");
        }
        let rules = Rules::default();
        let viewer = Principal::system("test");
        let home = reseller_home(&table, &rules, &viewer, &id, now)
            .await
            .expect("read")
            .expect("a reseller");
        let shown: Vec<&str> = home.waiting.iter().map(|w| w.card.lead_id.as_str()).collect();
        assert_eq!(shown.len(), WAITING_SHOWN);
        assert_eq!((shown[0], shown[9]), ("L11", "L02"), "most recently changed first");
        let parts: Vec<&str> = home
            .forecast
            .iter()
            .flat_map(|m| m.parts.iter().map(|p| p.id.as_str()))
            .collect();
        assert_eq!(parts, ["L12"], "the valued deal alone");
        assert!(home.forecast.iter().any(|m| m.pipeline > Decimal::ZERO));
        assert_eq!(home.earned, EarnedToDate::default());
        assert!(home.payouts.is_empty() && home.renewing.is_empty());
        assert!(reseller_home(&table, &rules, &viewer, "R-NONE", now)
            .await
            .expect("read")
            .is_none());
    }
}
