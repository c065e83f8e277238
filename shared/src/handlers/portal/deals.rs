//! A reseller's deal registrations (register a company to protect it) and its referral link
//! with what the link brought: the same use cases as `POST /registrations` and `GET /r/{code}`.

use super::pages::render;
use super::CheckedForm;
use super::{back_with, Outcome, Portal, PortalError, Visitor};
use crate::domain::aggregates::{self as agg, Counters};
use crate::domain::billing::Amount;
use crate::domain::money::display;
use crate::domain::renewal::india_date;
use crate::handlers::http::QueryParams;
use crate::mail::month_name;
use crate::usecases::registrations::{self as uc, CompanyIn, ContactIn, Registered, RegistrationIn, RegistrationPorts};
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize)]
struct RegistrationRow {
    company: String,
    domain: String,
    contact: String,
    value: String,
    until: String,
    lead_id: String,
}

#[utoipa::path(get, path = "/portal/registrations", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's deal registrations and the form to register a company (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn registrations(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let rows: Vec<RegistrationRow> = uc::list_own(portal.table.as_ref(), &id)
        .await?
        .into_iter()
        .map(|r| RegistrationRow {
            company: r.company_name,
            domain: r.domain.unwrap_or_default(),
            contact: r.contact_email,
            value: r
                .expected_value
                .and_then(|v| v.parse::<Decimal>().ok())
                .map(|v| display(v, "INR"))
                .unwrap_or_default(),
            until: india_date(r.protected_until).to_string(),
            lead_id: r.lead_id.unwrap_or_default(),
        })
        .collect();
    Ok(render(
        "registrations.html",
        "Deal registrations",
        Some(&visitor),
        serde_json::json!({ "registrations": rows, "done": o.shown(&visitor).done, "error": o.shown(&visitor).error,
            "days": portal.config.rules.routing.protection_days }),
    ))
}

#[derive(Deserialize)]
pub(super) struct RegistrationForm {
    company_name: Option<String>,
    company_domain: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    expected_value: Option<String>,
}

#[utoipa::path(post, path = "/portal/registrations", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `company_name`, `company_domain`, `contact_name`, `contact_email`, `expected_value`"),
    responses((status = 303, description = "registered, already held, or refused with the reason: back to the page"),
        (status = 403, description = "no CSRF token of this session, or an admin session", content_type = "text/html", body = String)))]
pub(super) async fn register(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: f }: CheckedForm<RegistrationForm>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let filled = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let input = RegistrationIn {
        company: CompanyIn {
            name: filled(f.company_name),
            domain: filled(f.company_domain),
        },
        contact: ContactIn {
            name: filled(f.contact_name),
            email: filled(f.contact_email),
            ..ContactIn::default()
        },
        expected_value: filled(f.expected_value)
            .map(|v| Amount(v.trim().parse::<Decimal>().map_err(|e| e.to_string()))),
    };
    let ports = portal.registration_ports();
    const PAGE: &str = "/portal/registrations";
    Ok(
        match uc::register(&ports, &id, visitor.principal.user_id(), &input).await? {
            Registered::Created(r) => back_with(&visitor, PAGE, "done", &format!("Registered {}.", r.company_name)),
            Registered::Existing(r) => {
                back_with(&visitor, PAGE, "done", &format!("You already hold {}.", r.company_name))
            }
            Registered::Conflict(until) => back_with(
                &visitor,
                PAGE,
                "error",
                &format!(
                    "This company is registered by another reseller until {}.",
                    india_date(until)
                ),
            ),
            Registered::Invalid(errors) => back_with(&visitor, PAGE, "error", &super::field_errors(&errors)),
        },
    )
}

#[derive(Serialize)]
struct ReferralMonth {
    month: String,
    clicks: i64,
    leads: i64,
    conversions: i64,
    fees: String,
}

#[utoipa::path(get, path = "/portal/referrals", tag = "portal",
    responses((status = 200, description = "the reseller's referral link with its clicks, referred leads, conversions and fees by month of this financial year (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn referrals(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let table = portal.table.as_ref();
    let reseller = crate::usecases::resellers::get(table, &id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let this_month = agg::month_of(india_date(portal.clock.now()));
    let months = crate::usecases::dashboard::year_to(&this_month).unwrap_or_default();
    // the event-maintained counters: one batched read for the year
    let counted = crate::usecases::dashboard::counters(table, &id, &months).await?;
    let fee = |c: &Counters| {
        agg::major(
            c.get(&agg::commission_counter(
                "INR",
                crate::domain::commission::Component::Referral,
            )),
            "INR",
        )
    };
    let mut rows: Vec<ReferralMonth> = months
        .iter()
        .map(|m| {
            let c = counted.get(m).cloned().unwrap_or_default();
            ReferralMonth {
                month: month_name(m),
                clicks: c.get(agg::REFERRAL_CLICKS),
                leads: c.get(agg::REFERRED_LEADS),
                conversions: c.get(agg::REFERRAL_CONVERSIONS),
                fees: display(fee(&c), "INR"),
            }
        })
        .collect();
    rows.reverse();
    let link = format!(
        "{}/r/{}",
        portal.config.public_base_url.trim_end_matches('/'),
        reseller.referral_code
    );
    Ok(render(
        "referrals.html",
        "Referrals",
        Some(&visitor),
        serde_json::json!({ "link": link, "code": reseller.referral_code, "months": rows,
            "window": crate::usecases::referrals::ATTRIBUTION_DAYS }),
    ))
}

impl Portal {
    pub(super) fn registration_ports(&self) -> RegistrationPorts<'_> {
        let rules = &self.config.rules;
        RegistrationPorts {
            table: self.table.as_ref(),
            queue: self.queue.as_ref(),
            clock: self.clock.as_ref(),
            scoring_queue: &self.config.scoring_queue,
            protection_days: rules.routing.protection_days as i64,
            extra_free_mail_domains: &rules.routing.extra_free_mail_domains,
            max_expected_value: rules.billing.max_order_amount,
        }
    }
}
