//! The signed-in session kept in a keyring: resumed across restarts, ended by the idle timeout, by
//! the member's removal and by sign-out; scoped per data directory. The same code runs against the
//! real Secret Service when `make test` provides one (`LEADLINE_REAL_KEYRING=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use keyring_core::CredentialStore;
use leadline_core::clock::FixedClock;
use leadline_core::ipc::{ErrorCode, NewMember, Role, VerifiedIdentity};
use leadline_core::secrets::{Keyring, SecretStore};
use leadline_core::session::SESSION_SECRET;
use leadline_core::{Leadline, Store};
use time::macros::datetime;

struct Fixture {
    _dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    app: Leadline,
    keyring: Keyring,
}

fn fixture(store: &Arc<CredentialStore>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-11-24 09:00 UTC)));
    let app = Leadline::with_clock(
        Store::open(&dir.path().join("leadline.db")).unwrap(),
        clock.clone(),
    );
    let keyring = Keyring::in_store(store.clone(), "test.leadline", &app.team_id().unwrap());
    Fixture {
        _dir: dir,
        clock,
        app,
        keyring,
    }
}

fn mock() -> Arc<CredentialStore> {
    keyring_core::mock::Store::new().unwrap()
}

fn alice() -> VerifiedIdentity {
    VerifiedIdentity {
        email: "alice@acme.example".into(),
        name: "Alice".into(),
    }
}

fn advance(f: &Fixture, minutes: i64) {
    let mut t = f.clock.0.lock().unwrap();
    *t += time::Duration::minutes(minutes);
}

#[test]
fn a_session_is_resumed_until_it_idles_out() {
    let f = fixture(&mock());
    assert!(
        f.app.resume_session(&f.keyring).unwrap().is_none(),
        "nobody signed in yet"
    );
    let actor = f.app.begin_session(&f.keyring, &alice()).unwrap();
    assert_eq!(
        f.app.resume_session(&f.keyring).unwrap(),
        Some(actor.clone())
    );
    // Activity moves the idle window along.
    advance(&f, 8 * 60 - 1);
    assert!(f.app.resume_session(&f.keyring).unwrap().is_some());
    advance(&f, 8 * 60 - 1);
    assert!(f.app.resume_session(&f.keyring).unwrap().is_some());
    advance(&f, 8 * 60 + 1);
    assert!(
        f.app.resume_session(&f.keyring).unwrap().is_none(),
        "idle too long"
    );
    assert_eq!(
        f.keyring.get(SESSION_SECRET).unwrap(),
        None,
        "the stale session is deleted"
    );
}

#[test]
fn the_idle_timeout_is_a_checked_setting() {
    let f = fixture(&mock());
    let actor = f.app.begin_session(&f.keyring, &alice()).unwrap();
    let err = f.app.set_idle_timeout(&actor, 1).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("between 5 and"), "{err}");
    f.app.set_idle_timeout(&actor, 10).unwrap();
    advance(&f, 11);
    assert!(f.app.resume_session(&f.keyring).unwrap().is_none());
}

#[test]
fn removal_and_sign_out_end_the_session() {
    let f = fixture(&mock());
    let owner = f.app.begin_session(&f.keyring, &alice()).unwrap();
    let bob = f
        .app
        .add_member(
            &owner,
            &NewMember {
                email: "bob@acme.example".into(),
                name: String::new(),
                role: Role::Support,
            },
        )
        .unwrap();
    // Bob signs in on the same machine (the keyring holds one session per data directory).
    let bob_actor = f
        .app
        .begin_session(
            &f.keyring,
            &VerifiedIdentity {
                email: "bob@acme.example".into(),
                name: "Bob".into(),
            },
        )
        .unwrap();
    assert_eq!(
        f.app.resume_session(&f.keyring).unwrap(),
        Some(bob_actor.clone())
    );
    f.app.remove_member(&owner, bob.id).unwrap();
    assert!(
        f.app.resume_session(&f.keyring).unwrap().is_none(),
        "a removed member's session ends"
    );

    f.app.begin_session(&f.keyring, &alice()).unwrap();
    f.app.end_session(&f.keyring, &owner).unwrap();
    assert!(f.app.resume_session(&f.keyring).unwrap().is_none());
    let last = f.app.store().read(|tx| tx.audit_actions(1)).unwrap();
    assert_eq!(last[0].0, "member.sign_out");
}

#[test]
fn data_directories_keep_their_own_sessions() {
    let store = mock();
    let a = fixture(&store);
    let b = fixture(&store);
    assert_ne!(a.app.team_id().unwrap(), b.app.team_id().unwrap());
    assert_eq!(
        a.app.team_id().unwrap(),
        a.app.team_id().unwrap(),
        "the id is made once"
    );
    a.app.begin_session(&a.keyring, &alice()).unwrap();
    assert!(b.app.resume_session(&b.keyring).unwrap().is_none());
}

#[test]
fn a_stranger_gets_no_session() {
    let f = fixture(&mock());
    let owner = f.app.begin_session(&f.keyring, &alice()).unwrap();
    f.app.end_session(&f.keyring, &owner).unwrap();
    let err = f
        .app
        .begin_session(
            &f.keyring,
            &VerifiedIdentity {
                email: "eve@evil.example".into(),
                name: "Eve".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotAMember);
    assert_eq!(f.keyring.get(SESSION_SECRET).unwrap(), None);
}

/// The platform keyring: under `make test` (which starts a session bus and GNOME Keyring and sets
/// LEADLINE_REAL_KEYRING=1) it must work; elsewhere it must either work or say clearly why not.
#[test]
fn the_platform_keyring_round_trips_or_says_why_not() {
    let scope = format!("test-{:x}", std::process::id());
    match Keyring::platform(&scope).and_then(|k| {
        k.set("probe", "value-1")?;
        let got = k.get("probe")?;
        k.delete("probe")?;
        Ok((got, k.get("probe")?))
    }) {
        Ok((got, after)) => {
            assert_eq!(got.as_deref(), Some("value-1"));
            assert_eq!(after, None);
        }
        Err(e) => {
            assert!(
                std::env::var_os("LEADLINE_REAL_KEYRING").is_none(),
                "the real keyring was promised but failed: {e}"
            );
            assert_eq!(e.code(), ErrorCode::KeyringUnavailable, "{e}");
            assert!(e.to_string().contains("Secret Service"), "{e}");
        }
    }
}
