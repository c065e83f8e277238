//! A reseller's pages: home (earned this month, quarter and financial year; the next payout;
//! leads waiting for a call; recent payouts), the pipeline board with its moves, a lead, the
//! commission ledger by month, payouts. Each reads what the reseller's API key may read.

use super::pages::render;
use super::CheckedForm;
use super::{see_other, Portal, PortalError, Visitor};
use crate::domain::aggregates::month_of;
use crate::domain::money::display;
use crate::domain::payout_tax::{financial_year, fy_label};
use crate::domain::pipeline::{allowed_moves, LostReason, Target};
use crate::domain::renewal::india_date;
use crate::handlers::http::QueryParams;
use crate::mail::month_name;
use crate::usecases::pipeline::{board, BoardPage, MoveIn, PipelinePorts};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::usecases::home::HOME;

#[derive(Serialize)]
struct Earned {
    mtd: String,
    qtd: String,
    ytd: String,
}

#[derive(Serialize)]
struct LeadRow {
    lead_id: String,
    name: String,
    company: String,
    score: String,
    updated: String,
    /// the first-response clock: "due in 2 h 10 min", "overdue by 35 min", or "—"
    sla: String,
    overdue: bool,
}

/// How a first-response deadline reads from `now`.
pub(super) fn sla_clock(deadline: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> (String, bool) {
    let minutes = (deadline - now).num_minutes();
    let span = |m: i64| {
        if m >= 60 {
            format!("{} h {} min", m / 60, m % 60)
        } else {
            format!("{m} min")
        }
    };
    if minutes >= 0 {
        (format!("due in {}", span(minutes)), false)
    } else {
        (format!("overdue by {}", span(-minutes)), true)
    }
}

#[derive(Serialize)]
pub(super) struct PayoutRow {
    /// `YYYY-MM`
    month_code: String,
    payee: String,
    currency: String,
    month: String,
    gross: String,
    gst: String,
    tds: String,
    net: String,
    status: String,
    reference: String,
    utr: String,
    /// what is transferred when it is another currency: "AED 12,803.50 (at 0.04415, 2026-11-01)"
    paid_as: String,
    /// a micro or small enterprise's payment deadline
    due_by: String,
}

pub(super) fn payout_rows(tickets: &[crate::domain::payout::Ticket]) -> Vec<PayoutRow> {
    let mut rows: Vec<PayoutRow> = tickets
        .iter()
        .flat_map(|t| {
            t.lines.iter().map(move |l| {
                let tax = l.tax.clone().unwrap_or_default();
                PayoutRow {
                    month_code: t.month.clone(),
                    payee: t.payee_name.clone(),
                    currency: l.currency.clone(),
                    month: month_name(&t.month),
                    gross: display(l.payable, &l.currency),
                    gst: display(tax.gst_total(), &l.currency),
                    tds: display(tax.tds_total, &l.currency),
                    net: display(l.net_payable(), &l.currency),
                    status: t.payment.status.label().to_string(),
                    reference: t.payment.reference.clone(),
                    utr: t
                        .payment
                        .settled
                        .get(&l.currency)
                        .map(|s| s.utr.clone())
                        .unwrap_or_default(),
                    paid_as: l
                        .transfer
                        .as_ref()
                        .map(|x| {
                            format!(
                                "{} (at {}, {})",
                                display(x.amount, &x.currency),
                                x.rate.normalize(),
                                x.rate_date
                            )
                        })
                        .unwrap_or_default(),
                    due_by: t.due_by.map(|d| d.to_string()).unwrap_or_default(),
                }
            })
        })
        .collect();
    rows.reverse();
    rows
}

#[utoipa::path(get, path = "/portal", tag = "portal",
    responses((status = 200, description = "a reseller's home (earned MTD/QTD/YTD, next payout, leads waiting, payouts) or the admin's programme page (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page")))]
pub(super) async fn home(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let table = portal.table.as_ref();
    let now = portal.clock.now();
    // staff who do not run the programme land on their own work
    if visitor.is_staff() && !visitor.principal.has(crate::domain::people::Role::ProgrammeAdmin) {
        let landing = match &visitor.principal.person {
            crate::access::Person::Staff { roles, .. } => roles.first().map_or("/portal/login", |r| r.landing()),
            _ => "/portal/login",
        };
        return Ok(super::see_other(landing));
    }
    if visitor.principal.rep().is_some() {
        return super::assign::rep_home(&portal, &visitor).await;
    }
    let Some(id) = visitor.reseller_id().map(str::to_string) else {
        let pending = crate::usecases::applications::by_status(
            table,
            crate::domain::application::ApplicationStatus::Pending,
            100,
        )
        .await?
        .len();
        let overdue = crate::usecases::payout::unpaid_tickets(table, now, portal.config.rules.tax.unpaid_after_days)
            .await?
            .len();
        return Ok(render(
            "admin_home.html",
            "Programme",
            Some(&visitor),
            serde_json::json!({ "pending": pending, "overdue": overdue }),
        ));
    };
    let today = india_date(now);
    let this_month = month_of(today);
    let rules = &portal.config.rules;
    let home = crate::usecases::home::reseller_home(table, rules, &visitor.principal, &id, now)
        .await?
        .ok_or(PortalError::NotFound)?;
    let short = |m: &str| {
        NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map(|d| d.format("%b").to_string())
            .unwrap_or_else(|_| m.to_string())
    };
    let mut bars: Vec<crate::charts::Bar> = home
        .earned_by_month
        .iter()
        .map(|(m, value)| crate::charts::Bar {
            label: short(m),
            value: *value,
            forecast: false,
        })
        .collect();
    bars.extend(home.forecast.iter().map(|f| crate::charts::Bar {
        label: short(&f.month),
        value: f.total,
        forecast: true,
    }));
    let chart = crate::charts::bars(
        "Commission by month, with the forecast",
        "Solid bars: commission earned in each month of this financial year; hatched bars: the forecast for the next three months.",
        &bars,
    );
    let forecast_rows: Vec<serde_json::Value> = home
        .forecast
        .iter()
        .map(|f| {
            serde_json::json!({
                "month": month_name(&f.month),
                "pipeline": display(f.pipeline, HOME),
                "renewals": display(f.renewals, HOME),
                "total": display(f.total, HOME),
                "deals": f.parts.iter().filter(|p| p.kind == crate::domain::forecast::PartKind::Pipeline).count(),
                "contracts": f.parts.iter().filter(|p| p.kind == crate::domain::forecast::PartKind::Renewal).count(),
            })
        })
        .collect();
    let next_payout_date = today
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default();
    let waiting: Vec<LeadRow> = home
        .waiting
        .into_iter()
        .map(|w| {
            let (clock, overdue) = match w.sla {
                Some(s) if s.status == crate::domain::sla::SlaStatus::Waiting => sla_clock(s.deadline, now),
                _ => ("—".to_string(), false),
            };
            LeadRow {
                lead_id: w.card.lead_id,
                name: w.card.name.unwrap_or_else(|| "(no name)".into()),
                company: w.card.company.unwrap_or_default(),
                score: w.card.score.map(|s| s.to_string()).unwrap_or_default(),
                updated: india_date(w.card.updated_at).to_string(),
                sla: clock,
                overdue,
            }
        })
        .collect();
    // renewals in the window with their churn risk (a chart of all, a table of those at risk)
    let threshold = rules.renewal.threshold;
    let score = |c: &crate::domain::renewal::Contract| c.risk.as_ref().map(|r| r.score).unwrap_or(0);
    let risk_chart = (!home.renewing.is_empty()).then(|| {
        crate::charts::risk(
            "Renewal risk",
            &format!(
                "Churn risk out of 100 of each AMC renewing in the next {} days; red at {threshold} or more.",
                rules.renewal.window_days
            ),
            &home
                .renewing
                .iter()
                .map(|c| (c.customer.name.clone(), score(c)))
                .collect::<Vec<_>>(),
            threshold,
        )
    });
    let at_risk: Vec<serde_json::Value> = home
        .renewing
        .iter()
        .filter(|c| score(c) >= threshold)
        .map(|c| {
            serde_json::json!({
                "customer": c.customer.name,
                "renews": india_date(c.renewal_date).to_string(),
                "amc": display(c.amc_amount, &c.currency),
                "risk": score(c),
            })
        })
        .collect();
    let mut payouts = payout_rows(&home.payouts);
    payouts.truncate(6);
    let (mtd, qtd, ytd) = (home.earned.mtd, home.earned.qtd, home.earned.ytd);
    let unpaid = home.unpaid;
    Ok(render(
        "home.html",
        "Home",
        Some(&visitor),
        serde_json::json!({
            "reseller_name": visitor.name.clone(),
            "month_name": month_name(&this_month),
            "fy": fy_label(financial_year(today)),
            "earned": Earned { mtd: display(mtd, HOME), qtd: display(qtd, HOME), ytd: display(ytd, HOME) },
            "next_payout": display(unpaid, HOME),
            "next_payout_date": next_payout_date,
            "waiting": waiting,
            "payouts": payouts,
            "chart": chart,
            "forecast": forecast_rows,
            "at_risk": at_risk,
            "risk_chart": risk_chart,
            "probabilities": portal
                .config
                .rules
                .forecast
                .win_probability
                .iter()
                .map(|(stage, p)| format!("{stage} {}%", (p * Decimal::ONE_HUNDRED).normalize()))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    ))
}

#[derive(Serialize)]
struct MoveOption {
    code: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct CardView {
    lead_id: String,
    name: String,
    company: String,
    value: Option<String>,
    moves: Vec<MoveOption>,
}

#[derive(Serialize)]
struct ColumnView {
    stage: &'static str,
    name: &'static str,
    count: usize,
    value: Option<String>,
    leads: Vec<CardView>,
    more: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PipelineParams {
    /// a refused move's message, shown above the board
    error: Option<String>,
}

#[utoipa::path(get, path = "/portal/pipeline", tag = "portal",
    params(PipelineParams),
    responses((status = 200, description = "the reseller's kanban: a column per stage with its leads and their moves (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session (the board is a reseller's)", content_type = "text/html", body = String)))]
pub(super) async fn pipeline(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(p): QueryParams<PipelineParams>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let columns = board(
        portal.table.as_ref(),
        Some(&id),
        &visitor.principal,
        BoardPage {
            stage: None,
            offset: 0,
            limit: 25,
        },
    )
    .await?;
    let columns: Vec<ColumnView> = columns
        .into_iter()
        .map(|c| {
            let from = crate::domain::stage::Stage::parse(c.stage);
            ColumnView {
                stage: c.stage,
                name: c.name,
                count: c.count,
                value: (!c.expected_value.is_zero()).then(|| display(c.expected_value, HOME)),
                more: c.more,
                leads: c
                    .leads
                    .into_iter()
                    .map(|l| CardView {
                        moves: from
                            .map(|s| allowed_moves(s, false))
                            .unwrap_or_default()
                            .into_iter()
                            .map(|t| MoveOption {
                                code: t.code(),
                                name: match t {
                                    Target::Stage(s) => s.name(),
                                    Target::ClosedLost => "Closed lost",
                                },
                            })
                            .collect(),
                        lead_id: l.lead_id,
                        name: l.name.unwrap_or_else(|| "(no name)".into()),
                        company: l.company.unwrap_or_default(),
                        value: l.expected_value.map(|v| display(v, HOME)),
                    })
                    .collect(),
            }
        })
        .collect();
    let reasons: Vec<&str> = LostReason::ALL.iter().map(|r| r.as_str()).collect();
    let funnel = crate::charts::funnel(
        "Pipeline funnel",
        "The number of your leads at each stage, from lead generation to payout, then closed lost.",
        &columns
            .iter()
            .map(|c| (c.name.to_string(), c.count))
            .collect::<Vec<_>>(),
    );
    Ok(render(
        "pipeline.html",
        "Pipeline",
        Some(&visitor),
        serde_json::json!({ "columns": columns, "reasons": reasons, "message": p.error, "funnel": funnel }),
    ))
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    to: String,
    reason: Option<String>,
}

#[utoipa::path(post, path = "/portal/leads/{id}/move", tag = "portal",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `to` (the next stage or `closed_lost`), `reason` when lost"),
    responses((status = 303, description = "moved (or refused, with the reason shown): back to the board"),
        (status = 403, description = "no CSRF token of this session; nothing changed", content_type = "text/html", body = String),
        (status = 404, description = "no such lead, or another reseller's", content_type = "text/html", body = String)))]
pub(super) async fn move_lead(
    State(portal): State<Arc<Portal>>,
    Path(lead_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<MoveForm>,
) -> Result<Response, PortalError> {
    let Some(to) = Target::parse(&f.to) else {
        return Ok(see_other("/portal/pipeline?error=unknown+stage"));
    };
    let input = MoveIn {
        to,
        note: None,
        reason: f
            .reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .and_then(LostReason::parse),
        force: false,
    };
    let ports = PipelinePorts {
        table: portal.table.as_ref(),
        clock: portal.clock.as_ref(),
        rules: &portal.config.rules.pipeline,
    };
    match crate::usecases::pipeline::move_stage(&ports, &visitor.principal, &lead_id, input).await {
        Ok(_) => Ok(see_other("/portal/pipeline")),
        Err(e) => super::refused(&visitor, "/portal/pipeline", e),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct LedgerParams {
    /// `YYYY-MM` (default: this month)
    month: Option<String>,
}

#[derive(Serialize)]
struct EntryRow {
    at: String,
    component: crate::domain::commission::Component,
    order: String,
    amount: String,
    explanation: String,
}

#[derive(Serialize)]
struct TotalCard {
    label: String,
    amount: String,
}

#[utoipa::path(get, path = "/portal/ledger", tag = "portal",
    params(LedgerParams),
    responses((status = 200, description = "the reseller's commission ledger for a month, with totals per component (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page")))]
pub(super) async fn ledger(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(p): QueryParams<LedgerParams>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let month = p
        .month
        .filter(|m| crate::usecases::commission::parse_month(m).is_some())
        .unwrap_or_else(|| month_of(india_date(portal.clock.now())));
    let entries = crate::usecases::commission::ledger_month(portal.table.as_ref(), &id, &month).await?;
    let mut totals = Vec::new();
    for (currency, by) in crate::usecases::commission::totals(&entries) {
        for (component, amount) in by {
            totals.push(TotalCard {
                label: format!("{component} ({currency})"),
                amount: display(amount, &currency),
            });
        }
    }
    let rows: Vec<EntryRow> = entries
        .iter()
        .map(|e| EntryRow {
            at: india_date(e.earned_at).to_string(),
            component: e.component,
            order: e.order_id.clone(),
            amount: display(e.amount, &e.currency),
            explanation: e.explanation.clone(),
        })
        .collect();
    Ok(render(
        "ledger.html",
        "Commission",
        Some(&visitor),
        serde_json::json!({ "month_name": month_name(&month), "month": month, "totals": totals, "entries": rows }),
    ))
}

#[utoipa::path(get, path = "/portal/payouts", tag = "portal",
    responses((status = 200, description = "the reseller's payouts: gross, GST, TDS, net, status and UTR (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page")))]
pub(super) async fn payouts(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let tickets = crate::usecases::payout::payee_tickets(portal.table.as_ref(), &id).await?;
    Ok(render(
        "payouts.html",
        "Payouts",
        Some(&visitor),
        serde_json::json!({ "payouts": payout_rows(&tickets) }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct StatementParams {
    /// `1`: as a file to save
    download: Option<String>,
}

#[utoipa::path(get, path = "/portal/payouts/{month}/statement", tag = "portal",
    params(("month" = String, Path, description = "YYYY-MM"), StatementParams),
    responses((status = 200, description = "the reseller's own statement for the month (HTML; `download=1`: as an attachment)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 404, description = "no payout of this reseller for that month", content_type = "text/html", body = String)))]
pub(super) async fn statement(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    Path(month): Path<String>,
    QueryParams(p): QueryParams<StatementParams>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    if crate::usecases::commission::parse_month(&month).is_none() {
        return Err(PortalError::NotFound);
    }
    // the session's own ticket only: another reseller's month is simply not found
    let ticket = crate::usecases::payout::ticket(portal.table.as_ref(), &month, &id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let reseller = crate::usecases::resellers::get(portal.table.as_ref(), &id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let (_, html) = crate::payout_docs::statement_parts(&reseller, &ticket);
    if p.download.as_deref() == Some("1") {
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Statement {month}</title></head><body>{html}</body></html>"
        );
        let mut res = (axum::http::StatusCode::OK, page).into_response();
        let h = res.headers_mut();
        h.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"statement-{month}.html\"")) {
            h.insert(axum::http::header::CONTENT_DISPOSITION, v);
        }
        return Ok(res);
    }
    Ok(render(
        "statement.html",
        "Statement",
        Some(&visitor),
        serde_json::json!({ "month": month, "month_name": month_name(&month), "statement": html }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sla_clock_reads_in_hours_and_minutes() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-10-25T10:00:00Z")
            .expect("t")
            .to_utc();
        let at = |m: i64| now + chrono::Duration::minutes(m);
        assert_eq!(sla_clock(at(130), now), ("due in 2 h 10 min".into(), false));
        assert_eq!(sla_clock(at(-35), now), ("overdue by 35 min".into(), true));
        assert_eq!(sla_clock(at(0), now), ("due in 0 min".into(), false));
    }
}
