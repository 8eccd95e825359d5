//! Queue and sync-log commands: counts, lists and details, push now, pause and resume, retry and
//! skip, importing a file of payloads, the result files, the push's settings and the webhook.

use leadline_core::ipc::{
    ExportedFile, ImportReport, JobDetail, JobFilter, JobPage, JobSelection, PushReport,
    QueueCounts, SyncLogFilter, SyncLogPage, SyncSettings, WebhookStatus,
};
use leadline_core::webhook;
use tauri::State;

use super::{Reply, acting, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn queue_counts(state: State<'_, AppState>) -> Reply<QueueCounts> {
    with_core(&state, |o, actor| o.core.queue_counts(actor))
}

#[tauri::command(rename_all = "snake_case")]
pub fn jobs_list(state: State<'_, AppState>, filter: JobFilter) -> Reply<JobPage> {
    with_core(&state, |o, actor| o.core.jobs(actor, &filter))
}

#[tauri::command(rename_all = "snake_case")]
pub fn job_get(state: State<'_, AppState>, id: i64) -> Reply<JobDetail> {
    with_core(&state, |o, actor| o.core.job_detail(actor, id))
}

/// Queues the selected failed jobs again and wakes the push.
#[tauri::command(rename_all = "snake_case")]
pub fn jobs_retry(state: State<'_, AppState>, selection: JobSelection) -> Reply<i64> {
    with_core(&state, |o, actor| {
        let n = o.core.retry_jobs(actor, &selection)?;
        o.wake.notify_one();
        Ok(n)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn jobs_skip(state: State<'_, AppState>, selection: JobSelection) -> Reply<i64> {
    with_core(&state, |o, actor| o.core.skip_jobs(actor, &selection))
}

#[tauri::command(rename_all = "snake_case")]
pub fn queue_pause(state: State<'_, AppState>, paused: bool) -> Reply<QueueCounts> {
    with_core(&state, |o, actor| {
        let counts = o.core.set_paused(actor, paused)?;
        o.wake.notify_one();
        Ok(counts)
    })
}

/// Pushes what is due now and answers with what happened.
#[tauri::command(rename_all = "snake_case")]
pub async fn push_now(state: State<'_, AppState>) -> Reply<PushReport> {
    let (o, actor, secrets) = acting(&state)?;
    let r = o.core.push_now(&actor, secrets).await;
    r.map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub fn sync_log_list(state: State<'_, AppState>, filter: SyncLogFilter) -> Reply<SyncLogPage> {
    with_core(&state, |o, actor| o.core.sync_log(actor, &filter))
}

/// Writes the success and error files into the data directory's `exports/`.
#[tauri::command(rename_all = "snake_case")]
pub fn sync_log_export(state: State<'_, AppState>) -> Reply<Vec<ExportedFile>> {
    with_core(&state, |o, actor| {
        let (ok, bad) = o.core.export_results_here(actor)?;
        Ok(vec![ok, bad])
    })
}

/// Imports the text of a file of payloads (the window reads the chosen file).
#[tauri::command(rename_all = "snake_case")]
pub fn bookings_import(state: State<'_, AppState>, text: String) -> Reply<ImportReport> {
    with_core(&state, |o, actor| {
        let r = o.core.import_payloads(actor, &text)?;
        o.wake.notify_one();
        Ok(r)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn sync_settings_get(state: State<'_, AppState>) -> Reply<SyncSettings> {
    with_core(&state, |o, actor| o.core.sync_settings(actor))
}

/// Changes the push's settings and restarts the webhook receiver to match.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_settings_set(
    state: State<'_, AppState>,
    settings: SyncSettings,
) -> Reply<SyncSettings> {
    let (o, actor, secrets) = acting(&state)?;
    let saved = o
        .core
        .set_sync_settings(&actor, &settings)
        .map_err(|e| e.payload())?;
    o.receiver.apply(&o.core, secrets.as_ref(), &o.wake).await;
    Ok(saved)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn webhook_status(state: State<'_, AppState>) -> Reply<WebhookStatus> {
    let (o, _actor, secrets) = acting(&state)?;
    Ok(o.receiver.status(&o.core, secrets.as_ref()).await)
}

/// Keeps the token TimeRex generated for the webhook (in the keyring) and restarts the receiver.
#[tauri::command(rename_all = "snake_case")]
pub async fn webhook_token_set(state: State<'_, AppState>, token: String) -> Reply<WebhookStatus> {
    let (o, actor, secrets) = acting(&state)?;
    webhook::set_token(&o.core, &actor, secrets.as_ref(), &token).map_err(|e| e.payload())?;
    o.receiver.apply(&o.core, secrets.as_ref(), &o.wake).await;
    Ok(o.receiver.status(&o.core, secrets.as_ref()).await)
}
