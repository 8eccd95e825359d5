//! `leadline-cli`: the core's use-cases without a window. Parses the command line, opens the data
//! directory, runs one use-case as the signed-in member, and prints its result as text or, with
//! `--json`, as stable JSON on stdout. A failure exits non-zero with the error's code and message.
//!
//! `signin` runs the system-browser sign-in and keeps the session in the OS keyring, where the
//! desktop app keeps it too; every other command resumes that session and refuses with
//! `not_signed_in` when there is none.

mod args;
mod human;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use leadline_core::actor::role_name;
use leadline_core::ipc::{
    AuditFilter, CheckSeverity, ConnectRequest, JobFilter, JobSelection, LoginHostKind, NewMember,
    PreviewInput, ProviderKind, QuestionInput, Severity, SignInRequest, SyncLogFilter,
};
use leadline_core::secrets::{Keyring, SecretStore};
use leadline_core::signin::SignInConfig;
use leadline_core::{Actor, Error, Leadline, data_dir};
use leadline_salesforce::{AuthFlow, CancellationToken, Provider, SystemBrowser};
use serde::Serialize;

use args::{
    AuditArgs, CalendarCommand, Cli, Command, ConnectArgs, LogCommand, MappingCommand,
    MemberCommand, PreviewArgs, ProviderArg, QuestionCommand, SelectionArgs, ServeArgs,
    SettingsCommand, SigninArgs,
};

/// The refusal every acting command gives when there is no session.
const NOT_SIGNED_IN: &str = "nobody is signed in; run leadline-cli signin first";

/// What a command produced: the JSON value and its human rendering.
struct Output {
    json: serde_json::Value,
    text: String,
    /// The command ran but found problems (the doctor's errors): exit 2, so scripts notice.
    problems: bool,
}

fn out<T: Serialize>(value: &T, text: String) -> Result<Output, Error> {
    let json = serde_json::to_value(value)
        .map_err(|e| Error::Storage(format!("cannot encode the result as JSON: {e}")))?;
    Ok(Output {
        json,
        text,
        problems: false,
    })
}

fn run(cli: &Cli) -> Result<Output, Error> {
    let dir = data_dir::resolve(cli.data_dir.as_deref())?;
    let app = Leadline::open(&dir)?;
    // Sessions are kept per team: this data directory's id scopes the keyring entries.
    let keyring = || Keyring::platform(&app.team_id()?);
    match &cli.command {
        Command::Signin(s) => {
            // The options are checked before the keyring or a browser is touched.
            let provider = SignInConfig::from_env().provider(&signin_request(s)?)?;
            signin(&app, &keyring()?, &provider)
        }
        Command::Whoami => {
            let actor = acting(&app, &keyring()?)?;
            out(&actor.member, signed_in_line(&actor))
        }
        Command::Signout => {
            let keyring = keyring()?;
            match app.resume_session(&keyring)? {
                Some(actor) => {
                    app.end_session(&keyring, &actor)?;
                    out(
                        &serde_json::json!({ "signed_out": actor.member.email }),
                        format!("signed out {}\n", actor.member.email),
                    )
                }
                None => out(
                    &serde_json::json!({ "signed_out": null }),
                    "nobody was signed in\n".into(),
                ),
            }
        }
        Command::Calendars(c) => calendars(&app, &acting(&app, &keyring()?)?, c),
        Command::Questions(q) => questions(&app, &acting(&app, &keyring()?)?, q),
        Command::Members(m) => members(&app, &acting(&app, &keyring()?)?, m),
        Command::Audit(a) => audit(&app, &acting(&app, &keyring()?)?, a),
        Command::Settings(c) => settings(&app, &acting(&app, &keyring()?)?, c),
        Command::Mapping(m) => {
            let keyring = keyring()?;
            let actor = acting(&app, &keyring)?;
            mapping(&app, &actor, Arc::new(keyring), m)
        }
        Command::Serve(_)
        | Command::Import { .. }
        | Command::Push { .. }
        | Command::Queue(_)
        | Command::Log(_)
        | Command::Retry(_)
        | Command::Skip(_)
        | Command::WebhookToken => {
            let keyring = keyring()?;
            let actor = acting(&app, &keyring)?;
            queue(app, &actor, Arc::new(keyring), &cli.command)
        }
        Command::Preview(p) => {
            let keyring = keyring()?;
            let actor = acting(&app, &keyring)?;
            preview(&app, &actor, Arc::new(keyring), p)
        }
        Command::Connect(_) | Command::Status | Command::Doctor | Command::Disconnect => {
            let keyring = keyring()?;
            let actor = acting(&app, &keyring)?;
            salesforce(&app, &actor, keyring, &cli.command)
        }
    }
}

/// The signed-in member, or the refusal every acting command gives when there is none.
fn acting(app: &Leadline, keyring: &Keyring) -> Result<Actor, Error> {
    app.resume_session(keyring)?
        .ok_or_else(|| Error::NotSignedIn(NOT_SIGNED_IN.into()))
}

fn signed_in_line(actor: &Actor) -> String {
    format!(
        "signed in as {} ({})\n",
        actor.member.email,
        role_name(actor.member.role)
    )
}

/// The provider the options name: `--practice URL`, `--issuer URL --client-id ID`, or
/// `--provider google|microsoft [--client-id ID]`; none of them: the configured practice org.
fn signin_request(args: &SigninArgs) -> Result<SignInRequest, Error> {
    let (kind, issuer) = match (&args.practice, &args.issuer, args.provider) {
        (Some(url), _, _) => (ProviderKind::Practice, Some(url.clone())),
        (None, Some(url), _) => (ProviderKind::Oidc, Some(url.clone())),
        (None, None, Some(ProviderArg::Google)) => (ProviderKind::Google, None),
        (None, None, Some(ProviderArg::Microsoft)) => (ProviderKind::Microsoft, None),
        (None, None, None) if args.client_id.is_some() => {
            return Err(Error::InvalidInput(
                "client id: say which provider it is for with --provider or --issuer".into(),
            ));
        }
        (None, None, None) => (ProviderKind::Practice, None),
    };
    Ok(SignInRequest {
        kind,
        issuer,
        client_id: args.client_id.clone(),
    })
}

/// A runtime for the commands that talk to a provider or Salesforce (the others stay synchronous).
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Error::Storage(format!("cannot start the async runtime: {e}")))
}

/// Runs a browser flow to its end, telling the person where to look; Ctrl-C cancels it.
fn through_browser<T, F>(what: &str, flow: impl FnOnce(CancellationToken) -> F) -> Result<T, Error>
where
    F: std::future::Future<Output = Result<T, Error>>,
{
    runtime()?.block_on(async {
        let cancel = CancellationToken::new();
        let work = flow(cancel.clone());
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(work, ctrl_c);
        eprintln!("Finish {what} in your browser… (Ctrl-C cancels)");
        let mut listening = true;
        loop {
            // Ctrl-C is polled first, so it is caught from before the browser opens; it cancels
            // the flow, which then ends as cancelled.
            tokio::select! {
                biased;
                caught = &mut ctrl_c, if listening => {
                    listening = false;
                    if caught.is_ok() {
                        cancel.cancel();
                    }
                }
                result = &mut work => break result,
            }
        }
    })
}

fn browser_flow() -> Result<AuthFlow, Error> {
    AuthFlow::new(Arc::new(SystemBrowser::from_env()))
        .map_err(|e| Error::Storage(format!("cannot prepare the browser flow: {e}")))
}

fn signin(app: &Leadline, keyring: &Keyring, provider: &Provider) -> Result<Output, Error> {
    let flow = browser_flow()?;
    let actor = through_browser("signing in", |cancel| async move {
        app.sign_in_through_browser(&flow, provider, &cancel, keyring)
            .await
    })?;
    out(&actor.member, signed_in_line(&actor))
}

/// The Connect form, from `--login-url` (default: the practice org at $LEADLINE_PRACTICE_URL,
/// whose client id is then the default too).
fn connect_request(args: &ConnectArgs) -> Result<ConnectRequest, Error> {
    let practice = SignInConfig::from_env().practice_url;
    let url = args.login_url.clone().or_else(|| practice.clone()).ok_or_else(|| {
        Error::InvalidInput(
            "login URL: give --login-url (https://login.salesforce.com, https://test.salesforce.com or your My Domain URL)".into(),
        )
    })?;
    let client_id = match (&args.client_id, &practice) {
        (Some(id), _) => id.clone(),
        (None, Some(p)) if p.trim_end_matches('/') == url.trim_end_matches('/') => {
            leadline_salesforce::oidc::PRACTICE_CLIENT_ID.to_string()
        }
        (None, _) => {
            return Err(Error::InvalidInput(
                "client id: give --client-id, the connected app's Consumer Key".into(),
            ));
        }
    };
    let trimmed = url.trim().trim_end_matches('/').to_ascii_lowercase();
    let my_domain = trimmed
        .strip_prefix("https://")
        .and_then(|h| h.strip_suffix(".my.salesforce.com"))
        .map(String::from);
    let login_host = match trimmed.as_str() {
        "https://login.salesforce.com" => LoginHostKind::Production,
        "https://test.salesforce.com" => LoginHostKind::Sandbox,
        _ if my_domain.is_some() => LoginHostKind::MyDomain,
        _ => LoginHostKind::Custom,
    };
    Ok(ConnectRequest {
        login_host,
        my_domain,
        login_url: Some(url),
        client_id,
        callback_port: args.callback_port,
    })
}

fn salesforce(
    app: &Leadline,
    actor: &Actor,
    keyring: Keyring,
    cmd: &Command,
) -> Result<Output, Error> {
    let secrets: Arc<dyn SecretStore> = Arc::new(keyring);
    match cmd {
        Command::Connect(args) => {
            let request = connect_request(args)?;
            let flow = browser_flow()?;
            let c = through_browser("connecting Salesforce", |cancel| async move {
                app.connect_salesforce(actor, &flow, &request, &cancel, secrets)
                    .await
            })?;
            out(&c, format!("connected\n{}", human::connection(&c)))
        }
        Command::Doctor => {
            let report = runtime()?.block_on(app.salesforce_doctor(actor, secrets))?;
            let mut o = out(&report, human::doctor(&report))?;
            o.problems = report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error);
            Ok(o)
        }
        Command::Disconnect => {
            let done = runtime()?.block_on(app.disconnect_salesforce(actor, secrets))?;
            let text = match &done.warning {
                Some(w) => format!("disconnected; {w}\n"),
                None => "disconnected; the refresh token was revoked at Salesforce\n".into(),
            };
            out(&done, text)
        }
        _ => {
            let status =
                app.connection_status(actor, SignInConfig::from_env().practice_url.as_deref())?;
            let text = match &status.connection {
                Some(c) => human::connection(c),
                None => "not connected to Salesforce; run leadline-cli connect\n".into(),
            };
            out(&status, text)
        }
    }
}

fn selection(args: &SelectionArgs) -> JobSelection {
    match (&args.code, args.all) {
        (Some(code), _) => JobSelection::Code { code: code.clone() },
        (None, true) => JobSelection::All,
        (None, false) => JobSelection::Jobs {
            ids: args.ids.clone(),
        },
    }
}

/// The queue's commands; `serve` runs until Ctrl-C or SIGTERM.
fn queue(
    app: Leadline,
    actor: &Actor,
    secrets: Arc<dyn SecretStore>,
    cmd: &Command,
) -> Result<Output, Error> {
    match cmd {
        Command::Import { file } => {
            let r = app.import_payloads(actor, &read_file(file)?)?;
            let text = format!(
                "{} payloads: {} queued, {} held, {} already received, {} cancellations, {} calendars registered\n",
                r.payloads, r.queued, r.held, r.duplicates, r.cancellations, r.calendars_registered
            );
            out(&r, text)
        }
        Command::Push { until_empty } => {
            let rt = runtime()?;
            let r = if *until_empty {
                rt.block_on(app.push_until_empty(secrets))?
            } else {
                rt.block_on(app.push_now(actor, secrets))?
            };
            let mut o = out(&r, human::push(&r))?;
            o.problems = r.needs_attention > 0;
            Ok(o)
        }
        Command::Queue(q) => match q.job {
            Some(id) => {
                let d = app.job_detail(actor, id)?;
                out(&d, human::job_detail(&d))
            }
            None => {
                let counts = app.queue_counts(actor)?;
                let page = app.jobs(
                    actor,
                    &JobFilter {
                        state: q.state.map(Into::into),
                        calendar_id: q.calendar,
                        search: q.search.clone(),
                        limit: Some(q.limit),
                        offset: Some(q.offset),
                    },
                )?;
                let text = format!("{}{}", human::counts(&counts), human::jobs(&page));
                out(&serde_json::json!({ "counts": counts, "jobs": page }), text)
            }
        },
        Command::Log(l) => match &l.command {
            Some(LogCommand::Export { successes, errors }) => {
                let (ok, bad) = app.export_results(actor, successes, errors)?;
                let text = format!(
                    "wrote {} ({} rows) and {} ({} rows)\n",
                    ok.path, ok.rows, bad.path, bad.rows
                );
                out(&serde_json::json!({ "successes": ok, "errors": bad }), text)
            }
            None => {
                let page = app.sync_log(
                    actor,
                    &SyncLogFilter {
                        calendar_id: l.calendar,
                        error_code: l.code.clone(),
                        job_state: l.state.map(Into::into),
                        since: l.since.clone(),
                        until: l.until.clone(),
                        unresolved_only: l.unresolved,
                        limit: Some(l.limit),
                        offset: Some(l.offset),
                    },
                )?;
                out(&page, human::sync_log(&page))
            }
        },
        Command::Retry(sel) => {
            let n = app.retry_jobs(actor, &selection(sel))?;
            out(
                &serde_json::json!({ "queued": n }),
                format!("{n} job(s) queued again\n"),
            )
        }
        Command::Skip(sel) => {
            let n = app.skip_jobs(actor, &selection(sel))?;
            out(
                &serde_json::json!({ "skipped": n }),
                format!("{n} job(s) skipped\n"),
            )
        }
        Command::WebhookToken => {
            let mut token = String::new();
            std::io::stdin().read_line(&mut token).map_err(|e| {
                Error::InvalidInput(format!("webhook token: cannot read stdin: {e}"))
            })?;
            leadline_core::webhook::set_token(&app, actor, secrets.as_ref(), &token)?;
            out(
                &serde_json::json!({ "token_set": true }),
                "the webhook token is kept in the OS keyring\n".into(),
            )
        }
        Command::Serve(args) => serve(app, actor, secrets, args),
        _ => Err(Error::InvalidInput("not a queue command".into())),
    }
}

/// Runs the webhook receiver and the push until Ctrl-C or SIGTERM.
fn serve(
    app: Leadline,
    actor: &Actor,
    secrets: Arc<dyn SecretStore>,
    args: &ServeArgs,
) -> Result<Output, Error> {
    if let Some(s) = args.lease_seconds {
        app.set_lease_seconds(actor, s)?;
    }
    let settings = app.sync_settings(actor)?;
    let core = Arc::new(app);
    runtime()?.block_on(async move {
        let wake = Arc::new(tokio::sync::Notify::new());
        let stop = tokio_util::sync::CancellationToken::new();
        let receiver = if args.no_webhook {
            None
        } else {
            let token = leadline_core::webhook::token(secrets.as_ref())?;
            let bind = args.bind.clone().unwrap_or(settings.webhook_bind);
            let ip: std::net::IpAddr = bind.parse().map_err(|_| {
                Error::InvalidInput(format!("--bind: {bind:?} is not an IP address"))
            })?;
            let port = args
                .port
                .unwrap_or(u16::try_from(settings.webhook_port).unwrap_or(0));
            let r = leadline_core::webhook::start(
                core.clone(),
                &token,
                std::net::SocketAddr::new(ip, port),
                wake.clone(),
            )
            .await?;
            // Scripts wait for this line to know where to post.
            println!("listening on {}", r.url());
            Some(r)
        };
        eprintln!("pushing to Salesforce… (Ctrl-C stops)");
        let push = tokio::spawn(leadline_core::serve::push_forever(
            core.clone(),
            secrets.clone(),
            wake,
            stop.clone(),
        ));
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| Error::Storage(format!("cannot listen for SIGTERM: {e}")))?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        stop.cancel();
        let _ = push.await;
        if let Some(r) = receiver {
            let _ = r.stop().await;
        }
        out(&serde_json::json!({ "stopped": true }), "stopped\n".into())
    })
}

fn read_file(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))
}

fn mapping(
    app: &Leadline,
    actor: &Actor,
    secrets: Arc<dyn SecretStore>,
    cmd: &MappingCommand,
) -> Result<Output, Error> {
    match cmd {
        MappingCommand::Init {
            calendar: c,
            skip_held,
        } => {
            let d = runtime()?.block_on(app.add_integration(actor, c.id, *skip_held, secrets))?;
            out(&d, format!("created\n{}", human::integration(&d)))
        }
        MappingCommand::Show(c) => {
            match runtime()?.block_on(app.integration(actor, c.id, secrets))? {
                Some(d) => out(&d, human::integration(&d)),
                None => Err(Error::NotFound(format!(
                    "calendar {} has no Salesforce integration; run leadline-cli mapping init --calendar {}",
                    c.id, c.id
                ))),
            }
        }
        MappingCommand::Export {
            calendar,
            out: file,
        } => {
            let (_, text) = app.export_mapping(actor, calendar.id)?;
            match file {
                Some(path) => {
                    std::fs::write(path, &text).map_err(|e| {
                        Error::Storage(format!("cannot write {}: {e}", path.display()))
                    })?;
                    out(
                        &serde_json::json!({ "path": path.display().to_string() }),
                        format!("wrote {}\n", path.display()),
                    )
                }
                None => {
                    let json: serde_json::Value = serde_json::from_str(&text)
                        .map_err(|e| Error::Storage(format!("the export is not JSON: {e}")))?;
                    Ok(Output {
                        json,
                        text,
                        problems: false,
                    })
                }
            }
        }
        MappingCommand::Import { calendar, file } => {
            let text = read_file(file)?;
            let d = runtime()?.block_on(app.import_mapping(actor, calendar.id, &text, secrets))?;
            out(&d, format!("imported\n{}", human::integration(&d)))
        }
    }
}

fn preview(
    app: &Leadline,
    actor: &Actor,
    secrets: Arc<dyn SecretStore>,
    args: &PreviewArgs,
) -> Result<Output, Error> {
    let input = match (&args.source.booking, &args.source.payload) {
        (Some(id), _) => PreviewInput::Booking { booking_id: *id },
        (None, Some(path)) => PreviewInput::Payload {
            payload: read_file(path)?,
        },
        (None, None) => {
            return Err(Error::InvalidInput(
                "booking: give --booking ID or --payload FILE".into(),
            ));
        }
    };
    let p = runtime()?.block_on(app.preview(actor, args.calendar.id, &input, None, secrets))?;
    let mut o = out(&p, human::preview(&p))?;
    o.problems = p.checks.iter().any(|c| c.severity == CheckSeverity::Error);
    Ok(o)
}

fn settings(app: &Leadline, actor: &Actor, cmd: &SettingsCommand) -> Result<Output, Error> {
    if let SettingsCommand::IdleTimeout { minutes } = cmd {
        app.set_idle_timeout(actor, *minutes)?;
    }
    let settings = app.settings(actor)?;
    let text = format!("idle timeout: {} minutes\n", settings.idle_timeout_minutes);
    out(&settings, text)
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
        Ok(o) => {
            let _ = if cli.json {
                writeln!(stdout, "{}", o.json)
            } else {
                write!(stdout, "{}", o.text)
            };
            if o.problems {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
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
