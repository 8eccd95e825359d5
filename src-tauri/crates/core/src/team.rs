//! The team: who its members are and what role each has, how a verified sign-in identity becomes
//! an acting member, and the audit log that records every change anyone makes. The first person
//! to sign in on a fresh data directory becomes its owner; after that only the owner adds people,
//! and the last owner can be neither removed nor demoted, so a team can never lock itself out.

use serde_json::json;

use crate::Leadline;
use crate::actor::{Action, Actor, role_name};
use crate::error::{Error, Result};
use crate::ipc::{AuditFilter, AuditPage, ExportedFile, Member, NewMember, Role, VerifiedIdentity};
use crate::store::Tx;

/// The e-mail under which builds from before sign-in recorded the team's owner; the first
/// sign-in on such a data directory takes that row over.
pub const LOCAL_OWNER_EMAIL: &str = "owner@localhost";

/// The largest page of audit entries one call returns.
pub const AUDIT_PAGE_MAX: i64 = 500;

/// Lower-cases and checks an e-mail address the way the scheduling product does: half-width
/// `local@domain.tld`, no spaces, a full-width `＠` refused.
pub fn clean_email(raw: &str) -> Result<String> {
    let email = raw.trim();
    let bad = |why: &str| Err(Error::InvalidInput(format!("email {email:?}: {why}")));
    if email.is_empty() {
        return bad("must not be empty");
    }
    if email.contains('\u{ff20}') {
        return bad("uses a full-width \u{ff20}; type a half-width @");
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain spaces");
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email.to_lowercase())
        }
        _ => bad("is not an address like name@example.com"),
    }
}

fn existing_member(tx: &Tx<'_>, id: i64) -> Result<Member> {
    tx.member(id)?
        .ok_or_else(|| Error::NotFound(format!("member {id} does not exist")))
}

/// Refuses to leave the team without an owner.
fn keep_an_owner(tx: &Tx<'_>, member: &Member, what: &str) -> Result<()> {
    if member.role == Role::Owner && tx.owner_count()? <= 1 {
        return Err(Error::Conflict(format!(
            "{} is the team's last owner and cannot be {what}; make someone else an owner first",
            member.email
        )));
    }
    Ok(())
}

/// Checks the filter's times are RFC 3339, naming the one that is not.
fn check_filter(filter: &AuditFilter) -> Result<()> {
    for (name, value) in [("since", &filter.since), ("until", &filter.until)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                .map_err(|_| {
                    Error::InvalidInput(format!(
                        "{name}: {v:?} is not an RFC 3339 time like 2026-11-24T09:30:00Z"
                    ))
                })?;
        }
    }
    Ok(())
}

fn target(id: i64) -> String {
    format!("member:{id}")
}

impl Leadline {
    /// Turns an identity a provider verified into the member it acts as. On a team nobody has
    /// signed in to yet, the first identity becomes the owner (taking over the local owner's row
    /// so the audit log stays whole); anyone else must have been added by an owner first.
    pub fn sign_in(&self, identity: &VerifiedIdentity) -> Result<Actor> {
        let email = clean_email(&identity.email)?;
        let name = identity.name.trim().to_string();
        let now = self.now();
        self.store.write(|tx| {
            let member = if let Some(mut m) = tx.member_by_email(&email)? {
                if m.name.is_empty() && !name.is_empty() {
                    tx.set_member_identity(m.id, &m.email, &name, &now)?;
                    m.name = name.clone();
                }
                m
            } else {
                let members = tx.members()?;
                let unclaimed =
                    members.len() <= 1 && members.iter().all(|m| m.email == LOCAL_OWNER_EMAIL);
                if !unclaimed {
                    return Err(Error::NotAMember(format!(
                        "{email} is not on this team; ask your team owner to add you"
                    )));
                }
                match members.first() {
                    Some(local) => {
                        tx.set_member_identity(local.id, &email, &name, &now)?;
                        Member {
                            email: email.clone(),
                            name: name.clone(),
                            ..local.clone()
                        }
                    }
                    None => tx.insert_member(&email, &name, Role::Owner, &now)?,
                }
            };
            let actor = Actor::new(member);
            tx.audit(
                &now,
                &actor,
                "member.sign_in",
                &target(actor.member.id),
                &json!({}),
            )?;
            Ok(actor)
        })
    }

    pub fn members(&self, actor: &Actor) -> Result<Vec<Member>> {
        actor.may(Action::Read)?;
        self.store.read(|tx| tx.members())
    }

    /// Adds someone by e-mail as an admin or support member.
    pub fn add_member(&self, actor: &Actor, new: &NewMember) -> Result<Member> {
        actor.may(Action::ManageMembers)?;
        let email = clean_email(&new.email)?;
        if new.role == Role::Owner {
            return Err(Error::InvalidInput(
                "role: add people as admin or support; make them owner afterwards".into(),
            ));
        }
        let name = new.name.trim();
        let now = self.now();
        self.store.write(|tx| {
            if tx.member_by_email(&email)?.is_some() {
                return Err(Error::Conflict(format!(
                    "{email} is already a member of the team"
                )));
            }
            let member = tx.insert_member(&email, name, new.role, &now)?;
            tx.audit(
                &now,
                actor,
                "member.add",
                &target(member.id),
                &json!({ "email": email, "role": role_name(new.role) }),
            )?;
            Ok(member)
        })
    }

    pub fn change_role(&self, actor: &Actor, member_id: i64, role: Role) -> Result<Member> {
        actor.may(Action::ManageMembers)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing_member(tx, member_id)?;
            if before.role == role {
                return Ok(before);
            }
            keep_an_owner(tx, &before, "demoted")?;
            tx.set_member_role(member_id, role, &now)?;
            tx.audit(
                &now,
                actor,
                "member.role",
                &target(member_id),
                &json!({ "email": before.email, "from": role_name(before.role), "to": role_name(role) }),
            )?;
            existing_member(tx, member_id)
        })
    }

    pub fn remove_member(&self, actor: &Actor, member_id: i64) -> Result<()> {
        actor.may(Action::ManageMembers)?;
        let now = self.now();
        self.store.write(|tx| {
            let before = existing_member(tx, member_id)?;
            keep_an_owner(tx, &before, "removed")?;
            tx.delete_member(member_id)?;
            tx.audit(
                &now,
                actor,
                "member.remove",
                &target(member_id),
                &json!({ "email": before.email, "role": role_name(before.role) }),
            )
        })
    }

    /// A page of the audit log, newest first.
    pub fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<AuditPage> {
        actor.may(Action::ReadAudit)?;
        if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
            return Err(Error::InvalidInput(format!(
                "limit: must be between 1 and {AUDIT_PAGE_MAX} (got {limit})"
            )));
        }
        if offset < 0 {
            return Err(Error::InvalidInput(format!(
                "offset: must not be negative (got {offset})"
            )));
        }
        check_filter(filter)?;
        self.store.read(|tx| {
            let (entries, total) = tx.audit_entries(filter, limit, offset)?;
            Ok(AuditPage { entries, total })
        })
    }

    /// Every matching audit entry as CSV (a header row, then newest first), from one snapshot.
    pub fn audit_csv(&self, actor: &Actor, filter: &AuditFilter) -> Result<String> {
        actor.may(Action::ReadAudit)?;
        check_filter(filter)?;
        let csv_err = |e: csv::Error| Error::Storage(format!("cannot write CSV: {e}"));
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(["id", "at", "actor_email", "action", "target", "detail"])
            .map_err(csv_err)?;
        self.store.read(|tx| {
            let mut offset = 0;
            loop {
                let (entries, _) = tx.audit_entries(filter, AUDIT_PAGE_MAX, offset)?;
                for e in &entries {
                    let id = e.id.to_string();
                    out.write_record([&id, &e.at, &e.actor_email, &e.action, &e.target, &e.detail])
                        .map_err(csv_err)?;
                }
                if (entries.len() as i64) < AUDIT_PAGE_MAX {
                    return Ok(());
                }
                offset += AUDIT_PAGE_MAX;
            }
        })?;
        let bytes = out
            .into_inner()
            .map_err(|e| Error::Storage(format!("cannot write CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Storage(format!("CSV is not UTF-8: {e}")))
    }

    /// Writes the matching audit entries as a CSV file under the data directory's `exports/`
    /// folder (whole or not at all: written beside, then renamed into place).
    pub fn export_audit(&self, actor: &Actor, filter: &AuditFilter) -> Result<ExportedFile> {
        let csv = self.audit_csv(actor, filter)?;
        let rows = csv.lines().count().saturating_sub(1) as i64;
        let stamp = self.now().replace([':', '-'], "");
        let dir = self.data_dir().join("exports");
        let io = |e: std::io::Error| {
            Error::Storage(format!("cannot write the export in {}: {e}", dir.display()))
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let path = dir.join(format!("audit-{stamp}.csv"));
        let partial = dir.join(format!(".audit-{stamp}.csv.partial"));
        std::fs::write(&partial, csv).map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
        Ok(ExportedFile {
            path: path.display().to_string(),
            rows,
        })
    }
}
