//! Reading the JSON files the command line takes (assessment sheets, rotation
//! plans): typed accessors on an object that know their path, so that every
//! refusal says where (`manual_scores[2].points`) and what is wrong.

use super::assessment::{Points, fixed_point};
use serde_json::{Map, Value};

/// What is wrong with an input file, and where (`trainees[3].unit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub at: String,
    pub problem: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

pub fn err<T>(at: impl Into<String>, problem: impl Into<String>) -> Result<T, FileError> {
    Err(FileError {
        at: at.into(),
        problem: problem.into(),
    })
}

/// A day written `YYYY-MM-DD` (and nothing else: `2018-2-1` is refused).
pub fn date(text: &str, at: &str) -> Result<chrono::NaiveDate, FileError> {
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if shaped && crate::in_calendar(d) => Ok(d),
        Ok(_) if shaped => err(
            at,
            format!(
                "\"{text}\" is outside the years {}-{}",
                crate::YEARS.start(),
                crate::YEARS.end()
            ),
        ),
        Err(_) if shaped => err(at, format!("\"{text}\" is not a day of the calendar")),
        _ => err(at, format!("\"{text}\" is not a date written YYYY-MM-DD")),
    }
}

const TOO_LARGE: &str = "is too large";

/// A JSON object being read, with the path to it for messages.
pub struct Obj<'a> {
    at: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    pub fn of(value: &'a Value, at: &str) -> Result<Obj<'a>, FileError> {
        match value.as_object() {
            Some(map) => Ok(Obj {
                at: at.to_string(),
                map,
            }),
            None => err(at, "must be an object"),
        }
    }

    pub fn path(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.at)
        }
    }

    /// Refuses a field not in `keys` (a misspelt optional field would
    /// otherwise be read as absent).
    pub fn only(&self, keys: &[&str]) -> Result<(), FileError> {
        match self.map.keys().find(|k| !keys.contains(&k.as_str())) {
            Some(k) => err(
                self.path(k),
                format!("is not one of the fields: {}", keys.join(", ")),
            ),
            None => Ok(()),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn text(&self, key: &str) -> Result<String, FileError> {
        match self.get(key).map(|v| v.as_str()) {
            Some(Some(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Some(_)) | None => err(self.path(key), "is required"),
            Some(None) => err(self.path(key), "must be text"),
        }
    }

    pub fn list(&self, key: &str, required: bool) -> Result<&'a [Value], FileError> {
        match self.get(key) {
            None if required => err(self.path(key), "is required"),
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => err(self.path(key), "must be a list"),
        }
    }

    /// A list of at most `max` items: a file over a documented limit is
    /// refused before anything is built from it.
    pub fn list_at_most(
        &self,
        key: &str,
        required: bool,
        max: usize,
    ) -> Result<&'a [Value], FileError> {
        let items = self.list(key, required)?;
        if items.len() > max {
            return err(
                self.path(key),
                format!("has {} items; at most {max} are allowed", items.len()),
            );
        }
        Ok(items)
    }

    /// A decimal with at most `digits` decimals, as an integer scaled by
    /// 10^digits.
    pub fn decimal(&self, key: &str, digits: u32) -> Result<Option<i64>, FileError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match fixed_point(&n.to_string(), digits) {
                Some((whole, frac)) => Ok(Some(whole * 10i64.pow(digits) + frac)),
                None => err(
                    self.path(key),
                    format!("{n} has more than {digits} decimal(s)"),
                ),
            },
            Some(_) => err(self.path(key), "must be a number"),
        }
    }

    pub fn points(&self, key: &str) -> Result<Option<Points>, FileError> {
        Ok(self.decimal(key, 1)?.map(Points))
    }

    pub fn required_points(&self, key: &str) -> Result<Points, FileError> {
        self.points(key)?
            .map_or_else(|| err(self.path(key), "is required"), Ok)
    }

    pub fn integer(&self, key: &str) -> Result<Option<i64>, FileError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                // Whole, but beyond what any field here holds.
                None if n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                    err(self.path(key), TOO_LARGE)
                }
                None => err(self.path(key), format!("{n} must be a whole number")),
            },
            Some(_) => err(self.path(key), "must be a whole number"),
        }
    }

    /// A whole number within `min..=max`, named with its bounds when not.
    pub fn integer_in(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, FileError> {
        let out_of_bounds = || err(self.path(key), format!("must be between {min} and {max}"));
        match self.integer(key) {
            Ok(Some(n)) if !(min..=max).contains(&n) => out_of_bounds(),
            Err(e) if e.problem == TOO_LARGE => out_of_bounds(),
            n => n,
        }
    }

    /// A required day written `YYYY-MM-DD` (exactly: no spaces around).
    pub fn date(&self, key: &str) -> Result<chrono::NaiveDate, FileError> {
        match self.get(key) {
            None => err(self.path(key), "is required"),
            Some(Value::String(s)) => date(s, &self.path(key)),
            Some(_) => err(self.path(key), "must be a date written YYYY-MM-DD"),
        }
    }

    /// A list of at most `max` day ranges, each `["first", "last"]` with
    /// both days included (an absent list is empty).
    pub fn day_ranges(
        &self,
        key: &str,
        max: usize,
    ) -> Result<Vec<(chrono::NaiveDate, chrono::NaiveDate)>, FileError> {
        let mut out = Vec::new();
        for (j, r) in self.list_at_most(key, false, max)?.iter().enumerate() {
            let at = format!("{}[{j}]", self.path(key));
            let pair = r.as_array().filter(|p| p.len() == 2).map_or_else(
                || err(at.clone(), "must be [\"first day\", \"last day\"]"),
                Ok,
            )?;
            let day = |k: usize| match pair[k].as_str() {
                Some(s) => date(s, &format!("{at}[{k}]")),
                None => err(format!("{at}[{k}]"), "must be a date written YYYY-MM-DD"),
            };
            let (first, last) = (day(0)?, day(1)?);
            if last < first {
                return err(
                    at,
                    format!("the last day {last} is before the first day {first}"),
                );
            }
            out.push((first, last));
        }
        Ok(out)
    }

    pub fn flag(&self, key: &str) -> Result<bool, FileError> {
        match self.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => err(self.path(key), "must be true or false"),
        }
    }
}
