//! Dynamic SQL without string splicing of values: a `WHERE` clause built
//! from optional filters, each condition written with `?` where its value
//! goes; the values are bound, numbered `$1, $2, ...` in order (the one
//! placeholder style both SQLite and PostgreSQL take through `sqlx::Any`).

use crate::domain::authz::Reach;
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs, QueryScalar};

/// One bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}

/// Conditions joined by `AND`, and their values.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    conds: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Adds `cond`, in which each `?` takes the next of `args` (the same
    /// value twice is given twice). Panics when the counts differ: that is
    /// a bug in the SQL text, found by any test that runs it.
    pub fn and(&mut self, cond: &str, args: impl IntoIterator<Item = Arg>) -> &mut Filter {
        let args: Vec<Arg> = args.into_iter().collect();
        let (out, used) = number(cond, self.next());
        assert_eq!(used, args.len(), "placeholders vs values in {cond:?}");
        self.conds.push(out);
        self.args.extend(args);
        self
    }

    /// Adds `cond` with one value when there is a value.
    pub fn and_some(&mut self, cond: &str, arg: Option<impl Into<Arg>>) -> &mut Filter {
        if let Some(a) = arg {
            self.and(cond, [a.into()]);
        }
        self
    }

    /// Only rows whose `path_column` lies within `reach`. `false` when the
    /// reach is nowhere: then there is nothing to ask the database.
    pub fn within(&mut self, reach: &Reach, path_column: &str) -> bool {
        match reach_cond(reach, path_column) {
            None => false,
            Some((_, values)) if values.is_empty() => true,
            Some((cond, values)) => {
                self.and(&cond, values.into_iter().map(Arg::Text));
                true
            }
        }
    }

    /// The conditions (`1 = 1` when there are none).
    pub fn sql(&self) -> String {
        if self.conds.is_empty() {
            "1 = 1".to_string()
        } else {
            self.conds.join(" AND ")
        }
    }

    /// The number the next placeholder after these takes (`LIMIT $n`).
    pub fn next(&self) -> usize {
        self.args.len() + 1
    }

    pub fn bind<'q>(
        &'q self,
        q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        self.args.iter().fold(q, |q, a| match a {
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Int(i) => q.bind(*i),
        })
    }

    pub fn bind_scalar<'q, O>(
        &'q self,
        q: QueryScalar<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryScalar<'q, Any, O, AnyArguments<'q>> {
        self.args.iter().fold(q, |q, a| match a {
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Int(i) => q.bind(*i),
        })
    }

    pub fn bind_as<'q, O>(
        &'q self,
        q: QueryAs<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
        self.args.iter().fold(q, |q, a| match a {
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Int(i) => q.bind(*i),
        })
    }
}

/// `cond` with each `?` numbered from `$first` on, and how many there were.
pub fn number(cond: &str, first: usize) -> (String, usize) {
    let mut out = String::with_capacity(cond.len() + 8);
    let mut used = 0;
    for c in cond.chars() {
        if c == '?' {
            out.push_str(&format!("${}", first + used));
            used += 1;
        } else {
            out.push(c);
        }
    }
    (out, used)
}

/// The condition that keeps rows whose `path_column` lies within `reach`,
/// with a `?` for each of its values (subtree prefixes); `1 = 1` without
/// values for everywhere; `None` for nowhere (nothing to ask).
pub fn reach_cond(reach: &Reach, path_column: &str) -> Option<(String, Vec<String>)> {
    match reach {
        Reach::Nowhere => None,
        Reach::Everywhere => Some(("1 = 1".to_string(), Vec::new())),
        Reach::Subtrees(paths) => {
            let cond = vec![format!("{path_column} LIKE ?"); paths.len()].join(" OR ");
            Some((
                format!("({cond})"),
                paths.iter().map(|p| format!("{p}%")).collect(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order_across_conditions() {
        let mut f = Filter::new();
        f.and("a = ?", [Arg::Int(1)]);
        f.and("(b LIKE ? OR c LIKE ?)", ["x".into(), "x".into()]);
        f.and_some("d >= ?", Some(5i64));
        f.and_some("e < ?", None::<i64>);
        assert_eq!(f.sql(), "a = $1 AND (b LIKE $2 OR c LIKE $3) AND d >= $4");
        assert_eq!(f.next(), 5);
        assert_eq!(
            f.args,
            vec![Arg::Int(1), "x".into(), "x".into(), Arg::Int(5)]
        );
    }

    #[test]
    fn no_condition_is_all_rows_and_reach_adds_one_per_subtree() {
        let f = Filter::new();
        assert_eq!(f.sql(), "1 = 1");
        let mut f = Filter::new();
        assert!(!f.within(&Reach::Nowhere, "u.path"));
        assert!(f.within(&Reach::Everywhere, "u.path"));
        assert_eq!(f.sql(), "1 = 1");
        assert!(f.within(
            &Reach::Subtrees(vec!["/1/".into(), "/2/5/".into()]),
            "u.path"
        ));
        assert_eq!(f.sql(), "(u.path LIKE $1 OR u.path LIKE $2)");
        assert_eq!(
            f.args,
            vec![Arg::Text("/1/%".into()), Arg::Text("/2/5/%".into())]
        );
    }

    #[test]
    #[should_panic(expected = "placeholders vs values")]
    fn a_condition_with_the_wrong_number_of_values_is_a_bug() {
        Filter::new().and("a = ? AND b = ?", [Arg::Int(1)]);
    }
}
