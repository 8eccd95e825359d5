//! Question commands.

use leadline_core::ipc::{Question, QuestionInput};
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn question_add(
    state: State<'_, AppState>,
    calendar_id: i64,
    input: QuestionInput,
) -> Reply<Question> {
    with_core(&state, |o, actor| {
        o.core.add_question(actor, calendar_id, &input)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn question_edit(
    state: State<'_, AppState>,
    calendar_id: i64,
    question_id: i64,
    input: QuestionInput,
) -> Reply<Question> {
    with_core(&state, |o, actor| {
        o.core
            .edit_question(actor, calendar_id, question_id, &input)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn question_move(
    state: State<'_, AppState>,
    calendar_id: i64,
    question_id: i64,
    position: i64,
) -> Reply<Vec<Question>> {
    with_core(&state, |o, actor| {
        o.core
            .move_question(actor, calendar_id, question_id, position)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn question_delete(
    state: State<'_, AppState>,
    calendar_id: i64,
    question_id: i64,
) -> Reply<()> {
    with_core(&state, |o, actor| {
        o.core.delete_question(actor, calendar_id, question_id)
    })
}
