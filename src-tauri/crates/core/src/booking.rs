//! The scheduling product's (TimeRex's) webhook payload, read into a [`Booking`]. The payload has
//! no published schema, so this parser is strict only about what a Lead cannot do without
//! (the event type, the booking id, the answers, and the times of a confirmed booking), tolerates
//! every unknown key, keeps the raw JSON, and names each offending value by its JSON path.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Why a webhook payload could not be read; every message starts with the JSON path at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload is not JSON: {0}")]
    NotJson(String),
    #[error("{path}: missing")]
    Missing { path: String },
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: not an RFC 3339 time ({value:?})")]
    NotATime { path: String, value: String },
    #[error("webhook_type: unknown event type {0:?} (expected event_confirmed or event_cancelled)")]
    UnknownWebhookType(String),
}

/// Which webhook the scheduling product sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookType {
    Confirmed,
    Cancelled,
}

/// One entry of the booking form as the guest answered it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FormAnswer {
    /// `company_name`, `guest_name`, `guest_email`, `guest_comment`, or the product's own type for
    /// a custom question.
    pub field_type: String,
    pub label: String,
    pub required: bool,
    /// A string, number, boolean, array of strings (multiple choice), or null when unanswered.
    pub value: Value,
}

/// A booking as a webhook told it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Booking {
    pub webhook_type: WebhookType,
    pub event_id: String,
    pub calendar_url_path: Option<String>,
    pub team_url_path: Option<String>,
    pub calendar_url: Option<String>,
    pub calendar_name: Option<String>,
    /// RFC 3339 normalised to UTC (`…Z`).
    pub start_utc: Option<String>,
    pub end_utc: Option<String>,
    /// RFC 3339 with the offset the product sent.
    pub local_start: Option<String>,
    pub local_end: Option<String>,
    pub guest_timezone: Option<String>,
    pub guest_locale: Option<String>,
    /// RFC 3339 normalised to UTC.
    pub created_at: Option<String>,
    /// The join URL of whichever web meeting (`google_meet_meeting`, `zoom_meeting`, …) was made.
    pub meeting_url: Option<String>,
    pub cancel_url: Option<String>,
    pub reschedule_url: Option<String>,
    /// The booking URL's query parameters, in order (`utm_source`, …).
    pub query: Vec<(String, String)>,
    pub form: Vec<FormAnswer>,
    /// A reschedule: this booking replaces `old_event_id`.
    pub is_changed: bool,
    pub old_event_id: Option<String>,
    pub raw: Value,
}

impl Booking {
    /// The value of a query parameter of the booking URL (the first, when repeated).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a webhook body.
pub fn parse(bytes: &[u8]) -> Result<Booking, PayloadError> {
    let raw: Value =
        serde_json::from_slice(bytes).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    let root = as_object(&raw, "(payload)")?;
    let webhook_type = match required_str(root, "", "webhook_type")? {
        "event_confirmed" => WebhookType::Confirmed,
        "event_cancelled" | "event_canceled" => WebhookType::Cancelled,
        other => return Err(PayloadError::UnknownWebhookType(other.to_owned())),
    };
    let event = match root.get("event") {
        None | Some(Value::Null) => {
            return Err(PayloadError::Missing {
                path: "event".into(),
            });
        }
        Some(v) => as_object(v, "event")?,
    };
    let event_id = required_str(event, "event.", "id")?.to_owned();
    let confirmed = webhook_type == WebhookType::Confirmed;
    let time_at = |key: &str, required: bool| -> Result<Option<String>, PayloadError> {
        let path = format!("event.{key}");
        match optional_str(event, "event.", key)? {
            Some(text) => utc(text, &path).map(Some),
            None if required => Err(PayloadError::Missing { path }),
            None => Ok(None),
        }
    };
    let start_utc = time_at("start_datetime", confirmed)?;
    let end_utc = time_at("end_datetime", confirmed)?;
    let created_at = time_at("created_at", false)?;
    let local_at = |key: &str| -> Result<Option<String>, PayloadError> {
        let found = optional_str(event, "event.", key)?;
        if let Some(text) = found {
            // Kept with its offset (the local time is the point), but it must still be a time.
            utc(text, &format!("event.{key}"))?;
        }
        Ok(found.map(str::to_owned))
    };
    let local_start = local_at("local_start_datetime")?;
    let local_end = local_at("local_end_datetime")?;

    let calendar_url = optional_str(root, "", "calendar_url")?.map(str::to_owned);
    let query = calendar_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();

    let form = match event.get("form") {
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .map(|(i, entry)| form_answer(entry, i))
            .collect::<Result<Vec<_>, _>>()?,
        // A cancellation may come without the answers; a confirmation is useless without them.
        None | Some(Value::Null) if !confirmed => Vec::new(),
        None | Some(Value::Null) => {
            return Err(PayloadError::Missing {
                path: "event.form".into(),
            });
        }
        Some(other) => {
            return Err(PayloadError::WrongType {
                path: "event.form".into(),
                expected: "an array",
                found: kind(other),
            });
        }
    };

    let is_changed = match event.get("is_changed") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(PayloadError::WrongType {
                path: "event.is_changed".into(),
                expected: "a boolean",
                found: kind(other),
            });
        }
    };

    Ok(Booking {
        webhook_type,
        event_id,
        calendar_url_path: optional_str(root, "", "calendar_url_path")?.map(str::to_owned),
        team_url_path: optional_str(root, "", "team_url_path")?.map(str::to_owned),
        calendar_url,
        calendar_name: optional_str(root, "", "calendar_name")?.map(str::to_owned),
        start_utc,
        end_utc,
        local_start,
        local_end,
        guest_timezone: optional_str(event, "event.", "guest_timezone")?.map(str::to_owned),
        guest_locale: optional_str(event, "event.", "guest_locale")?.map(str::to_owned),
        created_at,
        meeting_url: meeting_url(event)?,
        cancel_url: optional_str(event, "event.", "guest_cancel_url")?.map(str::to_owned),
        reschedule_url: optional_str(event, "event.", "guest_reschedule_url")?.map(str::to_owned),
        query,
        form,
        is_changed,
        old_event_id: optional_id(event, "old_event_id")?,
        raw,
    })
}

/// RFC 3339 text normalised to UTC with a `Z`, the form Salesforce's datetime fields take.
pub(crate) fn utc(text: &str, path: &str) -> Result<String, PayloadError> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok())
        .ok_or_else(|| PayloadError::NotATime {
            path: path.to_owned(),
            value: text.to_owned(),
        })
}

fn form_answer(entry: &Value, index: usize) -> Result<FormAnswer, PayloadError> {
    let prefix = format!("event.form[{index}].");
    let obj = as_object(entry, &format!("event.form[{index}]"))?;
    let required = match obj.get("required") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(PayloadError::WrongType {
                path: format!("{prefix}required"),
                expected: "a boolean",
                found: kind(other),
            });
        }
    };
    let value = match obj.get("value") {
        None => Value::Null,
        Some(v @ (Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_))) => v.clone(),
        Some(Value::Array(items)) => {
            for (j, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(PayloadError::WrongType {
                        path: format!("{prefix}value[{j}]"),
                        expected: "a string",
                        found: kind(item),
                    });
                }
            }
            Value::Array(items.clone())
        }
        Some(other) => {
            return Err(PayloadError::WrongType {
                path: format!("{prefix}value"),
                expected: "a string, number, boolean or array of strings",
                found: kind(other),
            });
        }
    };
    Ok(FormAnswer {
        field_type: required_str(obj, &prefix, "field_type")?.to_owned(),
        label: optional_str(obj, &prefix, "label")?
            .unwrap_or_default()
            .to_owned(),
        required,
        value,
    })
}

/// Whichever `*_meeting.join_url` the event carries; the product names the key after the
/// meeting service, and new services appear without notice.
fn meeting_url(event: &Map<String, Value>) -> Result<Option<String>, PayloadError> {
    let meetings: BTreeMap<&String, &Value> = event
        .iter()
        .filter(|(k, v)| k.ends_with("_meeting") && v.is_object())
        .collect();
    for (key, meeting) in meetings {
        if let Some(obj) = meeting.as_object()
            && let Some(url) = optional_str(obj, &format!("event.{key}."), "join_url")?
            && !url.is_empty()
        {
            return Ok(Some(url.to_owned()));
        }
    }
    Ok(None)
}

fn optional_id(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, PayloadError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(PayloadError::WrongType {
            path: format!("event.{key}"),
            expected: "a string",
            found: kind(other),
        }),
    }
}

fn as_object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, PayloadError> {
    value.as_object().ok_or_else(|| PayloadError::WrongType {
        path: path.to_owned(),
        expected: "an object",
        found: kind(value),
    })
}

fn required_str<'a>(
    obj: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<&'a str, PayloadError> {
    optional_str(obj, prefix, key)?.ok_or_else(|| PayloadError::Missing {
        path: format!("{prefix}{key}"),
    })
}

fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<&'a str>, PayloadError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(PayloadError::WrongType {
            path: format!("{prefix}{key}"),
            expected: "a string",
            found: kind(other),
        }),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn confirmed() -> Value {
        json!({
            "webhook_type": "event_confirmed",
            "calendar_url_path": "1de15a5b",
            "team_url_path": "acme_7618",
            "calendar_url": "https://timerex.net/s/acme_7618/1de15a5b?utm_source=ads&utm_medium=cpc",
            "calendar_name": "Product demo",
            "unknown_top_level": {"tolerated": true},
            "event": {
                "id": "d7ecbe650326308aad6b",
                "status": 1,
                "start_datetime": "2025-06-06T17:00:00+09:00",
                "end_datetime": "2025-06-06T09:00:00+00:00",
                "local_start_datetime": "2025-06-06T17:00:00+09:00",
                "local_end_datetime": "2025-06-06T18:00:00+09:00",
                "guest_locale": "ja",
                "guest_timezone": "Asia/Tokyo",
                "created_at": "2025-06-05T13:06:31+00:00",
                "guest_cancel_url": "https://timerex.net/x/guest_cancel/1",
                "guest_reschedule_url": "https://timerex.net/x/guest_reschedule/1",
                "zoom_meeting": {"join_url": "https://zoom.us/j/1"},
                "form": [
                    {"field_type": "guest_name", "required": true, "label": "名前", "value": "山田 太郎"},
                    {"field_type": "guest_phone", "value": "03-1234-5678"},
                    {"field_type": "checkbox", "label": "Topics", "value": ["A", "B"]},
                    {"field_type": "number", "label": "Seats", "value": 12}
                ],
                "is_changed": true,
                "old_event_id": "aaaa"
            }
        })
    }

    fn parse_value(v: &Value) -> Result<Booking, PayloadError> {
        parse(serde_json::to_vec(v).unwrap().as_slice())
    }

    #[test]
    fn a_confirmed_booking_is_read_with_times_in_utc_and_its_query() {
        let b = parse_value(&confirmed()).unwrap();
        assert_eq!(b.webhook_type, WebhookType::Confirmed);
        assert_eq!(b.event_id, "d7ecbe650326308aad6b");
        assert_eq!(b.start_utc.as_deref(), Some("2025-06-06T08:00:00Z"));
        assert_eq!(b.end_utc.as_deref(), Some("2025-06-06T09:00:00Z"));
        assert_eq!(b.local_start.as_deref(), Some("2025-06-06T17:00:00+09:00"));
        assert_eq!(b.created_at.as_deref(), Some("2025-06-05T13:06:31Z"));
        assert_eq!(b.meeting_url.as_deref(), Some("https://zoom.us/j/1"));
        assert_eq!(b.query_param("utm_source"), Some("ads"));
        assert_eq!(b.query_param("utm_medium"), Some("cpc"));
        assert_eq!(b.form.len(), 4);
        assert_eq!(
            b.form[1].label, "",
            "a form entry without a label is tolerated"
        );
        assert_eq!(b.form[2].value, json!(["A", "B"]));
        assert!(b.is_changed);
        assert_eq!(b.old_event_id.as_deref(), Some("aaaa"));
        assert_eq!(b.raw, confirmed());
    }

    #[test]
    fn both_spellings_of_a_cancellation_are_accepted_without_a_form() {
        for spelling in ["event_cancelled", "event_canceled"] {
            let v = json!({"webhook_type": spelling, "event": {"id": "e1"}});
            let b = parse_value(&v).unwrap();
            assert_eq!(b.webhook_type, WebhookType::Cancelled);
            assert!(b.form.is_empty());
            assert_eq!(b.start_utc, None);
        }
    }

    #[test]
    fn each_bad_payload_names_its_json_path() {
        type Mutation = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Mutation, &str)> = vec![
            (
                "missing webhook_type",
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("webhook_type");
                }),
                "webhook_type: missing",
            ),
            (
                "unknown webhook_type",
                Box::new(|v| v["webhook_type"] = json!("event_moved")),
                "webhook_type: unknown event type \"event_moved\"",
            ),
            (
                "missing event.id",
                Box::new(|v| {
                    v["event"].as_object_mut().unwrap().remove("id");
                }),
                "event.id: missing",
            ),
            (
                "numeric event.id",
                Box::new(|v| v["event"]["id"] = json!(7)),
                "event.id: expected a string, found a number",
            ),
            (
                "bad start",
                Box::new(|v| v["event"]["start_datetime"] = json!("2025-06-06 08:00")),
                "event.start_datetime: not an RFC 3339 time",
            ),
            (
                "missing end on a confirmation",
                Box::new(|v| {
                    v["event"].as_object_mut().unwrap().remove("end_datetime");
                }),
                "event.end_datetime: missing",
            ),
            (
                "missing form on a confirmation",
                Box::new(|v| {
                    v["event"].as_object_mut().unwrap().remove("form");
                }),
                "event.form: missing",
            ),
            (
                "form not an array",
                Box::new(|v| v["event"]["form"] = json!({})),
                "event.form: expected an array, found an object",
            ),
            (
                "form entry without field_type",
                Box::new(|v| {
                    v["event"]["form"][1]
                        .as_object_mut()
                        .unwrap()
                        .remove("field_type");
                }),
                "event.form[1].field_type: missing",
            ),
            (
                "form value an object",
                Box::new(|v| v["event"]["form"][0]["value"] = json!({"a": 1})),
                "event.form[0].value: expected a string, number, boolean or array of strings",
            ),
            (
                "multiple choice with a number",
                Box::new(|v| v["event"]["form"][2]["value"] = json!(["A", 2])),
                "event.form[2].value[1]: expected a string, found a number",
            ),
            (
                "bad local time",
                Box::new(|v| v["event"]["local_end_datetime"] = json!("tomorrow")),
                "event.local_end_datetime: not an RFC 3339 time",
            ),
            (
                "meeting url a number",
                Box::new(|v| v["event"]["zoom_meeting"]["join_url"] = json!(3)),
                "event.zoom_meeting.join_url: expected a string",
            ),
        ];
        for (name, mutate, expected) in cases {
            let mut v = confirmed();
            mutate(&mut v);
            let err = parse_value(&v).unwrap_err().to_string();
            assert!(
                err.starts_with(expected),
                "{name}: expected {expected:?}, got {err:?}"
            );
        }
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        let err = parse(b"webhook_type=event_confirmed").unwrap_err();
        assert!(matches!(err, PayloadError::NotJson(_)), "{err}");
    }
}
