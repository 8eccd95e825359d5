//! Service-integration commands: a calendar's Salesforce mapping — read, add, check, save,
//! settings, remove, refresh the org's fields, preview, and mapping files.

use leadline_core::ipc::{
    Check, ExportedFile, IntegrationDetail, IntegrationSettings, MappingRow, Preview, PreviewInput,
};
use tauri::State;

use super::{Reply, acting, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_get(
    state: State<'_, AppState>,
    calendar_id: i64,
) -> Reply<Option<IntegrationDetail>> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o.core.integration(&actor, calendar_id, secrets).await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_add(
    state: State<'_, AppState>,
    calendar_id: i64,
    skip_held: Option<bool>,
) -> Reply<IntegrationDetail> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .add_integration(&actor, calendar_id, skip_held.unwrap_or(false), secrets)
        .await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_check(
    state: State<'_, AppState>,
    calendar_id: i64,
    rows: Vec<MappingRow>,
) -> Reply<Vec<Check>> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .check_mapping(&actor, calendar_id, &rows, secrets)
        .await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_save(
    state: State<'_, AppState>,
    calendar_id: i64,
    rows: Vec<MappingRow>,
) -> Reply<IntegrationDetail> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .save_mapping(&actor, calendar_id, rows, secrets)
        .await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_set(
    state: State<'_, AppState>,
    calendar_id: i64,
    settings: IntegrationSettings,
) -> Reply<IntegrationDetail> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .set_integration(&actor, calendar_id, &settings, secrets)
        .await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub fn integration_remove(state: State<'_, AppState>, calendar_id: i64) -> Reply<()> {
    with_core(&state, |o, actor| {
        o.core.remove_integration(actor, calendar_id)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn integration_refresh_schema(
    state: State<'_, AppState>,
    calendar_id: i64,
) -> Reply<IntegrationDetail> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o.core.refresh_schema(&actor, calendar_id, secrets).await;
    r.map_err(|e| e.payload())
}

/// Previews `rows` (the stored ones when `null`) for a booking, a pasted payload or typed answers.
#[tauri::command(rename_all = "snake_case")]
pub async fn integration_preview(
    state: State<'_, AppState>,
    calendar_id: i64,
    input: PreviewInput,
    rows: Option<Vec<MappingRow>>,
) -> Reply<Preview> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .preview(&actor, calendar_id, &input, rows, secrets)
        .await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub fn mapping_export(state: State<'_, AppState>, calendar_id: i64) -> Reply<ExportedFile> {
    with_core(&state, |o, actor| {
        o.core.export_mapping_file(actor, calendar_id)
    })
}

/// Imports a mapping file's text (the window reads the chosen file; it has no file-system access).
#[tauri::command(rename_all = "snake_case")]
pub async fn mapping_import(
    state: State<'_, AppState>,
    calendar_id: i64,
    text: String,
) -> Reply<IntegrationDetail> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o
        .core
        .import_mapping(&actor, calendar_id, &text, secrets)
        .await;
    r.map_err(|e| e.payload())
}
