//! Team members' SQL.

use rusqlite::OptionalExtension;

use super::Tx;
use crate::error::{Error, Result};
use crate::ipc::{Member, Role};

fn role_from(text: &str) -> rusqlite::Result<Role> {
    match text {
        "owner" => Ok(Role::Owner),
        "admin" => Ok(Role::Admin),
        "support" => Ok(Role::Support),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            format!("role {other}"),
            rusqlite::types::Type::Text,
        )),
    }
}

fn role_text(role: Role) -> &'static str {
    crate::actor::role_name(role)
}

fn member_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    let role: String = r.get(3)?;
    Ok(Member {
        id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        role: role_from(&role)?,
    })
}

impl Tx<'_> {
    /// The longest-standing owner, if the team has one.
    pub fn first_owner(&self) -> Result<Option<Member>> {
        Ok(self
            .0
            .query_row(
                "SELECT id, email, name, role FROM members WHERE role = 'owner' ORDER BY id LIMIT 1",
                [],
                member_from,
            )
            .optional()?)
    }

    pub fn insert_member(&self, email: &str, name: &str, role: Role, now: &str) -> Result<Member> {
        self.0
            .execute(
                "INSERT INTO members (email, name, role, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                rusqlite::params![email, name, role_text(role), now],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Error::Conflict(format!("{email} is already a member of the team"))
                }
                other => other.into(),
            })?;
        Ok(Member {
            id: self.0.last_insert_rowid(),
            email: email.to_string(),
            name: name.to_string(),
            role,
        })
    }
}
