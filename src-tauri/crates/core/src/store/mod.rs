//! The SQLite store: opening the database with the pragmas durability needs, applying the
//! append-only migrations atomically, refusing a database from a newer build, and running every
//! read and write inside a transaction. All SQL of the project lives under this module; the
//! use-cases above it speak in domain types only.

mod audit;
mod bookings;
mod calendars;
mod connections;
mod integrations;
mod members;
mod outbox;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, Result};

pub use bookings::NewBooking;
pub use connections::{NewConnection, OpenConnection};
pub use integrations::{CachedDescribe, IntegrationRecord};
pub use outbox::{ClaimedJob, LogRow, NewAttempt, NewLogEntry, state_text};

/// Every migration, oldest first. Append only: a released migration is never edited, because
/// databases in the field already ran it.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_init.sql")),
    M::up(include_str!("migrations/0002_connection_usage.sql")),
    M::up(include_str!("migrations/0003_queue.sql")),
    M::up(include_str!("migrations/0004_lead_index.sql")),
    M::up(include_str!("migrations/0005_reschedule_index.sql")),
];

/// How long a writer waits for another process (the CLI beside the app, say) to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// An open, migrated database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A transaction in progress; the typed queries of the submodules hang off it.
#[derive(Debug)]
pub struct Tx<'a>(&'a Connection);

impl Store {
    /// Opens (creating if absent) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path).map_err(|e| {
            Error::Storage(format!("cannot open the database {}: {e}", path.display()))
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Look before touching anything: a newer build's database must stay exactly as it is.
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema_version() {
            return Err(Error::DatabaseTooNew {
                path: path.display().to_string(),
                found,
                supported: schema_version(),
            });
        }
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Storage(format!(
                "the database {} cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        // FULL: a booking acknowledged to the webhook sender must survive a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| Error::Storage("the database connection was poisoned by a panic".into()))
    }

    /// Runs `f` in a write transaction, taken up front (IMMEDIATE) so checks made inside it still
    /// hold at commit. Any error rolls everything back.
    pub fn write<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on one consistent snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// `PRAGMA integrity_check`, for tests and the doctor: `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        let conn = self.lock()?;
        Ok(conn.pragma_query_value(None, "integrity_check", |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }

    #[test]
    fn opens_with_durable_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let conn = store.lock().unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous=FULL");
        assert_eq!(fk, 1);
        assert_eq!(version, schema_version());
    }

    #[test]
    fn refuses_a_database_from_a_newer_build_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, Error::DatabaseTooNew { found: 99, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("newer Leadline"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("t.db-wal").exists());
    }

    #[test]
    fn reopening_keeps_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}
