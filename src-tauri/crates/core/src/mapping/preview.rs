//! The exact record one booking would post, built by the same rows, transforms and coercions the
//! delivery uses, with each field's source and transform in words and every failing check — the
//! mapping's own and this booking's values' — all without calling Salesforce.

use leadline_salesforce::rest::ObjectDescribe;
use serde_json::{Map, Value, json};

use super::checks::check;
use super::source::{BookingFacts, source_label};
use super::transform::{self, apply};
use crate::booking::Booking;
use crate::ipc::{
    BookingAttribute, Check, CheckCode, CheckFix, CheckSeverity, MappingRow, Preview, PreviewField,
    Question, SampleBooking, Source,
};

/// What to preview: a booking's webhook (stored, or pasted) or answers typed into a form.
#[derive(Debug, Clone, Copy)]
pub enum PreviewBooking<'a> {
    Webhook(&'a Booking),
    Sample(&'a SampleBooking),
}

/// The record `rows` make of `booking` for `describe`'s object. `calendar_name` is the calendar's
/// name as Leadline knows it, posted when the booking does not carry its own.
pub fn preview(
    rows: &[MappingRow],
    describe: &ObjectDescribe,
    questions: &[Question],
    calendar_name: &str,
    booking: &PreviewBooking<'_>,
) -> Preview {
    let mut facts = match booking {
        PreviewBooking::Webhook(b) => BookingFacts::from_booking(b, questions),
        PreviewBooking::Sample(s) => BookingFacts::from_sample(s),
    };
    if !calendar_name.is_empty() {
        facts
            .attributes
            .entry(BookingAttribute::CalendarName)
            .or_insert_with(|| calendar_name.to_owned());
    }
    let mut checks = check(rows, describe, questions);
    let mut record = Map::new();
    record.insert("attributes".into(), json!({ "type": describe.name }));
    let mut fields = Vec::new();

    for row in rows {
        // Rows the mapping checks refuse (unknown, unwritable or duplicate fields) post nothing.
        let Some(field) = describe.field(&row.field).filter(|f| f.createable) else {
            continue;
        };
        if record.contains_key(&field.name) {
            continue;
        }
        let Some(raw) = facts.value(&row.source) else {
            continue;
        };
        let source = source_label(&row.source, questions);
        match apply(&raw, &row.transform, field, facts.locale.as_deref()) {
            Ok(Some(value)) => {
                record.insert(field.name.clone(), value.clone());
                fields.push(PreviewField {
                    field: field.name.clone(),
                    value,
                    source,
                    transform: transform::describe(&row.transform),
                });
            }
            Ok(None) => {}
            Err(e) => {
                let fix =
                    (e.code == CheckCode::PossibleOverflow).then(|| CheckFix::EnableTruncate {
                        field: field.name.clone(),
                    });
                push_unique(
                    &mut checks,
                    Check {
                        code: e.code,
                        severity: CheckSeverity::Error,
                        field: Some(field.name.clone()),
                        message: format!(
                            "{} ← {source}: this booking's value would be refused: {}",
                            field.name, e.problem
                        ),
                        fix,
                    },
                );
            }
        }
    }

    // A required field whose row exists but gives nothing for this booking.
    for field in describe.fields.iter().filter(|f| f.required_on_create()) {
        if record.contains_key(&field.name) {
            continue;
        }
        let Some(row) = rows
            .iter()
            .find(|r| r.field.eq_ignore_ascii_case(&field.name))
        else {
            continue; // the mapping checks already report a required field with no row
        };
        let fix = match row.source {
            Source::Question { question_id } => questions
                .iter()
                .find(|q| q.id == question_id && !q.required)
                .map(|q| CheckFix::MakeQuestionRequired { question_id: q.id }),
            _ => None,
        };
        push_unique(
            &mut checks,
            Check {
                code: CheckCode::RequiredFieldUnmapped,
                severity: CheckSeverity::Error,
                field: Some(field.name.clone()),
                message: format!(
                    "{} ← {}: this booking gives no value, and Salesforce requires {} \
                     (REQUIRED_FIELD_MISSING)",
                    field.name,
                    source_label(&row.source, questions),
                    field.name
                ),
                fix,
            },
        );
    }

    Preview {
        record: Value::Object(record),
        fields,
        checks,
    }
}

fn push_unique(checks: &mut Vec<Check>, check: Check) {
    if !checks.contains(&check) {
        checks.push(check);
    }
}
