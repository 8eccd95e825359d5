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

impl Tx<'_> {
    /// Every member, owners first, then by e-mail.
    pub fn members(&self) -> Result<Vec<Member>> {
        let mut stmt = self.0.prepare(
            "SELECT id, email, name, role FROM members
             ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, email",
        )?;
        let rows = stmt.query_map([], member_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn member(&self, id: i64) -> Result<Option<Member>> {
        Ok(self
            .0
            .query_row(
                "SELECT id, email, name, role FROM members WHERE id = ?1",
                [id],
                member_from,
            )
            .optional()?)
    }

    /// The member with this e-mail, compared case-insensitively.
    pub fn member_by_email(&self, email: &str) -> Result<Option<Member>> {
        Ok(self
            .0
            .query_row(
                "SELECT id, email, name, role FROM members WHERE email = ?1",
                [email],
                member_from,
            )
            .optional()?)
    }

    pub fn owner_count(&self) -> Result<i64> {
        Ok(self.0.query_row(
            "SELECT COUNT(*) FROM members WHERE role = 'owner'",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn set_member_role(&self, id: i64, role: Role, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE members SET role = ?2, updated_at = ?3 WHERE id = ?1",
            rusqlite::params![id, role_text(role), now],
        )?;
        Ok(())
    }

    /// Rewrites who a member is: used when the first sign-in claims the local owner.
    pub fn set_member_identity(&self, id: i64, email: &str, name: &str, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE members SET email = ?2, name = ?3, updated_at = ?4 WHERE id = ?1",
            rusqlite::params![id, email, name, now],
        )?;
        Ok(())
    }

    pub fn delete_member(&self, id: i64) -> Result<()> {
        self.0.execute("DELETE FROM members WHERE id = ?1", [id])?;
        Ok(())
    }
}
