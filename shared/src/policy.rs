//! The one authorisation policy (SPEC §11): which roles may call each operation — every route of
//! the API and the portal, by method and path as the router matches it. The `Caller` and
//! `Visitor` extractors ask it before a handler runs; nothing else decides who may call what.
//! Whose data a permitted caller then sees is `crate::access`: a reseller's people only their
//! reseller's (a rep only its assigned leads), a channel manager only its partners.
//!
//! The OpenAPI description lists each operation's roles as `x-roles`, and the role matrix test
//! (`tests/src/roles.rs`) calls every described operation as every role against this table; an
//! operation missing here is refused to everyone and fails that test.

use crate::domain::people::Role::{self, *};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Access {
    /// anyone, signed in or not (public forms, tracking, login)
    Anyone,
    /// a billing system, by the webhook signature
    Signed,
    /// a billing system's signature, or one of these roles
    SignedOr(&'static [Role]),
    /// signed-in people with one of these roles
    People(&'static [Role]),
}

/// Every person who can sign in.
const SIGNED_IN: &[Role] = &[
    Owner,
    Manager,
    Rep,
    ProgrammeAdmin,
    ChannelManager,
    Finance,
    Presales,
    Support,
];
const TEAM: &[Role] = &[Owner, Manager, Rep];
const LEAD_WORK: &[Role] = &[Owner, Manager, Rep, ProgrammeAdmin, ChannelManager];
const LEAD_READ: &[Role] = &[Owner, Manager, Rep, ProgrammeAdmin, ChannelManager, Finance, Presales];
const COMMISSION_READ: &[Role] = &[Owner, Manager, ProgrammeAdmin, ChannelManager, Finance];
const FINANCE: &[Role] = &[ProgrammeAdmin, Finance];
const ADMIN: &[Role] = &[ProgrammeAdmin];
const PARTNER_CARE: &[Role] = &[ProgrammeAdmin, ChannelManager];
const PARTNER_READ: &[Role] = &[ProgrammeAdmin, ChannelManager, Finance];
const OWNER_OR_CARE: &[Role] = &[Owner, ProgrammeAdmin, ChannelManager];
const PRESALES: &[Role] = &[ProgrammeAdmin, Presales];
const TICKETS: &[Role] = &[Owner, Manager, ProgrammeAdmin, ChannelManager, Support];
const TICKETS_READ: &[Role] = &[Owner, Manager, ProgrammeAdmin, ChannelManager, Support, Finance];

use Access::*;

/// `(method, path as routed, who)` for every operation.
pub const POLICY: &[(&str, &str, Access)] = &[
    // billing systems
    ("POST", "/billing/orders", Signed),
    ("POST", "/billing/payments", Signed),
    ("POST", "/billing/refunds", Signed),
    ("POST", "/contracts/{id}/signals", SignedOr(ADMIN)),
    // the public
    ("POST", "/leads", Anyone),
    ("POST", "/reseller-applications", Anyone),
    ("GET", "/r/{code}", Anyone),
    ("POST", "/referrals/customers", Anyone),
    ("GET", "/t/c/{token}", Anyone),
    ("GET", "/t/o/{token}", Anyone),
    ("GET", "/u/{token}", Anyone),
    ("POST", "/u/{token}", Anyone),
    ("GET", "/openapi.json", Anyone),
    // leads and the pipeline
    (
        "GET",
        "/leads",
        People(&[Owner, Manager, Rep, ProgrammeAdmin, ChannelManager, Finance]),
    ),
    ("GET", "/leads/{id}", People(LEAD_READ)),
    ("POST", "/leads/{id}/activities", People(LEAD_WORK)),
    ("POST", "/leads/{id}/assign", People(PARTNER_CARE)),
    (
        "POST",
        "/leads/{id}/assign-user",
        People(&[Owner, Manager, ProgrammeAdmin, ChannelManager]),
    ),
    ("POST", "/leads/{id}/co-sell", People(LEAD_WORK)),
    ("GET", "/leads/{id}/quotes", People(LEAD_READ)),
    ("POST", "/leads/{id}/quotes", People(LEAD_WORK)),
    ("POST", "/leads/{id}/reopen", People(LEAD_WORK)),
    ("POST", "/leads/{id}/stage", People(LEAD_WORK)),
    (
        "GET",
        "/pipeline",
        People(&[Owner, Manager, Rep, ProgrammeAdmin, ChannelManager, Finance]),
    ),
    ("GET", "/products", People(SIGNED_IN)),
    ("POST", "/products", People(ADMIN)),
    ("PUT", "/products/{sku}", People(ADMIN)),
    // quotes, co-selling, support
    ("GET", "/quotes", People(PARTNER_READ)),
    ("GET", "/quotes/{id}", People(LEAD_READ)),
    ("GET", "/quotes/{id}/proposal", People(LEAD_WORK)),
    ("POST", "/quotes/{id}/approve", People(PARTNER_CARE)),
    ("POST", "/quotes/{id}/reject", People(PARTNER_CARE)),
    ("GET", "/co-sell", People(PRESALES)),
    ("POST", "/co-sell/{id}/assign", People(PRESALES)),
    ("POST", "/co-sell/{id}/complete", People(PRESALES)),
    ("GET", "/contracts/{id}", People(TICKETS_READ)),
    ("GET", "/contracts/{id}/tickets", People(TICKETS_READ)),
    ("POST", "/contracts/{id}/tickets", People(TICKETS)),
    ("GET", "/tickets/{id}", People(TICKETS_READ)),
    ("POST", "/tickets/{id}/escalate", People(TICKETS)),
    ("POST", "/tickets/{id}/resolve", People(TICKETS)),
    // deal registration
    ("GET", "/registrations", People(TEAM)),
    ("POST", "/registrations", People(TEAM)),
    ("GET", "/registrations/conflicts", People(PARTNER_READ)),
    ("POST", "/registrations/conflicts/{id}/approve", People(PARTNER_CARE)),
    ("POST", "/registrations/conflicts/{id}/reject", People(PARTNER_CARE)),
    // resellers
    ("GET", "/resellers", People(PARTNER_READ)),
    ("POST", "/resellers", People(ADMIN)),
    (
        "GET",
        "/resellers/{id}",
        People(&[Owner, Manager, ProgrammeAdmin, ChannelManager, Finance]),
    ),
    ("PUT", "/resellers/{id}/brand", People(OWNER_OR_CARE)),
    ("PUT", "/resellers/{id}/channel-prices", People(OWNER_OR_CARE)),
    ("PUT", "/resellers/{id}/channel-manager", People(ADMIN)),
    ("GET", "/resellers/{id}/dashboard", People(COMMISSION_READ)),
    ("POST", "/resellers/{id}/suspend", People(ADMIN)),
    ("POST", "/resellers/{id}/reactivate", People(ADMIN)),
    ("POST", "/resellers/{id}/deactivate", People(ADMIN)),
    ("GET", "/resellers/{id}/keys", People(&[Owner, ProgrammeAdmin])),
    ("POST", "/resellers/{id}/keys", People(&[Owner, ProgrammeAdmin])),
    (
        "DELETE",
        "/resellers/{id}/keys/{key_id}",
        People(&[Owner, ProgrammeAdmin]),
    ),
    ("GET", "/resellers/{id}/ledger", People(COMMISSION_READ)),
    ("GET", "/resellers/{id}/payouts", People(COMMISSION_READ)),
    (
        "POST",
        "/resellers/{id}/sub-reseller-applications",
        People(OWNER_OR_CARE),
    ),
    (
        "GET",
        "/resellers/{id}/sub-resellers",
        People(&[Owner, Manager, ProgrammeAdmin, ChannelManager, Finance]),
    ),
    ("PUT", "/resellers/{id}/tax", People(&[Owner, ProgrammeAdmin, Finance])),
    ("POST", "/resellers/{id}/tax/lower-deduction/approve", People(FINANCE)),
    ("POST", "/resellers/{id}/tax/lower-deduction/reject", People(FINANCE)),
    (
        "GET",
        "/resellers/{id}/users",
        People(&[Owner, Manager, ProgrammeAdmin, ChannelManager, Finance, Support]),
    ),
    ("POST", "/resellers/{id}/users", People(OWNER_OR_CARE)),
    ("PUT", "/resellers/{id}/users/{user_id}", People(OWNER_OR_CARE)),
    ("DELETE", "/resellers/{id}/users/{user_id}", People(OWNER_OR_CARE)),
    ("GET", "/reports/revenue", People(COMMISSION_READ)),
    ("GET", "/reports/usage", People(COMMISSION_READ)),
    // applications
    ("GET", "/reseller-applications", People(PARTNER_READ)),
    ("GET", "/reseller-applications/{id}", People(PARTNER_READ)),
    ("POST", "/reseller-applications/{id}/approve", People(PARTNER_CARE)),
    ("POST", "/reseller-applications/{id}/reject", People(PARTNER_CARE)),
    // money
    ("GET", "/orders/{id}", People(FINANCE)),
    ("GET", "/payouts/overdue", People(FINANCE)),
    ("GET", "/payouts/msme", People(FINANCE)),
    ("GET", "/payouts/{month}", People(FINANCE)),
    ("GET", "/payouts/{month}/bank-file", People(FINANCE)),
    ("POST", "/payouts/{month}/settlements", People(FINANCE)),
    (
        "POST",
        "/payouts/{month}/{reseller}/invoice",
        People(&[Owner, ProgrammeAdmin, Finance]),
    ),
    ("GET", "/fx-rates/{date}", People(FINANCE)),
    ("PUT", "/fx-rates/{date}", People(FINANCE)),
    ("GET", "/gst/rcm", People(FINANCE)),
    ("GET", "/tds/26q", People(FINANCE)),
    ("GET", "/tds/27q", People(FINANCE)),
    ("GET", "/tds/certificates", People(&[Owner, ProgrammeAdmin, Finance])),
    ("GET", "/programme/dashboard", People(FINANCE)),
    // the vendor's staff and the audit trail
    ("GET", "/staff", People(&[ProgrammeAdmin, Bootstrap])),
    ("POST", "/staff", People(&[ProgrammeAdmin, Bootstrap])),
    ("PUT", "/staff/{id}", People(ADMIN)),
    ("DELETE", "/staff/{id}", People(ADMIN)),
    // that person itself, or a programme admin (the use case checks which)
    (
        "POST",
        "/staff/{id}/keys",
        People(&[ProgrammeAdmin, Bootstrap, ChannelManager, Finance, Presales, Support]),
    ),
    ("GET", "/audit", People(ADMIN)),
    ("POST", "/people/backfill", People(&[ProgrammeAdmin, Bootstrap])),
    // the portal
    ("GET", "/portal/login", Anyone),
    ("POST", "/portal/login", Anyone),
    ("GET", "/portal/auth/{token}", Anyone),
    ("POST", "/portal/logout", Anyone),
    ("GET", "/portal", People(SIGNED_IN)),
    ("GET", "/portal/pipeline", People(TEAM)),
    (
        "GET",
        "/portal/leads/{id}",
        People(&[Owner, Manager, Rep, ProgrammeAdmin, ChannelManager, Presales]),
    ),
    ("POST", "/portal/leads/{id}/move", People(TEAM)),
    ("POST", "/portal/leads/{id}/activities", People(TEAM)),
    ("POST", "/portal/leads/{id}/co-sell", People(TEAM)),
    ("POST", "/portal/leads/{id}/assign-user", People(&[Owner, Manager])),
    ("GET", "/portal/assign", People(&[Owner, Manager])),
    ("GET", "/portal/quotes/{id}/proposal", People(TEAM)),
    ("GET", "/portal/ledger", People(&[Owner, Manager])),
    ("GET", "/portal/payouts", People(&[Owner, Manager])),
    ("GET", "/portal/payouts/{month}/statement", People(&[Owner, Manager])),
    ("GET", "/portal/tax", People(&[Owner, Manager])),
    ("GET", "/portal/registrations", People(TEAM)),
    ("POST", "/portal/registrations", People(TEAM)),
    ("GET", "/portal/referrals", People(TEAM)),
    ("GET", "/portal/sub-resellers", People(&[Owner])),
    ("POST", "/portal/sub-resellers", People(&[Owner])),
    ("GET", "/portal/brand", People(&[Owner])),
    ("POST", "/portal/brand", People(&[Owner])),
    ("GET", "/portal/keys", People(&[Owner])),
    ("POST", "/portal/keys", People(&[Owner])),
    ("POST", "/portal/keys/{key_id}/revoke", People(&[Owner])),
    ("GET", "/portal/team", People(&[Owner])),
    ("POST", "/portal/team", People(&[Owner])),
    ("POST", "/portal/team/{user_id}/role", People(&[Owner])),
    ("POST", "/portal/team/{user_id}/remove", People(&[Owner])),
    ("GET", "/portal/admin/payouts", People(FINANCE)),
    ("GET", "/portal/admin/payouts/{month}/finance.csv", People(FINANCE)),
    ("GET", "/portal/admin/applications", People(PARTNER_CARE)),
    ("POST", "/portal/admin/applications/{id}/approve", People(PARTNER_CARE)),
    ("POST", "/portal/admin/applications/{id}/reject", People(PARTNER_CARE)),
    ("GET", "/portal/admin/queue", People(PARTNER_CARE)),
    ("POST", "/portal/admin/leads/{id}/assign", People(PARTNER_CARE)),
    ("GET", "/portal/admin/conflicts", People(PARTNER_CARE)),
    ("POST", "/portal/admin/conflicts/{id}/approve", People(PARTNER_CARE)),
    ("POST", "/portal/admin/conflicts/{id}/reject", People(PARTNER_CARE)),
    ("GET", "/portal/admin/co-sell", People(PRESALES)),
    ("POST", "/portal/admin/co-sell/{id}/assign", People(PRESALES)),
    ("GET", "/portal/admin/resellers", People(PARTNER_READ)),
    ("GET", "/portal/admin/resellers.csv", People(PARTNER_READ)),
    ("POST", "/portal/admin/resellers/{id}/suspend", People(ADMIN)),
    ("POST", "/portal/admin/resellers/{id}/reactivate", People(ADMIN)),
    ("GET", "/portal/admin/partners", People(PARTNER_CARE)),
    (
        "GET",
        "/portal/admin/tickets",
        People(&[ProgrammeAdmin, ChannelManager, Support]),
    ),
    ("GET", "/portal/admin/staff", People(ADMIN)),
    ("POST", "/portal/admin/staff", People(ADMIN)),
];

/// The policy's answer for one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Refused,
    /// allowed; `partners_only` when only the channel-manager role grants it (the caller then
    /// sees its partners' data only)
    Allowed {
        partners_only: bool,
    },
}

/// Who may call `method path` (`None`: the operation is not in the table).
pub fn access(method: &str, path: &str) -> Option<Access> {
    POLICY
        .iter()
        .find(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == path)
        .map(|(_, _, a)| *a)
}

/// Whether a signed-in person with `roles` may call `method path`. Unlisted operations are
/// refused to everyone.
pub fn decide(method: &str, path: &str, roles: &[Role]) -> Decision {
    let allowed: &[Role] = match access(method, path) {
        Some(People(r)) | Some(SignedOr(r)) => r,
        Some(Anyone) => return Decision::Allowed { partners_only: false },
        Some(Signed) | None => &[],
    };
    let granting: Vec<Role> = roles.iter().copied().filter(|r| allowed.contains(r)).collect();
    if granting.is_empty() {
        Decision::Refused
    } else {
        Decision::Allowed {
            partners_only: granting.iter().all(|r| *r == ChannelManager),
        }
    }
}

/// The names the description lists as an operation's `x-roles`.
pub fn role_names(access: Access) -> Vec<&'static str> {
    match access {
        Anyone => vec!["anyone"],
        Signed => vec!["billing_system"],
        SignedOr(r) => std::iter::once("billing_system")
            .chain(r.iter().map(|r| r.as_str()))
            .collect(),
        People(r) => r.iter().map(|r| r.as_str()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (m, p, _) in POLICY {
            assert!(seen.insert((m, p)), "{m} {p} twice");
        }
    }

    #[test]
    fn finance_reads_payouts_but_approves_no_partner() {
        let finance = [Finance];
        assert_eq!(
            decide("GET", "/payouts/{month}", &finance),
            Decision::Allowed { partners_only: false }
        );
        assert_eq!(
            decide("POST", "/reseller-applications/{id}/approve", &finance),
            Decision::Refused
        );
    }

    #[test]
    fn a_channel_manager_is_scoped_unless_another_role_grants_it() {
        assert_eq!(
            decide("GET", "/leads", &[ChannelManager]),
            Decision::Allowed { partners_only: true }
        );
        assert_eq!(
            decide("GET", "/leads", &[ChannelManager, Finance]),
            Decision::Allowed { partners_only: false }
        );
    }

    #[test]
    fn a_rep_sees_no_money_and_nothing_unlisted_is_allowed() {
        for (m, p) in [
            ("GET", "/resellers/{id}/ledger"),
            ("GET", "/resellers/{id}/payouts"),
            ("PUT", "/resellers/{id}/tax"),
            ("GET", "/portal/tax"),
            ("GET", "/portal/payouts"),
        ] {
            assert_eq!(decide(m, p, &[Rep]), Decision::Refused, "{m} {p}");
        }
        assert_eq!(decide("GET", "/nowhere", &Role::ALL), Decision::Refused);
        assert_eq!(
            decide("POST", "/staff", &[Bootstrap]),
            Decision::Allowed { partners_only: false }
        );
        assert_eq!(decide("GET", "/payouts/{month}", &[Bootstrap]), Decision::Refused);
    }
}
