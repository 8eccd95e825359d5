//! Leadline's core: the domain model, the SQLite store and every use-case, testable without a
//! window. The desktop shell and the CLI are thin doors onto [`Leadline`]: each call names the
//! acting member, and the use-case checks that member's role before it touches anything.

pub mod actor;
pub mod booking;
pub mod calendars;
pub mod clock;
pub mod connection;
pub mod data_dir;
pub mod diagnosis;
pub mod error;
pub mod intake;
pub mod integrations;
pub mod ipc;
pub mod mapping;
pub mod questions;
pub mod queue;
pub mod secrets;
pub mod serve;
pub mod session;
pub mod signin;
pub mod store;
pub mod sync;
pub mod team;
pub mod webhook;

use std::path::Path;
use std::sync::Arc;

pub use actor::{Action, Actor};
pub use clock::{Clock, SystemClock};
pub use error::{Error, Result};
pub use store::Store;

/// One open Leadline data directory: the store plus the injected clock every use-case reads.
#[derive(Debug)]
pub struct Leadline {
    store: Store,
    clock: Arc<dyn Clock>,
    /// The open Salesforce connection's client, shared so its token refresh is single-flight.
    salesforce: connection::ClientSlot,
    /// Held by a push round, so two rounds of this process never claim and send side by side.
    push_lock: tokio::sync::Mutex<()>,
}

impl Leadline {
    /// Opens the data directory (creating it and the database when absent) with the system clock.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let db = data_dir::prepare(data_dir)?;
        Ok(Self::with_clock(Store::open(&db)?, Arc::new(SystemClock)))
    }

    pub fn with_clock(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            salesforce: connection::ClientSlot::default(),
            push_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The folder the database lives in; exports go beside it.
    pub fn data_dir(&self) -> &Path {
        self.store.path().parent().unwrap_or(Path::new("."))
    }

    fn now(&self) -> String {
        clock::rfc3339(self.clock.now())
    }
}
