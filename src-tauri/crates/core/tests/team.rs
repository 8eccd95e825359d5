//! Team use-cases on a real SQLite file: the first sign-in becomes the owner, strangers are told
//! to ask for an invitation, the last owner stays, the audit log reads and exports — and a
//! role × use-case matrix in which every allowed pair works and every forbidden pair returns
//! `forbidden` and leaves the database exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use leadline_core::clock::FixedClock;
use leadline_core::ipc::{
    AuditFilter, ErrorCode, Member, NewMember, QuestionInput, QuestionKind, Role, VerifiedIdentity,
};
use leadline_core::{Actor, Leadline, Result, Store};
use time::macros::datetime;

struct Team {
    _dir: tempfile::TempDir,
    app: Leadline,
    owner: Actor,
}

fn identity(email: &str, name: &str) -> VerifiedIdentity {
    VerifiedIdentity {
        email: email.into(),
        name: name.into(),
    }
}

fn open() -> (tempfile::TempDir, Leadline) {
    let dir = tempfile::tempdir().unwrap();
    let app = Leadline::with_clock(
        Store::open(&dir.path().join("leadline.db")).unwrap(),
        Arc::new(FixedClock::new(datetime!(2026-11-24 09:30 UTC))),
    );
    (dir, app)
}

fn team() -> Team {
    let (dir, app) = open();
    let owner = app
        .sign_in(&identity("alice@acme.example", "Alice"))
        .unwrap();
    Team {
        _dir: dir,
        app,
        owner,
    }
}

fn member(t: &Team, email: &str, role: Role) -> Member {
    t.app
        .add_member(
            &t.owner,
            &NewMember {
                email: email.into(),
                name: String::new(),
                role,
            },
        )
        .unwrap()
}

/// Everything a refused change must leave alone.
fn snapshot(t: &Team) -> String {
    let owner = &t.owner;
    let mut out = format!("{:?}", t.app.members(owner).unwrap());
    for c in t.app.calendars(owner).unwrap() {
        out.push_str(&format!("{:?}", t.app.calendar(owner, c.id).unwrap()));
    }
    out.push_str(&format!(
        "{:?}",
        t.app
            .audit_log(owner, &AuditFilter::default(), 500, 0)
            .unwrap()
    ));
    out
}

#[test]
fn the_first_sign_in_claims_the_local_owner_and_strangers_are_turned_away() {
    let (_dir, app) = open();
    // A data directory from before sign-in existed: its owner is the local owner.
    let local = app
        .store()
        .write(|tx| {
            tx.insert_member(
                leadline_core::team::LOCAL_OWNER_EMAIL,
                "Local owner",
                Role::Owner,
                "2026-11-01T00:00:00Z",
            )
        })
        .unwrap();
    let alice = app
        .sign_in(&identity(" Alice@Acme.example ", "Alice"))
        .unwrap();
    assert_eq!(
        alice.member.id, local.id,
        "the local owner's row is taken over"
    );
    assert_eq!(alice.member.email, "alice@acme.example");
    assert_eq!(alice.member.role, Role::Owner);
    let err = app
        .sign_in(&identity("mallory@evil.example", "M"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotAMember);
    assert!(
        err.to_string().contains("ask your team owner to add you"),
        "{err}"
    );
    assert_eq!(
        app.members(&alice).unwrap().len(),
        1,
        "a stranger creates nothing"
    );
    // Signing in again finds the same member.
    assert_eq!(
        app.sign_in(&identity("ALICE@acme.example", "")).unwrap(),
        alice
    );
}

#[test]
fn an_added_member_signs_in_with_their_role_and_name() {
    let t = team();
    let bob = member(&t, "Bob@Acme.example", Role::Support);
    assert_eq!(
        (bob.email.as_str(), bob.name.as_str()),
        ("bob@acme.example", "")
    );
    let signed = t
        .app
        .sign_in(&identity("bob@acme.example", "Bob Builder"))
        .unwrap();
    assert_eq!(signed.member.id, bob.id);
    assert_eq!(signed.member.role, Role::Support);
    assert_eq!(signed.member.name, "Bob Builder");
}

#[test]
fn member_input_is_checked() {
    let t = team();
    member(&t, "bob@acme.example", Role::Admin);
    let add = |email: &str, role| {
        t.app.add_member(
            &t.owner,
            &NewMember {
                email: email.into(),
                name: String::new(),
                role,
            },
        )
    };
    for (email, role, code, needle) in [
        (
            "",
            Role::Support,
            ErrorCode::InvalidInput,
            "must not be empty",
        ),
        (
            "bob\u{ff20}acme.example",
            Role::Support,
            ErrorCode::InvalidInput,
            "full-width",
        ),
        (
            "bob @acme.example",
            Role::Support,
            ErrorCode::InvalidInput,
            "spaces",
        ),
        (
            "bob@acme",
            Role::Support,
            ErrorCode::InvalidInput,
            "name@example.com",
        ),
        (
            "carol@acme.example",
            Role::Owner,
            ErrorCode::InvalidInput,
            "admin or support",
        ),
        (
            "BOB@acme.example",
            Role::Support,
            ErrorCode::Conflict,
            "already a member",
        ),
    ] {
        let before = snapshot(&t);
        let err = add(email, role).unwrap_err();
        assert_eq!(err.code(), code, "{email}: {err}");
        assert!(err.to_string().contains(needle), "{email}: {err}");
        assert_eq!(snapshot(&t), before);
    }
    let err = t.app.change_role(&t.owner, 999, Role::Admin).unwrap_err();
    assert_eq!(
        (err.code(), err.to_string()),
        (ErrorCode::NotFound, "member 999 does not exist".into())
    );
}

#[test]
fn the_last_owner_can_be_neither_removed_nor_demoted() {
    let t = team();
    let me = t.owner.member.id;
    for result in [
        t.app.change_role(&t.owner, me, Role::Admin).map(|_| ()),
        t.app.remove_member(&t.owner, me),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict);
        assert!(err.to_string().contains("last owner"), "{err}");
    }
    let bob = member(&t, "bob@acme.example", Role::Admin);
    t.app.change_role(&t.owner, bob.id, Role::Owner).unwrap();
    t.app.change_role(&t.owner, me, Role::Admin).unwrap();
    let roles: Vec<_> = t
        .app
        .members(&t.owner)
        .unwrap()
        .into_iter()
        .map(|m| (m.email, m.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("bob@acme.example".to_string(), Role::Owner),
            ("alice@acme.example".to_string(), Role::Admin)
        ]
    );
}

#[test]
fn the_audit_log_filters_pages_and_exports() {
    let t = team();
    let cal = t.app.create_calendar(&t.owner, "Demo, \"quoted\"").unwrap();
    t.app
        .rename_calendar(&t.owner, cal.calendar.id, "Demo call")
        .unwrap();
    let bob = member(&t, "bob@acme.example", Role::Admin);
    let bob_actor = t.app.sign_in(&identity("bob@acme.example", "Bob")).unwrap();
    t.app.create_calendar(&bob_actor, "Bob's").unwrap();

    let all = t
        .app
        .audit_log(&t.owner, &AuditFilter::default(), 500, 0)
        .unwrap();
    let actions: Vec<_> = all.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "calendar.create",
            "member.sign_in",
            "member.add",
            "calendar.rename",
            "calendar.create",
            "member.sign_in"
        ]
    );
    assert_eq!(all.total, 6);

    let calendars = AuditFilter {
        action: Some("calendar".into()),
        ..Default::default()
    };
    assert_eq!(
        t.app.audit_log(&t.owner, &calendars, 500, 0).unwrap().total,
        3
    );
    let by_bob = AuditFilter {
        actor_email: Some("BOB@acme.example".into()),
        ..Default::default()
    };
    let page = t.app.audit_log(&t.owner, &by_bob, 1, 1).unwrap();
    assert_eq!((page.total, page.entries.len()), (2, 1));
    assert_eq!(page.entries[0].action, "member.sign_in");
    assert_eq!(page.entries[0].target, format!("member:{}", bob.id));
    // A `%` or `_` in the filter is literal, not a wildcard.
    let wild = AuditFilter {
        action: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(t.app.audit_log(&t.owner, &wild, 500, 0).unwrap().total, 0);
    let later = AuditFilter {
        since: Some("2026-11-24T09:30:01Z".into()),
        ..Default::default()
    };
    assert_eq!(t.app.audit_log(&t.owner, &later, 500, 0).unwrap().total, 0);

    let csv = t.app.audit_csv(&t.owner, &calendars).unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(lines[0], "id,at,actor_email,action,target,detail");
    assert_eq!(lines.len(), 4);
    assert!(
        csv.contains(r#""{""name"":""Demo, \""quoted\""""}""#),
        "quotes and commas are escaped: {csv}"
    );

    let file = t.app.export_audit(&t.owner, &calendars).unwrap();
    assert_eq!(file.rows, 3);
    assert!(
        file.path.contains("exports") && file.path.ends_with(".csv"),
        "{}",
        file.path
    );
    assert_eq!(std::fs::read_to_string(&file.path).unwrap(), csv);

    for (filter, limit, needle) in [
        (
            AuditFilter {
                since: Some("yesterday".into()),
                ..Default::default()
            },
            10,
            "since: \"yesterday\"",
        ),
        (
            AuditFilter::default(),
            0,
            "limit: must be between 1 and 500 (got 0)",
        ),
    ] {
        let err = t.app.audit_log(&t.owner, &filter, limit, 0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains(needle), "{err}");
    }
}

/// Every use-case, run once per role against a fresh team with a calendar in it.
#[test]
fn role_by_use_case_matrix() {
    type UseCase = fn(&Leadline, &Actor, &Fixture) -> Result<()>;
    struct Fixture {
        calendar: i64,
        question: i64,
        member: i64,
    }
    let cases: Vec<(&str, [bool; 3], UseCase)> = vec![
        // [owner, admin, support]
        ("calendars", [true, true, true], |a, who, _| {
            a.calendars(who).map(drop)
        }),
        ("calendar", [true, true, true], |a, who, f| {
            a.calendar(who, f.calendar).map(drop)
        }),
        ("questions", [true, true, true], |a, who, f| {
            a.questions(who, f.calendar).map(drop)
        }),
        ("members", [true, true, true], |a, who, _| {
            a.members(who).map(drop)
        }),
        ("create_calendar", [true, true, false], |a, who, _| {
            a.create_calendar(who, "New").map(drop)
        }),
        ("rename_calendar", [true, true, false], |a, who, f| {
            a.rename_calendar(who, f.calendar, "X").map(drop)
        }),
        ("delete_calendar", [true, true, false], |a, who, f| {
            a.delete_calendar(who, f.calendar)
        }),
        ("add_question", [true, true, false], |a, who, f| {
            a.add_question(
                who,
                f.calendar,
                &QuestionInput {
                    label: "Budget".into(),
                    kind: QuestionKind::Number,
                    required: false,
                    choices: vec![],
                },
            )
            .map(drop)
        }),
        ("edit_question", [true, true, false], |a, who, f| {
            a.edit_question(
                who,
                f.calendar,
                f.question,
                &QuestionInput {
                    label: "Firm".into(),
                    kind: QuestionKind::ShortText,
                    required: true,
                    choices: vec![],
                },
            )
            .map(drop)
        }),
        ("move_question", [true, true, false], |a, who, f| {
            a.move_question(who, f.calendar, f.question, 2).map(drop)
        }),
        ("delete_question", [true, true, false], |a, who, f| {
            a.delete_question(who, f.calendar, f.question)
        }),
        ("add_member", [true, false, false], |a, who, _| {
            a.add_member(
                who,
                &NewMember {
                    email: "dave@acme.example".into(),
                    name: String::new(),
                    role: Role::Support,
                },
            )
            .map(drop)
        }),
        ("change_role", [true, false, false], |a, who, f| {
            a.change_role(who, f.member, Role::Admin).map(drop)
        }),
        ("remove_member", [true, false, false], |a, who, f| {
            a.remove_member(who, f.member)
        }),
        ("audit_log", [true, true, false], |a, who, _| {
            a.audit_log(who, &AuditFilter::default(), 10, 0).map(drop)
        }),
        ("audit_csv", [true, true, false], |a, who, _| {
            a.audit_csv(who, &AuditFilter::default()).map(drop)
        }),
    ];
    for (name, allowed, case) in &cases {
        for (i, role) in [Role::Owner, Role::Admin, Role::Support]
            .into_iter()
            .enumerate()
        {
            let t = team();
            let d = t.app.create_calendar(&t.owner, "Demo").unwrap();
            let target = member(&t, "carol@acme.example", Role::Support);
            let fixture = Fixture {
                calendar: d.calendar.id,
                question: d.questions[0].id,
                member: target.id,
            };
            let who = match role {
                Role::Owner => t.owner.clone(),
                other => {
                    let m = member(&t, "actor@acme.example", other);
                    t.app.sign_in(&identity(&m.email, "Actor")).unwrap()
                }
            };
            let before = snapshot(&t);
            let result = case(&t.app, &who, &fixture);
            if allowed[i] {
                assert!(result.is_ok(), "{name} as {role:?} should work: {result:?}");
            } else {
                let err = result.expect_err(name);
                assert_eq!(
                    err.code(),
                    ErrorCode::Forbidden,
                    "{name} as {role:?}: {err}"
                );
                assert!(err.to_string().contains("needs the owner"), "{name}: {err}");
                assert_eq!(
                    snapshot(&t),
                    before,
                    "{name} as {role:?} must change nothing"
                );
            }
        }
    }
}
