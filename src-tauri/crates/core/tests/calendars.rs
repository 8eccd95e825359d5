//! Calendar and question use-cases against a real SQLite file: the defaults a new calendar gets,
//! every rule an edit must keep, roles, and that a refused change leaves the database as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use leadline_core::clock::FixedClock;
use leadline_core::ipc::{
    ErrorCode, Member, QuestionInput, QuestionKind, Role, StandardField, VerifiedIdentity,
};
use leadline_core::{Actor, Leadline, Store};
use time::macros::datetime;

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: Leadline,
    owner: Actor,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadline.db");
    let app = Leadline::with_clock(
        Store::open(&path).unwrap(),
        Arc::new(FixedClock::new(datetime!(2026-11-24 09:30 UTC))),
    );
    let owner = app.sign_in(&owner_identity()).unwrap();
    Fixture {
        _dir: dir,
        path,
        app,
        owner,
    }
}

fn owner_identity() -> VerifiedIdentity {
    VerifiedIdentity {
        email: "owner@acme.example".into(),
        name: "Olive Owner".into(),
    }
}

fn as_role(actor: &Actor, role: Role) -> Actor {
    Actor::new(Member {
        role,
        ..actor.member.clone()
    })
}

fn input(label: &str, kind: QuestionKind, required: bool, choices: &[&str]) -> QuestionInput {
    QuestionInput {
        label: label.into(),
        kind,
        required,
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}

/// Everything a refused change must leave alone: calendars, questions, audit entries.
fn snapshot(f: &Fixture) -> String {
    let cals = f.app.calendars(&f.owner).unwrap();
    let mut out = format!("{cals:?}");
    for c in &cals {
        out.push_str(&format!("{:?}", f.app.questions(&f.owner, c.id).unwrap()));
    }
    let audit = f.app.store().read(|tx| tx.audit_actions(1000)).unwrap();
    out.push_str(&format!("{audit:?}"));
    out
}

fn assert_refused<T: std::fmt::Debug>(
    f: &Fixture,
    code: ErrorCode,
    needle: &str,
    change: impl FnOnce() -> leadline_core::Result<T>,
) {
    let before = snapshot(f);
    let err = change().expect_err("the change must be refused");
    assert_eq!(err.code(), code, "{err}");
    assert!(
        err.to_string().contains(needle),
        "message {err:?} should mention {needle:?}"
    );
    assert_eq!(snapshot(f), before, "a refused change must change nothing");
}

#[test]
fn a_new_calendar_gets_the_default_questions() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "  Product demo ").unwrap();
    assert_eq!(d.calendar.name, "Product demo");
    assert_eq!(d.calendar.question_count, 4);
    assert_eq!(d.calendar.created_at, "2026-11-24T09:30:00Z");
    let summary: Vec<_> = d
        .questions
        .iter()
        .map(|q| {
            (
                q.position,
                q.label.as_str(),
                q.kind,
                q.required,
                q.locked,
                q.standard_field,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                1,
                "Company",
                QuestionKind::ShortText,
                false,
                false,
                Some(StandardField::CompanyName)
            ),
            (
                2,
                "Name",
                QuestionKind::ShortText,
                true,
                true,
                Some(StandardField::GuestName)
            ),
            (
                3,
                "Email",
                QuestionKind::Email,
                true,
                true,
                Some(StandardField::GuestEmail)
            ),
            (
                4,
                "Comment",
                QuestionKind::LongText,
                false,
                false,
                Some(StandardField::GuestComment)
            ),
        ]
    );
}

#[test]
fn calendar_names_are_checked() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Product demo").unwrap();
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "calendar name: must not be empty",
        || f.app.create_calendar(&f.owner, "   "),
    );
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "at most 120 characters",
        || f.app.create_calendar(&f.owner, &"x".repeat(121)),
    );
    assert_refused(&f, ErrorCode::InvalidInput, "line breaks", || {
        f.app.create_calendar(&f.owner, "two\nlines")
    });
    assert_refused(&f, ErrorCode::Conflict, "already exists", || {
        f.app.create_calendar(&f.owner, "PRODUCT DEMO")
    });
    let other = f.app.create_calendar(&f.owner, "Onboarding").unwrap();
    assert_refused(&f, ErrorCode::Conflict, "already exists", || {
        f.app
            .rename_calendar(&f.owner, other.calendar.id, "product demo")
    });
    // Renaming a calendar to its own name in other letters is fine.
    let renamed = f
        .app
        .rename_calendar(&f.owner, d.calendar.id, "PRODUCT demo")
        .unwrap();
    assert_eq!(renamed.name, "PRODUCT demo");
}

#[test]
fn unknown_ids_are_named() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "A").unwrap();
    let other = f.app.create_calendar(&f.owner, "B").unwrap();
    assert_refused(
        &f,
        ErrorCode::NotFound,
        "calendar 999 does not exist",
        || f.app.rename_calendar(&f.owner, 999, "X"),
    );
    assert_refused(
        &f,
        ErrorCode::NotFound,
        "calendar 999 does not exist",
        || f.app.delete_calendar(&f.owner, 999),
    );
    assert_refused(
        &f,
        ErrorCode::NotFound,
        "calendar 999 does not exist",
        || {
            f.app.add_question(
                &f.owner,
                999,
                &input("Budget", QuestionKind::Number, false, &[]),
            )
        },
    );
    let foreign = other.questions[0].id;
    assert_refused(
        &f,
        ErrorCode::NotFound,
        &format!("question {foreign} is not in calendar {}", d.calendar.id),
        || f.app.delete_question(&f.owner, d.calendar.id, foreign),
    );
    assert_refused(
        &f,
        ErrorCode::NotFound,
        "question 4242 does not exist",
        || f.app.move_question(&f.owner, d.calendar.id, 4242, 1),
    );
}

#[test]
fn question_rules_hold() {
    let f = fixture();
    let cal = f.app.create_calendar(&f.owner, "Demo").unwrap().calendar.id;
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "question label: must not be empty",
        || {
            f.app.add_question(
                &f.owner,
                cal,
                &input(" ", QuestionKind::ShortText, false, &[]),
            )
        },
    );
    assert_refused(
        &f,
        ErrorCode::Conflict,
        "already has a question labelled",
        || {
            f.app.add_question(
                &f.owner,
                cal,
                &input("email", QuestionKind::ShortText, false, &[]),
            )
        },
    );
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "needs at least one choice",
        || {
            f.app.add_question(
                &f.owner,
                cal,
                &input("Plan", QuestionKind::SingleChoice, true, &[]),
            )
        },
    );
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "only single-choice and multiple-choice",
        || {
            f.app.add_question(
                &f.owner,
                cal,
                &input("Team size", QuestionKind::Number, true, &["1"]),
            )
        },
    );
    assert_refused(&f, ErrorCode::InvalidInput, "listed twice", || {
        f.app.add_question(
            &f.owner,
            cal,
            &input("Plan", QuestionKind::SingleChoice, true, &["Pro", "pro"]),
        )
    });
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "a choice must not be empty",
        || {
            f.app.add_question(
                &f.owner,
                cal,
                &input("Plan", QuestionKind::MultipleChoice, true, &["Pro", " "]),
            )
        },
    );
    let plan = f
        .app
        .add_question(
            &f.owner,
            cal,
            &input(
                " Plan ",
                QuestionKind::SingleChoice,
                true,
                &[" Free", "Pro "],
            ),
        )
        .unwrap();
    assert_eq!((plan.position, plan.label.as_str()), (5, "Plan"));
    assert_eq!(plan.choices, vec!["Free", "Pro"]);
    // Turning it into a text question needs its choices dropped.
    assert_refused(&f, ErrorCode::InvalidInput, "only single-choice", || {
        f.app.edit_question(
            &f.owner,
            cal,
            plan.id,
            &input("Plan", QuestionKind::ShortText, true, &["Free"]),
        )
    });
    let edited = f
        .app
        .edit_question(
            &f.owner,
            cal,
            plan.id,
            &input("Plan wanted", QuestionKind::ShortText, false, &[]),
        )
        .unwrap();
    assert_eq!(
        (edited.label.as_str(), edited.kind, edited.required),
        ("Plan wanted", QuestionKind::ShortText, false)
    );
    assert!(edited.choices.is_empty());
}

#[test]
fn name_and_email_stay_required_and_undeletable() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Demo").unwrap();
    let cal = d.calendar.id;
    let name = &d.questions[1];
    let email = &d.questions[2];
    assert_refused(&f, ErrorCode::InvalidInput, "cannot be deleted", || {
        f.app.delete_question(&f.owner, cal, name.id)
    });
    assert_refused(&f, ErrorCode::InvalidInput, "must stay required", || {
        f.app.edit_question(
            &f.owner,
            cal,
            email.id,
            &input("Email", QuestionKind::Email, false, &[]),
        )
    });
    assert_refused(&f, ErrorCode::InvalidInput, "kind cannot change", || {
        f.app.edit_question(
            &f.owner,
            cal,
            email.id,
            &input("Email", QuestionKind::ShortText, true, &[]),
        )
    });
    // Relabelling is fine (a Japanese team calls it 名前).
    let renamed = f
        .app
        .edit_question(
            &f.owner,
            cal,
            name.id,
            &input("名前", QuestionKind::ShortText, true, &[]),
        )
        .unwrap();
    assert!(renamed.locked);
    // Company and comment are ordinary: they can go.
    f.app
        .delete_question(&f.owner, cal, d.questions[0].id)
        .unwrap();
    let left: Vec<_> = f
        .app
        .questions(&f.owner, cal)
        .unwrap()
        .iter()
        .map(|q| (q.position, q.label.clone()))
        .collect();
    assert_eq!(
        left,
        vec![
            (1, "名前".into()),
            (2, "Email".into()),
            (3, "Comment".into())
        ]
    );
}

#[test]
fn questions_move_and_positions_stay_dense() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Demo").unwrap();
    let cal = d.calendar.id;
    let comment = d.questions[3].id;
    let order = f.app.move_question(&f.owner, cal, comment, 1).unwrap();
    let labels: Vec<_> = order
        .iter()
        .map(|q| (q.position, q.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![(1, "Comment"), (2, "Company"), (3, "Name"), (4, "Email")]
    );
    let order = f.app.move_question(&f.owner, cal, comment, 4).unwrap();
    assert_eq!(order.last().unwrap().label, "Comment");
    assert_refused(
        &f,
        ErrorCode::InvalidInput,
        "position: must be between 1 and 4 (got 5)",
        || f.app.move_question(&f.owner, cal, comment, 5),
    );
    assert_refused(&f, ErrorCode::InvalidInput, "(got 0)", || {
        f.app.move_question(&f.owner, cal, comment, 0)
    });
}

#[test]
fn deleting_a_calendar_deletes_its_questions() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Demo").unwrap();
    f.app.delete_calendar(&f.owner, d.calendar.id).unwrap();
    assert!(f.app.calendars(&f.owner).unwrap().is_empty());
    let orphan = f
        .app
        .store()
        .read(|tx| tx.question(d.questions[0].id))
        .unwrap();
    assert!(orphan.is_none());
}

#[test]
fn support_reads_but_changes_nothing() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Demo").unwrap();
    let cal = d.calendar.id;
    let support = as_role(&f.owner, Role::Support);
    assert_eq!(f.app.calendars(&support).unwrap().len(), 1);
    assert_eq!(f.app.calendar(&support, cal).unwrap().questions.len(), 4);
    let q = input("Budget", QuestionKind::Number, false, &[]);
    let needle = "needs the owner or admin role";
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.create_calendar(&support, "New")
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.rename_calendar(&support, cal, "New")
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.delete_calendar(&support, cal)
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.add_question(&support, cal, &q)
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.edit_question(&support, cal, d.questions[0].id, &q)
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.move_question(&support, cal, d.questions[0].id, 2)
    });
    assert_refused(&f, ErrorCode::Forbidden, needle, || {
        f.app.delete_question(&support, cal, d.questions[0].id)
    });
    // An admin may do what support may not.
    let admin = as_role(&f.owner, Role::Admin);
    f.app.add_question(&admin, cal, &q).unwrap();
}

#[test]
fn changes_are_audited_and_survive_reopening() {
    let f = fixture();
    let d = f.app.create_calendar(&f.owner, "Demo").unwrap();
    let q = f
        .app
        .add_question(
            &f.owner,
            d.calendar.id,
            &input("Budget", QuestionKind::Number, true, &[]),
        )
        .unwrap();
    f.app
        .rename_calendar(&f.owner, d.calendar.id, "Demo call")
        .unwrap();
    let audit = f.app.store().read(|tx| tx.audit_actions(10)).unwrap();
    let cal_target = format!("calendar:{}", d.calendar.id);
    let q_target = format!("question:{}", q.id);
    assert_eq!(
        audit,
        vec![
            ("calendar.rename".to_string(), cal_target.clone()),
            ("question.add".to_string(), q_target),
            ("calendar.create".to_string(), cal_target),
            (
                "member.sign_in".to_string(),
                format!("member:{}", f.owner.member.id)
            ),
        ]
    );
    let path = f.path.clone();
    let Fixture { app, _dir, .. } = f;
    drop(app);
    let reopened = Leadline::with_clock(
        Store::open(&path).unwrap(),
        Arc::new(FixedClock::new(datetime!(2026-11-25 10:00 UTC))),
    );
    let owner = reopened.sign_in(&owner_identity()).unwrap();
    let cals = reopened.calendars(&owner).unwrap();
    assert_eq!(cals.len(), 1);
    assert_eq!(
        (cals[0].name.as_str(), cals[0].question_count),
        ("Demo call", 5)
    );
    assert_eq!(reopened.store().integrity_check().unwrap(), "ok");
    drop(_dir);
}
