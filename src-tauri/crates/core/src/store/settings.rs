//! Settings' SQL: small JSON values by key.

use rusqlite::OptionalExtension;

use super::Tx;
use crate::error::{Error, Result};

impl Tx<'_> {
    pub fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .0
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| Error::Storage(format!("setting {key} is not valid JSON: {e}")))
        })
        .transpose()
    }

    pub fn set_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        self.0.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value.to_string()],
        )?;
        Ok(())
    }
}
