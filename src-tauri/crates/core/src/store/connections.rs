//! The Salesforce connection's SQL: at most one open row (a partial unique index says so), closed
//! rows kept for the record. Only non-secret facts live here; tokens are in the keyring.

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::Result;
use crate::ipc::{ApiUsageInfo, SalesforceConnection};

/// A connection about to be recorded.
#[derive(Debug, Clone)]
pub struct NewConnection<'a> {
    pub login_url: &'a str,
    pub client_id: &'a str,
    pub org_id: &'a str,
    pub org_name: Option<&'a str>,
    pub user_id: &'a str,
    pub username: &'a str,
    pub instance_url: &'a str,
    pub api_version: &'a str,
    pub connected_at: &'a str,
    pub connected_by: i64,
}

/// The open connection's row id beside its facts.
#[derive(Debug, Clone)]
pub struct OpenConnection {
    pub id: i64,
    pub facts: SalesforceConnection,
}

const SELECT: &str = "SELECT c.id, c.org_id, c.org_name, c.user_id, c.username, c.instance_url,
        c.api_version, c.login_host, c.client_id, c.connected_at, m.email,
        c.api_used, c.api_limit, c.api_usage_at, c.reconnect_reason
    FROM salesforce_connections c LEFT JOIN members m ON m.id = c.connected_by";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OpenConnection> {
    let used: Option<i64> = r.get(11)?;
    let limit: Option<i64> = r.get(12)?;
    let at: Option<String> = r.get(13)?;
    let api_usage = match (used, limit, at) {
        (Some(used), Some(limit), Some(at)) => Some(ApiUsageInfo { used, limit, at }),
        _ => None,
    };
    Ok(OpenConnection {
        id: r.get(0)?,
        facts: SalesforceConnection {
            org_id: r.get(1)?,
            org_name: r.get(2)?,
            user_id: r.get(3)?,
            username: r.get(4)?,
            instance_url: r.get(5)?,
            api_version: r.get(6)?,
            login_url: r.get(7)?,
            client_id: r.get(8)?,
            connected_at: r.get(9)?,
            connected_by: r.get(10)?,
            api_usage,
            reconnect_reason: r.get(14)?,
        },
    })
}

impl Tx<'_> {
    pub fn open_connection(&self) -> Result<Option<OpenConnection>> {
        Ok(self
            .0
            .query_row(&format!("{SELECT} WHERE c.closed_at IS NULL"), [], from_row)
            .optional()?)
    }

    /// Records a new open connection; the caller closes any open one first.
    pub fn insert_connection(&self, c: &NewConnection<'_>) -> Result<i64> {
        self.0.execute(
            "INSERT INTO salesforce_connections (login_host, client_id, org_id, org_name, user_id,
                 username, instance_url, api_version, connected_at, connected_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                c.login_url,
                c.client_id,
                c.org_id,
                c.org_name,
                c.user_id,
                c.username,
                c.instance_url,
                c.api_version,
                c.connected_at,
                c.connected_by
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    pub fn close_connection(&self, id: i64, at: &str, reason: &str) -> Result<()> {
        self.0.execute(
            "UPDATE salesforce_connections SET closed_at = ?2, closed_reason = ?3
             WHERE id = ?1 AND closed_at IS NULL",
            params![id, at, reason],
        )?;
        Ok(())
    }

    pub fn record_api_usage(&self, id: i64, used: i64, limit: i64, at: &str) -> Result<()> {
        self.0.execute(
            "UPDATE salesforce_connections SET api_used = ?2, api_limit = ?3, api_usage_at = ?4
             WHERE id = ?1",
            params![id, used, limit, at],
        )?;
        Ok(())
    }

    /// Marks (or, with `None`, clears) the open connection as needing a reconnect.
    pub fn set_reconnect_reason(&self, id: i64, reason: Option<&str>) -> Result<()> {
        self.0.execute(
            "UPDATE salesforce_connections SET reconnect_reason = ?2 WHERE id = ?1",
            params![id, reason],
        )?;
        Ok(())
    }
}
