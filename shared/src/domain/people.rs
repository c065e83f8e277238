//! People (SPEC §11): a reseller's team — its owners, managers and reps — and the vendor's staff
//! (programme admins, channel managers, finance, presales, support). What each role may call is
//! decided by one table, `crate::policy`; this module holds who people are and what a valid
//! invitation or change looks like.

use crate::domain::field::{is_valid_email, FieldError};
use crate::domain::text::{self, Lines};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A person's role inside a reseller company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResellerRole {
    /// everything the reseller may do: tax, bank, keys, brand, sub-resellers, payouts, its team
    Owner,
    /// all the reseller's leads, quotes and commission; assigns leads; no tax, bank, keys or
    /// payout settings
    Manager,
    /// only the leads assigned to it and what it did
    Rep,
}

/// A role of the vendor's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// everything
    ProgrammeAdmin,
    /// the resellers assigned to it: their applications, conflicts, leads, quotes, tickets
    ChannelManager,
    /// payouts, settlements, bank files, FX rates, tax exports; reads the rest
    Finance,
    /// the co-sell queue
    Presales,
    /// L2/L3 support tickets
    Support,
}

/// Every role the policy table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Rep,
    ProgrammeAdmin,
    ChannelManager,
    Finance,
    Presales,
    Support,
    /// `ADMIN_API_KEY`: only creates staff (and hands them their first key)
    Bootstrap,
}

crate::domain::wire_names::wire_names!(Role {
    Owner = "owner",
    Manager = "manager",
    Rep = "rep",
    ProgrammeAdmin = "programme_admin",
    ChannelManager = "channel_manager",
    Finance = "finance",
    Presales = "presales",
    Support = "support",
    Bootstrap = "bootstrap",
});

impl Role {
    pub fn is_reseller(self) -> bool {
        matches!(self, Role::Owner | Role::Manager | Role::Rep)
    }
}

impl From<ResellerRole> for Role {
    fn from(r: ResellerRole) -> Role {
        match r {
            ResellerRole::Owner => Role::Owner,
            ResellerRole::Manager => Role::Manager,
            ResellerRole::Rep => Role::Rep,
        }
    }
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::ProgrammeAdmin => Role::ProgrammeAdmin,
            StaffRole::ChannelManager => Role::ChannelManager,
            StaffRole::Finance => Role::Finance,
            StaffRole::Presales => Role::Presales,
            StaffRole::Support => Role::Support,
        }
    }
}

impl ResellerRole {
    pub fn parse(s: &str) -> Option<ResellerRole> {
        match s.trim() {
            "owner" => Some(ResellerRole::Owner),
            "manager" => Some(ResellerRole::Manager),
            "rep" => Some(ResellerRole::Rep),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        Role::from(self).as_str()
    }
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] = [
        StaffRole::ProgrammeAdmin,
        StaffRole::ChannelManager,
        StaffRole::Finance,
        StaffRole::Presales,
        StaffRole::Support,
    ];
    pub fn parse(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
    pub fn as_str(self) -> &'static str {
        Role::from(self).as_str()
    }
    /// Where a person with this role lands in the portal after signing in.
    pub fn landing(self) -> &'static str {
        match self {
            StaffRole::ProgrammeAdmin => "/portal",
            StaffRole::ChannelManager => "/portal/admin/partners",
            StaffRole::Finance => "/portal/admin/payouts",
            StaffRole::Presales => "/portal/admin/co-sell",
            StaffRole::Support => "/portal/admin/tickets",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    #[default]
    Active,
    /// removed: its sessions end on their next request, its keys are revoked
    Removed,
}

/// A person in a reseller company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub user_id: String,
    pub reseller_id: String,
    /// lower-cased; one account per address across resellers and staff
    pub email: String,
    pub name: String,
    pub role: ResellerRole,
    #[serde(default)]
    pub status: PersonStatus,
    /// who invited it (`user:<id>`, `staff:<id>`, `system:…`)
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// A member of the vendor's staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Staff {
    pub staff_id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<StaffRole>,
    #[serde(default)]
    pub status: PersonStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<DateTime<Utc>>,
    pub version: u64,
}

impl Staff {
    pub fn has(&self, role: StaffRole) -> bool {
        self.roles.contains(&role)
    }
    /// Where it lands after signing in: its first role's work.
    pub fn landing(&self) -> &'static str {
        if self.has(StaffRole::ProgrammeAdmin) {
            return StaffRole::ProgrammeAdmin.landing();
        }
        self.roles.first().map_or("/portal", |r| r.landing())
    }
}

fn error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// An address as an account holds it: trimmed, lower-cased, checked.
pub fn account_email(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    match value.map(|v| v.trim().to_lowercase()) {
        None => {
            errors.push(error("email", "is required"));
            None
        }
        Some(e) if e.len() > 254 || !is_valid_email(&e) => {
            errors.push(error("email", "is not a valid email address"));
            None
        }
        Some(e) => Some(e),
    }
}

/// A person's display name: one line, up to 100 characters.
pub fn person_name(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    text::collect(text::required("name", value, 100, Lines::Single), errors)
}

/// `{email, name, role}` of an invitation into a reseller's team.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UserIn {
    pub email: Option<String>,
    pub name: Option<String>,
    /// `owner` | `manager` | `rep`
    pub role: Option<String>,
}

/// What an invitation asks, checked: every wrong field named.
pub fn new_user(input: &UserIn) -> Result<(String, String, ResellerRole), Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = account_email(input.email.as_deref(), &mut errors);
    let name = person_name(input.name.as_deref(), &mut errors);
    let role = reseller_role(input.role.as_deref(), &mut errors);
    match (email, name, role) {
        (Some(e), Some(n), Some(r)) if errors.is_empty() => Ok((e, n, r)),
        _ => Err(errors),
    }
}

pub fn reseller_role(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<ResellerRole> {
    match value {
        None => {
            errors.push(error("role", "is required: owner, manager or rep"));
            None
        }
        Some(v) => {
            let role = ResellerRole::parse(v);
            if role.is_none() {
                errors.push(error("role", "must be owner, manager or rep"));
            }
            role
        }
    }
}

/// `{email, name, roles}` of a new member of staff; `{name?, roles?}` of a change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StaffIn {
    pub email: Option<String>,
    pub name: Option<String>,
    /// any of `programme_admin`, `channel_manager`, `finance`, `presales`, `support`
    pub roles: Option<Vec<String>>,
}

pub fn staff_roles(value: Option<&[String]>, errors: &mut Vec<FieldError>) -> Option<Vec<StaffRole>> {
    let Some(list) = value else {
        errors.push(error("roles", "is required: one or more staff roles"));
        return None;
    };
    let mut roles = Vec::new();
    for (i, r) in list.iter().enumerate() {
        match StaffRole::parse(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => errors.push(error(
                &format!("roles[{i}]"),
                "must be programme_admin, channel_manager, finance, presales or support",
            )),
        }
    }
    if list.is_empty() {
        errors.push(error("roles", "needs at least one role"));
    }
    roles.sort();
    Some(roles)
}

pub fn new_staff(input: &StaffIn) -> Result<(String, String, Vec<StaffRole>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = account_email(input.email.as_deref(), &mut errors);
    let name = person_name(input.name.as_deref(), &mut errors);
    let roles = staff_roles(input.roles.as_deref(), &mut errors);
    match (email, name, roles) {
        (Some(e), Some(n), Some(r)) if errors.is_empty() => Ok((e, n, r)),
        _ => Err(errors),
    }
}

/// Whether removing or demoting `user` would leave its reseller without an active owner.
pub fn last_owner(team: &[User], user_id: &str) -> bool {
    let owners: Vec<&User> = team
        .iter()
        .filter(|u| u.status == PersonStatus::Active && u.role == ResellerRole::Owner)
        .collect();
    owners.len() == 1 && owners[0].user_id == user_id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, role: ResellerRole, status: PersonStatus) -> User {
        User {
            user_id: id.into(),
            reseller_id: "r".into(),
            email: format!("{id}@x.in"),
            name: id.into(),
            role,
            status,
            invited_by: "system:test".into(),
            created_at: Utc::now(),
            removed_at: None,
            version: 1,
        }
    }

    #[test]
    fn an_invitation_names_every_wrong_field() {
        let bad = UserIn {
            email: Some("not-an-address".into()),
            name: Some("".into()),
            role: Some("boss".into()),
        };
        let fields: Vec<String> = new_user(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "name", "role"]);
        let ok = UserIn {
            email: Some(" Meera@Kalyani-ERP.in ".into()),
            name: Some("Meera".into()),
            role: Some("rep".into()),
        };
        assert_eq!(
            new_user(&ok).ok(),
            Some(("meera@kalyani-erp.in".into(), "Meera".into(), ResellerRole::Rep))
        );
    }

    #[test]
    fn staff_roles_are_named_and_deduplicated() {
        let mut errors = Vec::new();
        let roles = staff_roles(
            Some(&["finance".into(), "finance".into(), "presales".into()]),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(roles, Some(vec![StaffRole::Finance, StaffRole::Presales]));
        staff_roles(Some(&["root".into()]), &mut errors);
        assert_eq!(errors[0].field, "roles[0]");
        let mut none = Vec::new();
        staff_roles(Some(&[]), &mut none);
        assert_eq!(none[0].field, "roles");
    }

    #[test]
    fn the_last_active_owner_is_kept() {
        let team = vec![
            user("a", ResellerRole::Owner, PersonStatus::Active),
            user("b", ResellerRole::Owner, PersonStatus::Removed),
            user("c", ResellerRole::Manager, PersonStatus::Active),
        ];
        assert!(last_owner(&team, "a"));
        assert!(!last_owner(&team, "c"));
        let two = vec![
            user("a", ResellerRole::Owner, PersonStatus::Active),
            user("d", ResellerRole::Owner, PersonStatus::Active),
        ];
        assert!(!last_owner(&two, "a"));
    }

    #[test]
    fn staff_land_on_their_work() {
        let mut s = Staff {
            staff_id: "s".into(),
            email: "f@v.in".into(),
            name: "F".into(),
            roles: vec![StaffRole::Finance],
            status: PersonStatus::Active,
            created_by: "bootstrap".into(),
            created_at: Utc::now(),
            removed_at: None,
            version: 1,
        };
        assert_eq!(s.landing(), "/portal/admin/payouts");
        s.roles = vec![StaffRole::ChannelManager, StaffRole::ProgrammeAdmin];
        assert_eq!(s.landing(), "/portal");
    }
}
