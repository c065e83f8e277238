//! Who is asking, and whose data they may see (SPEC §11). What each role may *call* is the
//! policy table (`crate::policy`), asked before any handler runs; this is the other half — a
//! caller the policy let through sees only its data: a reseller's people their reseller's (a rep
//! only the leads assigned to it), a channel manager the resellers assigned to it, the rest of
//! the staff the whole programme.

use crate::domain::lead::Lead;
use crate::domain::people::{ResellerRole, Role, StaffRole};

#[derive(Debug, Clone, PartialEq)]
pub enum Person {
    /// `ADMIN_API_KEY`
    Bootstrap,
    Staff {
        staff_id: String,
        roles: Vec<StaffRole>,
    },
    User {
        user_id: String,
        reseller_id: String,
        role: ResellerRole,
    },
    /// the platform itself: a job, a consumer, a use case acting for the programme
    System(&'static str),
}

/// The data a caller may see on the operation it called.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Programme,
    /// a channel manager acting as one: these resellers only
    Partners(Vec<String>),
    Reseller(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub person: Person,
    pub scope: Scope,
}

impl Principal {
    /// The platform acting for itself (every record visible).
    pub fn system(name: &'static str) -> Principal {
        Principal {
            person: Person::System(name),
            scope: Scope::Programme,
        }
    }

    pub fn user(user_id: &str, reseller_id: &str, role: ResellerRole) -> Principal {
        Principal {
            person: Person::User {
                user_id: user_id.into(),
                reseller_id: reseller_id.into(),
                role,
            },
            scope: Scope::Reseller(reseller_id.into()),
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        match &self.person {
            Person::Bootstrap => vec![Role::Bootstrap],
            Person::Staff { roles, .. } => roles.iter().map(|r| Role::from(*r)).collect(),
            Person::User { role, .. } => vec![Role::from(*role)],
            Person::System(_) => vec![],
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// The acting person as the audit trail names it: `user:<id>`, `staff:<id>`, `bootstrap`,
    /// `system:<name>`.
    pub fn actor(&self) -> String {
        match &self.person {
            Person::Bootstrap => "bootstrap".into(),
            Person::Staff { staff_id, .. } => format!("staff:{staff_id}"),
            Person::User { user_id, .. } => format!("user:{user_id}"),
            Person::System(name) => format!("system:{name}"),
        }
    }

    /// Its roles as the audit trail names them (`owner`, `finance+presales`).
    pub fn role_label(&self) -> String {
        let roles: Vec<&str> = self.roles().into_iter().map(Role::as_str).collect();
        if roles.is_empty() {
            "system".into()
        } else {
            roles.join("+")
        }
    }

    /// The reseller a reseller's person belongs to.
    pub fn reseller_id(&self) -> Option<&str> {
        match &self.person {
            Person::User { reseller_id, .. } => Some(reseller_id),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match &self.person {
            Person::User { user_id, .. } => Some(user_id),
            _ => None,
        }
    }

    pub fn staff_id(&self) -> Option<&str> {
        match &self.person {
            Person::Staff { staff_id, .. } => Some(staff_id),
            _ => None,
        }
    }

    /// A rep's own id: it sees only the leads assigned to it.
    pub fn rep(&self) -> Option<&str> {
        match &self.person {
            Person::User {
                user_id,
                role: ResellerRole::Rep,
                ..
            } => Some(user_id),
            _ => None,
        }
    }

    /// The vendor's side (staff, the bootstrap key, the platform itself).
    pub fn is_staff(&self) -> bool {
        !matches!(self.person, Person::User { .. })
    }

    /// Sees every reseller's data.
    pub fn programme_wide(&self) -> bool {
        self.scope == Scope::Programme
    }

    /// May see this reseller's records.
    pub fn sees_reseller(&self, reseller_id: &str) -> bool {
        match &self.scope {
            Scope::Programme => true,
            Scope::Partners(list) => list.iter().any(|p| p == reseller_id),
            Scope::Reseller(own) => own == reseller_id,
        }
    }

    /// May see a record owned by a reseller (or by nobody: the admin queue's) and, for a rep,
    /// assigned to it.
    pub fn sees_owned(&self, owner: Option<&str>, assigned_user: Option<&str>) -> bool {
        match (&self.scope, owner) {
            (Scope::Programme, _) => true,
            (_, None) => false,
            (_, Some(r)) if !self.sees_reseller(r) => false,
            _ => match self.rep() {
                Some(me) => assigned_user == Some(me),
                None => true,
            },
        }
    }

    pub fn sees_lead(&self, lead: &Lead) -> bool {
        self.sees_owned(lead.owner_reseller_id.as_deref(), lead.assigned_user.as_deref())
    }

    /// Reads tax profiles unmasked (programme admins and finance).
    pub fn unmasked_tax(&self) -> bool {
        self.has(Role::ProgrammeAdmin) || self.has(Role::Finance) || matches!(self.person, Person::System(_))
    }

    /// May force a stage move, reopen after the window, decide for the programme: staff whose
    /// scope covers the record.
    pub fn decides_for_programme(&self) -> bool {
        self.is_staff()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(owner: Option<&str>, assigned: Option<&str>) -> Lead {
        let mut l = Lead::new(&crate::domain::lead::LeadInput::default(), "L1", chrono::Utc::now());
        l.owner_reseller_id = owner.map(str::to_string);
        l.assigned_user = assigned.map(str::to_string);
        l
    }

    #[test]
    fn a_rep_sees_only_what_is_assigned_to_it() {
        let rep = Principal::user("u1", "r1", ResellerRole::Rep);
        let manager = Principal::user("u2", "r1", ResellerRole::Manager);
        assert!(rep.sees_lead(&lead(Some("r1"), Some("u1"))));
        assert!(!rep.sees_lead(&lead(Some("r1"), Some("u9"))));
        assert!(!rep.sees_lead(&lead(Some("r1"), None)));
        assert!(manager.sees_lead(&lead(Some("r1"), None)));
        assert!(!manager.sees_lead(&lead(Some("r2"), None)));
        assert!(
            !manager.sees_lead(&lead(None, None)),
            "the admin queue is the programme's"
        );
    }

    #[test]
    fn a_channel_manager_sees_its_partners() {
        let cm = Principal {
            person: Person::Staff {
                staff_id: "s1".into(),
                roles: vec![StaffRole::ChannelManager],
            },
            scope: Scope::Partners(vec!["r1".into()]),
        };
        assert!(cm.sees_reseller("r1") && !cm.sees_reseller("r2"));
        assert!(cm.sees_lead(&lead(Some("r1"), Some("anyone"))));
        assert!(!cm.sees_lead(&lead(Some("r2"), None)));
        assert_eq!(
            (cm.actor(), cm.role_label()),
            ("staff:s1".into(), "channel_manager".into())
        );
        assert!(!cm.unmasked_tax());
    }
}
