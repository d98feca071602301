//! Translations. Every string the UI shows comes from `locales/zh-CN.txt`
//! or `locales/en.txt` (one `key = text` per line); Chinese is the default.
//! The language is remembered in a cookie and written into `<html lang>`,
//! where the browser reads it back when it hydrates.

use crate::domain::Problem;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "yingji_lang";

static ZH_SOURCE: &str = include_str!("../locales/zh-CN.txt");
static EN_SOURCE: &str = include_str!("../locales/en.txt");

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Reads the language cookie out of a `Cookie` header.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .map(|(_, v)| Lang::from_tag(v))
            .unwrap_or_default()
    }

    fn table(self) -> &'static HashMap<&'static str, &'static str> {
        static ZH: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        match self {
            Lang::Zh => ZH.get_or_init(|| parse(ZH_SOURCE)),
            Lang::En => EN.get_or_init(|| parse(EN_SOURCE)),
        }
    }

    /// The text for a key; the key itself when missing (a test makes sure
    /// none is).
    pub fn t(self, key: &str) -> &str {
        self.table().get(key).copied().unwrap_or(key)
    }

    /// The text for a key with `{0}`, `{1}`, ... filled in.
    pub fn tf(self, key: &str, args: &[&str]) -> String {
        let mut s = self.t(key).to_string();
        for (i, a) in args.iter().enumerate() {
            s = s.replace(&format!("{{{i}}}"), a);
        }
        s
    }

    /// The text for a key, or `code` where none is written (a metric or an
    /// object a scheme or a later release names that the file lacks).
    pub fn t_or(self, key: &str, code: &str) -> String {
        let text = self.t(key);
        if text == key { code } else { text }.to_string()
    }

    /// What separates the items of a list: 、 or a comma.
    pub fn sep(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// Items joined as this language lists them: 甲、乙、丙 or a, b, c.
    pub fn list<S: AsRef<str>>(self, items: &[S]) -> String {
        items
            .iter()
            .map(|s| s.as_ref())
            .collect::<Vec<_>>()
            .join(self.sep())
    }

    pub fn problem(self, p: &Problem) -> String {
        let args: Vec<&str> = p.args.iter().map(|s| s.as_str()).collect();
        self.tf(&p.key, &args)
    }
}

fn parse(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &'static str) -> BTreeSet<&'static str> {
        parse(source).into_keys().collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = keys(ZH_SOURCE);
        let en = keys(EN_SOURCE);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only zh: {only_zh:?}; only en: {only_en:?}"
        );
    }

    /// Every key the code names in `t("...")`, `tf("...")` or as a
    /// `"problem."`/`"field."`/... literal must exist in the files.
    #[test]
    fn every_key_used_in_the_code_is_translated() {
        let zh = keys(ZH_SOURCE);
        let mut missing = Vec::new();
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // The server binary's own answers use the same files.
        let mut stack = vec![manifest.join("src"), manifest.join("../server/src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let prefixes = [
                        "problem.",
                        "field.",
                        "kind.",
                        "position.",
                        "role.",
                        "nav.",
                        "page.",
                        "action.",
                        "msg.",
                        "error.",
                        "home.",
                        "login.",
                        "import.",
                        "audit.",
                        "account.",
                        "unit.",
                        "person.",
                        "lang.",
                        "common.",
                        "app.",
                        "assessment.",
                        "explain.",
                        "veto.",
                        "incident.",
                        "metric.",
                        "grade.",
                        "category.",
                        "event.",
                        "method.",
                        "score.",
                        "bonus.",
                        "training.",
                        "order.",
                        "leave.",
                        "notice.",
                        "course_category.",
                        "drills.",
                        "eplan.",
                        "caction.",
                        "calendar.",
                        "clash.",
                        "observance.",
                        "registry.",
                    ];
                    let looks_like_key = prefixes.iter().any(|p| literal.starts_with(p))
                        && literal.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                        })
                        && !literal.ends_with('.');
                    if looks_like_key && !zh.contains(literal) {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "untranslated keys:\n{}",
            missing.join("\n")
        );
    }

    /// Keys the code builds from a code (`event.late_report`) rather than
    /// naming them literally.
    #[test]
    fn every_built_key_is_translated() {
        use crate::domain::drills::{
            DrillFormat, DrillStatus, PlanKind, PlanStatus, PlanStep, Rating, Scenario,
        };
        use crate::domain::registry::CertStatus;
        use crate::domain::scheme::{CATEGORIES, EVENT_TYPES, METRICS};
        use crate::domain::training::CourseCategory;
        let zh = keys(ZH_SOURCE);
        let drills = PlanKind::ALL
            .iter()
            .map(|v| v.label_key())
            .chain(PlanStatus::ALL.iter().map(|v| v.label_key()))
            .chain(PlanStep::ALL.iter().map(|v| v.label_key()))
            .chain(Scenario::ALL.iter().map(|v| v.label_key()))
            .chain(DrillFormat::ALL.iter().map(|v| v.label_key()))
            .chain(DrillStatus::ALL.iter().map(|v| v.label_key()))
            .chain(Rating::ALL.iter().map(|v| v.label_key()))
            .chain(
                [
                    CertStatus::Registered,
                    CertStatus::Certified,
                    CertStatus::Expiring,
                    CertStatus::Expired,
                    CertStatus::Revoked,
                ]
                .map(|s| s.label_key()),
            );
        let built = CATEGORIES
            .iter()
            .map(|c| format!("category.{c}"))
            .chain(METRICS.iter().map(|m| format!("metric.{m}")))
            .chain(EVENT_TYPES.iter().map(|e| format!("event.{e}")))
            .chain(CourseCategory::ALL.iter().map(|c| c.label_key()))
            .chain(
                ["scheduler", "moved", "override", "self"]
                    .iter()
                    .map(|s| format!("training.source_{s}")),
            )
            .chain(drills);
        let missing: Vec<String> = built.filter(|k| !zh.contains(k.as_str())).collect();
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }

    #[test]
    fn no_key_is_given_twice() {
        for source in [ZH_SOURCE, EN_SOURCE] {
            let mut seen = BTreeSet::new();
            let twice: Vec<&str> = source
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
                .filter(|k| !seen.insert(*k))
                .collect();
            assert!(twice.is_empty(), "given twice: {twice:?}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_the_cookie_is_read() {
        assert_eq!(
            Lang::Zh.tf("problem.too_long", &["32"]),
            "不能超过 32 个字符"
        );
        assert_eq!(Lang::from_cookie_header("a=b; yingji_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("a=b"), Lang::Zh);
    }
}
