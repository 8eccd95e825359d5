//! Secrets — the sign-in session now, Salesforce tokens next — live only in the OS keyring, one
//! small entry each, never in SQLite, logs or messages. [`SecretStore`] is the seam: the app and
//! CLI use [`Keyring`] over the platform store (Secret Service on Linux); tests use keyring-core's
//! in-memory mock through the same code. When no keyring can be reached the use-case fails with
//! `keyring_unavailable`; there is no plaintext fallback.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::error::{Error, Result};

/// Where secrets are kept, by name.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn get(&self, name: &str) -> Result<Option<String>>;
    fn set(&self, name: &str, value: &str) -> Result<()>;
    /// Deleting what is not there is not an error.
    fn delete(&self, name: &str) -> Result<()>;
}

/// The keyring service name entries are filed under: release and debug builds apart, so a
/// developer's experiments never touch an installed Leadline's secrets.
pub fn service_name() -> &'static str {
    if cfg!(debug_assertions) {
        "app.leadline.desktop.dev"
    } else {
        "app.leadline.desktop"
    }
}

/// A keyring-core credential store, with entries named `<scope>/<name>` under one service.
pub struct Keyring {
    store: Arc<CredentialStore>,
    service: String,
    /// Keeps one data directory's secrets apart from another's (each team has its own id).
    scope: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("service", &self.service)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

fn unavailable(e: keyring_core::Error) -> Error {
    Error::KeyringUnavailable(format!(
        "the OS keyring is not available ({e}); Leadline keeps sessions and tokens only there. \
         On Linux, start a Secret Service such as GNOME Keyring and unlock it"
    ))
}

impl Keyring {
    /// The platform's keyring: the Secret Service on Linux.
    pub fn platform(scope: &str) -> Result<Self> {
        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(unavailable)?;
        Ok(Self::in_store(store, service_name(), scope))
    }

    /// Any keyring-core store (the mock one in tests).
    pub fn in_store(store: Arc<CredentialStore>, service: &str, scope: &str) -> Self {
        Self {
            store,
            service: service.to_string(),
            scope: scope.to_string(),
        }
    }

    fn entry(&self, name: &str) -> Result<Entry> {
        Entry::new_in_store(
            &self.store,
            &self.service,
            &format!("{}/{name}", self.scope),
        )
        .map_err(unavailable)
    }
}

impl SecretStore for Keyring {
    fn get(&self, name: &str) -> Result<Option<String>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.entry(name)?.set_password(value).map_err(unavailable)
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock(scope: &str, store: &Arc<CredentialStore>) -> Keyring {
        Keyring::in_store(store.clone(), "test.leadline", scope)
    }

    #[test]
    fn round_trips_and_keeps_scopes_apart() {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let a = mock("team-a", &store);
        let b = mock("team-b", &store);
        assert_eq!(a.get("session").unwrap(), None);
        a.set("session", "one").unwrap();
        assert_eq!(a.get("session").unwrap().as_deref(), Some("one"));
        assert_eq!(
            b.get("session").unwrap(),
            None,
            "another team's scope sees nothing"
        );
        a.delete("session").unwrap();
        a.delete("session").unwrap();
        assert_eq!(a.get("session").unwrap(), None);
    }

    #[test]
    fn debug_output_names_no_secret() {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let k = mock("team-a", &store);
        k.set("session", "canary-7f3a").unwrap();
        assert!(!format!("{k:?}").contains("canary"));
    }
}
