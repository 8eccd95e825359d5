//! Field values as Salesforce reads them: JSON coerced to a field's type the way its JSON reader
//! does (numbers in strings are fine, a word in a number field is a `JSON_PARSER_ERROR` naming the
//! line and column), dates and datetimes in the formats it accepts and the form it writes back,
//! 15/18-character ids with their checksum, and its email-address rule.

use serde_json::{Number, Value};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::ids;
use crate::schema::{FieldDef, FieldType};

/// A value the JSON reader cannot turn into the field's type: the whole request fails.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeMismatch {
    /// Salesforce's name for the target type (`double`, `date`, `boolean`, …).
    pub target: String,
    /// The JSON token Jackson names (`VALUE_STRING`, `START_OBJECT`, …).
    pub token: &'static str,
    pub text: String,
}

impl TypeMismatch {
    /// Salesforce's message, with the position of the offending value.
    pub fn message(&self, line: usize, column: usize) -> String {
        if self.token == "START_ARRAY" {
            // Salesforce drops the "or request may be missing…" tail for arrays.
            format!(
                "Cannot deserialize instance of {} from START_ARRAY value [line:{line}, column:{column}]",
                self.target
            )
        } else {
            format!(
                "Cannot deserialize instance of {} from {} value {} or request may be missing a required \
                 field at [line:{line}, column:{column}]",
                self.target, self.token, self.text
            )
        }
    }
}

fn token_of(v: &Value) -> (&'static str, String) {
    match v {
        Value::Null => ("VALUE_NULL", "null".into()),
        Value::Bool(true) => ("VALUE_TRUE", "true".into()),
        Value::Bool(false) => ("VALUE_FALSE", "false".into()),
        Value::Number(n) if n.is_f64() => ("VALUE_NUMBER_FLOAT", n.to_string()),
        Value::Number(n) => ("VALUE_NUMBER_INT", n.to_string()),
        Value::String(s) => ("VALUE_STRING", s.clone()),
        Value::Array(_) => ("START_ARRAY", "[".into()),
        Value::Object(_) => ("START_OBJECT", "{".into()),
    }
}

fn mismatch(f: &FieldDef, v: &Value) -> TypeMismatch {
    let (token, text) = token_of(v);
    TypeMismatch {
        target: f.type_name.clone(),
        token,
        text,
    }
}

/// Converts a JSON value to the field's stored form. Empty strings are null, as in Salesforce.
pub fn coerce(f: &FieldDef, v: &Value) -> Result<Value, TypeMismatch> {
    if let Value::String(s) = v
        && s.is_empty()
    {
        return Ok(match f.kind {
            FieldType::Boolean => Value::Bool(false),
            _ => Value::Null,
        });
    }
    let bad = || mismatch(f, v);
    match f.kind {
        _ if v.is_null() => Ok(match f.kind {
            // A checkbox cannot be null; the reader turns null into false.
            FieldType::Boolean => Value::Bool(false),
            _ => Value::Null,
        }),
        FieldType::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        FieldType::Int | FieldType::Long => {
            let n = match v {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|x| x.trunc() as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| {
                    s.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(|x| x.trunc() as i64)
                }),
                _ => None,
            };
            n.map(|n| Value::Number(n.into())).ok_or_else(bad)
        }
        FieldType::Double | FieldType::Currency | FieldType::Percent => {
            let x = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
                _ => None,
            };
            x.and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(bad)
        }
        FieldType::Date => match v {
            Value::String(s) => parse_date(s)
                .map(|d| Value::String(format_date(d)))
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        FieldType::Datetime => match v {
            Value::String(s) => parse_datetime(s)
                .map(|d| Value::String(format_datetime(d)))
                .ok_or_else(bad),
            Value::Number(n) => n
                .as_i64()
                .and_then(|ms| {
                    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
                })
                .map(|d| Value::String(format_datetime(d)))
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        FieldType::Time => match v {
            Value::String(s) => parse_time(s).map(Value::String).ok_or_else(bad),
            _ => Err(bad()),
        },
        FieldType::Address | FieldType::Location | FieldType::Other => Ok(v.clone()),
        // Text, ids, references, picklists: scalars are read as their text.
        _ => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(bad()),
        },
    }
}

fn digits2(b: &[u8]) -> Option<u8> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

fn ymd(s: &[u8]) -> Option<Date> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year: i32 = std::str::from_utf8(&s[..4]).ok()?.parse().ok()?;
    let month = Month::try_from(digits2(&s[5..7])?).ok()?;
    Date::from_calendar_date(year, month, digits2(&s[8..10])?).ok()
}

/// `[+-]HH:MM`, `[+-]HHMM`, `[+-]HH` or `Z`.
fn offset(s: &[u8]) -> Option<UtcOffset> {
    if s == b"Z" || s == b"z" {
        return Some(UtcOffset::UTC);
    }
    let sign: i8 = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let (h, m) = match rest.len() {
        2 => (digits2(rest)?, 0),
        4 => (digits2(&rest[..2])?, digits2(&rest[2..])?),
        5 if rest[2] == b':' => (digits2(&rest[..2])?, digits2(&rest[3..])?),
        _ => return None,
    };
    UtcOffset::from_hms(
        sign * i8::try_from(h).ok()?,
        sign * i8::try_from(m).ok()?,
        0,
    )
    .ok()
}

/// A date: `yyyy-MM-dd`, optionally with `Z` or an offset, or a full datetime (its date part).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.trim().as_bytes();
    let d = ymd(b.get(..10)?)?;
    let rest = &b[10..];
    if rest.is_empty() || offset(rest).is_some() {
        return Some(d);
    }
    parse_datetime(s).map(|dt| dt.date())
}

/// A datetime in the ISO 8601 forms Salesforce reads; no offset means UTC.
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let b = s.trim().as_bytes();
    let date = ymd(b.get(..10)?)?;
    if b.len() == 10 {
        return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    }
    if b[10] != b'T' && b[10] != b't' {
        return None;
    }
    let t = &b[11..];
    let hour = digits2(t.get(..2)?)?;
    if t.get(2) != Some(&b':') {
        return None;
    }
    let minute = digits2(t.get(3..5)?)?;
    let mut i = 5;
    let mut second = 0;
    let mut nanos = 0u32;
    if t.get(i) == Some(&b':') {
        second = digits2(t.get(i + 1..i + 3)?)?;
        i += 3;
        if t.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while t.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let frac = &t[start..i];
            if frac.is_empty() {
                return None;
            }
            let mut n = 0u32;
            for (k, d) in frac.iter().take(9).enumerate() {
                n += u32::from(d - b'0') * 10u32.pow(8 - u32::try_from(k).ok()?);
            }
            nanos = n;
        }
    }
    let off = if i == t.len() {
        UtcOffset::UTC
    } else {
        offset(&t[i..])?
    };
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(off))
}

fn parse_time(s: &str) -> Option<String> {
    let dt = parse_datetime(&format!("2000-01-01T{}", s.trim()))?.to_offset(UtcOffset::UTC);
    Some(format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    ))
}

pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Salesforce's datetime form: `2024-05-01T09:30:00.000+0000`.
pub fn format_datetime(d: OffsetDateTime) -> String {
    let d = d.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}+0000",
        format_date(d.date()),
        d.hour(),
        d.minute(),
        d.second(),
        d.millisecond()
    )
}

pub fn now() -> String {
    format_datetime(OffsetDateTime::now_utc())
}

/// A 15- or 18-character id in its 18-character form, if it is well formed.
pub fn normalize_id(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if !b.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    match b.len() {
        15 => {
            let suffix = ids::checksum(b);
            let mut out = s.to_string();
            out.extend(suffix.iter().map(|c| char::from(*c)));
            Some(out)
        }
        18 if ids::checksum(&b[..15]).eq_ignore_ascii_case(&b[15..]) => {
            let mut out = s[..15].to_string();
            out.extend(ids::checksum(&b[..15]).iter().map(|c| char::from(*c)));
            Some(out)
        }
        _ => None,
    }
}

/// Salesforce's email rule: a local part of letters, digits and `!#$%&'*+/=?^_`{|}~.-`, an `@`,
/// and a dotted domain of letters, digits and hyphens.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// A step into a JSON document: an object key or an array index.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

struct Cursor<'a> {
    src: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Skips a string starting at `"`, returning its raw contents.
    fn string(&mut self) -> Option<&[u8]> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => self.pos += 2,
                b'"' => {
                    let s = &self.src[start..self.pos];
                    self.pos += 1;
                    return Some(s);
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    /// Skips one value of any kind without recursion.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    /// Moves to the start of the value at `path`.
    fn find(&mut self, path: &[Seg<'_>]) -> Option<()> {
        let Some((first, rest)) = path.split_first() else {
            self.ws();
            return Some(());
        };
        self.ws();
        match (self.peek()?, first) {
            (b'{', Seg::Key(want)) => {
                self.pos += 1;
                loop {
                    self.ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    let hit = key == want.as_bytes();
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    if hit {
                        return self.find(rest);
                    }
                    self.skip()?;
                    self.ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                }
            }
            (b'[', Seg::Index(want)) => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if i == *want {
                        return self.find(rest);
                    }
                    self.skip()?;
                    self.ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                    i += 1;
                }
            }
            _ => None,
        }
    }
}

/// Line and column (both from 1) just after the value at `path`, as Jackson reports positions.
pub fn locate(src: &[u8], path: &[Seg<'_>]) -> (usize, usize) {
    let mut c = Cursor { src, pos: 0 };
    let end = c.find(path).and_then(|()| c.skip()).map_or(0, |()| c.pos);
    position(src, end)
}

/// Line and column (both from 1) of byte `offset`.
pub fn position(src: &[u8], offset: usize) -> (usize, usize) {
    let upto = &src[..offset.min(src.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, offset.min(src.len()) - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(kind: FieldType) -> FieldDef {
        FieldDef::of("X__c", "X", kind)
    }

    #[test]
    fn coercion_follows_salesforce_reader() {
        assert_eq!(
            coerce(&field(FieldType::Double), &json!("12.5")).unwrap(),
            json!(12.5)
        );
        assert_eq!(
            coerce(&field(FieldType::Int), &json!(7.0)).unwrap(),
            json!(7)
        );
        assert_eq!(
            coerce(&field(FieldType::Boolean), &json!("TRUE")).unwrap(),
            json!(true)
        );
        assert_eq!(
            coerce(&field(FieldType::Boolean), &json!(null)).unwrap(),
            json!(false)
        );
        assert_eq!(
            coerce(&field(FieldType::String), &json!(42)).unwrap(),
            json!("42")
        );
        assert_eq!(
            coerce(&field(FieldType::String), &json!("")).unwrap(),
            json!(null)
        );
        let e = coerce(&field(FieldType::Double), &json!("N01")).unwrap_err();
        assert_eq!(
            e.message(1, 20),
            "Cannot deserialize instance of double from VALUE_STRING value N01 or request may be \
             missing a required field at [line:1, column:20]"
        );
        let e = coerce(&field(FieldType::Multipicklist), &json!(["a"])).unwrap_err();
        assert_eq!(
            e.message(1, 9),
            "Cannot deserialize instance of multipicklist from START_ARRAY value [line:1, column:9]"
        );
        assert!(coerce(&field(FieldType::Date), &json!("2017-13-01")).is_err());
        assert!(coerce(&field(FieldType::Datetime), &json!("2017-10-17 00:00:00")).is_err());
    }

    #[test]
    fn datetimes_normalize_to_utc_with_milliseconds() {
        let f = field(FieldType::Datetime);
        assert_eq!(
            coerce(&f, &json!("2024-05-01T09:30:00+09:00")).unwrap(),
            json!("2024-05-01T00:30:00.000+0000")
        );
        assert_eq!(
            coerce(&f, &json!("2024-05-01T09:30:00.123Z")).unwrap(),
            json!("2024-05-01T09:30:00.123+0000")
        );
        assert_eq!(
            coerce(&field(FieldType::Date), &json!("2024-02-29")).unwrap(),
            json!("2024-02-29")
        );
    }

    #[test]
    fn ids_and_emails() {
        assert_eq!(
            normalize_id("001A0000006Vm9r").unwrap(),
            "001A0000006Vm9rIAC"
        );
        assert_eq!(
            normalize_id("001A0000006Vm9rIAC").unwrap(),
            "001A0000006Vm9rIAC"
        );
        assert!(normalize_id("001A0000006Vm9rAAA").is_none());
        assert!(normalize_id("abc").is_none());
        assert!(valid_email("pat.o'neil+x@example.co.jp"));
        assert!(!valid_email("pat@example"));
        assert!(!valid_email("pat example@example.com"));
        assert!(!valid_email("@example.com"));
    }

    #[test]
    fn locates_values_like_jackson() {
        let body = br#"{"records":[{"a":1},
  {"LastName":"x", "N":"abc"}]}"#;
        let (line, col) = locate(body, &[Seg::Key("records"), Seg::Index(1), Seg::Key("N")]);
        assert_eq!((line, col), (2, 29));
    }
}
