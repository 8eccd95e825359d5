//! SOQL meaning: the parsed tree checked against the catalog — object and field names resolved
//! case-insensitively to their API spelling, each literal checked against its field's type and
//! turned into a comparable operand — with Salesforce's errors for whatever does not fit.

use time::{Date, Duration, Month, OffsetDateTime};

use super::eval::{Value, multi_set};
use super::lex::{Piece, plain};
use super::parse::{Parsed, Path, RawCond, RawLit, RawSelect, RawValue};
use super::{Catalog, FieldInfo, FieldKind, MAX_OFFSET, ObjectSchema, SoqlError};

/// A query ready to run.
#[derive(Debug, Clone)]
pub struct Query {
    /// The object's API name.
    pub object: String,
    pub selection: Selection,
    pub filter: Option<Cond>,
    pub order: Vec<OrderItem>,
    pub limit: Option<u64>,
    pub offset: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `SELECT COUNT()`: only `totalSize` is answered.
    Count,
    /// Field API names in SELECT order.
    Fields(Vec<String>),
}

/// A comparison operator. The parser reads it as written (there is nothing to resolve about it);
/// `resolve` checks that it suits the field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    In,
    NotIn,
    Includes,
    Excludes,
}

#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Test {
        field: String,
        kind: FieldKind,
        op: Op,
        values: Vec<Value>,
    },
}

#[derive(Debug, Clone)]
pub struct OrderItem {
    pub field: String,
    pub kind: FieldKind,
    pub descending: bool,
    pub nulls_last: bool,
}

struct Resolver<'a> {
    src: &'a str,
    object: &'a dyn ObjectSchema,
    alias: Option<String>,
    today: Date,
}

pub(crate) fn resolve(
    src: &str,
    parsed: Parsed,
    catalog: &dyn Catalog,
    today: Date,
) -> Result<Query, SoqlError> {
    let (object_name, object_at) = &parsed.object;
    let object = catalog.object(object_name).ok_or_else(|| {
        SoqlError::at(
            "INVALID_TYPE",
            src,
            *object_at,
            format!(
                "sObject type '{object_name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        )
    })?;
    let r = Resolver {
        src,
        object,
        alias: parsed.alias.clone(),
        today,
    };
    let selection = match &parsed.select {
        RawSelect::Count => Selection::Count,
        RawSelect::Fields(paths) => {
            let mut names: Vec<String> = Vec::with_capacity(paths.len());
            for path in paths {
                let field = r.field(path)?;
                if names.iter().any(|n| n == field.name) {
                    return Err(SoqlError::malformed(
                        src,
                        path.start(),
                        format!("duplicate field selected: {}", field.name),
                    ));
                }
                names.push(field.name.to_string());
            }
            Selection::Fields(names)
        }
    };
    let filter = parsed.filter.as_ref().map(|c| r.cond(c)).transpose()?;
    let mut order = Vec::with_capacity(parsed.order.len());
    for item in &parsed.order {
        let field = r.field(&item.field)?;
        if !field.sortable {
            return Err(SoqlError::at(
                "INVALID_FIELD",
                src,
                item.field.start(),
                format!("field '{}' can not be sorted in a query call", field.name),
            ));
        }
        order.push(OrderItem {
            field: field.name.to_string(),
            kind: field.kind,
            descending: item.descending,
            // Salesforce's defaults: nulls first ascending, last descending.
            nulls_last: item.nulls_last.unwrap_or(item.descending),
        });
    }
    let offset = match parsed.offset {
        Some((n, _)) if n > MAX_OFFSET => {
            return Err(SoqlError::new(
                "NUMBER_OUTSIDE_VALID_RANGE",
                format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
            ));
        }
        Some((n, _)) => n,
        None => 0,
    };
    Ok(Query {
        object: object.api_name().to_string(),
        selection,
        filter,
        order,
        limit: parsed.limit,
        offset,
    })
}

impl Resolver<'_> {
    fn field(&self, path: &Path) -> Result<FieldInfo<'_>, SoqlError> {
        let mut parts: &[(String, usize)] = &path.parts;
        // `Lead.Email` or `l.Email` (with `FROM Lead l`) name the queried object's own field.
        if parts.len() > 1 {
            let head = &parts[0].0;
            let is_self = head.eq_ignore_ascii_case(self.object.api_name())
                || self
                    .alias
                    .as_ref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(head));
            if is_self {
                parts = &parts[1..];
            }
        }
        if parts.len() > 1 {
            let (head, at) = &parts[0];
            return Err(SoqlError::at(
                "INVALID_FIELD",
                self.src,
                *at,
                format!(
                    "Didn't understand relationship '{head}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                ),
            ));
        }
        let (name, at) = &parts[0];
        self.object.field(name).ok_or_else(|| {
            SoqlError::at(
                "INVALID_FIELD",
                self.src,
                *at,
                format!(
                    "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                    self.object.api_name()
                ),
            )
        })
    }

    fn cond(&self, c: &RawCond) -> Result<Cond, SoqlError> {
        Ok(match c {
            RawCond::And(terms) => Cond::And(
                terms
                    .iter()
                    .map(|t| self.cond(t))
                    .collect::<Result<_, _>>()?,
            ),
            RawCond::Or(terms) => Cond::Or(
                terms
                    .iter()
                    .map(|t| self.cond(t))
                    .collect::<Result<_, _>>()?,
            ),
            RawCond::Not(inner) => Cond::Not(Box::new(self.cond(inner)?)),
            RawCond::Expr { field, op, values } => self.test(field, *op, values)?,
        })
    }

    fn test(&self, path: &Path, op: Op, raw: &[RawValue]) -> Result<Cond, SoqlError> {
        let field = self.field(path)?;
        let at = path.start();
        if !field.filterable {
            return Err(SoqlError::at(
                "INVALID_FIELD",
                self.src,
                at,
                format!("field '{}' can not be filtered in a query call", field.name),
            ));
        }
        let bad_operator = |what: &str| {
            SoqlError::at(
                "INVALID_QUERY_FILTER_OPERATOR",
                self.src,
                at,
                format!("invalid operator on {what} field"),
            )
        };
        match (op, field.kind) {
            (Op::Like, FieldKind::Text) => {}
            (Op::Like, kind) => return Err(bad_operator(kind.soap_name())),
            (Op::Includes | Op::Excludes, FieldKind::MultiPicklist) => {}
            (Op::Includes | Op::Excludes, _) => {
                return Err(SoqlError::at(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    self.src,
                    at,
                    "includes or excludes operator only valid on multipicklist field",
                ));
            }
            (Op::Lt | Op::Le | Op::Gt | Op::Ge, FieldKind::MultiPicklist) => {
                return Err(bad_operator("multipicklist"));
            }
            _ => {}
        }
        let values = raw
            .iter()
            .map(|v| self.operand(field, op, v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cond::Test {
            field: field.name.to_string(),
            kind: field.kind,
            op,
            values,
        })
    }

    /// A literal as an operand for `field`, or Salesforce's complaint about its type.
    fn operand(&self, field: FieldInfo<'_>, op: Op, v: &RawValue) -> Result<Value, SoqlError> {
        let wrong_type = || {
            let quoted = matches!(
                field.kind,
                FieldKind::Text
                    | FieldKind::Id
                    | FieldKind::Reference
                    | FieldKind::MultiPicklist
                    | FieldKind::Other
            );
            SoqlError::at(
                "INVALID_FIELD",
                self.src,
                v.start,
                format!(
                    "value of filter criterion for field '{}' must be of type {} and should {}be enclosed in quotes",
                    field.name,
                    field.kind.soap_name(),
                    if quoted { "" } else { "not " }
                ),
            )
        };
        if let RawLit::Null = v.lit {
            return Ok(Value::Null);
        }
        Ok(match field.kind {
            FieldKind::Text | FieldKind::Other => match &v.lit {
                RawLit::Str(pieces) if op == Op::Like => Value::Pattern(lower_pieces(pieces)),
                RawLit::Str(pieces) => Value::Text(plain(pieces).to_lowercase()),
                _ => return Err(wrong_type()),
            },
            FieldKind::MultiPicklist => match &v.lit {
                RawLit::Str(pieces) => Value::Set(multi_set(&plain(pieces))),
                _ => return Err(wrong_type()),
            },
            FieldKind::Id | FieldKind::Reference => match &v.lit {
                RawLit::Str(pieces) => {
                    let id = plain(pieces);
                    let valid = matches!(id.len(), 15 | 18)
                        && id.chars().all(|c| c.is_ascii_alphanumeric());
                    if !valid {
                        return Err(SoqlError::at(
                            "INVALID_QUERY_FILTER_OPERATOR",
                            self.src,
                            v.start,
                            format!("invalid ID field: {id}"),
                        ));
                    }
                    Value::Id(id[..15].to_string())
                }
                _ => return Err(wrong_type()),
            },
            FieldKind::Boolean => match v.lit {
                RawLit::Bool(b) => Value::Bool(b),
                _ => return Err(wrong_type()),
            },
            FieldKind::Int | FieldKind::Double => match &v.lit {
                RawLit::Num(n) => Value::Num(n.parse::<f64>().map_err(|_| wrong_type())?),
                _ => return Err(wrong_type()),
            },
            FieldKind::Date => match &v.lit {
                RawLit::Date(d) => Value::Date(parse_date(d).ok_or_else(|| {
                    SoqlError::malformed(self.src, v.start, format!("Invalid date: {d}"))
                })?),
                RawLit::DateLiteral { name, n } => self.days(name, *n),
                _ => return Err(wrong_type()),
            },
            FieldKind::DateTime => match &v.lit {
                RawLit::DateTime(d) => Value::DateTime(parse_datetime(d).ok_or_else(|| {
                    SoqlError::malformed(self.src, v.start, format!("Invalid datetime: {d}"))
                })?),
                RawLit::DateLiteral { name, n } => self.days(name, *n),
                _ => return Err(wrong_type()),
            },
            FieldKind::Time => return Err(wrong_type()),
        })
    }

    /// The day range a relative date literal covers (users here live in UTC; weeks start on
    /// Sunday as in the en_US locale).
    fn days(&self, name: &str, n: Option<i64>) -> Value {
        let t = self.today;
        let day = |d: i64| t.saturating_add(Duration::days(d));
        let n = n.unwrap_or(0);
        let week_start = t.saturating_sub(Duration::days(i64::from(
            t.weekday().number_days_from_sunday(),
        )));
        let month_start = |offset: i32| {
            let months = t.year() * 12 + i32::from(u8::from(t.month())) - 1 + offset;
            let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
            let month = Month::try_from(m as u8).unwrap_or(Month::January);
            Date::from_calendar_date(y, month, 1).unwrap_or(t)
        };
        let year_start = |offset: i32| {
            Date::from_calendar_date(t.year() + offset, Month::January, 1).unwrap_or(t)
        };
        let (start, end) = match name {
            "TODAY" => (t, day(1)),
            "YESTERDAY" => (day(-1), t),
            "TOMORROW" => (day(1), day(2)),
            "THIS_WEEK" | "LAST_WEEK" | "NEXT_WEEK" => {
                let shift = match name {
                    "LAST_WEEK" => -7,
                    "NEXT_WEEK" => 7,
                    _ => 0,
                };
                let s = week_start.saturating_add(Duration::days(shift));
                (s, s.saturating_add(Duration::days(7)))
            }
            "THIS_MONTH" => (month_start(0), month_start(1)),
            "LAST_MONTH" => (month_start(-1), month_start(0)),
            "NEXT_MONTH" => (month_start(1), month_start(2)),
            "THIS_YEAR" => (year_start(0), year_start(1)),
            "LAST_YEAR" => (year_start(-1), year_start(0)),
            "NEXT_YEAR" => (year_start(1), year_start(2)),
            // The past n days and today.
            "LAST_N_DAYS" => (day(-n), day(1)),
            // The next n days, not today.
            "NEXT_N_DAYS" => (day(1), day(1 + n)),
            "N_DAYS_AGO" => (day(-n), day(-n + 1)),
            _ => (t, day(1)),
        };
        Value::Days { start, end }
    }
}

fn lower_pieces(pieces: &[Piece]) -> Vec<Piece> {
    pieces
        .iter()
        .flat_map(|p| match p {
            Piece::Char(c) => c.to_lowercase().map(Piece::Char).collect::<Vec<_>>(),
            Piece::Literal(c) => vec![Piece::Literal(*c)],
        })
        .collect()
}

/// `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, &format).ok()
}

/// A datetime as SOQL writes it (`…Z`, `…+09:00`) or as Salesforce stores and returns it
/// (`2025-06-06T08:00:00.000+0000`); a bare date means its midnight in UTC.
pub(crate) fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let b = s.as_bytes();
    if b.len() > 5 {
        let tail = &b[b.len() - 5..];
        if matches!(tail[0], b'+' | b'-') && tail[1..].iter().all(u8::is_ascii_digit) {
            let fixed = format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..]);
            if let Ok(t) = OffsetDateTime::parse(&fixed, &Rfc3339) {
                return Some(t);
            }
        }
    }
    if s.len() == 10 {
        return parse_date(s).map(|d| d.midnight().assume_utc());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::{catalog, today};
    use super::super::{SoqlError, compile_on};
    use super::*;

    fn compile(q: &str) -> Result<Query, SoqlError> {
        compile_on(q, &catalog(), today())
    }

    fn err(q: &str) -> SoqlError {
        match compile(q) {
            Ok(query) => panic!("{q} compiled: {query:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn names_resolve_case_insensitively_to_api_names() {
        let q = compile("select id, LASTNAME, lead.email, l.Company from lead l order by lastname")
            .unwrap();
        assert_eq!(q.object, "Lead");
        assert_eq!(
            q.selection,
            Selection::Fields(vec![
                "Id".into(),
                "LastName".into(),
                "Email".into(),
                "Company".into()
            ])
        );
        assert_eq!(q.order[0].field, "LastName");
        assert!(!q.order[0].nulls_last);
    }

    #[test]
    fn semantic_errors_match_salesforce() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "SELECT Id, Foo FROM Lead",
                "INVALID_FIELD",
                "\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
            ),
            (
                "SELECT Id FROM Foo",
                "INVALID_TYPE",
                "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
            ),
            (
                "SELECT Id FROM Lead WHERE Nope__c = 'x'",
                "INVALID_FIELD",
                "ERROR at Row:1:Column:27\nNo such column 'Nope__c' on entity 'Lead'.",
            ),
            (
                "SELECT Id FROM Lead ORDER BY Nope",
                "INVALID_FIELD",
                "ERROR at Row:1:Column:30\nNo such column 'Nope' on entity 'Lead'.",
            ),
            (
                "SELECT Owner.Name FROM Lead",
                "INVALID_FIELD",
                "ERROR at Row:1:Column:8\nDidn't understand relationship 'Owner' in field path.",
            ),
            (
                "SELECT Id, id FROM Lead",
                "MALFORMED_QUERY",
                "Column:12\nduplicate field selected: Id",
            ),
            (
                "SELECT Id FROM Lead WHERE LastName = 5",
                "INVALID_FIELD",
                "Column:38\nvalue of filter criterion for field 'LastName' must be of type string and should be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE NumberOfEmployees = '5'",
                "INVALID_FIELD",
                "value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE AnnualRevenue > true",
                "INVALID_FIELD",
                "field 'AnnualRevenue' must be of type double and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE IsConverted = 'true'",
                "INVALID_FIELD",
                "field 'IsConverted' must be of type boolean and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE CreatedDate > 2025-06-06",
                "INVALID_FIELD",
                "field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE CreatedDate > '2025-06-06T00:00:00Z'",
                "INVALID_FIELD",
                "field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE Birthday__c = 2025-06-06T00:00:00Z",
                "INVALID_FIELD",
                "field 'Birthday__c' must be of type date and should not be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE OwnerId = 5",
                "INVALID_FIELD",
                "field 'OwnerId' must be of type id and should be enclosed in quotes",
            ),
            (
                "SELECT Id FROM Lead WHERE Id = 'abc'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "Column:32\ninvalid ID field: abc",
            ),
            (
                "SELECT Id FROM Lead WHERE Id LIKE 'abc%'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "invalid operator on id field",
            ),
            (
                "SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '5'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "invalid operator on integer field",
            ),
            (
                "SELECT Id FROM Lead WHERE Interests__c > 'a'",
                "INVALID_QUERY_FILTER_OPERATOR",
                "invalid operator on multipicklist field",
            ),
            (
                "SELECT Id FROM Lead WHERE Status INCLUDES ('a')",
                "INVALID_QUERY_FILTER_OPERATOR",
                "includes or excludes operator only valid on multipicklist field",
            ),
            (
                "SELECT Id FROM Lead WHERE Description = 'x'",
                "INVALID_FIELD",
                "field 'Description' can not be filtered in a query call",
            ),
            (
                "SELECT Id FROM Lead ORDER BY Description",
                "INVALID_FIELD",
                "field 'Description' can not be sorted in a query call",
            ),
            (
                "SELECT Id FROM Lead WHERE Birthday__c = 2025-13-01",
                "MALFORMED_QUERY",
                "Invalid date: 2025-13-01",
            ),
            (
                "SELECT Id FROM Lead WHERE CreatedDate = 2025-06-06T25:00:00Z",
                "MALFORMED_QUERY",
                "Invalid datetime: 2025-06-06T25:00:00Z",
            ),
            (
                "SELECT Id FROM Lead OFFSET 2001",
                "NUMBER_OUTSIDE_VALID_RANGE",
                "Maximum SOQL offset allowed is 2000",
            ),
            (
                "   ",
                "MALFORMED_QUERY",
                "A query string has to be specified",
            ),
        ];
        for (q, code, want) in cases {
            let e = err(q);
            assert_eq!(e.code, *code, "{q}: {}", e.message);
            assert!(
                e.message.contains(want),
                "{q}:\n{}\nwanted: {want}",
                e.message
            );
        }
    }

    #[test]
    fn the_object_is_checked_before_its_fields() {
        assert_eq!(err("SELECT Foo FROM Nope").code, "INVALID_TYPE");
        // …and syntax before either.
        assert_eq!(err("SELECT Foo FROM Nope WHERE").code, "MALFORMED_QUERY");
    }

    #[test]
    fn date_literals_cover_the_right_days() {
        use time::macros::date;
        let cases = [
            ("TODAY", date!(2025 - 06 - 06), date!(2025 - 06 - 07)),
            ("YESTERDAY", date!(2025 - 06 - 05), date!(2025 - 06 - 06)),
            ("TOMORROW", date!(2025 - 06 - 07), date!(2025 - 06 - 08)),
            // 2025-06-06 is a Friday; the week began on Sunday the 1st.
            ("THIS_WEEK", date!(2025 - 06 - 01), date!(2025 - 06 - 08)),
            ("LAST_WEEK", date!(2025 - 05 - 25), date!(2025 - 06 - 01)),
            ("THIS_MONTH", date!(2025 - 06 - 01), date!(2025 - 07 - 01)),
            ("LAST_MONTH", date!(2025 - 05 - 01), date!(2025 - 06 - 01)),
            ("NEXT_YEAR", date!(2026 - 01 - 01), date!(2027 - 01 - 01)),
            (
                "LAST_N_DAYS:7",
                date!(2025 - 05 - 30),
                date!(2025 - 06 - 07),
            ),
            (
                "NEXT_N_DAYS:2",
                date!(2025 - 06 - 07),
                date!(2025 - 06 - 09),
            ),
            ("N_DAYS_AGO:3", date!(2025 - 06 - 03), date!(2025 - 06 - 04)),
        ];
        for (lit, start, end) in cases {
            let q = compile(&format!("SELECT Id FROM Lead WHERE CreatedDate = {lit}")).unwrap();
            let Some(Cond::Test { values, .. }) = q.filter else {
                panic!()
            };
            match &values[0] {
                Value::Days { start: s, end: e } => assert_eq!((*s, *e), (start, end), "{lit}"),
                v => panic!("{lit}: {v:?}"),
            }
        }
    }

    #[test]
    fn stored_datetimes_parse_in_salesforce_and_soql_forms() {
        let want = time::macros::datetime!(2025-06-06 08:00 UTC);
        for s in [
            "2025-06-06T08:00:00Z",
            "2025-06-06T08:00:00.000Z",
            "2025-06-06T08:00:00.000+0000",
            "2025-06-06T17:00:00+09:00",
            "2025-06-06T03:00:00.000-0500",
        ] {
            assert_eq!(parse_datetime(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_datetime("2025-06-06"),
            Some(time::macros::datetime!(2025-06-06 0:00 UTC))
        );
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
