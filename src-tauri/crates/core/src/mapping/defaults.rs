//! The rows a new integration starts with: every field Salesforce requires on create, each with a
//! best-guess source where one exists (LastName ← the name question, Company ← the company
//! question, Email ← the e-mail question, a custom field ← the question of the same label).
//! A required field with no guess is left out so that its check says so, rather than being given
//! an empty fixed value that would look mapped.

use leadline_salesforce::rest::{FieldDescribe, ObjectDescribe};

use crate::ipc::{MappingRow, Question, Source, StandardField, Transform};

/// The starting rows for `describe` and the calendar's questions, in the describe's field order.
pub fn initial_rows(describe: &ObjectDescribe, questions: &[Question]) -> Vec<MappingRow> {
    let mut rows: Vec<MappingRow> = Vec::new();
    let add = |field: &FieldDescribe, source: Source, rows: &mut Vec<MappingRow>| {
        if !rows
            .iter()
            .any(|r| r.field.eq_ignore_ascii_case(&field.name))
        {
            rows.push(MappingRow {
                field: field.name.clone(),
                source,
                transform: Transform::default(),
            });
        }
    };
    for field in describe.fields.iter().filter(|f| f.required_on_create()) {
        if let Some(source) = best_guess(field, questions) {
            add(field, source, &mut rows);
        }
    }
    // E-mail is not required by Salesforce but is what duplicate rules and people look for.
    if let Some(email) = describe.field("Email").filter(|f| f.createable)
        && let Some(source) = best_guess(email, questions)
    {
        add(email, source, &mut rows);
    }
    rows
}

/// The question a field most likely wants, if any.
pub fn best_guess(field: &FieldDescribe, questions: &[Question]) -> Option<Source> {
    let standard = match field.name.as_str() {
        "LastName" => Some(StandardField::GuestName),
        "Company" => Some(StandardField::CompanyName),
        "Email" => Some(StandardField::GuestEmail),
        _ => None,
    };
    let question = match standard {
        Some(sf) => questions.iter().find(|q| q.standard_field == Some(sf)),
        None => questions.iter().find(|q| {
            let label = q.label.trim();
            label.eq_ignore_ascii_case(field.label.trim())
                || label.eq_ignore_ascii_case(field.name.trim_end_matches("__c"))
        }),
    }?;
    Some(Source::Question {
        question_id: question.id,
    })
}
