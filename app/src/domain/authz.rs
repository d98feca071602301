//! Who may do what, where. The server asks these questions before every
//! read and write; the UI asks the same ones only to hide what would be
//! refused anyway.

use super::account::Role;
use super::unit::is_within;
use serde::{Deserialize, Serialize};

/// Where a role applies: the whole district, or one unit and everything
/// under it (its materialized path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    District,
    Subtree {
        unit_id: i64,
        path: String,
        unit_name: String,
    },
}

impl Scope {
    pub fn covers(&self, unit_path: &str) -> bool {
        match self {
            Scope::District => true,
            Scope::Subtree { path, .. } => is_within(unit_path, path),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// What a signed-in person can be asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageAccounts,
    ViewAudit,
    ManageUnits,
    ViewPeople,
    ManagePeople,
    /// See schemes, results and explanations.
    ViewAssessment,
    /// Enter scores, events, bonuses and metrics; propose and decide vetoes.
    Assess,
    /// Log incident reports (the duty office).
    LogIncidents,
    /// Courses, rotation plans, rosters, attendance, leave.
    ManageTraining,
    /// Training coverage and rectification orders.
    ViewTraining,
    /// Issue and close rectification orders (责令限期整改).
    Rectify,
    /// Emergency plans, drills, evaluations and corrective actions.
    ManageDrills,
    /// Plans, drills, plan coverage, the calendar and corrective actions.
    ViewDrills,
    /// The assistants' registry: register, confirm, drives, revoke
    /// certificates, see phone numbers unmasked.
    ManageRegistry,
    /// The registry (phones masked), certificates, reporter coverage.
    ViewRegistry,
}

impl Action {
    fn roles(self) -> &'static [Role] {
        match self {
            Action::ManageAccounts | Action::ViewAudit | Action::ManageUnits => &[Role::Admin],
            Action::ViewPeople => &[Role::Admin, Role::Organizer, Role::Assessor],
            Action::ManagePeople => &[Role::Admin, Role::Organizer],
            Action::ViewAssessment => &[Role::Admin, Role::Assessor, Role::Organizer],
            Action::Assess => &[Role::Assessor],
            Action::LogIncidents => &[Role::Admin, Role::Organizer, Role::Assessor],
            Action::ManageTraining => &[Role::Admin, Role::Organizer],
            Action::ViewTraining | Action::Rectify | Action::ViewDrills => {
                &[Role::Admin, Role::Organizer, Role::Assessor]
            }
            // Trainees see who their assistants and reporters are, with
            // phone numbers masked.
            Action::ViewRegistry => &[Role::Admin, Role::Organizer, Role::Assessor, Role::Trainee],
            Action::ManageDrills | Action::ManageRegistry => &[Role::Admin, Role::Organizer],
        }
    }
}

/// The set of units an action reaches, for filtering lists in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Nowhere,
    Everywhere,
    /// Materialized paths of subtree roots.
    Subtrees(Vec<String>),
}

/// The signed-in person as the server knows them. Built from the session on
/// every request; never trusted from the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<i64>,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// May the action be taken somewhere at all? (For navigation, and for
    /// actions that are not tied to a unit.)
    pub fn may(&self, action: Action) -> bool {
        self.reach(action) != Reach::Nowhere
    }

    /// May the action be taken on something in the unit with this path?
    pub fn may_at(&self, action: Action, unit_path: &str) -> bool {
        let roles = action.roles();
        self.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .any(|g| g.role == Role::Admin || g.scope.covers(unit_path))
    }

    pub fn reach(&self, action: Action) -> Reach {
        let roles = action.roles();
        let mut paths = Vec::new();
        for g in self.grants.iter().filter(|g| roles.contains(&g.role)) {
            match (&g.role, &g.scope) {
                (Role::Admin, _) | (_, Scope::District) => return Reach::Everywhere,
                (_, Scope::Subtree { path, .. }) => paths.push(path.clone()),
            }
        }
        if paths.is_empty() {
            Reach::Nowhere
        } else {
            paths.sort();
            paths.dedup();
            Reach::Subtrees(paths)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: Vec<Grant>) -> Principal {
        Principal {
            account_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            person_id: None,
            grants,
        }
    }

    fn subtree(path: &str) -> Scope {
        Scope::Subtree {
            unit_id: 0,
            path: path.into(),
            unit_name: "x".into(),
        }
    }

    #[test]
    fn an_admin_manages_everything_everywhere() {
        let admin = principal(vec![Grant {
            role: Role::Admin,
            scope: Scope::District,
        }]);
        assert!(admin.may(Action::ManageAccounts));
        assert!(admin.may_at(Action::ManagePeople, "/9/10/"));
        assert_eq!(admin.reach(Action::ViewPeople), Reach::Everywhere);
    }

    #[test]
    fn a_scoped_organizer_manages_people_only_in_their_subtree() {
        let org = principal(vec![Grant {
            role: Role::Organizer,
            scope: subtree("/2/"),
        }]);
        assert!(org.may_at(Action::ManagePeople, "/2/"));
        assert!(org.may_at(Action::ManagePeople, "/2/7/"));
        assert!(!org.may_at(Action::ManagePeople, "/3/"));
        assert!(!org.may_at(Action::ManagePeople, "/20/"));
        assert!(!org.may(Action::ManageAccounts));
        assert_eq!(
            org.reach(Action::ViewPeople),
            Reach::Subtrees(vec!["/2/".into()])
        );
    }

    #[test]
    fn an_assessor_sees_people_but_may_not_change_them() {
        let a = principal(vec![Grant {
            role: Role::Assessor,
            scope: Scope::District,
        }]);
        assert!(a.may(Action::ViewPeople));
        assert!(!a.may(Action::ManagePeople));
    }

    #[test]
    fn a_trainee_reaches_no_one_else() {
        let t = principal(vec![Grant {
            role: Role::Trainee,
            scope: Scope::District,
        }]);
        assert_eq!(t.reach(Action::ViewPeople), Reach::Nowhere);
        assert!(!t.may(Action::ViewAudit));
    }

    #[test]
    fn roles_held_several_times_are_listed_once() {
        let p = principal(vec![
            Grant {
                role: Role::Organizer,
                scope: subtree("/2/"),
            },
            Grant {
                role: Role::Trainee,
                scope: Scope::District,
            },
            Grant {
                role: Role::Organizer,
                scope: subtree("/5/"),
            },
        ]);
        assert_eq!(p.roles(), vec![Role::Organizer, Role::Trainee]);
        assert_eq!(
            p.reach(Action::ManagePeople),
            Reach::Subtrees(vec!["/2/".into(), "/5/".into()])
        );
    }
}
