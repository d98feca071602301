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

/// Longer passwords are wrong without being hashed (a new one may have
/// at most 128 characters, 512 bytes).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A new password: 10 to 128 characters, without composition rules (a
/// phrase of a few words with no digit is fine, ASVS 6.2), not containing
/// the user name, and not a common or easily guessed one (the list in
/// `common_passwords.txt`, with what is usually added around such a word,
/// runs and keyboard walks). Checked on the server only: the list is not
/// shipped to the browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn check_new_password(username: &str, password: &str) -> Result<(), Problem> {
    let len = password.chars().count();
    if !(10..=128).contains(&len) {
        return Err(Problem::with("problem.length_between", &["10", "128"]));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Problem::new("problem.password_has_username"));
    }
    if guessable::is_guessable(password) {
        return Err(Problem::new("problem.password_common"));
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
mod guessable {
    //! Passwords a guesser tries first: those of the shipped list
    //! (`common_passwords.txt`, normalized as [`mapped_core`] does), also
    //! with digits and symbols around them or letters written as digits
    //! (`P@ssw0rd2018`), too few distinct characters, mostly digits, runs
    //! and keyboard walks.

    use std::collections::HashSet;
    use std::sync::OnceLock;

    fn common() -> &'static HashSet<&'static str> {
        static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
        LIST.get_or_init(|| {
            include_str!("common_passwords.txt")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        })
    }

    /// Letters written as digits or symbols.
    fn unleet(c: char) -> char {
        match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        }
    }

    /// The password without what is added around a word: leading and
    /// trailing characters other than letters (`@` and `$` count as
    /// letters here: `$ecret`).
    fn strip_ends(lower: &str) -> &str {
        lower.trim_matches(|c: char| !(c.is_alphabetic() || c == '@' || c == '$'))
    }

    /// The core with the separators (anything but letters and digits) dropped.
    fn plain_core(lower: &str) -> String {
        strip_ends(lower)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    /// The core read as letters (`p@ssw0rd` is `password`), separators dropped:
    /// the form the list is kept in.
    fn mapped_core(lower: &str) -> String {
        strip_ends(lower)
            .chars()
            .map(unleet)
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    /// Consecutive characters each one up (`abcdef`) or each one down (`654321`).
    fn is_run(s: &str) -> bool {
        let codes: Vec<u32> = s.chars().map(u32::from).collect();
        codes.len() >= 6
            && (codes.windows(2).all(|w| w[1] == w[0] + 1)
                || codes.windows(2).all(|w| w[0] == w[1] + 1))
    }

    /// A stretch of a keyboard row or of the column walk, either way.
    fn is_walk(s: &str) -> bool {
        const WALKS: [&str; 5] = [
            "1234567890",
            "qwertyuiop",
            "asdfghjkl",
            "zxcvbnm",
            "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
        ];
        s.chars().count() >= 6
            && WALKS.iter().any(|w| {
                let back: String = w.chars().rev().collect();
                w.contains(s) || back.contains(s)
            })
    }

    pub fn is_guessable(password: &str) -> bool {
        let lower = password.to_lowercase();
        let distinct: HashSet<char> = lower.chars().collect();
        if distinct.len() < 5 {
            return true;
        }
        let plain = plain_core(&lower);
        let mapped = mapped_core(&lower);
        let list = common();
        if [lower.as_str(), plain.as_str(), mapped.as_str()]
            .into_iter()
            .any(|s| list.contains(s))
        {
            return true;
        }
        // A short word in a long string of digits and symbols (`abc1234567`).
        let total = lower.chars().count();
        let letters = lower.chars().filter(|c| c.is_alphabetic()).count();
        if plain.chars().count() < 4 && letters * 2 < total {
            return true;
        }
        let whole: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        [plain.as_str(), whole.as_str()]
            .into_iter()
            .any(|s| is_run(s) || is_walk(s))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_list_is_loaded_and_holds_the_added_words() {
            let list = common();
            assert!(list.len() > 9000, "{}", list.len());
            for w in ["password", "woaini", "yingji", "anquanshengchan", "admin"] {
                assert!(list.contains(w), "{w}");
            }
            assert!(!list.iter().any(|w| w.starts_with('#')));
        }

        #[test]
        fn cores_drop_what_surrounds_a_word_and_read_leetspeak() {
            assert_eq!(plain_core("p@ssw0rd2018"), "pssw0rd");
            assert_eq!(mapped_core("p@ssw0rd2018"), "password");
            assert_eq!(mapped_core("!!$ecret-garden_99"), "secretgarden");
            assert_eq!(plain_core("2018"), "");
        }

        #[test]
        fn runs_and_walks_are_recognized_both_ways() {
            assert!(is_run("abcdefg") && is_run("987654") && !is_run("abcdf"));
            assert!(is_walk("poiuytre") && is_walk("qaz2wsx3") && is_walk("lkjhgf"));
            assert!(!is_walk("qwert"), "shorter than 6");
            assert!(!is_walk("qwertzuiop"));
        }
    }
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
    fn passwords_need_a_length_and_no_username_but_no_digit() {
        assert!(check_new_password("admin", "short1").is_err());
        assert!(check_new_password("admin", &"x".repeat(129)).is_err());
        assert_eq!(
            check_new_password("admin", "Admin2018secure"),
            Err(Problem::new("problem.password_has_username"))
        );
        assert!(check_new_password("admin", "应急管理2018年度").is_ok());
        assert!(check_new_password("admin", "correct horse battery staple").is_ok());
        let long = "the quiet river runs under pale lanterns past the old mill at night";
        assert!(long.chars().count() > 64);
        assert!(check_new_password("admin", long).is_ok());
    }

    #[test]
    fn common_and_patterned_passwords_are_refused() {
        for p in [
            "password2018",
            "P@ssw0rd2018",
            "qwertyuiop",
            "1qaz2wsx3edc",
            "aaaaaaaaaaaa",
            "Yingji2018!!",
            "woaini131420",
            "1234567890",
            "5201314520",
            "qq12345678",
            "abc1234567",
            "zyxwvutsrq",
            "!@#$%^&*()_+",
        ] {
            assert_eq!(
                check_new_password("zhang.san", p),
                Err(Problem::new("problem.password_common")),
                "{p}"
            );
        }
    }

    #[test]
    fn the_passwords_tests_and_demos_use_are_accepted() {
        // server/tests/common PASSWORD, .ci/e2e.sh's demo password, the
        // integration tests' new passwords.
        for p in [
            "Correct-horse-2018",
            "Demo-pass-2018",
            "Strong-pass-2018",
            "Quiet-river-2019",
            "quiet river under pale lantern",
        ] {
            for user in ["admin", "organizer", "trainee", "assessor", "intruder"] {
                assert_eq!(check_new_password(user, p), Ok(()), "{p} for {user}");
            }
        }
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
