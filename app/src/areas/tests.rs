//! The layering, checked on the source text: pages reach data only through
//! server functions, server functions only through their service, and a
//! store never reaches into another area. The older layers (`api/`,
//! `db/`) are gone and stay gone.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments (a doc comment may name a
/// layer it does not use).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The areas under `areas/`.
fn areas(src: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src.join("areas"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What a file of `area` in `layer` may not name.
fn breaches(area: &str, layer: &str, all: &[String], text: &str) -> Vec<String> {
    let mut code = code(text);
    if layer == "page" {
        // Who is asking is the one thing of the platform a screen may
        // know (to show or hide what the caller may follow).
        code = code.replace("crate::platform::request::", "");
    }
    let mut found = Vec::new();
    let mut forbid = |needle: String, why: &str| {
        if code.contains(&needle) {
            found.push(format!("{needle} ({why})"));
        }
    };
    match layer {
        "store" => {
            for other in all.iter().filter(|o| o.as_str() != area) {
                forbid(
                    format!("areas::{other}::"),
                    "a store never calls another area",
                );
            }
            forbid(
                "platform::request".into(),
                "a store does not know who is asking",
            );
            forbid("super::service".into(), "a store does not call its service");
        }
        "api" => {
            forbid(
                "::store::".into(),
                "server functions go through the service",
            );
            forbid("sqlx::".into(), "no SQL in server functions");
        }
        "page" => {
            for needle in ["::store::", "::service::", "crate::platform::", "sqlx::"] {
                forbid(needle.into(), "pages read through server functions");
            }
        }
        _ => {}
    }
    found
}

fn layer_of(area_file: &Path, area_dir: &Path) -> &'static str {
    let rel = area_file.strip_prefix(area_dir).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    match first.trim_end_matches(".rs") {
        "store" => "store",
        "api" => "api",
        "service" => "service",
        _ => "other",
    }
}

#[test]
fn areas_keep_to_their_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = areas(&src);
    assert!(all.contains(&"directory".to_string()), "areas: {all:?}");
    let mut wrong = Vec::new();
    for area in &all {
        let dir = src.join("areas").join(area);
        for file in rust_files(&dir) {
            let layer = layer_of(&file, &dir);
            let text = std::fs::read_to_string(&file).unwrap();
            for b in breaches(area, layer, &all, &text) {
                wrong.push(format!("{}: {b}", file.display()));
            }
        }
    }
    for dir in ["pages", "components"] {
        for file in rust_files(&src.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for b in breaches("", "page", &all, &text) {
                wrong.push(format!("{}: {b}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_each_kind_of_breach() {
    let all = vec!["directory".to_string(), "training".to_string()];
    let store = "use crate::areas::training::store::seats;\nfn f() {}";
    assert_eq!(breaches("directory", "store", &all, store).len(), 1);
    assert!(
        breaches("training", "store", &all, store).is_empty(),
        "its own store"
    );
    assert_eq!(
        breaches(
            "directory",
            "store",
            &all,
            "crate::platform::request::require()"
        )
        .len(),
        1
    );
    assert_eq!(
        breaches("directory", "api", &all, "super::store::units::get(p)").len(),
        1
    );
    assert_eq!(
        breaches("directory", "api", &all, "sqlx::query(\"\")").len(),
        1
    );
    assert_eq!(
        breaches("", "page", &all, "crate::areas::directory::store::units").len(),
        1
    );
    assert_eq!(
        breaches("", "page", &all, "crate::platform::db::Day").len(),
        1
    );
    assert!(
        breaches("", "page", &all, "// not crate::platform::db here").is_empty(),
        "comments do not count"
    );
    assert!(breaches("", "page", &all, "crate::areas::directory::api::list_units").is_empty());
    assert!(breaches("", "page", &all, "crate::platform::request::signed_in()").is_empty());
}

/// Everything lives in an area, the platform, the domain or the screens:
/// the layers the code grew in first (`api/` for server functions, `db/`
/// for storage) are not to come back.
#[test]
fn the_older_layers_stay_gone() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for old in ["api", "db", "api.rs", "db.rs"] {
        assert!(!src.join(old).exists(), "app/src/{old} is back");
    }
}

/// The README's map names every area folder, and no area that is not there.
#[test]
fn the_readme_map_lists_the_areas() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest.join("../README.md")).unwrap();
    let start = readme
        .find("<!-- areas -->")
        .expect("README: the areas map's start mark");
    let end = readme
        .find("<!-- /areas -->")
        .expect("README: the areas map's end mark");
    let listed: Vec<String> = readme[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("areas/"))
        .filter_map(|l| l.split('/').next())
        .map(str::to_string)
        .collect();
    assert_eq!(
        listed,
        areas(&manifest.join("src")),
        "README map vs app/src/areas"
    );
}
