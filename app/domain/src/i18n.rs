//! Translations. Every string the UI shows comes from `locales/zh-CN.txt`
//! or `locales/en.txt` (one `key = text` per line); Chinese is the default.
//! The language is remembered in a cookie and written into `<html lang>`,
//! where the browser reads it back when it hydrates.

use crate::Problem;
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

    /// The text for a key with `{0}`, `{1}`, ... filled in, in one pass
    /// over the template: an argument that itself holds `{1}` (an incident
    /// titled so) stays as written.
    pub fn tf(self, key: &str, args: &[&str]) -> String {
        fill(self.t(key), args)
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

/// `template` with each `{N}` replaced by `args[N]`; a placeholder without
/// an argument is kept as written.
fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let arg = (digits > 0 && after[digits..].starts_with('}'))
            .then(|| after[..digits].parse::<usize>().ok())
            .flatten()
            .and_then(|i| args.get(i));
        match arg {
            Some(a) => {
                out.push_str(a);
                rest = &after[digits + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_argument_holding_a_placeholder_is_not_filled_again() {
        assert_eq!(
            fill("{0} due {1}", &["fire {1}", "17:00"]),
            "fire {1} due 17:00"
        );
        assert_eq!(fill("{1}{0}", &["a", "b"]), "ba");
        assert_eq!(fill("{2} {x} {} {", &["a"]), "{2} {x} {} {");
        assert_eq!(fill("无参数", &[]), "无参数");
    }
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

    /// Every key the code names in `t("...")`, `tf("...")` or as a literal
    /// (`"problem.too_long"`, `"field.name"`) must exist in the files. A
    /// literal is taken for a key when it is dotted lowercase words and its
    /// first word begins some key in the files: the prefixes come from the
    /// translations themselves, so a new area's keys are checked without
    /// anyone adding to a list.
    #[test]
    fn every_key_used_in_the_code_is_translated() {
        let zh = keys(ZH_SOURCE);
        let prefixes: BTreeSet<&str> = zh
            .iter()
            .filter_map(|k| k.split_once('.').map(|(p, _)| p))
            .collect();
        let mut missing = Vec::new();
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // The app, its islands, this crate and the server binary's own
        // answers all use the same files.
        let mut stack = vec![
            manifest.join("src"),
            manifest.join("../src"),
            manifest.join("../islands/src"),
            manifest.join("../../server/src"),
        ];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for entry in
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                // A file whose dotted words are something else (the sheet
                // file's JSON paths: `scheme.year`) says so itself.
                let not_keys: Vec<String> = text
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("// i18n: not keys: "))
                    .map(|p| format!("{}.", p.trim()))
                    .collect();
                for literal in text.split('"').skip(1).step_by(2) {
                    if not_keys.iter().any(|p| literal.starts_with(p.as_str())) {
                        continue;
                    }
                    if looks_like_key(literal, &prefixes) && !zh.contains(literal) {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        assert!(files > 50, "the scan found only {files} source files");
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "untranslated keys:\n{}",
            missing.join("\n")
        );
    }

    fn looks_like_key(literal: &str, prefixes: &BTreeSet<&str>) -> bool {
        literal.split_once('.').is_some_and(|(p, rest)| {
            prefixes.contains(p)
                && !rest.is_empty()
                && !literal.ends_with('.')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        })
    }

    #[test]
    fn a_key_is_recognised_by_the_prefixes_the_files_use() {
        let prefixes = BTreeSet::from(["problem", "field"]);
        assert!(looks_like_key("problem.too_long", &prefixes));
        assert!(looks_like_key("field.name", &prefixes));
        assert!(
            !looks_like_key("problem.", &prefixes),
            "a prefix being built"
        );
        assert!(!looks_like_key("yingji.css", &prefixes), "a file name");
        assert!(!looks_like_key("127.0.0.1", &prefixes));
        assert!(!looks_like_key("field.Name", &prefixes));
        // The real files: a prefix added with a new area counts at once.
        let real: BTreeSet<&str> = keys(ZH_SOURCE)
            .iter()
            .filter_map(|k| k.split_once('.').map(|(p, _)| p))
            .collect();
        assert!(real.contains("registry") && real.contains("problem"));
    }

    /// Keys the code builds from a code (`event.late_report`) rather than
    /// naming them literally.
    #[test]
    fn every_built_key_is_translated() {
        use crate::drills::{
            DrillFormat, DrillStatus, PlanKind, PlanStatus, PlanStep, Rating, Scenario,
        };
        use crate::registry::CertStatus;
        use crate::scheme::{CATEGORIES, EVENT_TYPES, METRICS};
        use crate::training::CourseCategory;
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
