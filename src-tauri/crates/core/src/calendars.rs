//! Calendar use-cases: list, read, create (with the scheduling product's default questions),
//! rename and delete. Each checks the actor's role, validates the input, and writes the change
//! and its audit entry in one transaction.

use serde_json::json;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::error::{Error, Result};
use crate::ipc::{Calendar, CalendarDetail};
use crate::questions::default_questions;
use crate::store::Tx;

/// Long enough for any real calendar title, short enough to fit a list row.
const NAME_MAX_CHARS: usize = 120;

/// Trims a calendar name and checks it is usable.
pub fn clean_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::InvalidInput(
            "calendar name: must not be empty".into(),
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Error::InvalidInput(format!(
            "calendar name: must be at most {NAME_MAX_CHARS} characters (it has {})",
            name.chars().count()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "calendar name: must not contain line breaks or control characters".into(),
        ));
    }
    Ok(name.to_string())
}

/// The calendar `id`, or a `not_found` naming it.
pub(crate) fn existing(tx: &Tx<'_>, id: i64) -> Result<Calendar> {
    tx.calendar(id)?
        .ok_or_else(|| Error::NotFound(format!("calendar {id} does not exist")))
}

fn name_free(tx: &Tx<'_>, name: &str, except: Option<i64>) -> Result<()> {
    match tx.calendar_named(name)? {
        Some(other) if Some(other) != except => Err(Error::Conflict(format!(
            "calendar name: a calendar named \u{201c}{name}\u{201d} already exists"
        ))),
        _ => Ok(()),
    }
}

impl Leadline {
    pub fn calendars(&self, actor: &Actor) -> Result<Vec<Calendar>> {
        actor.may(Action::Read)?;
        self.store.read(|tx| tx.calendars())
    }

    pub fn calendar(&self, actor: &Actor, id: i64) -> Result<CalendarDetail> {
        actor.may(Action::Read)?;
        self.store.read(|tx| {
            Ok(CalendarDetail {
                calendar: existing(tx, id)?,
                questions: tx.questions(id)?,
            })
        })
    }

    /// Creates a calendar with the default questions: company, name, email, comment.
    pub fn create_calendar(&self, actor: &Actor, name: &str) -> Result<CalendarDetail> {
        actor.may(Action::EditCalendars)?;
        let name = clean_name(name)?;
        let now = self.now();
        self.store.write(|tx| {
            name_free(tx, &name, None)?;
            let id = tx.insert_calendar(&name, &now)?;
            for (input, field) in default_questions() {
                tx.insert_question(id, &input, Some(field), &now)?;
            }
            tx.audit(
                &now,
                actor,
                "calendar.create",
                &format!("calendar:{id}"),
                &json!({ "name": name }),
            )?;
            Ok(CalendarDetail {
                calendar: existing(tx, id)?,
                questions: tx.questions(id)?,
            })
        })
    }

    pub fn rename_calendar(&self, actor: &Actor, id: i64, name: &str) -> Result<Calendar> {
        actor.may(Action::EditCalendars)?;
        let name = clean_name(name)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing(tx, id)?;
            name_free(tx, &name, Some(id))?;
            tx.rename_calendar(id, &name, &now)?;
            tx.audit(
                &now,
                actor,
                "calendar.rename",
                &format!("calendar:{id}"),
                &json!({ "from": before.name, "to": name }),
            )?;
            existing(tx, id)
        })
    }

    /// Deletes a calendar and its questions.
    pub fn delete_calendar(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.may(Action::EditCalendars)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing(tx, id)?;
            tx.delete_calendar(id)?;
            tx.audit(
                &now,
                actor,
                "calendar.delete",
                &format!("calendar:{id}"),
                &json!({ "name": before.name }),
            )
        })
    }
}
