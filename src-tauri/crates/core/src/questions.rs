//! Guest questions: their kinds, the scheduling product's defaults, the rules an edit must keep
//! (a label per calendar, choices only and always for choice questions, name and email required
//! and undeletable), and the add / edit / move / delete use-cases.

use serde_json::json;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::calendars::existing;
use crate::error::{Error, Result};
use crate::ipc::{Question, QuestionInput, QuestionKind, StandardField};
use crate::store::Tx;

const LABEL_MAX_CHARS: usize = 200;
const CHOICES_MAX: usize = 100;
const CHOICE_MAX_CHARS: usize = 200;

impl QuestionKind {
    pub const ALL: [QuestionKind; 9] = [
        QuestionKind::ShortText,
        QuestionKind::LongText,
        QuestionKind::Email,
        QuestionKind::Phone,
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::Checkbox,
        QuestionKind::Date,
        QuestionKind::Number,
    ];

    /// The stable name used in the store, the CLI and over IPC.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::ShortText => "short_text",
            QuestionKind::LongText => "long_text",
            QuestionKind::Email => "email",
            QuestionKind::Phone => "phone",
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::Checkbox => "checkbox",
            QuestionKind::Date => "date",
            QuestionKind::Number => "number",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the question offers the guest a list of choices.
    pub fn has_choices(self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        )
    }
}

impl StandardField {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardField::CompanyName => "company_name",
            StandardField::GuestName => "guest_name",
            StandardField::GuestEmail => "guest_email",
            StandardField::GuestComment => "guest_comment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            StandardField::CompanyName,
            StandardField::GuestName,
            StandardField::GuestEmail,
            StandardField::GuestComment,
        ]
        .into_iter()
        .find(|f| f.as_str() == text)
    }

    /// Name and email identify the guest, so the scheduling product keeps them required and
    /// undeletable; so do we.
    pub fn locked(self) -> bool {
        matches!(self, StandardField::GuestName | StandardField::GuestEmail)
    }
}

/// The questions every new calendar starts with, in the scheduling product's order.
pub fn default_questions() -> [(QuestionInput, StandardField); 4] {
    let q = |label: &str, kind, required| QuestionInput {
        label: label.into(),
        kind,
        required,
        choices: Vec::new(),
    };
    [
        (
            q("Company", QuestionKind::ShortText, false),
            StandardField::CompanyName,
        ),
        (
            q("Name", QuestionKind::ShortText, true),
            StandardField::GuestName,
        ),
        (
            q("Email", QuestionKind::Email, true),
            StandardField::GuestEmail,
        ),
        (
            q("Comment", QuestionKind::LongText, false),
            StandardField::GuestComment,
        ),
    ]
}

/// Trims the label and choices of `input` and checks them, naming the first rule broken.
pub fn clean_input(input: &QuestionInput) -> Result<QuestionInput> {
    let label = input.label.trim();
    if label.is_empty() {
        return Err(Error::InvalidInput(
            "question label: must not be empty".into(),
        ));
    }
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(Error::InvalidInput(format!(
            "question label: must be at most {LABEL_MAX_CHARS} characters (it has {})",
            label.chars().count()
        )));
    }
    if label.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "question label: must not contain line breaks or control characters".into(),
        ));
    }
    let mut choices: Vec<String> = Vec::with_capacity(input.choices.len());
    for raw in &input.choices {
        let choice = raw.trim();
        if choice.is_empty() {
            return Err(Error::InvalidInput(format!(
                "question \u{201c}{label}\u{201d}: a choice must not be empty"
            )));
        }
        if choice.chars().count() > CHOICE_MAX_CHARS {
            return Err(Error::InvalidInput(format!(
                "question \u{201c}{label}\u{201d}: the choice \u{201c}{choice}\u{201d} is longer than {CHOICE_MAX_CHARS} characters"
            )));
        }
        if choices.iter().any(|c| c.eq_ignore_ascii_case(choice)) {
            return Err(Error::InvalidInput(format!(
                "question \u{201c}{label}\u{201d}: the choice \u{201c}{choice}\u{201d} is listed twice"
            )));
        }
        choices.push(choice.to_string());
    }
    if input.kind.has_choices() && choices.is_empty() {
        return Err(Error::InvalidInput(format!(
            "question \u{201c}{label}\u{201d}: a {} question needs at least one choice",
            input.kind.as_str().replace('_', "-")
        )));
    }
    if !input.kind.has_choices() && !choices.is_empty() {
        return Err(Error::InvalidInput(format!(
            "question \u{201c}{label}\u{201d}: only single-choice and multiple-choice questions have choices"
        )));
    }
    if choices.len() > CHOICES_MAX {
        return Err(Error::InvalidInput(format!(
            "question \u{201c}{label}\u{201d}: at most {CHOICES_MAX} choices (it has {})",
            choices.len()
        )));
    }
    Ok(QuestionInput {
        label: label.to_string(),
        kind: input.kind,
        required: input.required,
        choices,
    })
}

fn label_free(tx: &Tx<'_>, calendar_id: i64, label: &str, except: Option<i64>) -> Result<()> {
    match tx.question_labelled(calendar_id, label)? {
        Some(other) if Some(other) != except => Err(Error::Conflict(format!(
            "question label: this calendar already has a question labelled \u{201c}{label}\u{201d}"
        ))),
        _ => Ok(()),
    }
}

/// The question `question_id` of calendar `calendar_id`, or a `not_found` naming both.
fn existing_in(tx: &Tx<'_>, calendar_id: i64, question_id: i64) -> Result<Question> {
    existing(tx, calendar_id)?;
    match tx.question(question_id)? {
        Some(q) if q.calendar_id == calendar_id => Ok(q),
        Some(_) => Err(Error::NotFound(format!(
            "question {question_id} is not in calendar {calendar_id}"
        ))),
        None => Err(Error::NotFound(format!(
            "question {question_id} does not exist"
        ))),
    }
}

fn target(question_id: i64) -> String {
    format!("question:{question_id}")
}

impl Leadline {
    pub fn questions(&self, actor: &Actor, calendar_id: i64) -> Result<Vec<Question>> {
        actor.may(Action::Read)?;
        self.store.read(|tx| {
            existing(tx, calendar_id)?;
            tx.questions(calendar_id)
        })
    }

    /// Adds a question after the calendar's last one.
    pub fn add_question(
        &self,
        actor: &Actor,
        calendar_id: i64,
        input: &QuestionInput,
    ) -> Result<Question> {
        actor.may(Action::EditCalendars)?;
        let input = clean_input(input)?;
        let now = self.now();
        self.store.write(|tx| {
            existing(tx, calendar_id)?;
            label_free(tx, calendar_id, &input.label, None)?;
            let id = tx.insert_question(calendar_id, &input, None, &now)?;
            tx.touch_calendar(calendar_id, &now)?;
            tx.audit(
                &now,
                actor,
                "question.add",
                &target(id),
                &json!({ "calendar_id": calendar_id, "question": input }),
            )?;
            existing_in(tx, calendar_id, id)
        })
    }

    /// Replaces a question's label, kind, required flag and choices.
    pub fn edit_question(
        &self,
        actor: &Actor,
        calendar_id: i64,
        question_id: i64,
        input: &QuestionInput,
    ) -> Result<Question> {
        actor.may(Action::EditCalendars)?;
        let input = clean_input(input)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing_in(tx, calendar_id, question_id)?;
            if before.locked {
                if !input.required {
                    return Err(Error::InvalidInput(format!(
                        "question \u{201c}{}\u{201d}: identifies the guest, so it must stay required",
                        before.label
                    )));
                }
                if input.kind != before.kind {
                    return Err(Error::InvalidInput(format!(
                        "question \u{201c}{}\u{201d}: identifies the guest, so its kind cannot change",
                        before.label
                    )));
                }
            }
            label_free(tx, calendar_id, &input.label, Some(question_id))?;
            tx.update_question(question_id, &input, &now)?;
            tx.touch_calendar(calendar_id, &now)?;
            tx.audit(&now, actor, "question.edit", &target(question_id), &json!({ "calendar_id": calendar_id, "question": input }))?;
            existing_in(tx, calendar_id, question_id)
        })
    }

    /// Moves a question to the 1-based `position`, shifting the others; returns the new order.
    pub fn move_question(
        &self,
        actor: &Actor,
        calendar_id: i64,
        question_id: i64,
        position: i64,
    ) -> Result<Vec<Question>> {
        actor.may(Action::EditCalendars)?;
        let now = self.now();
        self.store.write(|tx| {
            existing_in(tx, calendar_id, question_id)?;
            let mut order: Vec<i64> = tx.questions(calendar_id)?.iter().map(|q| q.id).collect();
            let count = order.len() as i64;
            if !(1..=count).contains(&position) {
                return Err(Error::InvalidInput(format!(
                    "position: must be between 1 and {count} (got {position})"
                )));
            }
            order.retain(|id| *id != question_id);
            order.insert((position - 1) as usize, question_id);
            tx.order_questions(calendar_id, &order)?;
            tx.touch_calendar(calendar_id, &now)?;
            tx.audit(
                &now,
                actor,
                "question.move",
                &target(question_id),
                &json!({ "calendar_id": calendar_id, "position": position }),
            )?;
            tx.questions(calendar_id)
        })
    }

    /// Deletes a question and closes the gap it leaves in the order.
    pub fn delete_question(&self, actor: &Actor, calendar_id: i64, question_id: i64) -> Result<()> {
        actor.may(Action::EditCalendars)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing_in(tx, calendar_id, question_id)?;
            if before.locked {
                return Err(Error::InvalidInput(format!(
                    "question \u{201c}{}\u{201d}: identifies the guest, so it cannot be deleted",
                    before.label
                )));
            }
            tx.delete_question(question_id)?;
            let order: Vec<i64> = tx.questions(calendar_id)?.iter().map(|q| q.id).collect();
            tx.order_questions(calendar_id, &order)?;
            tx.touch_calendar(calendar_id, &now)?;
            tx.audit(
                &now,
                actor,
                "question.delete",
                &target(question_id),
                &json!({ "calendar_id": calendar_id, "label": before.label }),
            )
        })
    }
}
