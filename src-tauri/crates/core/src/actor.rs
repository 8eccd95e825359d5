//! Who is acting, and what each role may do. Every use-case takes an [`Actor`] and asks it for the
//! permission its action needs before touching anything, so the rules hold for the desktop app,
//! the CLI and any future door alike; the UI only mirrors them.

use crate::error::{Error, Result};
use crate::ipc::{Member, Role};

/// What a use-case is about to do, at the granularity roles are decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read calendars, questions, mappings, the queue and the sync log.
    Read,
    /// Create, rename and delete calendars; add, edit, move and delete questions.
    EditCalendars,
    /// Add members, change their roles, remove them.
    ManageMembers,
    /// Read and export the audit log.
    ReadAudit,
    /// Connect and disconnect Salesforce, run the doctor.
    ManageConnection,
    /// Retry or skip failed bookings, export the sync log's files.
    HandleFailures,
    /// Push now, pause and resume the queue, change the push's settings.
    RunSync,
}

impl Action {
    fn allowed(self) -> &'static [Role] {
        match self {
            Action::Read => &[Role::Owner, Role::Admin, Role::Support],
            Action::EditCalendars => &[Role::Owner, Role::Admin],
            Action::ManageMembers => &[Role::Owner],
            Action::ReadAudit => &[Role::Owner, Role::Admin],
            Action::ManageConnection => &[Role::Owner, Role::Admin],
            Action::HandleFailures => &[Role::Owner, Role::Admin, Role::Support],
            Action::RunSync => &[Role::Owner, Role::Admin],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Action::Read => "reading the team's data",
            Action::EditCalendars => "changing calendars and their questions",
            Action::ManageMembers => "managing the team's members",
            Action::ReadAudit => "reading the audit log",
            Action::ManageConnection => "connecting and checking Salesforce",
            Action::HandleFailures => "retrying and skipping failed bookings",
            Action::RunSync => "running and pausing the push to Salesforce",
        }
    }
}

/// The member on whose behalf a use-case runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub member: Member,
}

impl Actor {
    pub fn new(member: Member) -> Self {
        Self { member }
    }

    /// Succeeds when the actor's role may take `action`; otherwise a `forbidden` error naming the
    /// roles that may.
    pub fn may(&self, action: Action) -> Result<()> {
        let allowed = action.allowed();
        if allowed.contains(&self.member.role) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|r| role_name(*r)).collect();
        Err(Error::Forbidden(format!(
            "{} needs the {} role; {} is {}",
            action.describe(),
            names.join(" or "),
            self.member.email,
            role_name(self.member.role)
        )))
    }
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Support => "support",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor::new(Member {
            id: 1,
            email: "a@example.com".into(),
            name: "A".into(),
            role,
        })
    }

    #[test]
    fn support_may_read_but_not_edit() {
        assert!(actor(Role::Support).may(Action::Read).is_ok());
        let err = actor(Role::Support).may(Action::EditCalendars).unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)));
        assert!(err.to_string().contains("owner or admin"), "{err}");
    }

    #[test]
    fn owner_and_admin_may_edit() {
        assert!(actor(Role::Owner).may(Action::EditCalendars).is_ok());
        assert!(actor(Role::Admin).may(Action::EditCalendars).is_ok());
    }
}
