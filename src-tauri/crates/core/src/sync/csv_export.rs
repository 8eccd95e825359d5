//! The sync log's export, in the shape Salesforce admins already know from Data Loader: a
//! success file with the values that were posted plus `ID` and `STATUS` ("Item Created" or
//! "Item Updated"), and an error file with the posted values plus `ERROR`, whose cell reads like
//! the Bulk API's `CODE:message:fields --`. An admin can fix the error file in a spreadsheet
//! and load it with Data Loader, or hand both files to whoever owns the org.

use serde_json::{Map, Value};

/// One pushed (or refused) record for the export.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportRow {
    /// The record as posted, without its `attributes`.
    pub record: Map<String, Value>,
    /// The Lead's Salesforce Id, once pushed.
    pub id: Option<String>,
    /// From an upsert: `true` created, `false` updated. A plain create reports nothing, and
    /// what it did is create.
    pub created: Option<bool>,
    /// The error cell (see [`error_cell`]) of a refused record.
    pub error: Option<String>,
}

/// The `STATUS` Data Loader writes for a created record.
pub const ITEM_CREATED: &str = "Item Created";
/// The `STATUS` Data Loader writes for an updated record.
pub const ITEM_UPDATED: &str = "Item Updated";

/// The key of the type tag Salesforce's JSON carries; it is no field, so no column.
const ATTRIBUTES: &str = "attributes";

/// The field columns: every record key of `rows`, in first-seen order. Bookings of different
/// calendars map different fields, so one file has the union; a record without a column's field
/// leaves its cell empty. Both files, given the same rows, share these columns. (Without
/// serde_json's `preserve_order` feature a record's own keys iterate sorted, so "first seen"
/// is sorted within each record and in record order across them.)
fn columns(rows: &[ExportRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for key in rows.iter().flat_map(|r| r.record.keys()) {
        if key != ATTRIBUTES && !out.contains(&key.as_str()) {
            out.push(key);
        }
    }
    out
}

/// A value as a cell: strings as they are, null as nothing, the rest as their JSON text.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Writes the header and the rows `keep` selects, each with the extra cells `extra` gives.
fn write(
    rows: &[ExportRow],
    trailer: &[&str],
    keep: impl Fn(&ExportRow) -> bool,
    extra: impl Fn(&ExportRow) -> Vec<String>,
) -> Result<String, csv::Error> {
    let columns = columns(rows);
    // Data Loader quotes every cell; doing the same keeps leading zeros and `+81` phone numbers
    // from being read as numbers by a spreadsheet that honours quotes.
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    out.write_record(columns.iter().copied().chain(trailer.iter().copied()))?;
    for row in rows.iter().filter(|r| keep(r)) {
        let mut cells: Vec<String> = columns.iter().map(|c| cell(row.record.get(*c))).collect();
        cells.extend(extra(row));
        out.write_record(&cells)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    // Every cell came from a `String`, so the bytes are UTF-8; the error path is only typed.
    String::from_utf8(bytes)
        .map_err(|e| csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// The success file: the rows without an error, as the posted fields then `ID`, `STATUS`.
/// Column headers come from all `rows`, so the two files line up when given the same list.
pub fn successes(rows: &[ExportRow]) -> Result<String, csv::Error> {
    write(
        rows,
        &["ID", "STATUS"],
        |r| r.error.is_none(),
        |r| {
            let status = if r.created == Some(false) {
                ITEM_UPDATED
            } else {
                ITEM_CREATED
            };
            vec![r.id.clone().unwrap_or_default(), status.to_owned()]
        },
    )
}

/// The error file: the rows with an error, as the posted fields then `ERROR`.
pub fn errors(rows: &[ExportRow]) -> Result<String, csv::Error> {
    write(
        rows,
        &["ERROR"],
        |r| r.error.is_some(),
        |r| vec![r.error.clone().unwrap_or_default()],
    )
}

/// Data Loader's (the Bulk API's) error cell: `CODE:message:field1,field2 --`, or
/// `CODE:message:--` when Salesforce named no field.
pub fn error_cell(code: &str, message: &str, fields: &[String]) -> String {
    if fields.is_empty() {
        format!("{code}:{message}:--")
    } else {
        format!("{code}:{message}:{} --", fields.join(","))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn record(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn rows() -> Vec<ExportRow> {
        vec![
            ExportRow {
                record: record(
                    json!({"Company":"Acme","Email":"taro@example.com","LastName":"山田"}),
                ),
                id: Some("00Q000000000001AAA".into()),
                created: None,
                error: None,
            },
            ExportRow {
                record: record(
                    json!({"Email":"sato@example.com","HasOptedOutOfEmail":true,"LastName":"Sato","NumberOfEmployees":12}),
                ),
                id: None,
                created: None,
                error: Some(error_cell(
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [Company]",
                    &["Company".into()],
                )),
            },
            ExportRow {
                record: record(
                    json!({"Company":null,"Description":"line 1\n\"quoted\"","LastName":"Suzuki, Jr."}),
                ),
                id: Some("00Q000000000002AAA".into()),
                created: Some(false),
                error: None,
            },
            ExportRow {
                record: record(
                    json!({"Company":"Ito KK","LastName":"Ito","attributes":{"type":"Lead"}}),
                ),
                id: Some("00Q000000000003AAA".into()),
                created: Some(true),
                error: None,
            },
        ]
    }

    fn read(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn the_success_file_has_the_posted_values_then_id_and_status() {
        let text = successes(&rows()).unwrap();
        let table = read(&text);
        // First-seen across records, not sorted overall: the second record's keys come after
        // the first's, the third's `Description` last.
        assert_eq!(
            table[0],
            [
                "Company",
                "Email",
                "LastName",
                "HasOptedOutOfEmail",
                "NumberOfEmployees",
                "Description",
                "ID",
                "STATUS"
            ]
        );
        assert_eq!(table.len(), 4, "three successes and the header");
        assert_eq!(
            table[1],
            [
                "Acme",
                "taro@example.com",
                "山田",
                "",
                "",
                "",
                "00Q000000000001AAA",
                "Item Created"
            ]
        );
        // null is empty; commas, quotes and newlines survive the round trip.
        assert_eq!(table[2][0], "");
        assert_eq!(table[2][2], "Suzuki, Jr.");
        assert_eq!(table[2][5], "line 1\n\"quoted\"");
        assert_eq!(table[2][7], "Item Updated");
        assert_eq!([&table[3][0], &table[3][2]], ["Ito KK", "Ito"]);
        assert_eq!(table[3][7], "Item Created");
        assert!(!text.contains("attributes"), "{text}");
        assert!(
            text.starts_with("\"Company\",\"Email\""),
            "every cell quoted: {text}"
        );
    }

    #[test]
    fn the_error_file_has_the_posted_values_then_the_error() {
        let table = read(&errors(&rows()).unwrap());
        assert_eq!(table.len(), 2);
        assert_eq!(table[0].last().map(String::as_str), Some("ERROR"));
        assert_eq!(table[0].len(), 7, "same field columns as the success file");
        assert_eq!(
            table[1],
            [
                "",
                "sato@example.com",
                "Sato",
                "true",
                "12",
                "",
                "REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --"
            ]
        );
    }

    #[test]
    fn no_rows_still_give_a_header() {
        assert_eq!(successes(&[]).unwrap(), "\"ID\",\"STATUS\"\n");
        assert_eq!(errors(&[]).unwrap(), "\"ERROR\"\n");
        assert_eq!(read(&errors(&rows()[..1]).unwrap()).len(), 1);
    }

    #[test]
    fn error_cells_read_like_data_loader() {
        assert_eq!(
            error_cell(
                "INVALID_EMAIL_ADDRESS",
                "Email: invalid email address: taro＠example.com",
                &["Email".into()]
            ),
            "INVALID_EMAIL_ADDRESS:Email: invalid email address: taro＠example.com:Email --"
        );
        assert_eq!(
            error_cell(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [LastName, Company]",
                &["LastName".into(), "Company".into()]
            ),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:LastName,Company --"
        );
        assert_eq!(
            error_cell(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "Phone is required",
                &[]
            ),
            "FIELD_CUSTOM_VALIDATION_EXCEPTION:Phone is required:--"
        );
    }
}
