//! Audit log commands: read a page, export as CSV.

use leadline_core::ipc::{AuditFilter, AuditPage, ExportedFile};
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn audit_list(
    state: State<'_, AppState>,
    filter: AuditFilter,
    limit: i64,
    offset: i64,
) -> Reply<AuditPage> {
    with_core(&state, |o, actor| {
        o.core.audit_log(actor, &filter, limit, offset)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn audit_export(state: State<'_, AppState>, filter: AuditFilter) -> Reply<ExportedFile> {
    with_core(&state, |o, actor| o.core.export_audit(actor, &filter))
}
