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
    /// Units' duty settings and rosters: generate, publish, remove drafts.
    KeepDuty,
    /// Rosters and today's duty board (phones masked).
    ViewDuty,
    /// The duty office's own work: spot checks (值班督导检查), the
    /// district's duty calendar (district-wide only), phones on the board
    /// unmasked.
    CheckDuty,
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
            Action::ManageDrills | Action::ManageRegistry | Action::KeepDuty => {
                &[Role::Admin, Role::Organizer]
            }
            Action::ViewDuty => &[Role::Admin, Role::Organizer, Role::Assessor],
            Action::CheckDuty => &[Role::Admin, Role::Assessor],
        }
    }

    /// Roles that hold the action only in their own part of the district,
    /// never by their grant's scope. A trainee's grant carries no scope (it
    /// reads as district-wide), so counting it as a scope would show a
    /// trainee the whole district's registry: it reaches only through
    /// [`Principal::reach_with_own_unit`].
    fn own_unit_roles(self) -> &'static [Role] {
        match self {
            Action::ViewRegistry => &[Role::Trainee],
            _ => &[],
        }
    }

    /// Does a grant of this role place the action by its scope?
    fn scoped_by_grant(self, role: Role) -> bool {
        self.roles().contains(&role) && !self.own_unit_roles().contains(&role)
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

impl Reach {
    /// Does the reach take in the unit with this path? (The same test as
    /// `db::reach_clause` in SQL, for lists already read.)
    pub fn covers(&self, unit_path: &str) -> bool {
        match self {
            Reach::Nowhere => false,
            Reach::Everywhere => true,
            Reach::Subtrees(paths) => paths.iter().any(|p| is_within(unit_path, p)),
        }
    }
}

/// The top-level unit's path of a path: `/3/17/` -> `/3/` (subdistricts,
/// departments, schools and enterprises stand at the top of the tree).
fn top_level(path: &str) -> Option<String> {
    let first = path.trim_start_matches('/').split('/').next()?;
    (!first.is_empty()).then(|| format!("/{first}/"))
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
    /// actions that are not tied to a unit.) A role that holds the action
    /// only in its own part of the district counts here.
    pub fn may(&self, action: Action) -> bool {
        let roles = action.roles();
        self.grants.iter().any(|g| roles.contains(&g.role))
    }

    /// May the action be taken across the whole district? (District-wide
    /// settings, syncs of every unit.)
    pub fn may_everywhere(&self, action: Action) -> bool {
        self.may(action) && self.reach(action) == Reach::Everywhere
    }

    /// May the action be taken on something in the unit with this path?
    /// (By the grants' scopes; own-unit roles reach only through
    /// [`Principal::reach_with_own_unit`].)
    pub fn may_at(&self, action: Action, unit_path: &str) -> bool {
        self.grants
            .iter()
            .filter(|g| action.scoped_by_grant(g.role))
            .any(|g| g.role == Role::Admin || g.scope.covers(unit_path))
    }

    /// May the caller name this person (by number) in a form: register them
    /// in the registry, list them in a drill? Only where they see people;
    /// anyone else is refused by number, without their stored name shown
    /// back (`problem.person_outside_scope`), as the registry import does.
    pub fn may_name_person(&self, person_unit_path: &str) -> bool {
        self.may_at(Action::ViewPeople, person_unit_path)
    }

    /// The reach of an action with the caller's own part of the district
    /// added for the roles that hold it only there: the top-level unit
    /// their person belongs to and everything under it. So a trainee sees
    /// the registry of their own subdistrict (its assistant and the
    /// quick-reporters of its villages and communities; or their own
    /// department, school or enterprise) and no one else's, and a trainee
    /// without a person sees none. The registry page needs no more: who
    /// their assistant and reporters are, phones masked.
    pub fn reach_with_own_unit(&self, action: Action, own_unit_path: Option<&str>) -> Reach {
        let by_grants = self.reach(action);
        let own_roles = action.own_unit_roles();
        let own = own_unit_path
            .filter(|_| self.grants.iter().any(|g| own_roles.contains(&g.role)))
            .and_then(top_level);
        match (by_grants, own) {
            (Reach::Everywhere, _) => Reach::Everywhere,
            (reach, None) => reach,
            (Reach::Nowhere, Some(top)) => Reach::Subtrees(vec![top]),
            (Reach::Subtrees(mut paths), Some(top)) => {
                paths.push(top);
                paths.sort();
                paths.dedup();
                Reach::Subtrees(paths)
            }
        }
    }

    /// The units an action reaches by the grants' scopes (own-unit roles
    /// left out; see [`Principal::reach_with_own_unit`]).
    pub fn reach(&self, action: Action) -> Reach {
        let mut paths = Vec::new();
        for g in self
            .grants
            .iter()
            .filter(|g| action.scoped_by_grant(g.role))
        {
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
        assert!(admin.may_everywhere(Action::ManageRegistry));
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
        // Within the subtree, but not across the district.
        assert!(org.may(Action::ManageRegistry));
        assert!(!org.may_everywhere(Action::ManageRegistry));
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
    fn a_trainee_sees_the_registry_of_their_own_subdistrict_only() {
        let t = principal(vec![Grant {
            role: Role::Trainee,
            scope: Scope::District,
        }]);
        // The page is open to them, but their grant reaches nowhere by
        // itself: the district-wide scope of a trainee's grant is no reach.
        assert!(t.may(Action::ViewRegistry));
        assert_eq!(t.reach(Action::ViewRegistry), Reach::Nowhere);
        assert!(!t.may_at(Action::ViewRegistry, "/2/"));
        assert_eq!(
            t.reach_with_own_unit(Action::ViewRegistry, Some("/2/7/")),
            Reach::Subtrees(vec!["/2/".into()])
        );
        assert_eq!(
            t.reach_with_own_unit(Action::ViewRegistry, None),
            Reach::Nowhere,
            "a trainee without a person"
        );
        assert_eq!(
            t.reach_with_own_unit(Action::ViewPeople, Some("/2/7/")),
            Reach::Nowhere,
            "only where the role holds the action in its own unit"
        );
        let reach = t.reach_with_own_unit(Action::ViewRegistry, Some("/2/"));
        assert!(reach.covers("/2/9/") && !reach.covers("/20/") && !reach.covers("/3/"));
    }

    #[test]
    fn an_organizer_who_is_also_a_trainee_keeps_their_scope_and_their_own_unit() {
        let p = principal(vec![
            Grant {
                role: Role::Organizer,
                scope: subtree("/5/"),
            },
            Grant {
                role: Role::Trainee,
                scope: Scope::District,
            },
        ]);
        assert_eq!(
            p.reach_with_own_unit(Action::ViewRegistry, Some("/2/7/")),
            Reach::Subtrees(vec!["/2/".into(), "/5/".into()])
        );
        let admin = principal(vec![Grant {
            role: Role::Admin,
            scope: Scope::District,
        }]);
        assert_eq!(
            admin.reach_with_own_unit(Action::ViewRegistry, None),
            Reach::Everywhere
        );
    }

    #[test]
    fn people_are_named_only_where_the_caller_sees_people() {
        let org = principal(vec![Grant {
            role: Role::Organizer,
            scope: subtree("/2/"),
        }]);
        assert!(org.may_name_person("/2/7/"));
        assert!(!org.may_name_person("/3/"));
        let t = principal(vec![Grant {
            role: Role::Trainee,
            scope: Scope::District,
        }]);
        assert!(!t.may_name_person("/2/"));
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
