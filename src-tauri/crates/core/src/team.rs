//! The team as far as this build knows it: until sign-in lands, everything runs as the local
//! owner, a member created on first use so that audit entries already name a real row.

use crate::Leadline;
use crate::actor::Actor;
use crate::error::Result;
use crate::ipc::Role;

/// The e-mail the local owner is recorded under.
pub const LOCAL_OWNER_EMAIL: &str = "owner@localhost";

impl Leadline {
    /// The member the app and CLI act as before sign-in exists: the team's first owner, created
    /// on a fresh data directory.
    pub fn local_owner(&self) -> Result<Actor> {
        let now = self.now();
        self.store.write(|tx| {
            let member = match tx.first_owner()? {
                Some(m) => m,
                None => tx.insert_member(LOCAL_OWNER_EMAIL, "Local owner", Role::Owner, &now)?,
            };
            Ok(Actor::new(member))
        })
    }
}
