//! Calendars' and questions' SQL.

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::{Error, Result};
use crate::ipc::{Calendar, Question, QuestionInput, QuestionKind, StandardField};

const CALENDAR_COLUMNS: &str = "c.id, c.name, c.url_path, c.created_at, c.updated_at,
    (SELECT COUNT(*) FROM questions q WHERE q.calendar_id = c.id)";

fn calendar_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Calendar> {
    Ok(Calendar {
        id: r.get(0)?,
        name: r.get(1)?,
        url_path: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
        question_count: r.get(5)?,
    })
}

const QUESTION_COLUMNS: &str =
    "id, calendar_id, position, kind, label, required, choices, standard_field";

fn bad_column(index: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        Box::new(std::io::Error::new(std::io::ErrorKind::InvalidData, what)),
    )
}

fn question_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Question> {
    let kind: String = r.get(3)?;
    let kind = QuestionKind::parse(&kind).ok_or_else(|| bad_column(3, kind))?;
    let choices: String = r.get(6)?;
    let choices: Vec<String> =
        serde_json::from_str(&choices).map_err(|e| bad_column(6, e.to_string()))?;
    let standard: Option<String> = r.get(7)?;
    let standard_field = match standard {
        None => None,
        Some(s) => Some(StandardField::parse(&s).ok_or_else(|| bad_column(7, s))?),
    };
    Ok(Question {
        id: r.get(0)?,
        calendar_id: r.get(1)?,
        position: r.get(2)?,
        kind,
        label: r.get(4)?,
        required: r.get(5)?,
        choices,
        locked: standard_field.is_some_and(StandardField::locked),
        standard_field,
    })
}

fn choices_json(choices: &[String]) -> String {
    serde_json::Value::from(choices.to_vec()).to_string()
}

impl Tx<'_> {
    pub fn calendars(&self) -> Result<Vec<Calendar>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {CALENDAR_COLUMNS} FROM calendars c ORDER BY c.name COLLATE NOCASE, c.id"
        ))?;
        let rows = stmt.query_map([], calendar_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn calendar(&self, id: i64) -> Result<Option<Calendar>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {CALENDAR_COLUMNS} FROM calendars c WHERE c.id = ?1"),
                [id],
                calendar_from,
            )
            .optional()?)
    }

    /// The id of the calendar called `name` (case-insensitively), if any.
    pub fn calendar_named(&self, name: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row("SELECT id FROM calendars WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn insert_calendar(&self, name: &str, now: &str) -> Result<i64> {
        self.0.execute(
            "INSERT INTO calendars (name, created_at, updated_at) VALUES (?1, ?2, ?2)",
            params![name, now],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    pub fn rename_calendar(&self, id: i64, name: &str, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE calendars SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, name, now],
        )?;
        Ok(())
    }

    pub fn touch_calendar(&self, id: i64, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE calendars SET updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    pub fn delete_calendar(&self, id: i64) -> Result<()> {
        self.0
            .execute("DELETE FROM calendars WHERE id = ?1", [id])?;
        Ok(())
    }

    /// A calendar's questions in the order guests see them.
    pub fn questions(&self, calendar_id: i64) -> Result<Vec<Question>> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {QUESTION_COLUMNS} FROM questions WHERE calendar_id = ?1 ORDER BY position, id"
        ))?;
        let rows = stmt.query_map([calendar_id], question_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn question(&self, id: i64) -> Result<Option<Question>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {QUESTION_COLUMNS} FROM questions WHERE id = ?1"),
                [id],
                question_from,
            )
            .optional()?)
    }

    /// The id of the question labelled `label` (case-insensitively) in a calendar, if any.
    pub fn question_labelled(&self, calendar_id: i64, label: &str) -> Result<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM questions WHERE calendar_id = ?1 AND label = ?2",
                params![calendar_id, label],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Appends a question after the calendar's last one.
    pub fn insert_question(
        &self,
        calendar_id: i64,
        input: &QuestionInput,
        standard_field: Option<StandardField>,
        now: &str,
    ) -> Result<i64> {
        self.0.execute(
            "INSERT INTO questions
                 (calendar_id, position, kind, label, required, choices, standard_field,
                  created_at, updated_at)
             VALUES (?1,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM questions WHERE calendar_id = ?1),
                     ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                calendar_id,
                input.kind.as_str(),
                input.label,
                input.required,
                choices_json(&input.choices),
                standard_field.map(StandardField::as_str),
                now
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    pub fn update_question(&self, id: i64, input: &QuestionInput, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE questions SET kind = ?2, label = ?3, required = ?4, choices = ?5, updated_at = ?6
             WHERE id = ?1",
            params![
                id,
                input.kind.as_str(),
                input.label,
                input.required,
                choices_json(&input.choices),
                now
            ],
        )?;
        Ok(())
    }

    /// Rewrites the positions of a calendar's questions to follow `order` (every question id of
    /// the calendar, once).
    pub fn order_questions(&self, calendar_id: i64, order: &[i64]) -> Result<()> {
        let mut stmt = self
            .0
            .prepare("UPDATE questions SET position = ?3 WHERE id = ?1 AND calendar_id = ?2")?;
        for (i, id) in order.iter().enumerate() {
            let changed = stmt.execute(params![id, calendar_id, i as i64 + 1])?;
            if changed != 1 {
                return Err(Error::Storage(format!(
                    "question {id} vanished from calendar {calendar_id} while reordering"
                )));
            }
        }
        Ok(())
    }

    pub fn delete_question(&self, id: i64) -> Result<()> {
        self.0
            .execute("DELETE FROM questions WHERE id = ?1", [id])?;
        Ok(())
    }
}
