//! Reading a spreadsheet the way Chinese offices write them (server only):
//! CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX. The result is
//! a table of text cells for `domain::import` to check.

use crate::domain::Problem;
use crate::domain::import::Table;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::Cursor;

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;

/// Decodes CSV bytes: UTF-8 when they are valid UTF-8 (a BOM is dropped),
/// otherwise GB18030, the superset of GBK that Chinese Excel writes.
pub fn decode_text(bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
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
        return Err(Problem::with(
            "problem.too_many_rows",
            &[&MAX_ROWS.to_string()],
        ));
    }
    if rows.is_empty() {
        return Err(Problem::new("problem.empty_file"));
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|_| Problem::with("problem.bad_csv", &[&(i + 1).to_string()]))?;
        rows.push(record.iter().map(|c| c.to_string()).collect());
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Problem> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|_| Problem::new("problem.bad_xlsx"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Problem::new("problem.empty_file"))?
        .map_err(|_| Problem::new("problem.bad_xlsx"))?;
    Ok(range
        .rows()
        .take(MAX_ROWS + 2)
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
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
            decode_text(&[0x81, 0x20, 0xFF]),
            Err(Problem::new("problem.bad_encoding"))
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
}
