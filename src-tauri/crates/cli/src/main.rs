//! `leadline-cli`: the core's use-cases without a window. Parses the command line, opens the data
//! directory, runs one use-case as the acting member, and prints its result as text or, with
//! `--json`, as stable JSON on stdout. A failure exits non-zero with the error's code and message.

mod args;
mod human;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use leadline_core::ipc::{AuditFilter, NewMember, QuestionInput};
use leadline_core::{Actor, Error, Leadline, data_dir};
use serde::Serialize;

use args::{AuditArgs, CalendarCommand, Cli, Command, MemberCommand, QuestionCommand};

/// What a command produced: the JSON value and its human rendering.
struct Output {
    json: serde_json::Value,
    text: String,
}

fn out<T: Serialize>(value: &T, text: String) -> Result<Output, Error> {
    let json = serde_json::to_value(value)
        .map_err(|e| Error::Storage(format!("cannot encode the result as JSON: {e}")))?;
    Ok(Output { json, text })
}

fn run(cli: &Cli) -> Result<Output, Error> {
    let dir = data_dir::resolve(cli.data_dir.as_deref())?;
    let app = Leadline::open(&dir)?;
    let actor = app.local_owner()?;
    match &cli.command {
        Command::Calendars(c) => calendars(&app, &actor, c),
        Command::Questions(q) => questions(&app, &actor, q),
        Command::Members(m) => members(&app, &actor, m),
        Command::Audit(a) => audit(&app, &actor, a),
    }
}

fn members(app: &Leadline, actor: &Actor, cmd: &MemberCommand) -> Result<Output, Error> {
    match cmd {
        MemberCommand::List => {
            let list = app.members(actor)?;
            out(&list, human::members(&list))
        }
        MemberCommand::Add { email, name, role } => {
            let new = NewMember {
                email: email.clone(),
                name: name.clone(),
                role: (*role).into(),
            };
            let m = app.add_member(actor, &new)?;
            out(&m, format!("added {}", human::member(&m)))
        }
        MemberCommand::Role { id, role } => {
            let m = app.change_role(actor, *id, (*role).into())?;
            out(&m, format!("changed {}", human::member(&m)))
        }
        MemberCommand::Remove { id } => {
            app.remove_member(actor, *id)?;
            out(
                &serde_json::json!({ "removed": id }),
                format!("removed member {id}\n"),
            )
        }
    }
}

fn audit(app: &Leadline, actor: &Actor, args: &AuditArgs) -> Result<Output, Error> {
    let filter = AuditFilter {
        actor_email: args.actor.clone(),
        action: args.action.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
    };
    match &args.csv {
        Some(path) => {
            let csv = app.audit_csv(actor, &filter)?;
            let rows = csv.lines().count().saturating_sub(1);
            std::fs::write(path, csv)
                .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
            out(
                &serde_json::json!({ "path": path.display().to_string(), "rows": rows }),
                format!("wrote {rows} entries to {}\n", path.display()),
            )
        }
        None => {
            let page = app.audit_log(actor, &filter, args.limit, args.offset)?;
            out(&page, human::audit(&page, args.offset))
        }
    }
}

fn calendars(app: &Leadline, actor: &Actor, cmd: &CalendarCommand) -> Result<Output, Error> {
    match cmd {
        CalendarCommand::List => {
            let list = app.calendars(actor)?;
            out(&list, human::calendars(&list))
        }
        CalendarCommand::Show { id } => {
            let d = app.calendar(actor, *id)?;
            out(&d, human::detail(&d))
        }
        CalendarCommand::Create { name } => {
            let d = app.create_calendar(actor, name)?;
            out(&d, format!("created {}", human::detail(&d)))
        }
        CalendarCommand::Rename { id, name } => {
            let c = app.rename_calendar(actor, *id, name)?;
            out(&c, format!("renamed {}", human::calendar(&c)))
        }
        CalendarCommand::Delete { id } => {
            app.delete_calendar(actor, *id)?;
            out(
                &serde_json::json!({ "deleted": id }),
                format!("deleted calendar {id}\n"),
            )
        }
    }
}

fn questions(app: &Leadline, actor: &Actor, cmd: &QuestionCommand) -> Result<Output, Error> {
    match cmd {
        QuestionCommand::List { calendar } => {
            let list = app.questions(actor, calendar.calendar)?;
            out(&list, human::questions(&list))
        }
        QuestionCommand::Add {
            calendar,
            label,
            kind,
            required,
            choices,
        } => {
            let input = QuestionInput {
                label: label.clone(),
                kind: (*kind).into(),
                required: *required,
                choices: choices.clone(),
            };
            let q = app.add_question(actor, calendar.calendar, &input)?;
            out(&q, format!("added {}", human::question(&q)))
        }
        QuestionCommand::Edit {
            id,
            calendar,
            label,
            kind,
            required,
            choices,
            clear_choices,
        } => {
            let current = app
                .questions(actor, calendar.calendar)?
                .into_iter()
                .find(|q| q.id == *id)
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "question {id} is not in calendar {}",
                        calendar.calendar
                    ))
                })?;
            let input = QuestionInput {
                label: label.clone().unwrap_or(current.label),
                kind: kind.map(Into::into).unwrap_or(current.kind),
                required: required.unwrap_or(current.required),
                choices: if *clear_choices {
                    Vec::new()
                } else if choices.is_empty() {
                    current.choices
                } else {
                    choices.clone()
                },
            };
            let q = app.edit_question(actor, calendar.calendar, *id, &input)?;
            out(&q, format!("edited {}", human::question(&q)))
        }
        QuestionCommand::Move {
            id,
            calendar,
            position,
        } => {
            let list = app.move_question(actor, calendar.calendar, *id, *position)?;
            out(&list, human::questions(&list))
        }
        QuestionCommand::Delete { id, calendar } => {
            app.delete_question(actor, calendar.calendar, *id)?;
            out(
                &serde_json::json!({ "deleted": id }),
                format!("deleted question {id}\n"),
            )
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(&cli);
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (a pipe into `head`) is not worth a panic; the exit code still tells.
    match result {
        Ok(o) if cli.json => {
            let _ = writeln!(stdout, "{}", o.json);
            ExitCode::SUCCESS
        }
        Ok(o) => {
            let _ = write!(stdout, "{}", o.text);
            ExitCode::SUCCESS
        }
        Err(e) if cli.json => {
            let _ = writeln!(stdout, "{}", serde_json::json!({ "error": e.payload() }));
            ExitCode::FAILURE
        }
        Err(e) => {
            let p = e.payload();
            eprintln!(
                "error [{}]: {}",
                serde_json::to_value(p.code)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or("error"),
                p.message
            );
            ExitCode::FAILURE
        }
    }
}
