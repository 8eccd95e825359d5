//! What a row does to one booking's value on its way into a field: trim, full-width to
//! half-width, half of a full name, the picklist translation, truncation, and then the coercion
//! to the JSON the field's type takes. A value Salesforce would refuse (a word in a number field,
//! a full-width e-mail address, an inactive value of a restricted picklist, text longer than the
//! field) comes back as a [`CoercionError`] that the preview shows as a check.

use leadline_salesforce::rest::FieldDescribe;
use serde_json::{Number, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::active_values;
use crate::ipc::{CheckCode, NamePart, Transform};

/// A value that cannot go into its field as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct CoercionError {
    /// The field's API name.
    pub field: String,
    /// Which check the preview reports it as.
    pub code: CheckCode,
    pub problem: String,
}

/// The value as the field will receive it; `Ok(None)` when there is nothing to send (an empty
/// answer is left out of the record, never sent as `""`).
pub fn apply(
    value: &Value,
    transform: &Transform,
    field: &FieldDescribe,
    locale: Option<&str>,
) -> Result<Option<Value>, CoercionError> {
    let fail = |code, problem: String| CoercionError {
        field: field.name.clone(),
        code,
        problem,
    };
    // A checkbox answer is already what a boolean field takes.
    if let Value::Bool(b) = value
        && field.field_type == "boolean"
    {
        return Ok(Some(Value::Bool(*b)));
    }
    let phone = field.field_type == "phone";
    let mut parts: Vec<String> = raw_parts(value)
        .into_iter()
        .map(|p| {
            let p = if transform.trim {
                p.trim().to_owned()
            } else {
                p
            };
            if transform.half_width {
                half_width(&p, phone)
            } else {
                p
            }
        })
        .filter(|p| !p.trim().is_empty())
        .collect();
    if let Some(part) = transform.name_part {
        let whole = parts.join(" ");
        parts = name_part(&whole, part, locale).into_iter().collect();
    }
    for p in &mut parts {
        if let Some(entry) = transform
            .picklist
            .iter()
            .find(|e| e.answer.trim() == p.trim())
        {
            *p = entry.value.clone();
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }

    match field.field_type.as_str() {
        "multipicklist" => {
            let values: Vec<String> = parts
                .iter()
                .flat_map(|p| p.split(';'))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            if field.restricted_picklist {
                for v in &values {
                    if !active_values(field).any(|a| a == v) {
                        return Err(fail(
                            CheckCode::PicklistAnswerNotActive,
                            format!("\"{v}\" is not an active value of this restricted picklist"),
                        ));
                    }
                }
            }
            Ok(Some(Value::String(values.join(";"))))
        }
        "boolean" => {
            let text = parts.join(" ");
            match boolean(&text) {
                Some(b) => Ok(Some(Value::Bool(b))),
                None => Err(fail(
                    CheckCode::TypeMismatch,
                    format!(
                        "\"{text}\" is not a yes/no value (true/false, yes/no, 1/0, はい/いいえ)"
                    ),
                )),
            }
        }
        "int" | "long" => {
            let text = number_text(&parts.join(""));
            text.parse::<i64>()
                .map(|n| Some(Value::Number(n.into())))
                .map_err(|_| {
                    fail(
                        CheckCode::TypeMismatch,
                        format!("\"{}\" is not a whole number", parts.join(" ")),
                    )
                })
        }
        "double" | "currency" | "percent" => {
            let text = number_text(&parts.join(""));
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Some(Value::Number(n.into())));
            }
            text.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(|n| Some(Value::Number(n)))
                .ok_or_else(|| {
                    fail(
                        CheckCode::TypeMismatch,
                        format!("\"{}\" is not a number", parts.join(" ")),
                    )
                })
        }
        "date" => {
            let text = parts.join(" ");
            date(&text).map(|d| Some(Value::String(d))).ok_or_else(|| {
                fail(
                    CheckCode::TypeMismatch,
                    format!("\"{text}\" is not a date (YYYY-MM-DD)"),
                )
            })
        }
        "datetime" => {
            let text = parts.join(" ");
            datetime(&text).map(|d| Some(Value::String(d))).ok_or_else(|| {
                fail(
                    CheckCode::TypeMismatch,
                    format!("\"{text}\" is not a date and time (RFC 3339, e.g. 2025-06-06T08:00:00Z)"),
                )
            })
        }
        field_type => {
            // Several picks of a multiple-choice question read best comma-separated in text.
            let mut text = parts.join(", ");
            let limit = field.length as usize;
            if is_text_type(field_type) && limit > 0 {
                let chars = text.chars().count();
                if chars > limit {
                    if transform.truncate {
                        text = text.chars().take(limit).collect();
                    } else {
                        return Err(fail(
                            CheckCode::PossibleOverflow,
                            format!(
                                "the value is {chars} characters; the field holds {limit} \
                                 (turn on truncate, or shorten the answer)"
                            ),
                        ));
                    }
                }
            }
            if field_type == "email" && !looks_like_email(&text) {
                let hint = if !text.is_ascii() {
                    " (it has full-width characters: turn on full-width → half-width)"
                } else {
                    ""
                };
                return Err(fail(
                    CheckCode::FormatMismatch,
                    format!("\"{text}\" is not an e-mail address{hint}"),
                ));
            }
            if field_type == "picklist"
                && field.restricted_picklist
                && !active_values(field).any(|a| a == text)
            {
                return Err(fail(
                    CheckCode::PicklistAnswerNotActive,
                    format!("\"{text}\" is not an active value of this restricted picklist"),
                ));
            }
            Ok(Some(Value::String(text)))
        }
    }
}

/// The transform in words for the preview; empty when the value goes as-is.
pub fn describe(transform: &Transform) -> String {
    let mut steps = Vec::new();
    if transform.trim {
        steps.push("trim".to_owned());
    }
    if transform.half_width {
        steps.push("full-width → half-width".to_owned());
    }
    match transform.name_part {
        Some(NamePart::LastName) => steps.push("last name of the full name".to_owned()),
        Some(NamePart::FirstName) => steps.push("first name of the full name".to_owned()),
        None => {}
    }
    if !transform.picklist.is_empty() {
        steps.push(format!(
            "picklist translation ({} entries)",
            transform.picklist.len()
        ));
    }
    if transform.truncate {
        steps.push("truncate to the field length".to_owned());
    }
    steps.join(", ")
}

/// Field types whose value is text with a length limit.
pub(crate) fn is_text_type(field_type: &str) -> bool {
    matches!(
        field_type,
        "string" | "textarea" | "email" | "phone" | "url" | "encryptedstring" | "combobox"
    )
}

fn raw_parts(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(raw_parts).collect(),
        Value::Object(_) => vec![value.to_string()],
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space to a space; for phone
/// fields also the long-vowel mark and dash variants people type between digits, to `-`.
pub fn half_width(text: &str, phone: bool) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            'ー' | '―' | '‐' | '‑' | '–' | '—' | '−' if phone => '-',
            _ => c,
        })
        .collect()
}

/// One half of a full name. Parts are split on ASCII or full-width spaces; a single token is the
/// last name. The family name comes first for Japanese-locale bookings and for names written in
/// CJK script, last otherwise.
pub fn name_part(full: &str, part: NamePart, locale: Option<&str>) -> Option<String> {
    let tokens: Vec<&str> = full
        .split([' ', '\u{3000}'])
        .filter(|t| !t.is_empty())
        .collect();
    let (last, first) = match tokens.as_slice() {
        [] => return None,
        [only] => ((*only).to_owned(), String::new()),
        [head, rest @ ..] if family_name_first(full, locale) => {
            ((*head).to_owned(), rest.join(" "))
        }
        [init @ .., tail] => ((*tail).to_owned(), init.join(" ")),
    };
    let chosen = match part {
        NamePart::LastName => last,
        NamePart::FirstName => first,
    };
    (!chosen.is_empty()).then_some(chosen)
}

fn family_name_first(name: &str, locale: Option<&str>) -> bool {
    locale.is_some_and(|l| l.to_ascii_lowercase().starts_with("ja")) || name.chars().any(is_cjk)
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}' // half-width katakana
        | '\u{AC00}'..='\u{D7AF}' // hangul syllables
    )
}

fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "on" | "checked" | "はい" => Some(true),
        "false" | "no" | "0" | "off" | "unchecked" | "いいえ" => Some(false),
        _ => None,
    }
}

/// Numeric text as Rust parses it: full-width digits made ASCII and thousands separators dropped,
/// which cannot change the number meant.
fn number_text(text: &str) -> String {
    half_width(text.trim(), false)
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect()
}

fn date(text: &str) -> Option<String> {
    let text = half_width(text.trim(), false);
    let ymd = format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(&text, ymd) {
        return d.format(ymd).ok();
    }
    if let Ok(d) = Date::parse(&text.replace('/', "-"), ymd) {
        return d.format(ymd).ok();
    }
    // The calendar date the guest saw, not the UTC one: the date part as written.
    OffsetDateTime::parse(&text, &Rfc3339)
        .ok()
        .and_then(|t| t.date().format(ymd).ok())
}

fn datetime(text: &str) -> Option<String> {
    let text = half_width(text.trim(), false);
    if let Ok(t) = crate::booking::utc(&text, "") {
        return Some(t);
    }
    // A date alone is midnight UTC: Salesforce would otherwise refuse the whole record.
    date(&text).map(|d| format!("{d}T00:00:00Z"))
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.is_ascii()
        && !text.chars().any(char::is_whitespace)
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::ipc::PicklistEntry;
    use leadline_salesforce::rest::PicklistValue;
    use serde_json::json;

    fn field(name: &str, field_type: &str, length: u32) -> FieldDescribe {
        serde_json::from_value(json!({
            "name": name, "label": name, "type": field_type, "length": length,
            "createable": true, "nillable": true
        }))
        .unwrap()
    }

    fn picklist(
        name: &str,
        multi: bool,
        restricted: bool,
        values: &[(&str, bool)],
    ) -> FieldDescribe {
        let mut f = field(name, if multi { "multipicklist" } else { "picklist" }, 255);
        f.restricted_picklist = restricted;
        f.picklist_values = values
            .iter()
            .map(|(v, active)| PicklistValue {
                value: (*v).into(),
                label: Some((*v).into()),
                active: *active,
                default_value: false,
                valid_for: None,
            })
            .collect();
        f
    }

    fn as_is() -> Transform {
        Transform::default()
    }

    fn with(f: impl FnOnce(&mut Transform)) -> Transform {
        let mut t = Transform::default();
        f(&mut t);
        t
    }

    fn ok(value: Value, t: &Transform, f: &FieldDescribe, locale: Option<&str>) -> Option<Value> {
        apply(&value, t, f, locale).unwrap()
    }

    #[test]
    fn names_split_by_locale_and_script() {
        let last = |name, locale| name_part(name, NamePart::LastName, locale);
        let first = |name, locale| name_part(name, NamePart::FirstName, locale);
        // (full name, locale, last, first)
        type NameCase<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let cases: [NameCase; 9] = [
            ("山田 太郎", None, Some("山田"), Some("太郎")),
            ("山田\u{3000}太郎", None, Some("山田"), Some("太郎")),
            ("山田　　太郎", Some("en"), Some("山田"), Some("太郎")),
            ("Taro Yamada", Some("en"), Some("Yamada"), Some("Taro")),
            ("Taro Yamada", Some("ja"), Some("Taro"), Some("Yamada")),
            ("Mary Ann  Smith", None, Some("Smith"), Some("Mary Ann")),
            ("山田太郎", Some("ja"), Some("山田太郎"), None),
            ("Cher", None, Some("Cher"), None),
            ("   ", None, None, None),
        ];
        for (full, locale, want_last, want_first) in cases {
            assert_eq!(last(full, locale).as_deref(), want_last, "last of {full:?}");
            assert_eq!(
                first(full, locale).as_deref(),
                want_first,
                "first of {full:?}"
            );
        }
    }

    #[test]
    fn half_width_maps_full_width_ascii_and_phone_dashes_only_for_phones() {
        assert_eq!(
            half_width("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", false),
            "taro@example.com"
        );
        assert_eq!(half_width("０３ー１２３４ー５６７８", true), "03-1234-5678");
        assert_eq!(half_width("０３－１２３４―５６７８", true), "03-1234-5678");
        assert_eq!(
            half_width("スーパー", false),
            "スーパー",
            "ー stays in words"
        );
        assert_eq!(half_width("Ａ\u{3000}Ｂ", false), "A B");
    }

    #[test]
    fn empty_answers_are_left_out_never_sent_empty() {
        let f = field("Title", "string", 128);
        for v in [json!(""), json!("   "), Value::Null, json!([])] {
            assert_eq!(apply(&v, &as_is(), &f, None).unwrap(), None, "{v}");
        }
        let first = with(|t| t.name_part = Some(NamePart::FirstName));
        assert_eq!(
            ok(
                json!("Cher"),
                &first,
                &field("FirstName", "string", 40),
                None
            ),
            None
        );
    }

    #[test]
    fn trim_is_opt_in_but_whitespace_only_is_empty() {
        let f = field("Title", "string", 128);
        assert_eq!(ok(json!(" CEO "), &as_is(), &f, None), Some(json!(" CEO ")));
        assert_eq!(
            ok(json!(" CEO "), &with(|t| t.trim = true), &f, None),
            Some(json!("CEO"))
        );
    }

    #[test]
    fn truncate_counts_characters_and_overflow_is_refused_without_it() {
        let f = field("LastName", "string", 5);
        let long = json!("山田山田山田");
        let cut = ok(long.clone(), &with(|t| t.truncate = true), &f, None);
        assert_eq!(cut, Some(json!("山田山田山")));
        let err = apply(&long, &as_is(), &f, None).unwrap_err();
        assert_eq!(err.code, CheckCode::PossibleOverflow);
        assert!(
            err.to_string()
                .starts_with("LastName: the value is 6 characters; the field holds 5"),
            "{err}"
        );
    }

    #[test]
    fn picklist_translation_maps_exact_answers_and_passes_others_through() {
        let f = picklist("Industry", false, false, &[("Technology", true)]);
        let t = with(|t| {
            t.picklist = vec![PicklistEntry {
                answer: "IT・通信".into(),
                value: "Technology".into(),
            }]
        });
        assert_eq!(
            ok(json!(" IT・通信 "), &t, &f, None),
            Some(json!("Technology"))
        );
        assert_eq!(ok(json!("製造"), &t, &f, None), Some(json!("製造")));
    }

    #[test]
    fn restricted_picklists_refuse_inactive_values() {
        let f = picklist("Status", false, true, &[("Open", true), ("Old", false)]);
        assert_eq!(ok(json!("Open"), &as_is(), &f, None), Some(json!("Open")));
        let err = apply(&json!("Old"), &as_is(), &f, None).unwrap_err();
        assert_eq!(err.code, CheckCode::PicklistAnswerNotActive);
        let multi = picklist("Topics__c", true, true, &[("A", true), ("B", true)]);
        assert_eq!(
            ok(json!(["A", "B"]), &as_is(), &multi, None),
            Some(json!("A;B"))
        );
        assert_eq!(
            ok(json!("B; A"), &as_is(), &multi, None),
            Some(json!("B;A"))
        );
        let err = apply(&json!(["A", "C"]), &as_is(), &multi, None).unwrap_err();
        assert!(err.problem.contains("\"C\""), "{err}");
    }

    #[test]
    fn booleans_accept_the_usual_words_and_checkbox_answers() {
        let f = field("DoNotCall", "boolean", 0);
        for (input, want) in [
            (json!("yes"), true),
            (json!("はい"), true),
            (json!("1"), true),
            (json!(true), true),
            (json!("No"), false),
            (json!("いいえ"), false),
            (json!(false), false),
        ] {
            assert_eq!(
                ok(input.clone(), &as_is(), &f, None),
                Some(json!(want)),
                "{input}"
            );
        }
        let err = apply(&json!("2025-06-06"), &as_is(), &f, None).unwrap_err();
        assert_eq!(err.code, CheckCode::TypeMismatch);
        assert!(
            err.to_string()
                .contains("\"2025-06-06\" is not a yes/no value"),
            "{err}"
        );
    }

    #[test]
    fn numbers_take_full_width_digits_and_separators() {
        let int = field("NumberOfEmployees", "int", 0);
        assert_eq!(
            ok(json!("１，２００"), &as_is(), &int, None),
            Some(json!(1200))
        );
        assert_eq!(ok(json!(42), &as_is(), &int, None), Some(json!(42)));
        assert_eq!(
            apply(&json!("12.5"), &as_is(), &int, None)
                .unwrap_err()
                .code,
            CheckCode::TypeMismatch
        );
        let cur = field("AnnualRevenue", "currency", 0);
        assert_eq!(ok(json!("1000"), &as_is(), &cur, None), Some(json!(1000)));
        assert_eq!(ok(json!("12.5"), &as_is(), &cur, None), Some(json!(12.5)));
        assert!(apply(&json!("lots"), &as_is(), &cur, None).is_err());
    }

    #[test]
    fn dates_and_times_are_normalised() {
        let d = field("Visit__c", "date", 0);
        assert_eq!(
            ok(json!("2025-06-06"), &as_is(), &d, None),
            Some(json!("2025-06-06"))
        );
        assert_eq!(
            ok(json!("2025/06/06"), &as_is(), &d, None),
            Some(json!("2025-06-06"))
        );
        assert_eq!(
            ok(json!("2025-06-06T01:00:00+09:00"), &as_is(), &d, None),
            Some(json!("2025-06-06")),
            "the date as the guest wrote it, not the UTC date"
        );
        assert!(apply(&json!("next Tuesday"), &as_is(), &d, None).is_err());
        let dt = field("Meeting__c", "datetime", 0);
        assert_eq!(
            ok(json!("2025-06-06T17:00:00+09:00"), &as_is(), &dt, None),
            Some(json!("2025-06-06T08:00:00Z"))
        );
        assert_eq!(
            ok(json!("2025-06-06"), &as_is(), &dt, None),
            Some(json!("2025-06-06T00:00:00Z"))
        );
    }

    #[test]
    fn email_fields_refuse_what_salesforce_would() {
        let f = field("Email", "email", 80);
        let full = json!("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ");
        let err = apply(&full, &as_is(), &f, None).unwrap_err();
        assert_eq!(err.code, CheckCode::FormatMismatch);
        assert!(err.problem.contains("full-width"), "{err}");
        assert_eq!(
            ok(full, &with(|t| t.half_width = true), &f, None),
            Some(json!("taro@example.com"))
        );
        assert!(apply(&json!("03-1234-5678"), &as_is(), &f, None).is_err());
    }

    #[test]
    fn multiple_choice_into_text_reads_comma_separated() {
        let f = field("Description", "textarea", 32000);
        assert_eq!(
            ok(json!(["A", "B"]), &as_is(), &f, None),
            Some(json!("A, B"))
        );
    }

    #[test]
    fn the_transform_is_described_in_words() {
        assert_eq!(describe(&as_is()), "");
        let t = with(|t| {
            t.trim = true;
            t.name_part = Some(NamePart::LastName);
        });
        assert_eq!(describe(&t), "trim, last name of the full name");
    }
}
