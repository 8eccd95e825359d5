//! What the shell keeps between commands: the opened core and the member it acts as, or the
//! reason the data directory could not be opened.

use std::path::Path;

use leadline_core::ipc::{AppInfo, ErrorPayload};
use leadline_core::{Actor, Leadline, data_dir};

#[derive(Debug)]
pub struct Opened {
    pub core: Leadline,
    pub actor: Actor,
}

#[derive(Debug)]
pub struct AppState {
    data_dir: String,
    opened: Result<Opened, ErrorPayload>,
}

impl AppState {
    pub fn open(explicit: Option<&Path>) -> Self {
        let dir = data_dir::resolve(explicit);
        let data_dir = match &dir {
            Ok(d) => d.display().to_string(),
            Err(_) => String::new(),
        };
        let opened = dir
            .and_then(|d| Leadline::open(&d))
            .and_then(|core| {
                let actor = core.local_owner()?;
                Ok(Opened { core, actor })
            })
            .map_err(|e| {
                tracing::error!(code = ?e.code(), "cannot open the data directory: {e}");
                e.payload()
            });
        if opened.is_ok() {
            tracing::info!(data_dir = %data_dir, "data directory open");
        }
        Self { data_dir, opened }
    }

    /// The open core, or the error that kept it closed (every command then returns it).
    pub fn opened(&self) -> Result<&Opened, ErrorPayload> {
        self.opened.as_ref().map_err(Clone::clone)
    }

    pub fn info(&self) -> Result<AppInfo, ErrorPayload> {
        let o = self.opened()?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.data_dir.clone(),
            actor: o.actor.member.clone(),
        })
    }
}
