//! Leadline's desktop shell: parses the command line, opens the data directory, and hands the
//! core's use-cases to the webview as Tauri commands. Nothing here decides anything; a failure to
//! open the data directory is kept and shown in the window, not just printed to a terminal nobody
//! sees.

mod background;
mod commands;
mod state;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use state::AppState;

#[derive(Debug, Parser)]
#[command(
    name = "leadline",
    version,
    about = "Leadline: scheduling bookings into Salesforce Leads."
)]
struct AppArgs {
    /// The data directory (default: $LEADLINE_DATA_DIR, else the OS app-data directory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

pub fn run() -> ExitCode {
    let args = AppArgs::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEADLINE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let state = AppState::open(args.data_dir.as_deref());
    let background = state.opened().ok().and_then(|o| {
        let secrets = o.secrets().ok()?;
        Some((o.core.clone(), secrets, o.wake.clone()))
    });
    let result = tauri::Builder::default()
        .setup(move |app| {
            if let Some((core, secrets, wake)) = background {
                tauri::async_runtime::spawn(leadline_core::serve::push_forever(
                    core.clone(),
                    secrets.clone(),
                    wake.clone(),
                    tokio_util::sync::CancellationToken::new(),
                ));
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    use tauri::Manager;
                    let state = handle.state::<AppState>();
                    if let Ok(o) = state.opened() {
                        o.receiver.apply(&core, secrets.as_ref(), &wake).await;
                    }
                });
            }
            Ok(())
        })
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::calendars::calendars_list,
            commands::calendars::calendar_get,
            commands::calendars::calendar_create,
            commands::calendars::calendar_rename,
            commands::calendars::calendar_delete,
            commands::questions::question_add,
            commands::questions::question_edit,
            commands::questions::question_move,
            commands::questions::question_delete,
            commands::team::members_list,
            commands::team::member_add,
            commands::team::member_role,
            commands::team::member_remove,
            commands::audit::audit_list,
            commands::audit::audit_export,
            commands::session::sign_in,
            commands::session::sign_in_cancel,
            commands::session::sign_out,
            commands::settings::settings_get,
            commands::settings::settings_set_idle_timeout,
            commands::salesforce::salesforce_status,
            commands::salesforce::salesforce_connect,
            commands::salesforce::salesforce_connect_cancel,
            commands::salesforce::salesforce_doctor,
            commands::salesforce::salesforce_disconnect,
            commands::integrations::integration_get,
            commands::integrations::integration_add,
            commands::integrations::integration_check,
            commands::integrations::integration_save,
            commands::integrations::integration_set,
            commands::integrations::integration_remove,
            commands::integrations::integration_refresh_schema,
            commands::integrations::integration_preview,
            commands::integrations::mapping_export,
            commands::integrations::mapping_import,
            commands::queue::queue_counts,
            commands::queue::jobs_list,
            commands::queue::job_get,
            commands::queue::jobs_retry,
            commands::queue::jobs_skip,
            commands::queue::queue_pause,
            commands::queue::push_now,
            commands::queue::sync_log_list,
            commands::queue::sync_log_export,
            commands::queue::bookings_import,
            commands::queue::sync_settings_get,
            commands::queue::sync_settings_set,
            commands::queue::webhook_status,
            commands::queue::webhook_token_set,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the window could not run: {e}");
            ExitCode::FAILURE
        }
    }
}
