//! Importing units, people, assessment metrics and the assistants'
//! registry from a spreadsheet: from a table of text cells
//! to checked rows, or to a list of every problem with its row number,
//! column and reason. A file with any problem imports nothing.
//!
//! Row numbers are the spreadsheet's: the header is row 1, the first data
//! row is row 2.

use super::assessment::MAX_RATIO_TERM;
use super::person::{PersonDraft, parse_phone};
use super::registry::RegistryRole;
use super::unit::{UnitDraft, UnitKind, check_parent};
use super::{Problem, code_field};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A file read into text cells; decoding (CSV or XLSX, UTF-8 or GBK) has
/// already happened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    /// The column's header as the file names it (or its canonical Chinese
    /// name when the column is missing).
    pub column: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    Units,
    People,
    /// Numerators and denominators for the assessment's ratio indicators.
    Metrics,
    /// 防震减灾助理员 and 灾情速报员: existing people, or new ones with a name.
    Registry,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Units,
        ImportKind::People,
        ImportKind::Metrics,
        ImportKind::Registry,
    ];

    /// What the importer must be allowed to do.
    pub fn action(self) -> super::authz::Action {
        use super::authz::Action;
        match self {
            ImportKind::Units => Action::ManageUnits,
            ImportKind::People => Action::ManagePeople,
            ImportKind::Metrics => Action::Assess,
            ImportKind::Registry => Action::ManageRegistry,
        }
    }

    /// The list an imported file's rows show up in.
    pub fn list_href(self) -> &'static str {
        match self {
            ImportKind::Units => "/units",
            ImportKind::People => "/people",
            ImportKind::Metrics => "/assessment/metrics",
            ImportKind::Registry => "/registry",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Units => "units",
            ImportKind::People => "people",
            ImportKind::Metrics => "metrics",
            ImportKind::Registry => "registry",
        }
    }

    pub fn parse(raw: &str) -> Option<ImportKind> {
        match raw {
            "units" => Some(ImportKind::Units),
            "people" => Some(ImportKind::People),
            "metrics" => Some(ImportKind::Metrics),
            "registry" => Some(ImportKind::Registry),
            _ => None,
        }
    }

    /// The columns a file of this kind has: (canonical Chinese header,
    /// accepted aliases, required).
    pub fn columns(self) -> &'static [(&'static str, &'static [&'static str], bool)] {
        match self {
            ImportKind::Units => &[
                ("编码", &["code", "单位编码"], true),
                ("名称", &["name", "单位名称"], true),
                ("类型", &["kind", "单位类型"], true),
                ("上级编码", &["parent_code", "上级单位编码"], false),
                ("最少在岗人数", &["min_on_duty", "值班最少在岗"], false),
            ],
            ImportKind::People => &[
                ("编号", &["code", "人员编号"], true),
                ("姓名", &["name"], true),
                ("单位编码", &["unit_code"], true),
                ("岗位", &["positions", "职务"], false),
                ("电话", &["phone", "手机", "联系电话"], false),
            ],
            ImportKind::Metrics => &[
                ("年度", &["year"], true),
                ("单位编码", &["unit_code"], true),
                ("数据项", &["metric", "指标数据"], true),
                ("分子", &["numerator", "实际"], true),
                ("分母", &["denominator", "应有"], true),
            ],
            ImportKind::Registry => &[
                ("人员编号", &["person_code", "编号"], true),
                ("姓名", &["name"], false),
                ("类别", &["role", "角色"], true),
                ("单位编码", &["unit_code"], true),
                ("电话", &["phone", "手机", "联系电话"], false),
                ("任命日期", &["appointed_on", "聘任日期"], true),
            ],
        }
    }
}

/// A unit row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRow {
    pub row: usize,
    pub draft: UnitDraft,
    pub parent_code: Option<String>,
}

/// A person row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub row: usize,
    pub draft: PersonDraft,
    pub unit_code: String,
}

/// What the database already holds that a file is checked against.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Unit code -> (materialized path, kind).
    pub units: HashMap<String, (String, UnitKind)>,
    /// Person codes already taken.
    pub person_codes: std::collections::HashSet<String>,
    /// Person code -> name; read only for a registry file.
    /// `None` when the person exists but lies outside what the importer may
    /// see: their name is not shown back.
    pub person_names: HashMap<String, Option<String>>,
    /// (person code, role) already in the registry; read only for a
    /// registry file.
    pub registered: std::collections::HashSet<(String, RegistryRole)>,
    /// Unit codes outside the importer's scope for this kind of file: a
    /// row naming one is refused on its unit column.
    pub outside: std::collections::HashSet<String>,
}

impl Existing {
    /// The problem with a unit code cell, if any: blank, unknown, or
    /// outside the importer's scope.
    fn unit_problem(&self, code: &str) -> Option<Problem> {
        if code.is_empty() {
            Some(Problem::new("problem.required"))
        } else if !self.units.contains_key(code) {
            Some(Problem::with("problem.unknown_unit", &[code]))
        } else if self.outside.contains(code) {
            Some(Problem::with("problem.outside_scope", &[code]))
        } else {
            None
        }
    }
}

/// Finds each expected column by its header; reports missing required ones
/// on row 1.
fn locate(kind: ImportKind, table: &Table, errors: &mut Vec<RowError>) -> Vec<Option<usize>> {
    let normalized: Vec<String> = table
        .headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    kind.columns()
        .iter()
        .map(|(name, aliases, required)| {
            let found = normalized
                .iter()
                .position(|h| h == name || aliases.iter().any(|a| h == &a.to_lowercase()));
            if found.is_none() && *required {
                errors.push(RowError {
                    row: 1,
                    column: name.to_string(),
                    problem: Problem::new("problem.missing_column"),
                });
            }
            found
        })
        .collect()
}

fn cell(row: &[String], at: Option<usize>) -> &str {
    at.and_then(|i| row.get(i))
        .map(|s| s.as_str())
        .unwrap_or("")
}

fn header(table: &Table, at: Option<usize>, fallback: &str) -> String {
    at.and_then(|i| table.headers.get(i))
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .unwrap_or_else(|| fallback.to_string())
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// Maps a draft's field key to the column it came from.
fn column_for(kind: ImportKind, field: &str) -> usize {
    let names: &[&str] = match kind {
        ImportKind::Units => &[
            "field.code",
            "field.name",
            "field.kind",
            "field.parent_code",
            "field.min_on_duty",
        ],
        ImportKind::People => &[
            "field.person_code",
            "field.person_name",
            "field.unit_code",
            "field.positions",
            "field.phone",
        ],
        ImportKind::Metrics => &[
            "field.year",
            "field.unit_code",
            "field.metric",
            "field.numerator",
            "field.denominator",
        ],
        // Checked cell by cell in `check_registry`, not through a draft.
        ImportKind::Registry => &[],
    };
    names.iter().position(|n| *n == field).unwrap_or(0)
}

/// Where each expected column is, and its header as the file names it; or
/// the missing required columns.
type Located = (Vec<Option<usize>>, Vec<String>);

fn columns(kind: ImportKind, table: &Table) -> Result<Located, Vec<RowError>> {
    let mut errors = Vec::new();
    let at = locate(kind, table, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let names = kind
        .columns()
        .iter()
        .enumerate()
        .map(|(i, (n, _, _))| header(table, at[i], n))
        .collect();
    Ok((at, names))
}

/// A code must be new: not earlier in the file, not in the database.
fn check_new_code(
    code: &str,
    row: usize,
    column: &str,
    seen: &mut BTreeMap<String, usize>,
    exists: bool,
) -> Option<RowError> {
    let problem = match seen.get(code) {
        Some(first) => Problem::with("problem.duplicate_in_file", &[&first.to_string()]),
        None => {
            seen.insert(code.to_string(), row);
            if !exists {
                return None;
            }
            Problem::with("problem.code_exists", &[code])
        }
    };
    Some(RowError {
        row,
        column: column.to_string(),
        problem,
    })
}

/// A draft's field problems as row errors under the file's column names.
fn field_errors(
    kind: ImportKind,
    row: usize,
    names: &[String],
    problems: Vec<(&'static str, Problem)>,
) -> impl Iterator<Item = RowError> {
    problems.into_iter().map(move |(field, problem)| RowError {
        row,
        column: names[column_for(kind, field)].clone(),
        problem,
    })
}

/// All rows, or every problem in row order; a file without data rows is a
/// problem too, not a silent success.
fn outcome<T>(
    rows: Vec<T>,
    mut errors: Vec<RowError>,
    first_column: &str,
) -> Result<Vec<T>, Vec<RowError>> {
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: first_column.to_string(),
            problem: Problem::new("problem.empty_file"),
        });
    }
    errors.sort_by_key(|e| e.row);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Checks a units file. Parents may be existing units or units earlier or
/// later in the same file; a village must end up under a subdistrict.
pub fn check_units(table: &Table, existing: &Existing) -> Result<Vec<UnitRow>, Vec<RowError>> {
    let kind = ImportKind::Units;
    let (at, names) = columns(kind, table)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in table.rows.iter().enumerate() {
        let row = i + 2;
        if is_blank(raw) {
            continue;
        }
        let draft = UnitDraft::parse(
            cell(raw, at[0]),
            cell(raw, at[1]),
            cell(raw, at[2]),
            cell(raw, at[4]),
        );
        let parent = cell(raw, at[3]).trim();
        let parent_code = (!parent.is_empty()).then(|| parent.to_string());
        match draft {
            Err(problems) => errors.extend(field_errors(kind, row, &names, problems)),
            Ok(draft) => {
                let exists = existing.units.contains_key(&draft.code);
                errors.extend(check_new_code(
                    &draft.code,
                    row,
                    &names[0],
                    &mut seen,
                    exists,
                ));
                rows.push(UnitRow {
                    row,
                    draft,
                    parent_code,
                });
            }
        }
    }
    // Parents: known in the database or in this file, of a kind that fits.
    let in_file: HashMap<&str, UnitKind> = rows
        .iter()
        .map(|r| (r.draft.code.as_str(), r.draft.kind))
        .collect();
    for r in &rows {
        let parent_kind = match &r.parent_code {
            None => None,
            Some(code) => match existing
                .units
                .get(code)
                .map(|(_, k)| *k)
                .or_else(|| in_file.get(code.as_str()).copied())
            {
                Some(k) => Some(k),
                None => {
                    errors.push(RowError {
                        row: r.row,
                        column: names[3].clone(),
                        problem: Problem::with("problem.unknown_unit", &[code]),
                    });
                    continue;
                }
            },
        };
        if r.parent_code.as_deref() == Some(r.draft.code.as_str()) {
            errors.push(RowError {
                row: r.row,
                column: names[3].clone(),
                problem: Problem::new("problem.move_into_own_subtree"),
            });
        } else if let Err(problem) = check_parent(r.draft.kind, parent_kind) {
            errors.push(RowError {
                row: r.row,
                column: names[3].clone(),
                problem,
            });
        }
    }
    if errors.is_empty()
        && let Err(cycle_row) = order_parents_first(&mut rows)
    {
        errors.push(RowError {
            row: cycle_row,
            column: names[3].clone(),
            problem: Problem::new("problem.parent_cycle"),
        });
    }
    outcome(rows, errors, &names[0])
}

/// Orders rows so that a unit comes after its parent when both are in the
/// file; reports the row of a unit that is its own ancestor.
fn order_parents_first(rows: &mut Vec<UnitRow>) -> Result<(), usize> {
    let mut placed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let in_file: std::collections::HashSet<String> =
        rows.iter().map(|r| r.draft.code.clone()).collect();
    let mut pending: Vec<UnitRow> = std::mem::take(rows);
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, wait): (Vec<UnitRow>, Vec<UnitRow>) =
            pending.into_iter().partition(|r| match &r.parent_code {
                Some(p) if in_file.contains(p) => placed.contains(p),
                _ => true,
            });
        for r in &ready {
            placed.insert(r.draft.code.clone());
        }
        rows.extend(ready);
        pending = wait;
        if pending.len() == before {
            return Err(pending.iter().map(|r| r.row).min().unwrap_or(2));
        }
    }
    Ok(())
}

/// Checks a people file against the units and person numbers that exist.
pub fn check_people(table: &Table, existing: &Existing) -> Result<Vec<PersonRow>, Vec<RowError>> {
    let kind = ImportKind::People;
    let (at, names) = columns(kind, table)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in table.rows.iter().enumerate() {
        let row = i + 2;
        if is_blank(raw) {
            continue;
        }
        let unit_code = cell(raw, at[2]).trim().to_string();
        if let Some(problem) = existing.unit_problem(&unit_code) {
            errors.push(RowError {
                row,
                column: names[2].clone(),
                problem,
            });
        }
        match PersonDraft::parse(
            cell(raw, at[0]),
            cell(raw, at[1]),
            cell(raw, at[3]),
            cell(raw, at[4]),
        ) {
            Err(problems) => errors.extend(field_errors(kind, row, &names, problems)),
            Ok(draft) => {
                let exists = existing.person_codes.contains(&draft.code);
                errors.extend(check_new_code(
                    &draft.code,
                    row,
                    &names[0],
                    &mut seen,
                    exists,
                ));
                rows.push(PersonRow {
                    row,
                    draft,
                    unit_code,
                });
            }
        }
    }
    outcome(rows, errors, &names[0])
}

/// A metric value from a file: the numerator and denominator a ratio
/// indicator reads for one unit's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricLine {
    pub row: usize,
    pub year: i64,
    pub unit_code: String,
    pub metric: String,
    pub numerator: i64,
    pub denominator: i64,
}

/// Checks a metrics file: a plausible year, a known unit, a metric code,
/// whole numbers from 0 to 1,000,000, and each (year, unit, metric) once.
pub fn check_metrics(table: &Table, existing: &Existing) -> Result<Vec<MetricLine>, Vec<RowError>> {
    let kind = ImportKind::Metrics;
    let (at, names) = columns(kind, table)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in table.rows.iter().enumerate() {
        let row = i + 2;
        if is_blank(raw) {
            continue;
        }
        let mut problem = |column: usize, p: Problem| {
            errors.push(RowError {
                row,
                column: names[column].clone(),
                problem: p,
            })
        };
        let year = match cell(raw, at[0]).trim().parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                problem(0, Problem::new("problem.bad_year"));
                None
            }
        };
        let unit_code = cell(raw, at[1]).trim().to_string();
        let unit_ok = match existing.unit_problem(&unit_code) {
            Some(p) => {
                problem(1, p);
                false
            }
            None => true,
        };
        let metric = match code_field(cell(raw, at[2])) {
            Ok(m) => Some(m),
            Err(p) => {
                problem(2, p);
                None
            }
        };
        let mut whole = |column: usize| match cell(raw, at[column]).trim().parse::<i64>() {
            Ok(n) if (0..=MAX_RATIO_TERM).contains(&n) => Some(n),
            _ => {
                problem(
                    column,
                    Problem::with("problem.between", &["0", &MAX_RATIO_TERM.to_string()]),
                );
                None
            }
        };
        let (numerator, denominator) = (whole(3), whole(4));
        if let (Some(year), true, Some(metric), Some(numerator), Some(denominator)) =
            (year, unit_ok, metric, numerator, denominator)
        {
            let key = format!("{year}/{unit_code}/{metric}");
            if let Some(first) = seen.get(&key) {
                errors.push(RowError {
                    row,
                    column: names[2].clone(),
                    problem: Problem::with("problem.duplicate_in_file", &[&first.to_string()]),
                });
                continue;
            }
            seen.insert(key, row);
            rows.push(MetricLine {
                row,
                year,
                unit_code,
                metric,
                numerator,
                denominator,
            });
        }
    }
    outcome(rows, errors, &names[0])
}

/// A registry row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryLine {
    pub row: usize,
    pub person_code: String,
    /// Set when the person number is new: the person is created with
    /// this name, in the row's unit.
    pub new_name: Option<String>,
    pub role: RegistryRole,
    pub unit_code: String,
    pub phone: Option<String>,
    pub appointed_on: chrono::NaiveDate,
}

/// A date as spreadsheets write it: `2024-03-05`, `2024/3/5`, `2024.3.5`,
/// `2024年3月5日`, or with a time of day after it (an XLSX date cell).
/// Anything else after the date, or a year before 1950 or after 2100 (a
/// time-only cell reads as 1899), is refused.
pub fn sheet_date(raw: &str) -> Result<chrono::NaiveDate, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Problem::new("problem.required"));
    }
    let bad = || Problem::new("problem.bad_date");
    let (day, rest) = match raw.find([' ', 'T']) {
        Some(at) => (&raw[..at], raw[at + 1..].trim()),
        None => (raw, ""),
    };
    let time_ok = rest.is_empty()
        || chrono::NaiveTime::parse_from_str(rest, "%H:%M:%S").is_ok()
        || chrono::NaiveTime::parse_from_str(rest, "%H:%M").is_ok();
    if !time_ok {
        return Err(bad());
    }
    let normalized: String = day
        .strip_suffix('日')
        .unwrap_or(day)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let date = chrono::NaiveDate::parse_from_str(&normalized, "%Y-%m-%d").map_err(|_| bad())?;
    if (1950..=2100).contains(&chrono::Datelike::year(&date)) {
        Ok(date)
    } else {
        Err(bad())
    }
}

/// Checks a registry file: a person number that exists, or a new one with
/// a name (the same name wherever it repeats); a role that fits the
/// unit's kind (assistants in subdistricts, reporters in villages and
/// communities); a phone and an appointment date that read; and no
/// (person, role) twice, in the file or already registered.
pub fn check_registry(
    table: &Table,
    existing: &Existing,
) -> Result<Vec<RegistryLine>, Vec<RowError>> {
    let kind = ImportKind::Registry;
    let (at, names) = columns(kind, table)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: BTreeMap<(String, RegistryRole), usize> = BTreeMap::new();
    // New people named in the file: code -> (name, first row).
    let mut new_people: HashMap<String, (String, usize)> = HashMap::new();
    for (i, raw) in table.rows.iter().enumerate() {
        let row = i + 2;
        if is_blank(raw) {
            continue;
        }
        let mut problem = |column: usize, p: Problem| {
            errors.push(RowError {
                row,
                column: names[column].clone(),
                problem: p,
            })
        };
        let code = code_field(cell(raw, at[0])).map_err(|p| problem(0, p)).ok();
        let name = super::text_field(cell(raw, at[1]), 0, 40)
            .map_err(|p| problem(1, p))
            .ok();
        let role = RegistryRole::parse(cell(raw, at[2]))
            .map_err(|p| problem(2, p))
            .ok();
        let unit_code = cell(raw, at[3]).trim().to_string();
        let unit_kind = match existing.unit_problem(&unit_code) {
            Some(p) => {
                problem(3, p);
                None
            }
            None => existing.units.get(&unit_code).map(|(_, k)| *k),
        };
        if let (Some(role), Some(k)) = (role, unit_kind)
            && let Err(p) = role.check_unit(k)
        {
            problem(3, p);
        }
        let phone = parse_phone(cell(raw, at[4]))
            .map_err(|p| problem(4, p))
            .ok();
        let appointed_on = sheet_date(cell(raw, at[5])).map_err(|p| problem(5, p)).ok();
        let (Some(code), Some(name)) = (code, name) else {
            continue;
        };
        // Who the row is about: a known person (the name, if given, must
        // be theirs) or a new one (a name is needed, and must not differ
        // from the name the number had earlier in the file).
        let new_name = match existing.person_names.get(&code) {
            Some(Some(stored)) => {
                if !name.is_empty() && &name != stored {
                    problem(1, Problem::with("problem.name_mismatch", &[&code, stored]));
                }
                None
            }
            Some(None) => {
                problem(0, Problem::with("problem.person_outside_scope", &[&code]));
                None
            }
            None if name.is_empty() => {
                problem(
                    0,
                    Problem::with("problem.no_such_person_give_name", &[&code]),
                );
                None
            }
            None => {
                match new_people.get(&code) {
                    Some((first_name, first_row)) if first_name != &name => problem(
                        1,
                        Problem::with(
                            "problem.name_differs_in_file",
                            &[&first_row.to_string(), first_name],
                        ),
                    ),
                    Some(_) => {}
                    None => {
                        new_people.insert(code.clone(), (name.clone(), row));
                    }
                }
                Some(name)
            }
        };
        let Some(role) = role else { continue };
        let key = (code.clone(), role);
        if let Some(first) = seen.get(&key) {
            problem(
                0,
                Problem::with("problem.duplicate_in_file", &[&first.to_string()]),
            );
            continue;
        }
        seen.insert(key.clone(), row);
        if existing.registered.contains(&key) {
            problem(0, Problem::new("problem.already_registered"));
            continue;
        }
        if let (Some(phone), Some(appointed_on), Some(_)) = (phone, appointed_on, unit_kind) {
            rows.push(RegistryLine {
                row,
                person_code: code,
                new_name,
                role,
                unit_code,
                phone,
                appointed_on,
            });
        }
    }
    // A row's problems read left to right, as its columns do.
    errors.sort_by_key(|e| (e.row, names.iter().position(|n| n == &e.column)));
    outcome(rows, errors, &names[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::Position;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    /// (row, column, problem key) of each error, in order.
    fn cells(errors: &[RowError]) -> Vec<(usize, &str, &str)> {
        errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.problem.key.as_str()))
            .collect()
    }

    fn existing() -> Existing {
        let mut e = Existing::default();
        e.units
            .insert("JD01".into(), ("/1/".into(), UnitKind::Subdistrict));
        e.units
            .insert("GA".into(), ("/2/".into(), UnitKind::Department));
        e.person_codes.insert("P0001".into());
        e
    }

    #[test]
    fn a_good_people_file_gives_one_row_per_person() {
        let t = table(
            &["\u{feff}编号", "姓名", "单位编码", "岗位", "电话"],
            &[
                &[
                    "P0100",
                    "王建国",
                    "JD01",
                    "应急管理人员、信息员",
                    "13800138000",
                ],
                &["", "", "", "", ""],
                &["P0101", "李秀英", "GA", "", ""],
            ],
        );
        let rows = check_people(&t, &existing()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(
            rows[0].draft.positions,
            vec![Position::EmStaff, Position::InfoOfficer]
        );
        assert_eq!(rows[1].row, 4);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_row_and_column() {
        let t = table(
            &["编号", "姓名", "单位编码", "岗位", "电话"],
            &[
                &["P0100", "王建国", "JD01", "", ""],
                &["P0101", "", "XX", "厨师", "12"],
                &["P0100", "张伟", "GA", "", ""],
                &["P0001", "赵敏", "GA", "", ""],
            ],
        );
        let errors = check_people(&t, &existing()).unwrap_err();
        let summary = cells(&errors);
        assert_eq!(
            summary,
            vec![
                (3, "单位编码", "problem.unknown_unit"),
                (3, "姓名", "problem.required"),
                (3, "岗位", "problem.unknown_position"),
                (3, "电话", "problem.bad_phone"),
                (4, "编号", "problem.duplicate_in_file"),
                (5, "编号", "problem.code_exists"),
            ]
        );
        assert_eq!(errors[4].problem.args, vec!["2".to_string()]);
    }

    #[test]
    fn a_missing_required_column_is_reported_on_row_one() {
        let t = table(&["编号", "姓名"], &[&["P1", "王"]]);
        let errors = check_people(&t, &existing()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "单位编码"));
        assert_eq!(errors[0].problem.key, "problem.missing_column");
    }

    #[test]
    fn english_headers_are_accepted() {
        let t = table(&["code", "name", "unit_code"], &[&["P9", "Wang", "GA"]]);
        assert_eq!(check_people(&t, &existing()).unwrap().len(), 1);
    }

    #[test]
    fn units_may_name_parents_later_in_the_same_file_and_come_out_parents_first() {
        let t = table(
            &["编码", "名称", "类型", "上级编码", "最少在岗人数"],
            &[
                &["C1", "幸福社区", "社区", "JD9", "0"],
                &["JD9", "新城街道", "街道", "", "3"],
                &["V1", "东村", "村居", "JD01", ""],
            ],
        );
        let rows = check_units(&t, &existing()).unwrap();
        let order: Vec<&str> = rows.iter().map(|r| r.draft.code.as_str()).collect();
        assert_eq!(order, vec!["JD9", "V1", "C1"]);
    }

    #[test]
    fn a_village_under_a_department_is_refused_and_nothing_passes() {
        let t = table(
            &["编码", "名称", "类型", "上级编码"],
            &[
                &["V1", "东村", "village", "GA"],
                &["S1", "实验小学", "school", "NOPE"],
                &["JD01", "重复", "街道", ""],
            ],
        );
        let errors = check_units(&t, &existing()).unwrap_err();
        let summary: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.row, e.problem.key.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, "problem.grass_roots_needs_subdistrict"),
                (3, "problem.unknown_unit"),
                (4, "problem.code_exists")
            ]
        );
    }

    #[test]
    fn parents_that_form_a_cycle_are_refused() {
        let t = table(
            &["编码", "名称", "类型", "上级编码"],
            &[
                &["A", "甲", "department", "B"],
                &["B", "乙", "department", "A"],
            ],
        );
        let errors = check_units(&t, &existing()).unwrap_err();
        assert_eq!(errors[0].problem.key, "problem.parent_cycle");
    }

    #[test]
    fn an_empty_file_is_an_error_not_a_silent_success() {
        let t = table(&["编码", "名称", "类型"], &[]);
        assert_eq!(
            check_units(&t, &existing()).unwrap_err()[0].problem.key,
            "problem.empty_file"
        );
    }

    #[test]
    fn a_metrics_file_names_every_bad_cell_and_catches_repeats() {
        let existing = Existing {
            units: HashMap::from([(
                "JD01".to_string(),
                ("/1/".to_string(), UnitKind::Subdistrict),
            )]),
            ..Default::default()
        };
        let t = table(
            &["年度", "单位编码", "数据项", "分子", "分母"],
            &[
                &["2018", "JD01", "plan_coverage", "19", "20"],
                &["18", "JD09", "plan coverage", "-1", "x"],
                &["2018", "JD01", "plan_coverage", "20", "20"],
            ],
        );
        let errors = check_metrics(&t, &existing).unwrap_err();
        let cells: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            vec![
                (3, "年度"),
                (3, "单位编码"),
                (3, "数据项"),
                (3, "分子"),
                (3, "分母"),
                (4, "数据项")
            ]
        );
        assert_eq!(
            errors[5].problem,
            Problem::with("problem.duplicate_in_file", &["2"])
        );
        let good = table(
            &["year", "unit_code", "metric", "numerator", "denominator"],
            &[&["2018", "JD01", "drills_held", "2", "2"]],
        );
        let rows = check_metrics(&good, &existing).unwrap();
        assert_eq!(
            (rows[0].year, rows[0].numerator, rows[0].denominator),
            (2018, 2, 2)
        );
    }

    fn registry_existing() -> Existing {
        let mut e = existing();
        e.units
            .insert("JD01-V1".into(), ("/1/3/".into(), UnitKind::Village));
        e.person_names.insert("P0001".into(), Some("王建国".into()));
        e.person_names.insert("P0009".into(), None);
        e.outside.insert("GA".into());
        e.registered
            .insert(("P0001".into(), RegistryRole::Assistant));
        e
    }

    const REGISTRY_HEADERS: [&str; 6] =
        ["人员编号", "姓名", "类别", "单位编码", "电话", "任命日期"];

    #[test]
    fn a_registry_file_registers_known_people_and_names_new_ones() {
        let t = table(
            &REGISTRY_HEADERS,
            &[
                &["P0001", "", "灾情速报员", "JD01-V1", "", "2024/3/5"],
                &[
                    "P0200",
                    "李秀英",
                    "assistant",
                    "JD01",
                    "13800138000",
                    "2024年3月5日",
                ],
                &[
                    "P0200",
                    "李秀英",
                    "速报员",
                    "JD01-V1",
                    "",
                    "2024-03-05 00:00:00",
                ],
            ],
        );
        let rows = check_registry(&t, &registry_existing()).unwrap();
        let summary: Vec<(&str, Option<&str>, RegistryRole, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.person_code.as_str(),
                    r.new_name.as_deref(),
                    r.role,
                    r.unit_code.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("P0001", None, RegistryRole::Reporter, "JD01-V1"),
                ("P0200", Some("李秀英"), RegistryRole::Assistant, "JD01"),
                ("P0200", Some("李秀英"), RegistryRole::Reporter, "JD01-V1"),
            ]
        );
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert!(rows.iter().all(|r| r.appointed_on == day));
        assert_eq!(rows[1].phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn every_registry_mistake_is_named_by_row_and_column() {
        let t = table(
            &REGISTRY_HEADERS,
            &[
                // Already an assistant; and the stored name is another.
                &["P0001", "王小明", "助理员", "JD01", "", "2024-01-01"],
                // A new number without a name; a reporter in a subdistrict.
                &["P0300", "", "速报员", "JD01", "", "2024-01-01"],
                // Unknown role, unknown unit, bad phone, bad date.
                &["P0301", "赵敏", "队长", "XX", "12", "去年"],
                // The same new person under another name, twice the same role.
                &["P0302", "钱进", "速报员", "JD01-V1", "", "2024-01-01"],
                &["P0302", "钱近", "速报员", "JD01-V1", "", "2024-01-01"],
                // Someone the importer may not see (their name is not
                // shown back); a unit outside the importer's scope.
                &["P0009", "猜名", "助理员", "GA", "", "2024-01-01"],
            ],
        );
        let errors = check_registry(&t, &registry_existing()).unwrap_err();
        let summary = cells(&errors);
        assert_eq!(
            summary,
            vec![
                (2, "人员编号", "problem.already_registered"),
                (2, "姓名", "problem.name_mismatch"),
                (3, "人员编号", "problem.no_such_person_give_name"),
                (3, "单位编码", "problem.reporter_unit"),
                (4, "类别", "problem.unknown_choice"),
                (4, "单位编码", "problem.unknown_unit"),
                (4, "电话", "problem.bad_phone"),
                (4, "任命日期", "problem.bad_date"),
                (6, "人员编号", "problem.duplicate_in_file"),
                (6, "姓名", "problem.name_differs_in_file"),
                (7, "人员编号", "problem.person_outside_scope"),
                (7, "单位编码", "problem.outside_scope"),
            ]
        );
        assert_eq!(errors[10].problem.args, vec!["P0009"]);
        assert_eq!(errors[1].problem.args, vec!["P0001", "王建国"]);
        assert_eq!(errors[9].problem.args, vec!["5", "钱进"]);
    }

    #[test]
    fn a_registry_file_without_its_columns_is_refused_on_row_one() {
        let t = table(&["编号", "姓名"], &[&["P0001", "王建国"]]);
        let errors = check_registry(&t, &registry_existing()).unwrap_err();
        let missing: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(missing, vec!["类别", "单位编码", "任命日期"]);
        assert!(errors.iter().all(|e| e.row == 1));
    }

    #[test]
    fn spreadsheet_dates_read_in_their_usual_spellings() {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for raw in [
            "2024-03-05",
            "2024/3/5",
            "2024.3.5",
            "2024年3月5日",
            " 2024-03-05 00:00 ",
        ] {
            assert_eq!(sheet_date(raw), Ok(day), "{raw}");
        }
        assert_eq!(sheet_date(""), Err(Problem::new("problem.required")));
        assert_eq!(
            sheet_date("2024-02-30"),
            Err(Problem::new("problem.bad_date"))
        );
        assert_eq!(
            sheet_date("3/5/2024"),
            Err(Problem::new("problem.bad_date"))
        );
    }
}
