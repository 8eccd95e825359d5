//! Where a row's value comes from: the guest's answers matched to the calendar's questions, the
//! booking's own attributes (times, URLs, query parameters, …), or a fixed value — and how each
//! source is named to a person.

use std::collections::HashMap;

use serde_json::Value;

use crate::booking::Booking;
use crate::ipc::{BookingAttribute, Question, SampleBooking, Source};

impl BookingAttribute {
    pub const ALL: [BookingAttribute; 12] = [
        BookingAttribute::BookingId,
        BookingAttribute::CalendarName,
        BookingAttribute::StartUtc,
        BookingAttribute::EndUtc,
        BookingAttribute::StartLocal,
        BookingAttribute::EndLocal,
        BookingAttribute::GuestTimezone,
        BookingAttribute::MeetingUrl,
        BookingAttribute::CancelUrl,
        BookingAttribute::RescheduleUrl,
        BookingAttribute::CreatedAt,
        BookingAttribute::QueryParam,
    ];

    /// The stable name used in mapping files and over IPC.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingAttribute::BookingId => "booking_id",
            BookingAttribute::CalendarName => "calendar_name",
            BookingAttribute::StartUtc => "start_utc",
            BookingAttribute::EndUtc => "end_utc",
            BookingAttribute::StartLocal => "start_local",
            BookingAttribute::EndLocal => "end_local",
            BookingAttribute::GuestTimezone => "guest_timezone",
            BookingAttribute::MeetingUrl => "meeting_url",
            BookingAttribute::CancelUrl => "cancel_url",
            BookingAttribute::RescheduleUrl => "reschedule_url",
            BookingAttribute::CreatedAt => "created_at",
            BookingAttribute::QueryParam => "query_param",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// How the editor and the preview name it.
    pub fn label(self) -> &'static str {
        match self {
            BookingAttribute::BookingId => "booking id",
            BookingAttribute::CalendarName => "calendar name",
            BookingAttribute::StartUtc => "start (UTC)",
            BookingAttribute::EndUtc => "end (UTC)",
            BookingAttribute::StartLocal => "start (local time)",
            BookingAttribute::EndLocal => "end (local time)",
            BookingAttribute::GuestTimezone => "guest time zone",
            BookingAttribute::MeetingUrl => "meeting URL",
            BookingAttribute::CancelUrl => "cancel URL",
            BookingAttribute::RescheduleUrl => "reschedule URL",
            BookingAttribute::CreatedAt => "booked at",
            BookingAttribute::QueryParam => "query parameter",
        }
    }

    /// The longest value the attribute can take, as far as we know it; what the overflow check
    /// compares with a field's length.
    pub fn max_chars(self) -> usize {
        match self {
            BookingAttribute::StartUtc
            | BookingAttribute::EndUtc
            | BookingAttribute::StartLocal
            | BookingAttribute::EndLocal
            | BookingAttribute::CreatedAt => 25,
            BookingAttribute::BookingId | BookingAttribute::GuestTimezone => 64,
            BookingAttribute::CalendarName
            | BookingAttribute::MeetingUrl
            | BookingAttribute::CancelUrl
            | BookingAttribute::RescheduleUrl
            | BookingAttribute::QueryParam => 255,
        }
    }

    pub fn is_time(self) -> bool {
        matches!(
            self,
            BookingAttribute::StartUtc
                | BookingAttribute::EndUtc
                | BookingAttribute::StartLocal
                | BookingAttribute::EndLocal
                | BookingAttribute::CreatedAt
        )
    }

    pub fn is_url(self) -> bool {
        matches!(
            self,
            BookingAttribute::MeetingUrl
                | BookingAttribute::CancelUrl
                | BookingAttribute::RescheduleUrl
        )
    }
}

/// A source in words, e.g. `question "Name"`, `booking attribute "start (UTC)"`,
/// `query parameter "utm_source"`, `fixed value "Web"`.
pub fn source_label(source: &Source, questions: &[Question]) -> String {
    match source {
        Source::Question { question_id } => match questions.iter().find(|q| q.id == *question_id) {
            Some(q) => format!("question \"{}\"", q.label),
            None => format!("deleted question #{question_id}"),
        },
        Source::Attribute {
            attribute: BookingAttribute::QueryParam,
            param,
        } => format!(
            "query parameter \"{}\"",
            param.as_deref().unwrap_or_default()
        ),
        Source::Attribute { attribute, .. } => {
            format!("booking attribute \"{}\"", attribute.label())
        }
        Source::Fixed { value } => format!("fixed value \"{value}\""),
    }
}

/// The guest's answers keyed by question id. The built-in questions are found by the form's
/// `field_type` (their labels are translated by the product); the others by label, compared
/// trimmed and case-insensitively. A question the form does not carry has no entry.
pub fn answers(booking: &Booking, questions: &[Question]) -> HashMap<i64, Value> {
    let mut found = HashMap::new();
    for q in questions {
        let by_field_type = q.standard_field.and_then(|sf| {
            booking
                .form
                .iter()
                .find(|entry| entry.field_type == sf.as_str())
        });
        let wanted = q.label.trim();
        let entry = by_field_type.or_else(|| {
            booking
                .form
                .iter()
                .find(|entry| entry.label.trim().to_lowercase() == wanted.to_lowercase())
        });
        if let Some(entry) = entry {
            found.insert(q.id, entry.value.clone());
        }
    }
    found
}

/// Everything a row can read from one booking (or from answers typed into the preview form).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookingFacts {
    pub answers: HashMap<i64, Value>,
    pub attributes: HashMap<BookingAttribute, String>,
    pub query: Vec<(String, String)>,
    /// The guest's locale (`ja`, `en`, …), which decides the order of a full name.
    pub locale: Option<String>,
}

impl BookingFacts {
    pub fn from_booking(booking: &Booking, questions: &[Question]) -> Self {
        let mut attributes = HashMap::new();
        let mut put = |attribute, value: &Option<String>| {
            if let Some(v) = value {
                attributes.insert(attribute, v.clone());
            }
        };
        put(BookingAttribute::BookingId, &Some(booking.event_id.clone()));
        put(BookingAttribute::CalendarName, &booking.calendar_name);
        put(BookingAttribute::StartUtc, &booking.start_utc);
        put(BookingAttribute::EndUtc, &booking.end_utc);
        put(BookingAttribute::StartLocal, &booking.local_start);
        put(BookingAttribute::EndLocal, &booking.local_end);
        put(BookingAttribute::GuestTimezone, &booking.guest_timezone);
        put(BookingAttribute::MeetingUrl, &booking.meeting_url);
        put(BookingAttribute::CancelUrl, &booking.cancel_url);
        put(BookingAttribute::RescheduleUrl, &booking.reschedule_url);
        put(BookingAttribute::CreatedAt, &booking.created_at);
        Self {
            answers: answers(booking, questions),
            attributes,
            query: booking.query.clone(),
            locale: booking.guest_locale.clone(),
        }
    }

    /// A typed sample carries only what the form asks for; every other attribute is absent, and
    /// rows fed by one are left out of the record as they would be for a booking without it.
    pub fn from_sample(sample: &SampleBooking) -> Self {
        let mut attributes = HashMap::new();
        if let Some(start) = &sample.start_utc {
            // An unreadable time stays as typed so the coercion reports it against the field.
            let start = crate::booking::utc(start, "start_utc").unwrap_or_else(|_| start.clone());
            attributes.insert(BookingAttribute::StartUtc, start);
        }
        if let Some(tz) = &sample.guest_timezone {
            attributes.insert(BookingAttribute::GuestTimezone, tz.clone());
        }
        Self {
            answers: sample
                .answers
                .iter()
                .map(|a| (a.question_id, Value::String(a.value.clone())))
                .collect(),
            attributes,
            query: sample
                .query
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
            locale: sample.guest_locale.clone(),
        }
    }

    /// The raw value a source gives for this booking; `None` when the booking lacks it.
    pub fn value(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Question { question_id } => self.answers.get(question_id).cloned(),
            Source::Attribute {
                attribute: BookingAttribute::QueryParam,
                param,
            } => {
                let name = param.as_deref()?;
                self.query
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| Value::String(v.clone()))
            }
            Source::Attribute { attribute, .. } => {
                self.attributes.get(attribute).cloned().map(Value::String)
            }
            Source::Fixed { value } => Some(Value::String(value.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::booking::{FormAnswer, WebhookType};
    use crate::ipc::{QuestionKind, StandardField};
    use serde_json::json;

    fn question(id: i64, label: &str, standard: Option<StandardField>) -> Question {
        Question {
            id,
            calendar_id: 1,
            position: id,
            kind: QuestionKind::ShortText,
            label: label.into(),
            required: false,
            choices: Vec::new(),
            standard_field: standard,
            locked: false,
        }
    }

    fn entry(field_type: &str, label: &str, value: Value) -> FormAnswer {
        FormAnswer {
            field_type: field_type.into(),
            label: label.into(),
            required: false,
            value,
        }
    }

    #[test]
    fn standard_questions_match_by_field_type_and_others_by_label() {
        let booking = Booking {
            webhook_type: WebhookType::Confirmed,
            event_id: "e1".into(),
            calendar_url_path: None,
            team_url_path: None,
            calendar_url: None,
            calendar_name: None,
            start_utc: None,
            end_utc: None,
            local_start: None,
            local_end: None,
            guest_timezone: None,
            guest_locale: None,
            created_at: None,
            meeting_url: None,
            cancel_url: None,
            reschedule_url: None,
            query: vec![("utm_source".into(), "ads".into())],
            form: vec![
                // The product translated the label; the field type still finds the question.
                entry("guest_name", "名前", json!("山田 太郎")),
                entry("text", "  how did you hear of us? ", json!("a friend")),
                entry("text", "Name", json!("not the guest's name")),
            ],
            is_changed: false,
            old_event_id: None,
            raw: Value::Null,
        };
        let questions = [
            question(1, "Name", Some(StandardField::GuestName)),
            question(2, "How did you hear of us?", None),
            question(3, "Budget", None),
        ];
        let found = answers(&booking, &questions);
        assert_eq!(found.get(&1), Some(&json!("山田 太郎")));
        assert_eq!(found.get(&2), Some(&json!("a friend")));
        assert_eq!(found.get(&3), None);

        let facts = BookingFacts::from_booking(&booking, &questions);
        let utm = Source::Attribute {
            attribute: BookingAttribute::QueryParam,
            param: Some("utm_source".into()),
        };
        assert_eq!(facts.value(&utm), Some(json!("ads")));
        let missing = Source::Attribute {
            attribute: BookingAttribute::QueryParam,
            param: Some("utm_campaign".into()),
        };
        assert_eq!(facts.value(&missing), None);
        assert_eq!(
            facts.value(&Source::Attribute {
                attribute: BookingAttribute::BookingId,
                param: None
            }),
            Some(json!("e1"))
        );
    }

    #[test]
    fn attribute_names_round_trip() {
        for a in BookingAttribute::ALL {
            assert_eq!(BookingAttribute::parse(a.as_str()), Some(a));
            let json = serde_json::to_value(a).unwrap();
            assert_eq!(
                json,
                json!(a.as_str()),
                "the file name matches the IPC name"
            );
        }
    }
}
