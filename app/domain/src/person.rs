//! People (人员): their positions (岗位), phone numbers and how they are
//! shown to those who may not see them whole.

use super::{Problem, code_field, text_field};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Position {
    EmStaff,
    LeaderCadre,
    EnterpriseWorker,
    EqAssistant,
    QuickReporter,
    InfoOfficer,
    Expert,
}

impl Position {
    pub const ALL: [Position; 7] = [
        Position::EmStaff,
        Position::LeaderCadre,
        Position::EnterpriseWorker,
        Position::EqAssistant,
        Position::QuickReporter,
        Position::InfoOfficer,
        Position::Expert,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Position::EmStaff => "em_staff",
            Position::LeaderCadre => "leader_cadre",
            Position::EnterpriseWorker => "enterprise_worker",
            Position::EqAssistant => "eq_assistant",
            Position::QuickReporter => "quick_reporter",
            Position::InfoOfficer => "info_officer",
            Position::Expert => "expert",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Position::EmStaff => "position.em_staff",
            Position::LeaderCadre => "position.leader_cadre",
            Position::EnterpriseWorker => "position.enterprise_worker",
            Position::EqAssistant => "position.eq_assistant",
            Position::QuickReporter => "position.quick_reporter",
            Position::InfoOfficer => "position.info_officer",
            Position::Expert => "position.expert",
        }
    }

    /// Accepts the code or the Chinese name a spreadsheet would use.
    pub fn parse(raw: &str) -> Result<Position, Problem> {
        let p = match raw.trim() {
            "em_staff" | "应急管理人员" | "应急管理工作人员" => Position::EmStaff,
            "leader_cadre" | "领导干部" => Position::LeaderCadre,
            "enterprise_worker" | "企业职工" | "企业员工" => Position::EnterpriseWorker,
            "eq_assistant" | "防震减灾助理员" => Position::EqAssistant,
            "quick_reporter" | "灾情速报员" => Position::QuickReporter,
            "info_officer" | "信息员" => Position::InfoOfficer,
            "expert" | "专家" => Position::Expert,
            other => return Err(Problem::with("problem.unknown_position", &[other])),
        };
        Ok(p)
    }

    /// Parses a list written as a spreadsheet cell: separated by `;`, `；`,
    /// `,`, `，`, `、` or `|`. Duplicates collapse; order is canonical.
    pub fn parse_list(raw: &str) -> Result<Vec<Position>, Problem> {
        let mut out = Vec::new();
        for part in raw.split([';', '；', ',', '，', '、', '|']) {
            if part.trim().is_empty() {
                continue;
            }
            out.push(Position::parse(part)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The storage form of a set of positions: `|code|code|`, so that one
    /// position is found with `LIKE '%|code|%'` on both databases.
    pub fn encode_list(list: &[Position]) -> String {
        let mut s = String::from("|");
        for p in list {
            s.push_str(p.code());
            s.push('|');
        }
        s
    }
}

/// A phone number kept in a normal form: an 11-digit mobile number starting
/// with 1, or a landline with its area code (`0xx-xxxxxxxx`).
pub fn parse_phone(raw: &str) -> Result<Option<String>, Problem> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new("problem.bad_phone"));
    }
    let mobile = digits.len() == 11 && digits.starts_with('1');
    let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
    if mobile {
        Ok(Some(digits))
    } else if landline {
        let area = if digits.starts_with("01") || digits.starts_with("02") {
            3
        } else {
            4
        };
        Ok(Some(format!("{}-{}", &digits[..area], &digits[area..])))
    } else {
        Err(Problem::new("problem.bad_phone"))
    }
}

/// Shows the first three and last four digits only: 138****1234.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// A person as a user enters them, checked field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub code: String,
    pub name: String,
    pub positions: Vec<Position>,
    pub phone: Option<String>,
}

impl PersonDraft {
    pub fn parse(
        code: &str,
        name: &str,
        positions: &str,
        phone: &str,
    ) -> Result<PersonDraft, Vec<(&'static str, Problem)>> {
        let mut problems = Vec::new();
        let code = code_field(code)
            .map_err(|p| problems.push(("field.person_code", p)))
            .ok();
        let name = text_field(name, 1, 32)
            .map_err(|p| problems.push(("field.person_name", p)))
            .ok();
        let positions = Position::parse_list(positions)
            .map_err(|p| problems.push(("field.positions", p)))
            .ok();
        let phone = parse_phone(phone)
            .map_err(|p| problems.push(("field.phone", p)))
            .ok();
        match (code, name, positions, phone) {
            (Some(code), Some(name), Some(positions), Some(phone)) if problems.is_empty() => {
                Ok(PersonDraft {
                    code,
                    name,
                    positions,
                    phone,
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse_from_chinese_lists_with_any_separator() {
        assert_eq!(
            Position::parse_list("灾情速报员、应急管理人员；专家"),
            Ok(vec![
                Position::EmStaff,
                Position::QuickReporter,
                Position::Expert
            ])
        );
        assert_eq!(Position::parse_list(""), Ok(vec![]));
        assert_eq!(
            Position::parse_list("厨师"),
            Err(Problem::with("problem.unknown_position", &["厨师"]))
        );
    }

    #[test]
    fn the_stored_form_of_positions_round_trips() {
        let list = vec![Position::LeaderCadre, Position::Expert];
        let stored = Position::encode_list(&list);
        assert_eq!(stored, "|leader_cadre|expert|");
        assert_eq!(Position::parse_list(&stored).unwrap(), list);
        assert_eq!(Position::encode_list(&[]), "|");
    }

    #[test]
    fn phones_are_normalised_or_refused() {
        assert_eq!(parse_phone("138 0013 8000"), Ok(Some("13800138000".into())));
        assert_eq!(parse_phone("010-62345678"), Ok(Some("010-62345678".into())));
        assert_eq!(
            parse_phone("0571 8888 8888"),
            Ok(Some("0571-88888888".into()))
        );
        assert_eq!(parse_phone(""), Ok(None));
        assert_eq!(parse_phone("12345"), Err(Problem::new("problem.bad_phone")));
        assert_eq!(
            parse_phone("1380013800x"),
            Err(Problem::new("problem.bad_phone"))
        );
    }

    #[test]
    fn masked_phones_keep_only_the_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("010-62345678"), "010*****5678");
        assert_eq!(mask_phone("12345"), "*****");
    }
}
