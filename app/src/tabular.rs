//! Reading a spreadsheet the way Chinese offices write them (server only):
//! CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX. The result is
//! a table of text cells for `domain::import` to check.

use crate::domain::Problem;
use crate::domain::import::Table;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::{Cursor, Read};

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;
/// Columns a sheet may use: our files have a dozen; a sheet that declares
/// or holds a cell further right is refused before anything is built.
pub const MAX_COLUMNS: usize = 64;
/// Characters one cell may hold (the longest field we store is 2,000).
pub const MAX_CELL_CHARS: usize = 2_000;
/// All parts of an XLSX together, unzipped: a 10 MB upload may not grow
/// into gigabytes in memory (a zip bomb, or one cell of 300 MiB).
pub const MAX_UNZIPPED_BYTES: u64 = 64 * 1024 * 1024;
/// The text of all cells together, what an import stages.
pub const MAX_TABLE_BYTES: usize = 16 * 1024 * 1024;

/// Decodes CSV bytes. One encoding for the whole file: UTF-8 when the
/// bytes are valid UTF-8 (a BOM is dropped), otherwise GB18030, the
/// superset of GBK that Chinese Excel writes. A file whose lines mix the
/// two (one line UTF-8 Chinese, another GBK) is refused naming the first
/// line that differs, and so is a line valid in neither: GB18030 would read
/// UTF-8 Chinese as other characters without a single error (张伟 as 寮犱紵).
pub fn decode_text(bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let mut first_utf8_chinese: Option<usize> = None;
    let mut first_gbk: Option<usize> = None;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = i + 1;
        if line.is_ascii() {
            continue;
        }
        if std::str::from_utf8(line).is_ok() {
            first_utf8_chinese.get_or_insert(line_no);
        } else if encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(line)
            .is_some()
        {
            first_gbk.get_or_insert(line_no);
        } else {
            return Err(Problem::with(
                "problem.bad_encoding_at",
                &[&line_no.to_string()],
            ));
        }
        if let (Some(u), Some(g)) = (first_utf8_chinese, first_gbk) {
            let (first, other) = if u < g { (u, g) } else { (g, u) };
            return Err(Problem::with(
                "problem.mixed_encoding",
                &[&other.to_string(), &first.to_string()],
            ));
        }
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(Problem::new("problem.bad_encoding"));
    }
    Ok(text.into_owned())
}

fn is_xlsx(file_name: &str, bytes: &[u8]) -> bool {
    file_name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// Reads an upload into a table of text cells with bounded memory: the
/// file, every cell, the columns, the rows and the whole text are checked
/// against the limits above while reading, before anything is staged.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, Problem> {
    if bytes.is_empty() {
        return Err(Problem::new("problem.empty_file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Problem::with("problem.file_too_big", &["10"]));
    }
    let mut rows = if is_xlsx(file_name, bytes) {
        read_xlsx(bytes)?
    } else {
        read_csv(&decode_text(bytes)?)?
    };
    if rows.len() > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    if rows.is_empty() {
        return Err(Problem::new("problem.empty_file"));
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

fn too_many_rows() -> Problem {
    Problem::with("problem.too_many_rows", &[&MAX_ROWS.to_string()])
}

/// A1-style name of a cell (row and column from 0): (0, 0) is A1.
pub fn cell_name(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Counts what a cell adds to the table and refuses a cell or a table over
/// the limits.
struct Budget {
    total: usize,
}

impl Budget {
    fn take(&mut self, text: &str, row: usize, col: usize) -> Result<(), Problem> {
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(Problem::with(
                "problem.cell_too_long",
                &[&cell_name(row, col), &MAX_CELL_CHARS.to_string()],
            ));
        }
        self.total += text.len();
        if self.total > MAX_TABLE_BYTES {
            return Err(Problem::with(
                "problem.table_too_big",
                &[&(MAX_TABLE_BYTES / 1024 / 1024).to_string()],
            ));
        }
        Ok(())
    }
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut budget = Budget { total: 0 };
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|_| Problem::with("problem.bad_csv", &[&(i + 1).to_string()]))?;
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns(i, record.len() - 1));
        }
        for (c, cell) in record.iter().enumerate() {
            budget.take(cell, i, c)?;
        }
        rows.push(record.iter().map(|c| c.to_string()).collect());
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn too_many_columns(row: usize, col: usize) -> Problem {
    Problem::with(
        "problem.too_many_columns",
        &[&cell_name(row, col), &MAX_COLUMNS.to_string()],
    )
}

/// Unzips every part of the workbook into nothing, counting: the sizes a
/// zip declares may lie, what comes out may not.
fn check_unzipped_size(bytes: &[u8]) -> Result<(), Problem> {
    let bad = |_| Problem::new("problem.bad_xlsx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    let mut left = MAX_UNZIPPED_BYTES;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(bad)?;
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|_| Problem::new("problem.bad_xlsx"))?;
        if read > left {
            return Err(Problem::with(
                "problem.xlsx_too_big_unzipped",
                &[&(MAX_UNZIPPED_BYTES / 1024 / 1024).to_string()],
            ));
        }
        left -= read;
    }
    Ok(())
}

/// Reads the first sheet cell by cell (never as calamine's dense range,
/// which reserves rows × columns: one cell in A1 and one in XFD1048576
/// asked for 512 GiB and aborted the process). The sheet's declared
/// dimension and every cell's position are checked against the limits
/// first; leading empty rows and columns are dropped, as a range would.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Problem> {
    check_unzipped_size(bytes)?;
    let bad = |_| Problem::new("problem.bad_xlsx");
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Err(Problem::new("problem.empty_file"));
    };
    let mut cells = book.worksheet_cells_reader(&first).map_err(bad)?;
    let declared = cells.dimensions();
    let height = declared.end.0.saturating_sub(declared.start.0) as usize;
    if height > MAX_ROWS + 1 {
        return Err(too_many_rows());
    }
    let width = declared.end.1.saturating_sub(declared.start.1) as usize;
    if width >= MAX_COLUMNS {
        return Err(too_many_columns(
            declared.end.0 as usize,
            declared.end.1 as usize,
        ));
    }
    let mut budget = Budget { total: 0 };
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    let (mut top, mut left, mut bottom, mut right) = (usize::MAX, usize::MAX, 0, 0);
    while let Some(cell) = cells.next_cell().map_err(bad)? {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        budget.take(&text, r, c)?;
        (top, left) = (top.min(r), left.min(c));
        (bottom, right) = (bottom.max(r), right.max(c));
        if right - left >= MAX_COLUMNS {
            return Err(too_many_columns(r, c));
        }
        // A sheet may name one cell many times: count them too.
        if bottom - top > MAX_ROWS + 1 || found.len() > (MAX_ROWS + 2) * MAX_COLUMNS {
            return Err(too_many_rows());
        }
        found.push((r, c, text));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (r, c, text) in found {
        let (r, c) = (r - top, c - left);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    Ok(rows)
}

/// Spreadsheet cells as text: whole numbers without a decimal point (a
/// phone number typed into Excel arrives as 13800138000.0), date cells as
/// `2024-03-05` (with the time when it is not midnight).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
            if (h, mi) == (0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_gbk_all_read_the_same() {
        let text = "编号,姓名\nP1,王建国\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, gbk.into_owned()] {
            let t = read_table("people.csv", &bytes).unwrap();
            assert_eq!(t.headers, vec!["编号", "姓名"]);
            assert_eq!(t.rows, vec![vec!["P1".to_string(), "王建国".to_string()]]);
        }
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_gbk_are_refused() {
        assert_eq!(
            decode_text(b"P1,ok\n\x81\x20\xFF"),
            Err(Problem::with("problem.bad_encoding_at", &["2"]))
        );
    }

    #[test]
    fn xlsx_cells_come_through_as_text() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "编号").unwrap();
        sheet.write_string(0, 1, "电话").unwrap();
        sheet.write_string(1, 0, "P7").unwrap();
        sheet.write_number(1, 1, 13800138000.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table("x.xlsx", &bytes).unwrap();
        assert_eq!(t.headers, vec!["编号", "电话"]);
        assert_eq!(
            t.rows,
            vec![vec!["P7".to_string(), "13800138000".to_string()]]
        );
    }

    #[test]
    fn xlsx_date_cells_come_through_as_iso_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format};
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "任命日期").unwrap();
        let date_format = Format::new().set_num_format("yyyy/m/d");
        let day = ExcelDateTime::from_ymd(2024, 3, 5).unwrap();
        sheet
            .write_datetime_with_format(1, 0, &day, &date_format)
            .unwrap();
        let at = ExcelDateTime::from_ymd(2024, 3, 5)
            .unwrap()
            .and_hms(9, 30, 0)
            .unwrap();
        sheet
            .write_datetime_with_format(
                2,
                0,
                &at,
                &Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            )
            .unwrap();
        let t = read_table("x.xlsx", &book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            t.rows,
            vec![
                vec!["2024-03-05".to_string()],
                vec!["2024-03-05 09:30".to_string()]
            ]
        );
    }

    #[test]
    fn an_empty_or_broken_file_is_refused_with_a_reason() {
        assert_eq!(
            read_table("a.csv", b"").unwrap_err().key,
            "problem.empty_file"
        );
        assert_eq!(
            read_table("a.xlsx", b"PK\x03\x04garbage").unwrap_err().key,
            "problem.bad_xlsx"
        );
    }

    /// Rewrites one part of a workbook (to forge what a writer would not).
    fn with_part(xlsx: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
        use std::io::Write;
        let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..src.len() {
            let mut part = src.by_index(i).unwrap();
            let part_name = part.name().to_string();
            let mut text = Vec::new();
            part.read_to_end(&mut text).unwrap();
            if part_name == name {
                text = edit(String::from_utf8(text).unwrap()).into_bytes();
            }
            out.start_file(part_name, opts).unwrap();
            out.write_all(&text).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn a1_and_xfd1048576() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "编号").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_declaring_a_million_rows_and_columns_is_refused_before_building_it() {
        let problem = read_table("bomb.xlsx", &a1_and_xfd1048576()).unwrap_err();
        assert_eq!(problem.key, "problem.too_many_rows");
    }

    #[test]
    fn a_far_cell_is_refused_by_its_position_even_when_the_dimension_lies() {
        let lying = with_part(&a1_and_xfd1048576(), "xl/worksheets/sheet1.xml", |x| {
            x.replace("A1:XFD1048576", "A1")
        });
        let problem = read_table("bomb.xlsx", &lying).unwrap_err();
        assert_eq!(problem.key, "problem.too_many_columns");
        assert_eq!(problem.args[0], "XFD1048576", "the cell is named");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "编号").unwrap();
        sheet.write_string(0, 16_383, "x").unwrap();
        let wide = with_part(
            &book.save_to_buffer().unwrap(),
            "xl/worksheets/sheet1.xml",
            |x| x.replace("A1:XFD1", "A1"),
        );
        let problem = read_table("wide.xlsx", &wide).unwrap_err();
        assert_eq!(problem.key, "problem.too_many_columns");
        assert_eq!(problem.args[0], "XFD1", "the cell is named");
    }

    #[test]
    fn a_cell_over_the_limit_is_named_and_a_zip_bomb_is_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "编号").unwrap();
        sheet
            .write_string(3, 1, "长".repeat(MAX_CELL_CHARS + 1))
            .unwrap();
        let problem = read_table("long.xlsx", &book.save_to_buffer().unwrap()).unwrap_err();
        assert_eq!(problem.key, "problem.cell_too_long");
        assert_eq!(problem.args[0], "B4");
        // One shared string of 80 MiB: a few hundred KB zipped.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        let bomb = with_part(
            &book.save_to_buffer().unwrap(),
            "xl/sharedStrings.xml",
            |x| x.replacen("<t>x</t>", &format!("<t>{}</t>", "a".repeat(80 << 20)), 1),
        );
        assert!(bomb.len() < MAX_BYTES, "{}", bomb.len());
        let problem = read_table("bomb.xlsx", &bomb).unwrap_err();
        assert_eq!(problem.key, "problem.xlsx_too_big_unzipped");
    }

    #[test]
    fn a_sheet_starting_further_in_reads_from_its_first_cell() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "编号").unwrap();
        sheet.write_string(3, 2, "P1").unwrap();
        let t = read_table("x.xlsx", &book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(t.headers, vec!["编号"]);
        assert_eq!(t.rows, vec![vec![String::new(), "P1".to_string()]]);
    }

    #[test]
    fn csv_limits_name_the_cell() {
        let wide = format!("{}\n", vec!["a"; MAX_COLUMNS + 1].join(","));
        assert_eq!(
            read_table("w.csv", wide.as_bytes()).unwrap_err().key,
            "problem.too_many_columns"
        );
        let long = format!("编号,姓名\nP1,{}\n", "x".repeat(MAX_CELL_CHARS + 1));
        let problem = read_table("l.csv", long.as_bytes()).unwrap_err();
        assert_eq!(
            (problem.key.as_str(), problem.args[0].as_str()),
            ("problem.cell_too_long", "B2")
        );
    }

    #[test]
    fn a_file_mixing_utf8_and_gbk_lines_is_refused_naming_the_line() {
        let mut bytes = "编号,姓名\nP1,张伟\n".as_bytes().to_vec();
        let (gbk, _, _) = encoding_rs::GBK.encode("P2,王芳\n");
        bytes.extend_from_slice(&gbk);
        let problem = decode_text(&bytes).unwrap_err();
        assert_eq!(problem.key, "problem.mixed_encoding");
        assert_eq!(problem.args, vec!["3".to_string(), "1".to_string()]);
        // GBK first, UTF-8 after: the UTF-8 line is named.
        let (mut bytes, _, _) = encoding_rs::GBK.encode("编号,姓名\n");
        let mut bytes = bytes.to_mut().clone();
        bytes.extend_from_slice("P1,张伟\n".as_bytes());
        let problem = decode_text(&bytes).unwrap_err();
        assert_eq!(problem.args[0], "2");
    }

    #[test]
    fn cell_names_are_excel_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(3, 25), "Z4");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
