//! Accounts: roles, user names and the password policy.

use super::Problem;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Assessor,
    Organizer,
    Trainee,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Assessor, Role::Organizer, Role::Trainee];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Assessor => "assessor",
            Role::Organizer => "organizer",
            Role::Trainee => "trainee",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::Assessor => "role.assessor",
            Role::Organizer => "role.organizer",
            Role::Trainee => "role.trainee",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, Problem> {
        match raw.trim() {
            "admin" | "管理员" => Ok(Role::Admin),
            "assessor" | "考核员" => Ok(Role::Assessor),
            "organizer" | "组织者" => Ok(Role::Organizer),
            "trainee" | "学员" => Ok(Role::Trainee),
            other => Err(Problem::with("problem.unknown_role", &[other])),
        }
    }

    /// Organizers and assessors work within a scope (the district or one
    /// unit's subtree); admins and trainees do not.
    pub fn is_scoped(self) -> bool {
        matches!(self, Role::Assessor | Role::Organizer)
    }
}

/// Log-in names: 3 to 32 lower-case ASCII letters, digits, `.`, `_` or `-`.
pub fn parse_username(raw: &str) -> Result<String, Problem> {
    let value = raw.trim().to_ascii_lowercase();
    if value.len() < 3 || value.len() > 32 {
        return Err(Problem::with("problem.length_between", &["3", "32"]));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Problem::new("problem.bad_username"));
    }
    Ok(value)
}

/// A new password must be 10 to 128 characters, hold a letter and a digit,
/// and not contain the user name.
pub fn check_new_password(username: &str, password: &str) -> Result<(), Problem> {
    let len = password.chars().count();
    if !(10..=128).contains(&len) {
        return Err(Problem::with("problem.length_between", &["10", "128"]));
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !has_letter || !has_digit {
        return Err(Problem::new("problem.password_mix"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Problem::new("problem.password_has_username"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_limited_to_safe_characters() {
        assert_eq!(parse_username(" Zhang.San "), Ok("zhang.san".into()));
        assert!(parse_username("张三").is_err());
        assert!(parse_username("ab").is_err());
    }

    #[test]
    fn passwords_need_length_letters_digits_and_no_username() {
        assert!(check_new_password("admin", "short1").is_err());
        assert!(check_new_password("admin", "onlyletterslong").is_err());
        assert_eq!(
            check_new_password("admin", "Admin2018secure"),
            Err(Problem::new("problem.password_has_username"))
        );
        assert!(check_new_password("admin", "应急管理2018年度").is_ok());
    }

    #[test]
    fn only_organizers_and_assessors_are_scoped() {
        let scoped: Vec<_> = Role::ALL.into_iter().filter(|r| r.is_scoped()).collect();
        assert_eq!(scoped, vec![Role::Assessor, Role::Organizer]);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
        }
    }
}
