//! The checks a mapping must pass before it is saved, judged against the org's describe and the
//! calendar's questions without calling Salesforce. Each names the field and the source, carries
//! a severity (errors block saving, warnings do not) and, where one exists, a one-click fix.
//! They predict what Salesforce would refuse: a required field left empty, a field the API cannot
//! write, a value of the wrong type or length, an inactive value of a restricted picklist.

use leadline_salesforce::rest::{FieldDescribe, ObjectDescribe};
use serde_json::Value;

use super::active_values;
use super::defaults::best_guess;
use super::source::source_label;
use super::transform::{self, is_text_type};
use crate::ipc::{
    BookingAttribute, Check, CheckCode, CheckFix, CheckSeverity, MappingRow, Question,
    QuestionKind, Source,
};

/// Every failing check of `rows`: the rows' own, in row order, then the required fields no row
/// feeds, in the describe's order.
pub fn check(rows: &[MappingRow], describe: &ObjectDescribe, questions: &[Question]) -> Vec<Check> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for row in rows {
        let lead = format!("{} ← {}", row.field, source_label(&row.source, questions));
        let mut push = |code, severity, message: String, fix| {
            out.push(Check {
                code,
                severity,
                field: Some(row.field.clone()),
                message: format!("{lead}: {message}"),
                fix,
            });
        };
        let remove = || {
            Some(CheckFix::RemoveRow {
                field: row.field.clone(),
            })
        };
        if seen.iter().any(|s| s.eq_ignore_ascii_case(&row.field)) {
            push(
                CheckCode::DuplicateField,
                CheckSeverity::Error,
                "another row already maps this field; a Lead takes one value per field, so \
                 remove one of the rows"
                    .into(),
                remove(),
            );
            continue;
        }
        seen.push(&row.field);
        let Some(field) = describe.field(&row.field) else {
            push(
                CheckCode::FieldDeleted,
                CheckSeverity::Error,
                format!(
                    "{} has no field {} any more (it was deleted or renamed, or this user \
                     cannot see it); remove the row",
                    describe.name, row.field
                ),
                remove(),
            );
            continue;
        };
        if !field.createable {
            push(
                CheckCode::FieldNotCreateable,
                CheckSeverity::Error,
                format!(
                    "{} ({}) cannot be set when a {} is created (read-only, calculated, or \
                     hidden from this user); Salesforce would refuse every Lead with it",
                    field.label, field.name, describe.name
                ),
                remove(),
            );
            continue;
        }
        let findings = match &row.source {
            Source::Question { question_id } => {
                match questions.iter().find(|q| q.id == *question_id) {
                    Some(q) => question_findings(row, field, q),
                    None => vec![Finding::new(
                        CheckCode::QuestionDeleted,
                        CheckSeverity::Error,
                        "the question was deleted from the calendar; remove the row or pick \
                         another source"
                            .into(),
                        remove(),
                    )],
                }
            }
            Source::Attribute { attribute, param } => {
                attribute_findings(row, field, *attribute, param.as_deref())
            }
            Source::Fixed { value } => fixed_findings(row, field, value),
        };
        for f in findings.into_iter().chain(table_findings(row, field)) {
            push(f.code, f.severity, f.message, f.fix);
        }
    }
    for field in describe.fields.iter().filter(|f| f.required_on_create()) {
        if rows
            .iter()
            .any(|r| r.field.eq_ignore_ascii_case(&field.name))
        {
            continue;
        }
        let guess = best_guess(field, questions);
        let hint = match &guess {
            Some(source) => format!("; map it to {}", source_label(source, questions)),
            None => "; map it to a required question or a fixed value".into(),
        };
        out.push(Check {
            code: CheckCode::RequiredFieldUnmapped,
            severity: CheckSeverity::Error,
            field: Some(field.name.clone()),
            message: format!(
                "{} ({}) is required by Salesforce but no row feeds it{hint}",
                field.label, field.name
            ),
            fix: guess.map(|source| CheckFix::MapField {
                field: field.name.clone(),
                source,
            }),
        });
    }
    out
}

/// Whether any check blocks saving.
pub fn has_errors(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.severity == CheckSeverity::Error)
}

struct Finding {
    code: CheckCode,
    severity: CheckSeverity,
    message: String,
    fix: Option<CheckFix>,
}

impl Finding {
    fn new(
        code: CheckCode,
        severity: CheckSeverity,
        message: String,
        fix: Option<CheckFix>,
    ) -> Self {
        Self {
            code,
            severity,
            message,
            fix,
        }
    }
}

/// How a field's describe type groups for the compatibility table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Text,
    Email,
    Phone,
    Url,
    Picklist,
    Multipicklist,
    Boolean,
    Number,
    Date,
    Datetime,
    /// Ids, references, addresses, …: nothing a booking gives fits.
    Other,
}

fn group(field_type: &str) -> Group {
    match field_type {
        "string" | "textarea" | "encryptedstring" | "combobox" => Group::Text,
        "email" => Group::Email,
        "phone" => Group::Phone,
        "url" => Group::Url,
        "picklist" => Group::Picklist,
        "multipicklist" => Group::Multipicklist,
        "boolean" => Group::Boolean,
        "int" | "long" | "double" | "currency" | "percent" => Group::Number,
        "date" => Group::Date,
        "datetime" => Group::Datetime,
        _ => Group::Other,
    }
}

/// The compatibility verdict of a source kind and a field type.
enum Fit {
    Fits,
    /// The answer may not have the field's format; a warning.
    Doubtful,
    /// The answer never has the field's format (a phone number into an e-mail field); an error.
    WrongFormat,
    /// The types cannot meet (a date into a yes/no field); an error.
    Mismatch,
}

fn question_fit(kind: QuestionKind, g: Group) -> Fit {
    use Group::*;
    match (kind, g) {
        (_, Other) => Fit::Mismatch,
        (
            QuestionKind::ShortText | QuestionKind::LongText,
            Text | Url | Picklist | Multipicklist,
        ) => Fit::Fits,
        (QuestionKind::ShortText | QuestionKind::LongText, _) => Fit::Doubtful,
        (QuestionKind::Email, Text | Email) => Fit::Fits,
        (QuestionKind::Email, Picklist | Multipicklist) => Fit::Doubtful,
        (QuestionKind::Email, Phone) => Fit::WrongFormat,
        (QuestionKind::Phone, Text | Phone) => Fit::Fits,
        (QuestionKind::Phone, Picklist | Multipicklist) => Fit::Doubtful,
        (QuestionKind::Phone, Email) => Fit::WrongFormat,
        // The choices are known, so each is coerced and judged on its own.
        (QuestionKind::SingleChoice | QuestionKind::MultipleChoice, _) => Fit::Fits,
        (QuestionKind::Checkbox, Text | Boolean) => Fit::Fits,
        (QuestionKind::Checkbox, Picklist) => Fit::Doubtful,
        (QuestionKind::Date, Text | Date | Datetime) => Fit::Fits,
        (QuestionKind::Number, Text | Number) => Fit::Fits,
        (QuestionKind::Number, Picklist) => Fit::Doubtful,
        _ => Fit::Mismatch,
    }
}

fn attribute_fit(attribute: BookingAttribute, g: Group) -> Fit {
    use Group::*;
    match g {
        Other => Fit::Mismatch,
        Text => Fit::Fits,
        Date | Datetime if attribute.is_time() => Fit::Fits,
        Url if attribute.is_url() => Fit::Fits,
        _ if attribute.is_time() || attribute.is_url() => Fit::Mismatch,
        Url | Picklist | Multipicklist => Fit::Fits,
        _ if attribute == BookingAttribute::QueryParam => Fit::Doubtful,
        Email | Phone => Fit::Doubtful,
        _ => Fit::Mismatch,
    }
}

fn fit_findings(fit: Fit, what: &str, field: &FieldDescribe) -> Option<Finding> {
    let target = format!("{} field {}", field.field_type, field.name);
    match fit {
        Fit::Fits => None,
        Fit::Doubtful => Some(Finding::new(
            CheckCode::FormatMismatch,
            CheckSeverity::Warning,
            format!(
                "{what} may not be in the format of the {target}; bookings whose answer is not will be refused"
            ),
            None,
        )),
        Fit::WrongFormat => Some(Finding::new(
            CheckCode::FormatMismatch,
            CheckSeverity::Error,
            format!("{what} is never in the format of the {target}; pick another source or field"),
            None,
        )),
        Fit::Mismatch => Some(Finding::new(
            CheckCode::TypeMismatch,
            CheckSeverity::Error,
            format!("{what} cannot go into the {target}; pick another source or field"),
            None,
        )),
    }
}

fn question_findings(row: &MappingRow, field: &FieldDescribe, q: &Question) -> Vec<Finding> {
    let mut out = Vec::new();
    if field.required_on_create() && !q.required {
        out.push(Finding::new(
            CheckCode::RequiredFedByOptionalQuestion,
            CheckSeverity::Error,
            format!(
                "{} is required by Salesforce but the question is optional; a guest who skips \
                 it makes Salesforce refuse the Lead (REQUIRED_FIELD_MISSING). Make the \
                 question required",
                field.name
            ),
            Some(CheckFix::MakeQuestionRequired { question_id: q.id }),
        ));
    }
    let what = format!("a {} answer", q.kind.as_str().replace('_', " "));
    out.extend(fit_findings(
        question_fit(q.kind, group(&field.field_type)),
        &what,
        field,
    ));
    if q.kind.has_choices() {
        out.extend(choice_findings(row, field, q));
        return out;
    }
    let max = match q.kind {
        QuestionKind::ShortText => Some(255),
        QuestionKind::LongText => Some(32768),
        QuestionKind::Email => Some(80),
        QuestionKind::Phone => Some(40),
        QuestionKind::Checkbox => Some(5),
        QuestionKind::Date => Some(10),
        QuestionKind::Number | QuestionKind::SingleChoice | QuestionKind::MultipleChoice => None,
    };
    if let Some(max) = max {
        out.extend(overflow_finding(row, field, max, &what));
    }
    out.extend(free_text_into_restricted(field, &what));
    out
}

/// Each choice is coerced as a booking's answer would be, so a failing choice is named.
fn choice_findings(row: &MappingRow, field: &FieldDescribe, q: &Question) -> Vec<Finding> {
    let mut failures: Vec<(CheckCode, String)> = Vec::new();
    for choice in &q.choices {
        if let Err(e) =
            transform::apply(&Value::String(choice.clone()), &row.transform, field, None)
        {
            // Most problems already quote the value; an overflow's does not.
            let named = if e.problem.contains(choice.as_str()) {
                e.problem
            } else {
                format!("\"{choice}\": {}", e.problem)
            };
            failures.push((e.code, named));
        }
    }
    if q.kind == QuestionKind::MultipleChoice && field.field_type != "multipicklist" {
        let all = Value::Array(q.choices.iter().cloned().map(Value::String).collect());
        if let Err(e) = transform::apply(&all, &row.transform, field, None)
            && e.code == CheckCode::PossibleOverflow
            && !failures
                .iter()
                .any(|(c, _)| *c == CheckCode::PossibleOverflow)
        {
            failures.push((e.code, format!("every choice picked: {}", e.problem)));
        }
    }
    let mut out = Vec::new();
    for code in [
        CheckCode::TypeMismatch,
        CheckCode::PicklistAnswerNotActive,
        CheckCode::FormatMismatch,
        CheckCode::PossibleOverflow,
    ] {
        let named: Vec<&str> = failures
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, m)| m.as_str())
            .collect();
        if named.is_empty() {
            continue;
        }
        let (severity, fix) = match code {
            CheckCode::PossibleOverflow => (
                CheckSeverity::Warning,
                Some(CheckFix::EnableTruncate {
                    field: row.field.clone(),
                }),
            ),
            CheckCode::FormatMismatch => (CheckSeverity::Warning, None),
            _ => (CheckSeverity::Error, None),
        };
        let hint = if code == CheckCode::PicklistAnswerNotActive {
            "; translate the choices to active values in the picklist table"
        } else {
            ""
        };
        out.push(Finding::new(
            code,
            severity,
            format!("choices that would be refused: {}{hint}", named.join("; ")),
            fix,
        ));
    }
    out
}

fn attribute_findings(
    row: &MappingRow,
    field: &FieldDescribe,
    attribute: BookingAttribute,
    param: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if attribute == BookingAttribute::QueryParam && param.is_none_or(|p| p.trim().is_empty()) {
        out.push(Finding::new(
            CheckCode::FormatMismatch,
            CheckSeverity::Error,
            "the row names no query parameter (e.g. utm_source)".into(),
            None,
        ));
    }
    let what = format!("the {}", attribute.label());
    out.extend(fit_findings(
        attribute_fit(attribute, group(&field.field_type)),
        &what,
        field,
    ));
    out.extend(overflow_finding(row, field, attribute.max_chars(), &what));
    out.extend(free_text_into_restricted(field, &what));
    out
}

fn fixed_findings(row: &MappingRow, field: &FieldDescribe, value: &str) -> Vec<Finding> {
    if value.trim().is_empty() {
        return if field.required_on_create() {
            vec![Finding::new(
                CheckCode::RequiredFieldUnmapped,
                CheckSeverity::Error,
                format!(
                    "{} is required by Salesforce but the fixed value is empty, and an empty \
                     value is never sent; type a value",
                    field.name
                ),
                None,
            )]
        } else {
            Vec::new()
        };
    }
    match transform::apply(
        &Value::String(value.to_owned()),
        &row.transform,
        field,
        None,
    ) {
        Ok(_) => Vec::new(),
        Err(e) => {
            let (code, fix) = match e.code {
                CheckCode::PicklistAnswerNotActive => {
                    (CheckCode::FixedNotInRestrictedPicklist, None)
                }
                CheckCode::PossibleOverflow => (
                    CheckCode::PossibleOverflow,
                    Some(CheckFix::EnableTruncate {
                        field: row.field.clone(),
                    }),
                ),
                _ => (CheckCode::FixedWrongType, None),
            };
            let hint = if code == CheckCode::FixedNotInRestrictedPicklist {
                let values: Vec<&str> = active_values(field).collect();
                format!(" (active values: {})", values.join(", "))
            } else {
                String::new()
            };
            vec![Finding::new(
                code,
                CheckSeverity::Error,
                format!("{}{hint}", e.problem),
                fix,
            )]
        }
    }
}

/// Free text (not a choice) into a restricted picklist passes only when the guest happens to
/// type an active value.
fn free_text_into_restricted(field: &FieldDescribe, what: &str) -> Option<Finding> {
    (matches!(
        group(&field.field_type),
        Group::Picklist | Group::Multipicklist
    ) && field.restricted_picklist)
        .then(|| {
            Finding::new(
                CheckCode::PicklistAnswerNotActive,
                CheckSeverity::Warning,
                format!(
                    "{what} is free text but {} is a restricted picklist; values that are not \
                     active ({}) will be refused — use a choice question or translate the \
                     answers",
                    field.name,
                    active_values(field).collect::<Vec<_>>().join(", ")
                ),
                None,
            )
        })
}

fn overflow_finding(
    row: &MappingRow,
    field: &FieldDescribe,
    max_chars: usize,
    what: &str,
) -> Option<Finding> {
    let limit = field.length as usize;
    (is_text_type(&field.field_type) && limit > 0 && !row.transform.truncate && max_chars > limit)
        .then(|| {
            Finding::new(
                CheckCode::PossibleOverflow,
                CheckSeverity::Warning,
                format!(
                    "{what} can be up to {max_chars} characters but {} holds {limit}; a longer \
                     one will be refused unless truncated",
                    field.name
                ),
                Some(CheckFix::EnableTruncate {
                    field: row.field.clone(),
                }),
            )
        })
}

/// A translation table whose targets are not active values of the picklist.
fn table_findings(row: &MappingRow, field: &FieldDescribe) -> Vec<Finding> {
    if !matches!(
        group(&field.field_type),
        Group::Picklist | Group::Multipicklist
    ) {
        return Vec::new();
    }
    row.transform
        .picklist
        .iter()
        .filter(|e| !active_values(field).any(|a| a == e.value))
        .map(|e| {
            let severity = if field.restricted_picklist {
                CheckSeverity::Error
            } else {
                CheckSeverity::Warning
            };
            Finding::new(
                CheckCode::PicklistAnswerNotActive,
                severity,
                format!(
                    "the translation of \"{}\" is \"{}\", which is not an active value of {}",
                    e.answer, e.value, field.name
                ),
                None,
            )
        })
        .collect()
}
