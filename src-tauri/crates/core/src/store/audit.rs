//! The audit log's SQL: an append-only record of who changed what, written in the same
//! transaction as the change it describes so the two can never disagree.

use rusqlite::types::Value;

use super::Tx;
use crate::actor::Actor;
use crate::error::Result;
use crate::ipc::{AuditEntry, AuditFilter};

/// The WHERE clause and its parameters for a filter; LIKE patterns escape the user's `%` and `_`.
fn filter_sql(filter: &AuditFilter) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(email) = filter.actor_email.as_deref().filter(|e| !e.is_empty()) {
        clauses.push("actor_email = ? COLLATE NOCASE");
        params.push(Value::Text(email.to_string()));
    }
    if let Some(action) = filter.action.as_deref().filter(|a| !a.is_empty()) {
        clauses.push("(action = ? OR action LIKE ? ESCAPE '\\')");
        let escaped = action
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        params.push(Value::Text(action.to_string()));
        params.push(Value::Text(format!("{escaped}.%")));
    }
    if let Some(since) = filter.since.as_deref().filter(|s| !s.is_empty()) {
        clauses.push("at >= ?");
        params.push(Value::Text(since.to_string()));
    }
    if let Some(until) = filter.until.as_deref().filter(|s| !s.is_empty()) {
        clauses.push("at < ?");
        params.push(Value::Text(until.to_string()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

impl Tx<'_> {
    pub fn audit(
        &self,
        at: &str,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.0.execute(
            "INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                at,
                actor.member.id,
                actor.member.email,
                action,
                target,
                detail.to_string()
            ],
        )?;
        Ok(())
    }

    /// Matching entries, newest first, from `offset`, at most `limit`; and how many match in all.
    pub fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        let (clause, params) = filter_sql(filter);
        let total: i64 = self.0.query_row(
            &format!("SELECT COUNT(*) FROM audit_log {clause}"),
            rusqlite::params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
        let mut page = params;
        page.push(Value::Integer(limit));
        page.push(Value::Integer(offset));
        let mut stmt = self.0.prepare(&format!(
            "SELECT id, at, actor_email, action, target, detail FROM audit_log {clause}
             ORDER BY id DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(page.iter()), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor_email: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok((rows.collect::<Result<_, _>>()?, total))
    }

    /// The newest audit entries as `(action, target)`, newest first; for tests until the audit
    /// page lands.
    pub fn audit_actions(&self, limit: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .0
            .prepare("SELECT action, target FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
