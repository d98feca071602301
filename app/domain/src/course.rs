//! Courses' quizzes and what passing means: grading on the server (the
//! browser gets the questions without their answers), the pass mark in
//! percent, the attempt limit, completion (attendance and, where there is a
//! quiz, a pass), and when a certifying course's certificate expires.

use super::Problem;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// Indices of the right choices: one for a single-choice question.
    pub correct: Vec<usize>,
    /// Several choices may be ticked.
    pub multiple: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    pub questions: Vec<Question>,
    /// 1 to 100.
    pub pass_percent: u32,
    /// `None`: as many attempts as the trainee likes.
    pub attempt_limit: Option<u32>,
}

/// A question as the trainee's browser receives it: no answers in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub prompt: String,
    pub choices: Vec<String>,
    pub multiple: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    pub right: usize,
    pub total: usize,
    /// Rounded down.
    pub percent: u32,
    pub passed: bool,
}

impl Quiz {
    /// Checks a quiz an organizer wrote; the problem names the question.
    pub fn check(&self) -> Result<(), (String, Problem)> {
        if self.questions.is_empty() {
            return Err((
                "field.questions".into(),
                Problem::new("problem.no_questions"),
            ));
        }
        if !(1..=100).contains(&self.pass_percent) {
            return Err((
                "field.pass_percent".into(),
                Problem::with("problem.between", &["1", "100"]),
            ));
        }
        if self.attempt_limit == Some(0) {
            return Err((
                "field.attempt_limit".into(),
                Problem::with("problem.between", &["1", "99"]),
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            let at = format!("field.question_row:{}:field.choices", i + 1);
            if q.prompt.trim().is_empty() {
                return Err((
                    format!("field.question_row:{}:field.prompt", i + 1),
                    Problem::new("problem.required"),
                ));
            }
            if q.choices.len() < 2 || q.choices.iter().any(|c| c.trim().is_empty()) {
                return Err((at, Problem::new("problem.two_choices")));
            }
            let mut correct = q.correct.clone();
            correct.sort_unstable();
            correct.dedup();
            let fits = correct.len() == q.correct.len()
                && correct.iter().all(|c| *c < q.choices.len())
                && if q.multiple {
                    !correct.is_empty()
                } else {
                    correct.len() == 1
                };
            if !fits {
                return Err((at, Problem::new("problem.bad_correct_choice")));
            }
        }
        Ok(())
    }

    /// The questions without their answers.
    pub fn for_trainee(&self) -> Vec<QuestionView> {
        self.questions
            .iter()
            .map(|q| QuestionView {
                prompt: q.prompt.clone(),
                choices: q.choices.clone(),
                multiple: q.multiple,
            })
            .collect()
    }

    /// Grades one attempt: `answers[i]` are the ticked choices of question
    /// `i`. A question is right only when exactly its right choices are
    /// ticked. An answer that names no choice of its question is refused.
    pub fn grade(&self, answers: &[Vec<usize>]) -> Result<Graded, Problem> {
        if answers.len() != self.questions.len() {
            return Err(Problem::new("problem.answer_every_question"));
        }
        let mut right = 0;
        for (i, (q, a)) in self.questions.iter().zip(answers).enumerate() {
            if a.iter().any(|c| *c >= q.choices.len()) || (!q.multiple && a.len() > 1) {
                return Err(Problem::with("problem.bad_answer", &[&(i + 1).to_string()]));
            }
            let mut ticked = a.clone();
            ticked.sort_unstable();
            ticked.dedup();
            let mut correct = q.correct.clone();
            correct.sort_unstable();
            if ticked == correct {
                right += 1;
            }
        }
        let total = self.questions.len();
        Ok(Graded {
            right,
            total,
            percent: (right * 100 / total) as u32,
            passed: right * 100 >= self.pass_percent as usize * total,
        })
    }

    /// May a trainee who has made `attempts` attempts (and not passed) try
    /// again?
    pub fn may_attempt(&self, attempts: u32) -> bool {
        self.attempt_limit.is_none_or(|limit| attempts < limit)
    }
}

/// A course is completed by attending and, when it has a quiz, passing it.
pub fn completed(attended: bool, has_quiz: bool, passed: bool) -> bool {
    attended && (!has_quiz || passed)
}

/// A certificate issued on `issued` for `months` months is valid through
/// the day before the date `months` later (a date that does not exist,
/// like 31 February, becomes that month's last day).
pub fn certificate_expiry(issued: NaiveDate, months: u32) -> NaiveDate {
    issued
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiz() -> Quiz {
        Quiz {
            questions: vec![
                Question {
                    prompt: "较大突发事件首报时限?".into(),
                    choices: vec!["30 分钟".into(), "2 小时".into(), "1 天".into()],
                    correct: vec![0],
                    multiple: false,
                },
                Question {
                    prompt: "哪些属于应追责的报告问题?".into(),
                    choices: vec![
                        "迟报".into(),
                        "谎报".into(),
                        "及时报告".into(),
                        "瞒报".into(),
                    ],
                    correct: vec![0, 1, 3],
                    multiple: true,
                },
                Question {
                    prompt: "防灾减灾日是哪天?".into(),
                    choices: vec!["5 月 12 日".into(), "11 月 9 日".into()],
                    correct: vec![0],
                    multiple: false,
                },
            ],
            pass_percent: 60,
            attempt_limit: Some(3),
        }
    }

    #[test]
    fn a_multiple_choice_question_needs_exactly_its_right_choices() {
        let q = quiz();
        let g = q.grade(&[vec![0], vec![0, 1], vec![0]]).unwrap();
        assert_eq!((g.right, g.percent, g.passed), (2, 66, true));
        let g = q.grade(&[vec![0], vec![3, 1, 0], vec![1]]).unwrap();
        assert_eq!((g.right, g.passed), (2, true));
        let g = q.grade(&[vec![1], vec![0, 1, 2, 3], vec![1]]).unwrap();
        assert_eq!((g.right, g.percent, g.passed), (0, 0, false));
    }

    #[test]
    fn the_pass_mark_is_met_exactly_without_rounding() {
        let mut q = quiz();
        q.pass_percent = 67;
        let g = q.grade(&[vec![0], vec![0, 1, 3], vec![1]]).unwrap();
        assert_eq!((g.right, g.percent), (2, 66));
        assert!(!g.passed, "2 of 3 is 66.7%, under 67%");
        q.pass_percent = 66;
        assert!(q.grade(&[vec![0], vec![0, 1, 3], vec![1]]).unwrap().passed);
    }

    #[test]
    fn answers_that_do_not_fit_the_questions_are_refused() {
        let q = quiz();
        assert_eq!(
            q.grade(&[vec![0], vec![0]]),
            Err(Problem::new("problem.answer_every_question"))
        );
        assert_eq!(
            q.grade(&[vec![0], vec![9], vec![0]]),
            Err(Problem::with("problem.bad_answer", &["2"]))
        );
        assert_eq!(
            q.grade(&[vec![0, 1], vec![0], vec![0]]),
            Err(Problem::with("problem.bad_answer", &["1"]))
        );
    }

    #[test]
    fn the_browser_never_gets_the_answers() {
        let views = quiz().for_trainee();
        let json = serde_json::to_string(&views).unwrap();
        assert!(!json.contains("correct"));
        assert_eq!(views[1].choices.len(), 4);
    }

    #[test]
    fn attempts_stop_at_the_limit() {
        let q = quiz();
        assert!(q.may_attempt(2));
        assert!(!q.may_attempt(3));
        let unlimited = Quiz {
            attempt_limit: None,
            ..q
        };
        assert!(unlimited.may_attempt(1000));
    }

    #[test]
    fn a_quiz_is_checked_question_by_question() {
        assert_eq!(quiz().check(), Ok(()));
        let mut q = quiz();
        q.questions[1].correct = vec![];
        assert_eq!(
            q.check().unwrap_err().0,
            "field.question_row:2:field.choices"
        );
        let mut q = quiz();
        q.questions[0].correct = vec![0, 1];
        assert_eq!(
            q.check(),
            Err((
                "field.question_row:1:field.choices".into(),
                Problem::new("problem.bad_correct_choice")
            ))
        );
        let mut q = quiz();
        q.questions[2].choices.pop();
        assert!(q.check().is_err());
        let mut q = quiz();
        q.pass_percent = 0;
        assert_eq!(q.check().unwrap_err().0, "field.pass_percent");
    }

    #[test]
    fn completion_needs_attendance_and_a_pass_where_there_is_a_quiz() {
        assert!(completed(true, false, false));
        assert!(completed(true, true, true));
        assert!(!completed(true, true, false));
        assert!(!completed(false, false, true));
    }

    #[test]
    fn certificates_expire_the_day_before_the_anniversary() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(certificate_expiry(d("2018-04-02"), 24), d("2020-04-01"));
        assert_eq!(certificate_expiry(d("2018-01-31"), 1), d("2018-02-27"));
        assert_eq!(certificate_expiry(d("2020-02-29"), 12), d("2021-02-27"));
    }
}
