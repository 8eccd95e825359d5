//! The SOQL subset the simulator answers — `SELECT field, … | COUNT() FROM Object [alias]
//! [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]` — as pure functions: [`compile`] turns query
//! text into a typed [`Query`] against a [`Catalog`] of objects and fields, or into the error
//! Salesforce would give (same `errorCode`, same message, same `ERROR at Row:R:Column:C` echo of
//! the query with a caret); [`Query::run`] filters, orders and pages records, and
//! [`Query::project`] picks the selected fields in SELECT order. Nothing here knows HTTP or the
//! simulator's state, so every rule is unit-tested on its own.

mod eval;
mod lex;
mod parse;
mod resolve;

use std::fmt;

pub use eval::{Value as Operand, get};
pub use lex::Piece;
pub use resolve::{Cond, Op, OrderItem, Query, Selection};

/// Salesforce caps `OFFSET` at this.
pub const MAX_OFFSET: u64 = 2000;

/// The field types SOQL treats differently when comparing, ordering and checking literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// The record id.
    Id,
    /// A lookup: an id of another record.
    Reference,
    /// Text of any flavour: string, email, phone, url, textarea, picklist, combobox, …
    Text,
    MultiPicklist,
    Boolean,
    Int,
    /// double, currency, percent.
    Double,
    Date,
    DateTime,
    Time,
    /// Compound and binary fields (address, location, base64): selectable, never comparable.
    Other,
}

impl FieldKind {
    /// Maps a describe `type` (`string`, `email`, `datetime`, …) to its SOQL behaviour.
    pub fn from_describe(kind: &str) -> Self {
        match kind.to_ascii_lowercase().as_str() {
            "id" => FieldKind::Id,
            "reference" => FieldKind::Reference,
            "multipicklist" => FieldKind::MultiPicklist,
            "boolean" => FieldKind::Boolean,
            "int" | "long" => FieldKind::Int,
            "double" | "currency" | "percent" => FieldKind::Double,
            "date" => FieldKind::Date,
            "datetime" => FieldKind::DateTime,
            "time" => FieldKind::Time,
            "address" | "location" | "base64" | "anytype" | "complexvalue" => FieldKind::Other,
            _ => FieldKind::Text,
        }
    }

    /// The type name Salesforce's literal-type errors use.
    fn soap_name(self) -> &'static str {
        match self {
            FieldKind::Id | FieldKind::Reference => "id",
            FieldKind::Text | FieldKind::Other => "string",
            FieldKind::MultiPicklist => "multipicklist",
            FieldKind::Boolean => "boolean",
            FieldKind::Int => "integer",
            FieldKind::Double => "double",
            FieldKind::Date => "date",
            FieldKind::DateTime => "dateTime",
            FieldKind::Time => "time",
        }
    }
}

/// One field as SOQL needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo<'a> {
    /// The API name, spelled as describe spells it.
    pub name: &'a str,
    pub kind: FieldKind,
    /// Long text areas and compound fields cannot appear in WHERE.
    pub filterable: bool,
    /// …nor in ORDER BY.
    pub sortable: bool,
}

/// An object's fields, looked up case-insensitively.
pub trait ObjectSchema {
    /// The object's API name (`Lead`).
    fn api_name(&self) -> &str;
    fn field(&self, name: &str) -> Option<FieldInfo<'_>>;
}

/// The org's objects, looked up case-insensitively.
pub trait Catalog {
    fn object(&self, name: &str) -> Option<&dyn ObjectSchema>;
}

/// What Salesforce answers for a query it will not run: the REST `errorCode` and message (all
/// with HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    pub code: &'static str,
    pub message: String,
}

impl SoqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An error pointing into the query: Salesforce echoes the offending line (a window of it,
    /// when long), puts a caret under the byte `offset`, gives its row and column, then the
    /// reason.
    pub(crate) fn at(
        code: &'static str,
        soql: &str,
        offset: usize,
        reason: impl fmt::Display,
    ) -> Self {
        let offset = floor_char_boundary(soql, offset.min(soql.len()));
        let line_start = soql[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = soql[offset..].find('\n').map_or(soql.len(), |i| offset + i);
        let row = soql[..offset].matches('\n').count() + 1;
        let line: Vec<char> = soql[line_start..line_end].chars().collect();
        let at = soql[line_start..offset].chars().count();
        let (from, to) = echo_window(&line, at);
        let echo: String = line[from..to].iter().collect();
        let caret = " ".repeat(at - from);
        Self::new(
            code,
            format!(
                "\n{echo}\n{caret}^\nERROR at Row:{row}:Column:{}\n{reason}",
                at + 1
            ),
        )
    }

    pub(crate) fn malformed(soql: &str, offset: usize, reason: impl fmt::Display) -> Self {
        Self::at("MALFORMED_QUERY", soql, offset, reason)
    }
}

impl fmt::Display for SoqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SoqlError {}

/// How much of a long line Salesforce echoes: from the token about forty characters before
/// the error to the token about sixty after (short queries are echoed whole).
fn echo_window(line: &[char], at: usize) -> (usize, usize) {
    const BEFORE: usize = 40;
    const AFTER: usize = 60;
    let word = |c: &char| c.is_alphanumeric() || matches!(c, '_' | '.' | '\'' | ':' | '-');
    let mut from = at.saturating_sub(BEFORE);
    while from > 0 && from < line.len() && word(&line[from]) && word(&line[from - 1]) {
        from -= 1;
    }
    let mut to = (at + AFTER).min(line.len());
    while to < line.len() && word(&line[to]) && to > 0 && word(&line[to - 1]) {
        to += 1;
    }
    (from.min(at), to.max(from))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Compiles a query against the catalog, with date literals (`TODAY`, …) relative to today in
/// UTC (the simulated users' time zone).
pub fn compile(soql: &str, catalog: &dyn Catalog) -> Result<Query, SoqlError> {
    compile_on(soql, catalog, time::OffsetDateTime::now_utc().date())
}

/// [`compile`] with a fixed "today", for tests.
pub fn compile_on(
    soql: &str,
    catalog: &dyn Catalog,
    today: time::Date,
) -> Result<Query, SoqlError> {
    if soql.trim().is_empty() {
        return Err(SoqlError::new(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    }
    let parsed = parse::parse(soql)?;
    resolve::resolve(soql, parsed, catalog, today)
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small catalog shaped like the standard Lead, for the unit tests.
    use super::*;

    pub struct TestObject {
        pub name: &'static str,
        pub fields: Vec<(&'static str, FieldKind, bool, bool)>,
    }

    impl ObjectSchema for TestObject {
        fn api_name(&self) -> &str {
            self.name
        }
        fn field(&self, name: &str) -> Option<FieldInfo<'_>> {
            self.fields
                .iter()
                .find(|f| f.0.eq_ignore_ascii_case(name))
                .map(|&(name, kind, filterable, sortable)| FieldInfo {
                    name,
                    kind,
                    filterable,
                    sortable,
                })
        }
    }

    pub struct TestCatalog(pub Vec<TestObject>);

    impl Catalog for TestCatalog {
        fn object(&self, name: &str) -> Option<&dyn ObjectSchema> {
            self.0
                .iter()
                .find(|o| o.name.eq_ignore_ascii_case(name))
                .map(|o| o as &dyn ObjectSchema)
        }
    }

    pub fn catalog() -> TestCatalog {
        use FieldKind::*;
        let f = |n, k| (n, k, true, true);
        TestCatalog(vec![TestObject {
            name: "Lead",
            fields: vec![
                f("Id", Id),
                f("LastName", Text),
                f("FirstName", Text),
                f("Company", Text),
                f("Email", Text),
                f("Status", Text),
                f("OwnerId", Reference),
                f("IsConverted", Boolean),
                f("NumberOfEmployees", Int),
                f("AnnualRevenue", Double),
                f("CreatedDate", DateTime),
                f("Birthday__c", Date),
                f("Interests__c", MultiPicklist),
                ("Description", Text, false, false),
                ("Address", Other, false, false),
            ],
        }])
    }

    pub fn today() -> time::Date {
        time::macros::date!(2025 - 06 - 06)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_echo_matches_salesforce_for_a_short_query() {
        let e = SoqlError::at(
            "INVALID_FIELD",
            "SELECT Id, Foo FROM Lead",
            11,
            "No such column",
        );
        assert_eq!(
            e.message,
            "\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column"
        );
    }

    #[test]
    fn error_echo_counts_rows_and_windows_long_lines() {
        let q = "SELECT Id\nFROM Lead\nWHERE Email = 'a' AND Company = 'b' OR LastName = 'c'";
        let off = q.find("OR").unwrap();
        let e = SoqlError::malformed(q, off, "unexpected token: 'OR'");
        assert!(
            e.message.contains("ERROR at Row:3:Column:37\n"),
            "{}",
            e.message
        );
        assert!(e.message.starts_with("\nWHERE Email"), "{}", e.message);

        // Salesforce echoes a window around the error on long lines, starting on a token.
        let q = "Select Id from Opportunity  where DAY_ONLY(CloseDate) < 2016-07-31T04:17:54 AND Name = 'a very long tail that goes on and on'";
        let off = q.find("DAY_ONLY").unwrap() + 40;
        let e = SoqlError::malformed(q, off, "x");
        let lines: Vec<&str> = e.message.split('\n').collect();
        assert!(lines[1].starts_with("DAY_ONLY(CloseDate)"), "{lines:?}");
        assert_eq!(lines[2].len(), 41, "{lines:?}");
        assert!(lines[3].ends_with("Column:75"), "{lines:?}");
    }

    #[test]
    fn error_at_end_points_past_the_last_character() {
        let e = SoqlError::malformed("SELECT Id FROM", 14, "unexpected token: '<EOF>'");
        assert_eq!(
            e.message,
            "\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: '<EOF>'"
        );
    }

    #[test]
    fn describe_types_map_to_soql_kinds() {
        for (t, k) in [
            ("string", FieldKind::Text),
            ("email", FieldKind::Text),
            ("picklist", FieldKind::Text),
            ("textarea", FieldKind::Text),
            ("id", FieldKind::Id),
            ("reference", FieldKind::Reference),
            ("boolean", FieldKind::Boolean),
            ("int", FieldKind::Int),
            ("currency", FieldKind::Double),
            ("percent", FieldKind::Double),
            ("date", FieldKind::Date),
            ("datetime", FieldKind::DateTime),
            ("multipicklist", FieldKind::MultiPicklist),
            ("address", FieldKind::Other),
        ] {
            assert_eq!(FieldKind::from_describe(t), k, "{t}");
        }
    }
}
