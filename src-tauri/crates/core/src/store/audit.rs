//! The audit log's SQL: an append-only record of who changed what, written in the same
//! transaction as the change it describes so the two can never disagree.

use super::Tx;
use crate::actor::Actor;
use crate::error::Result;

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
