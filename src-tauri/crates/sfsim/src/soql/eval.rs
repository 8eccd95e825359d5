//! Running a compiled query over stored records: SOQL's comparison rules (text compares
//! case-insensitively, ids on their 15-character form, `!=` and `NOT IN` keep records whose
//! field is null, date literals cover whole days), ordering with Salesforce's null placement,
//! OFFSET and LIMIT, and projection of the selected fields in SELECT order.

use std::cmp::Ordering;

use serde_json::Value as Json;
use time::{Date, OffsetDateTime};

use super::FieldKind;
use super::lex::Piece;
use super::resolve::{Cond, Op, Query, Selection, parse_date, parse_datetime};
use crate::state::Record;

/// A comparable value: a literal from the query, or a record's field read by its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Lower-cased: SOQL compares text case-insensitively.
    Text(String),
    /// The case-sensitive 15-character form.
    Id(String),
    Bool(bool),
    Num(f64),
    Date(Date),
    DateTime(OffsetDateTime),
    /// A relative date literal: the days `start..end`.
    Days {
        start: Date,
        end: Date,
    },
    /// A LIKE pattern, lower-cased.
    Pattern(Vec<Piece>),
    /// A multi-select picklist value: its entries, lower-cased and sorted.
    Set(Vec<String>),
}

/// The entries of a multi-select picklist value (`a;b`), normalised for comparison.
pub(crate) fn multi_set(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(';')
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A record's field by API name; stored keys are API names, but a differently cased key still
/// counts.
pub fn get<'r>(record: &'r Record, name: &str) -> Option<&'r Json> {
    record.get(name).or_else(|| {
        record
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A stored JSON value read as the field's type.
fn read(kind: FieldKind, v: Option<&Json>) -> Value {
    let Some(v) = v else { return Value::Null };
    let text = || match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match (kind, v) {
        (_, Json::Null) => Value::Null,
        (FieldKind::Text | FieldKind::Time | FieldKind::Other, _) => {
            text().map_or(Value::Null, |s| Value::Text(s.to_lowercase()))
        }
        (FieldKind::Id | FieldKind::Reference, Json::String(s)) => {
            Value::Id(s.chars().take(15).collect())
        }
        (FieldKind::MultiPicklist, Json::String(s)) => Value::Set(multi_set(s)),
        (FieldKind::Boolean, Json::Bool(b)) => Value::Bool(*b),
        (FieldKind::Boolean, Json::String(s)) => Value::Bool(s.eq_ignore_ascii_case("true")),
        (FieldKind::Int | FieldKind::Double, Json::Number(n)) => {
            n.as_f64().map_or(Value::Null, Value::Num)
        }
        (FieldKind::Int | FieldKind::Double, Json::String(s)) => {
            s.trim().parse().map_or(Value::Null, Value::Num)
        }
        (FieldKind::Date, Json::String(s)) => parse_date(s).map_or(Value::Null, Value::Date),
        (FieldKind::DateTime, Json::String(s)) => {
            parse_datetime(s).map_or(Value::Null, Value::DateTime)
        }
        _ => Value::Null,
    }
}

/// Orders two values of one field; `None` when they cannot be compared.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) | (Value::Id(x), Value::Id(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::Set(x), Value::Set(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Where a field's value lies against a day range: before it, in it, or after it.
fn against_days(v: &Value, start: Date, end: Date) -> Option<Ordering> {
    let (s, e) = (start.midnight().assume_utc(), end.midnight().assume_utc());
    let t = match v {
        Value::Date(d) => d.midnight().assume_utc(),
        Value::DateTime(t) => *t,
        _ => return None,
    };
    Some(if t < s {
        Ordering::Less
    } else if t >= e {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

fn equals(field: &Value, lit: &Value) -> bool {
    match (field, lit) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (v, Value::Days { start, end }) => against_days(v, *start, *end) == Some(Ordering::Equal),
        _ => compare(field, lit) == Some(Ordering::Equal),
    }
}

fn ordered(field: &Value, lit: &Value, want: fn(Ordering) -> bool) -> bool {
    if matches!(field, Value::Null) || matches!(lit, Value::Null) {
        return false;
    }
    let ord = match lit {
        Value::Days { start, end } => against_days(field, *start, *end),
        _ => compare(field, lit),
    };
    ord.is_some_and(want)
}

/// SOQL LIKE: `%` any run, `_` one character, escaped ones literal; case-insensitive (both
/// sides arrive lower-cased).
fn like(text: &str, pattern: &[Piece]) -> bool {
    let t: Vec<char> = text.chars().collect();
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        match pattern.get(pi) {
            Some(Piece::Char('%')) => {
                back = Some((pi, ti));
                pi += 1;
            }
            Some(Piece::Char('_')) => {
                ti += 1;
                pi += 1;
            }
            Some(Piece::Char(c) | Piece::Literal(c)) if *c == t[ti] => {
                ti += 1;
                pi += 1;
            }
            _ => match back {
                Some((bp, bt)) => {
                    pi = bp + 1;
                    ti = bt + 1;
                    back = Some((bp, bt + 1));
                }
                None => return false,
            },
        }
    }
    pattern[pi.min(pattern.len())..]
        .iter()
        .all(|p| *p == Piece::Char('%'))
}

fn includes(field: &Value, wanted: &[Value]) -> bool {
    let Value::Set(have) = field else {
        return false;
    };
    wanted.iter().any(|w| match w {
        Value::Set(all) => all.iter().all(|x| have.contains(x)),
        _ => false,
    })
}

impl Cond {
    pub fn matches(&self, record: &Record) -> bool {
        match self {
            Cond::And(terms) => terms.iter().all(|t| t.matches(record)),
            Cond::Or(terms) => terms.iter().any(|t| t.matches(record)),
            Cond::Not(inner) => !inner.matches(record),
            Cond::Test {
                field,
                kind,
                op,
                values,
            } => {
                let v = read(*kind, get(record, field));
                let first = values.first().unwrap_or(&Value::Null);
                match op {
                    Op::Eq => equals(&v, first),
                    Op::Ne => !equals(&v, first),
                    Op::Lt => ordered(&v, first, |o| o == Ordering::Less),
                    Op::Le => ordered(&v, first, |o| o != Ordering::Greater),
                    Op::Gt => ordered(&v, first, |o| o == Ordering::Greater),
                    Op::Ge => ordered(&v, first, |o| o != Ordering::Less),
                    Op::In => values.iter().any(|l| equals(&v, l)),
                    Op::NotIn => !values.iter().any(|l| equals(&v, l)),
                    Op::Like => match (&v, first) {
                        (Value::Text(t), Value::Pattern(p)) => like(t, p),
                        _ => false,
                    },
                    Op::Includes => includes(&v, values),
                    Op::Excludes => !includes(&v, values),
                }
            }
        }
    }
}

impl Query {
    pub fn matches(&self, record: &Record) -> bool {
        self.filter.as_ref().is_none_or(|c| c.matches(record))
    }

    /// The records the query returns, in order, after OFFSET and LIMIT. Without ORDER BY
    /// they keep the order given (the simulator passes creation order).
    pub fn run<'r>(&self, records: impl IntoIterator<Item = &'r Record>) -> Vec<&'r Record> {
        let mut hits: Vec<&Record> = records.into_iter().filter(|r| self.matches(r)).collect();
        if !self.order.is_empty() {
            let mut keyed: Vec<(Vec<Value>, &Record)> = hits
                .into_iter()
                .map(|r| {
                    let keys = self
                        .order
                        .iter()
                        .map(|o| read(o.kind, get(r, &o.field)))
                        .collect();
                    (keys, r)
                })
                .collect();
            keyed.sort_by(|(a, _), (b, _)| {
                for (i, o) in self.order.iter().enumerate() {
                    let ord = match (&a[i], &b[i]) {
                        (Value::Null, Value::Null) => Ordering::Equal,
                        (Value::Null, _) => {
                            if o.nulls_last {
                                Ordering::Greater
                            } else {
                                Ordering::Less
                            }
                        }
                        (_, Value::Null) => {
                            if o.nulls_last {
                                Ordering::Less
                            } else {
                                Ordering::Greater
                            }
                        }
                        (x, y) => {
                            let ord = compare(x, y).unwrap_or(Ordering::Equal);
                            if o.descending { ord.reverse() } else { ord }
                        }
                    };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
            hits = keyed.into_iter().map(|(_, r)| r).collect();
        }
        let offset = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let limit = self
            .limit
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        hits.into_iter().skip(offset).take(limit).collect()
    }

    /// The selected fields of a record, in SELECT order, null where the record has no value.
    pub fn project<'q>(&'q self, record: &Record) -> Vec<(&'q str, Json)> {
        match &self.selection {
            Selection::Count => Vec::new(),
            Selection::Fields(names) => names
                .iter()
                .map(|n| (n.as_str(), get(record, n).cloned().unwrap_or(Json::Null)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{catalog, today};
    use super::super::{SoqlError, compile_on};
    use super::*;
    use serde_json::json;

    fn rec(v: Json) -> Record {
        match v {
            Json::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    /// Six leads covering nulls, case, numbers, dates and picklists.
    fn leads() -> Vec<Record> {
        vec![
            rec(
                json!({"Id": "00Q000000000001AAA", "LastName": "Smith", "Company": "Acme", "Email": "a@acme.example",
                "NumberOfEmployees": 10, "AnnualRevenue": 1.5e6, "IsConverted": false,
                "CreatedDate": "2025-06-06T08:00:00.000+0000", "Birthday__c": "1990-01-31",
                "Interests__c": "golf;chess", "OwnerId": "005000000000001AAA"}),
            ),
            rec(
                json!({"Id": "00Q000000000002AAA", "LastName": "smithers", "Company": "ACME corp", "Email": null,
                "NumberOfEmployees": 250, "IsConverted": true, "CreatedDate": "2025-06-05T23:59:59.000+0000",
                "Interests__c": "chess"}),
            ),
            rec(
                json!({"Id": "00Q000000000003AAA", "LastName": "O'Brien", "Company": "100% Pure", "Email": "o@pure.example",
                "NumberOfEmployees": 5, "CreatedDate": "2025-06-07T00:00:00.000+0000"}),
            ),
            rec(
                json!({"Id": "00Q000000000004AAA", "LastName": "Under_score", "Company": "Back\\slash",
                "CreatedDate": "2025-05-30T12:00:00.000+0000"}),
            ),
            rec(
                json!({"Id": "00Q000000000005AAA", "LastName": "Zed", "Company": "Zeta", "Email": "z@zeta.example",
                "NumberOfEmployees": 10, "CreatedDate": "2025-05-29T23:00:00.000Z", "Birthday__c": "2000-02-29"}),
            ),
            rec(
                json!({"Id": "00Q000000000006AAA", "LastName": "Ünïcode", "Company": "日本", "Status": "Open - Not Contacted"}),
            ),
        ]
    }

    fn run(q: &str) -> Result<Vec<String>, SoqlError> {
        let query = compile_on(q, &catalog(), today())?;
        let records = leads();
        Ok(query
            .run(records.iter())
            .into_iter()
            .map(|r| r["LastName"].as_str().unwrap_or_default().to_string())
            .collect())
    }

    fn names(q: &str) -> Vec<String> {
        run(q).unwrap_or_else(|e| panic!("{q}: {e}"))
    }

    #[test]
    fn filters_follow_soql_rules() {
        let all = [
            "Smith",
            "smithers",
            "O'Brien",
            "Under_score",
            "Zed",
            "Ünïcode",
        ];
        let cases: &[(&str, &[&str])] = &[
            ("LastName = 'smith'", &["Smith"]),
            ("LastName = 'SMITH'", &["Smith"]),
            (
                "LastName != 'smith'",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            (
                "LastName <> 'smith'",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("LastName = 'O\\'Brien'", &["O'Brien"]),
            ("Company = 'Back\\\\slash'", &["Under_score"]),
            ("Company = '\\u65e5\\u672c'", &["Ünïcode"]),
            ("LastName = 'ünïcode'", &["Ünïcode"]),
            ("Email = null", &["smithers", "Under_score", "Ünïcode"]),
            ("Email != null", &["Smith", "O'Brien", "Zed"]),
            // `!=` keeps records whose field is null, unlike SQL.
            (
                "Email != 'a@acme.example'",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("LastName LIKE 'smith%'", &["Smith", "smithers"]),
            ("LastName LIKE 'SMITH'", &["Smith"]),
            (
                "LastName LIKE '%e%'",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("LastName LIKE 'Z_d'", &["Zed"]),
            ("LastName LIKE 'Under\\_score'", &["Under_score"]),
            ("LastName LIKE 'Under_score'", &["Under_score"]),
            ("LastName LIKE 'Under\\_%'", &["Under_score"]),
            ("Company LIKE '100\\%%'", &["O'Brien"]),
            ("Company LIKE '100\\%'", &[]),
            ("Company LIKE '%\\%'", &[]),
            (
                "Company LIKE '%'",
                &[
                    "Smith",
                    "smithers",
                    "O'Brien",
                    "Under_score",
                    "Zed",
                    "Ünïcode",
                ],
            ),
            ("NumberOfEmployees > 5", &["Smith", "smithers", "Zed"]),
            ("NumberOfEmployees >= 10", &["Smith", "smithers", "Zed"]),
            ("NumberOfEmployees < 10", &["O'Brien"]),
            ("NumberOfEmployees <= 10", &["Smith", "O'Brien", "Zed"]),
            ("NumberOfEmployees = 10.0", &["Smith", "Zed"]),
            ("NumberOfEmployees = -1", &[]),
            ("AnnualRevenue > 1000000", &["Smith"]),
            ("IsConverted = true", &["smithers"]),
            ("IsConverted = false", &["Smith"]),
            ("NumberOfEmployees IN (5, 250)", &["smithers", "O'Brien"]),
            ("LastName IN ('zed', 'SMITH', 'nobody')", &["Smith", "Zed"]),
            (
                "LastName NOT IN ('zed', 'SMITH')",
                &["smithers", "O'Brien", "Under_score", "Ünïcode"],
            ),
            (
                "Email NOT IN ('a@acme.example')",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("Email IN (null)", &["smithers", "Under_score", "Ünïcode"]),
            ("Id = '00Q000000000003'", &["O'Brien"]),
            ("Id = '00Q000000000003AAA'", &["O'Brien"]),
            (
                "Id IN ('00Q000000000003AAA', '00Q000000000005')",
                &["O'Brien", "Zed"],
            ),
            ("OwnerId = '005000000000001AAA'", &["Smith"]),
            (
                "OwnerId = null",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("CreatedDate = TODAY", &["Smith"]),
            ("CreatedDate = YESTERDAY", &["smithers"]),
            ("CreatedDate = TOMORROW", &["O'Brien"]),
            ("CreatedDate > TODAY", &["O'Brien"]),
            ("CreatedDate >= TODAY", &["Smith", "O'Brien"]),
            ("CreatedDate < TODAY", &["smithers", "Under_score", "Zed"]),
            (
                "CreatedDate <= TODAY",
                &["Smith", "smithers", "Under_score", "Zed"],
            ),
            (
                "CreatedDate != TODAY",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            (
                "CreatedDate = LAST_N_DAYS:7",
                &["Smith", "smithers", "Under_score"],
            ),
            ("CreatedDate > 2025-06-06T07:59:59Z", &["Smith", "O'Brien"]),
            ("CreatedDate = 2025-06-06T17:00:00+09:00", &["Smith"]),
            ("CreatedDate = 2025-05-30T00:00:00+01:00", &["Zed"]),
            ("Birthday__c = 1990-01-31", &["Smith"]),
            ("Birthday__c > 1990-01-31", &["Zed"]),
            ("Birthday__c != null", &["Smith", "Zed"]),
            ("Interests__c = 'CHESS;golf'", &["Smith"]),
            ("Interests__c INCLUDES ('chess')", &["Smith", "smithers"]),
            ("Interests__c INCLUDES ('golf;chess', 'tennis')", &["Smith"]),
            (
                "Interests__c EXCLUDES ('golf')",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            ("Status = 'Open - Not Contacted'", &["Ünïcode"]),
            (
                "NOT LastName = 'Smith'",
                &["smithers", "O'Brien", "Under_score", "Zed", "Ünïcode"],
            ),
            (
                "NOT (LastName = 'Smith' OR LastName = 'Zed')",
                &["smithers", "O'Brien", "Under_score", "Ünïcode"],
            ),
            (
                "(LastName LIKE 's%' OR LastName = 'Zed') AND NumberOfEmployees = 10",
                &["Smith", "Zed"],
            ),
            (
                "LastName LIKE 's%' AND (NumberOfEmployees = 250 OR Email = 'a@acme.example')",
                &["Smith", "smithers"],
            ),
            (
                "LastName != null AND Company != null AND Email != null",
                &["Smith", "O'Brien", "Zed"],
            ),
            (
                "LastName = 'a' OR LastName = 'zed' OR LastName = 'smith'",
                &["Smith", "Zed"],
            ),
        ];
        for (cond, want) in cases {
            let got = names(&format!("SELECT Id FROM Lead WHERE {cond}"));
            assert_eq!(got, *want, "WHERE {cond}");
        }
        assert_eq!(names("SELECT Id FROM Lead"), all);
    }

    #[test]
    fn order_limit_and_offset() {
        let cases: &[(&str, &[&str])] = &[
            (
                "ORDER BY LastName",
                &[
                    "O'Brien",
                    "Smith",
                    "smithers",
                    "Under_score",
                    "Zed",
                    "Ünïcode",
                ],
            ),
            (
                "ORDER BY LastName DESC",
                &[
                    "Ünïcode",
                    "Zed",
                    "Under_score",
                    "smithers",
                    "Smith",
                    "O'Brien",
                ],
            ),
            // Nulls first ascending, last descending, unless told otherwise; ties keep creation order.
            (
                "ORDER BY NumberOfEmployees",
                &[
                    "Under_score",
                    "Ünïcode",
                    "O'Brien",
                    "Smith",
                    "Zed",
                    "smithers",
                ],
            ),
            (
                "ORDER BY NumberOfEmployees DESC",
                &[
                    "smithers",
                    "Smith",
                    "Zed",
                    "O'Brien",
                    "Under_score",
                    "Ünïcode",
                ],
            ),
            (
                "ORDER BY NumberOfEmployees ASC NULLS LAST",
                &[
                    "O'Brien",
                    "Smith",
                    "Zed",
                    "smithers",
                    "Under_score",
                    "Ünïcode",
                ],
            ),
            (
                "ORDER BY NumberOfEmployees DESC NULLS FIRST",
                &[
                    "Under_score",
                    "Ünïcode",
                    "smithers",
                    "Smith",
                    "Zed",
                    "O'Brien",
                ],
            ),
            (
                "ORDER BY NumberOfEmployees DESC, LastName DESC",
                &[
                    "smithers",
                    "Zed",
                    "Smith",
                    "O'Brien",
                    "Ünïcode",
                    "Under_score",
                ],
            ),
            (
                "ORDER BY CreatedDate DESC",
                &[
                    "O'Brien",
                    "Smith",
                    "smithers",
                    "Under_score",
                    "Zed",
                    "Ünïcode",
                ],
            ),
            ("ORDER BY LastName LIMIT 2", &["O'Brien", "Smith"]),
            (
                "ORDER BY LastName LIMIT 2 OFFSET 3",
                &["Under_score", "Zed"],
            ),
            ("ORDER BY LastName OFFSET 5", &["Ünïcode"]),
            ("LIMIT 0", &[]),
            ("OFFSET 2000", &[]),
        ];
        for (tail, want) in cases {
            let got = names(&format!("SELECT Id FROM Lead {tail}"));
            assert_eq!(got, *want, "{tail}");
        }
    }

    #[test]
    fn projection_keeps_select_order_and_nulls() {
        let query = compile_on(
            "SELECT Email, lastname, Id, Status FROM Lead",
            &catalog(),
            today(),
        )
        .unwrap();
        let records = leads();
        let row = query.project(&records[1]);
        assert_eq!(
            row,
            vec![
                ("Email", Json::Null),
                ("LastName", json!("smithers")),
                ("Id", json!("00Q000000000002AAA")),
                ("Status", Json::Null),
            ]
        );
        let count = compile_on("SELECT COUNT() FROM Lead", &catalog(), today()).unwrap();
        assert_eq!(count.selection, Selection::Count);
        assert!(count.project(&records[0]).is_empty());
    }

    #[test]
    fn like_matches_wildcards_anywhere() {
        let p = |s: &str| -> Vec<Piece> { s.chars().map(Piece::Char).collect() };
        for (text, pat, want) in [
            ("abc", "abc", true),
            ("abc", "a%", true),
            ("abc", "%c", true),
            ("abc", "%b%", true),
            ("abc", "a_c", true),
            ("abc", "a__c", false),
            ("abc", "%%%", true),
            ("", "%", true),
            ("", "_", false),
            ("aXbXc", "a%b%c", true),
            ("aXbXd", "a%b%c", false),
            ("mississippi", "m%iss%ppi", true),
        ] {
            assert_eq!(like(text, &p(pat)), want, "{text} LIKE {pat}");
        }
    }
}
