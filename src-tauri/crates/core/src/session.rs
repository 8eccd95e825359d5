//! The signed-in session: which member is acting, kept in the OS keyring (never in SQLite) so the
//! app reopens signed in, ended by sign-out or by the idle timeout. The entry is scoped by the
//! team's id, a random value made once per data directory, so two data directories never share
//! a session.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::error::{Error, Result};
use crate::ipc::{TeamSettings, VerifiedIdentity};
use crate::secrets::SecretStore;

/// The keyring entry holding the session.
pub const SESSION_SECRET: &str = "session";
/// A working day of inactivity ends a session unless the team sets otherwise.
pub const DEFAULT_IDLE_MINUTES: i64 = 8 * 60;
const IDLE_MINUTES_MAX: i64 = 30 * 24 * 60;

const TEAM_ID: &str = "team.id";
const IDLE_MINUTES: &str = "session.idle_minutes";

/// What the keyring entry holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Session {
    member_id: i64,
    email: String,
    signed_in_at: String,
    last_active_at: String,
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

impl Leadline {
    /// This data directory's team id, made on first use.
    pub fn team_id(&self) -> Result<String> {
        self.store.write(|tx| {
            if let Some(id) = tx
                .setting(TEAM_ID)?
                .and_then(|v| v.as_str().map(String::from))
            {
                return Ok(id);
            }
            let id = format!("{:032x}", rand::random::<u128>());
            tx.set_setting(TEAM_ID, &json!(id))?;
            Ok(id)
        })
    }

    /// The team's settings (any member may read them).
    pub fn settings(&self, actor: &Actor) -> Result<TeamSettings> {
        actor.may(Action::Read)?;
        Ok(TeamSettings {
            idle_timeout_minutes: self.idle_timeout_minutes()?,
        })
    }

    pub fn idle_timeout_minutes(&self) -> Result<i64> {
        self.store.read(|tx| {
            Ok(tx
                .setting(IDLE_MINUTES)?
                .and_then(|v| v.as_i64())
                .unwrap_or(DEFAULT_IDLE_MINUTES))
        })
    }

    /// Sets how long an unused session lasts (owner and admin).
    pub fn set_idle_timeout(&self, actor: &Actor, minutes: i64) -> Result<()> {
        actor.may(Action::EditCalendars)?;
        if !(5..=IDLE_MINUTES_MAX).contains(&minutes) {
            return Err(Error::InvalidInput(format!(
                "idle timeout: must be between 5 and {IDLE_MINUTES_MAX} minutes (got {minutes})"
            )));
        }
        let now = self.now();
        self.store.write(|tx| {
            tx.set_setting(IDLE_MINUTES, &json!(minutes))?;
            tx.audit(
                &now,
                actor,
                "settings.idle_timeout",
                "settings",
                &json!({ "minutes": minutes }),
            )
        })
    }

    /// Signs the identity in (see [`Leadline::sign_in`]) and keeps the session in the keyring.
    pub fn begin_session(
        &self,
        secrets: &dyn SecretStore,
        identity: &VerifiedIdentity,
    ) -> Result<Actor> {
        let actor = self.sign_in(identity)?;
        let now = self.now();
        let session = Session {
            member_id: actor.member.id,
            email: actor.member.email.clone(),
            signed_in_at: now.clone(),
            last_active_at: now,
        };
        let text = serde_json::to_string(&session)
            .map_err(|e| Error::Storage(format!("cannot encode the session: {e}")))?;
        secrets.set(SESSION_SECRET, &text)?;
        Ok(actor)
    }

    /// The member of the kept session, if it is still valid: not idle too long, and the member
    /// still on the team under the same e-mail. A stale session is deleted. A valid one is
    /// marked active now.
    pub fn resume_session(&self, secrets: &dyn SecretStore) -> Result<Option<Actor>> {
        let Some(text) = secrets.get(SESSION_SECRET)? else {
            return Ok(None);
        };
        let Ok(mut session) = serde_json::from_str::<Session>(&text) else {
            secrets.delete(SESSION_SECRET)?;
            return Ok(None);
        };
        let idle = time::Duration::minutes(self.idle_timeout_minutes()?);
        let now = self.clock.now();
        let fresh = parse_time(&session.last_active_at).is_some_and(|t| now - t <= idle);
        let member = self.store.read(|tx| tx.member(session.member_id))?;
        let member = member.filter(|m| fresh && m.email == session.email);
        let Some(member) = member else {
            secrets.delete(SESSION_SECRET)?;
            return Ok(None);
        };
        session.last_active_at = crate::clock::rfc3339(now);
        if let Ok(text) = serde_json::to_string(&session) {
            secrets.set(SESSION_SECRET, &text)?;
        }
        Ok(Some(Actor::new(member)))
    }

    /// Ends the session: deletes it from the keyring and records the sign-out.
    pub fn end_session(&self, secrets: &dyn SecretStore, actor: &Actor) -> Result<()> {
        secrets.delete(SESSION_SECRET)?;
        let now = self.now();
        self.store.write(|tx| {
            tx.audit(
                &now,
                actor,
                "member.sign_out",
                &format!("member:{}", actor.member.id),
                &json!({}),
            )
        })
    }
}
