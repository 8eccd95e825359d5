//! The command line's grammar: global options and every subcommand with its arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use leadline_core::ipc::{JobState, QuestionKind, Role};

#[derive(Debug, Parser)]
#[command(
    name = "leadline-cli",
    version,
    about = "Leadline without a window: calendars, questions, and (soon) the sync queue.",
    after_help = "Sign in first (`leadline-cli signin`); every other command acts as the signed-in member."
)]
pub struct Cli {
    /// The data directory (default: $LEADLINE_DATA_DIR, else the OS app-data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print stable, machine-readable JSON on stdout, errors included.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Signs in through the system browser and keeps the session in the OS keyring.
    ///
    /// The browser is $BROWSER when set (a command given the URL), else the system's. Without
    /// options: the practice org at $LEADLINE_PRACTICE_URL. Ctrl-C cancels.
    Signin(SigninArgs),
    /// Prints the signed-in member; fails with not_signed_in when nobody is.
    Whoami,
    /// Ends the session.
    Signout,
    /// List, show, create, rename and delete calendars.
    #[command(subcommand)]
    Calendars(CalendarCommand),
    /// List, add, edit, move and delete a calendar's questions.
    #[command(subcommand)]
    Questions(QuestionCommand),
    /// List, add, re-role and remove team members (changes need the owner role).
    #[command(subcommand)]
    Members(MemberCommand),
    /// Read the audit log, newest first, or export it as CSV.
    Audit(AuditArgs),
    /// Show or change the team's settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Connects Salesforce through the system browser (owner or admin); tokens go to the OS
    /// keyring.
    ///
    /// Register http://localhost:17635/oauth/callback (and :17636, used when the first is busy)
    /// as callback URLs of the connected app, or pass the port you registered. Without options:
    /// the practice org at $LEADLINE_PRACTICE_URL. Ctrl-C cancels.
    Connect(ConnectArgs),
    /// The Salesforce connection: org, user, instance, API version and usage.
    Status,
    /// Checks the Salesforce connection end to end and explains each problem with its fix;
    /// exits 2 when it found an error.
    Doctor,
    /// Revokes the tokens at Salesforce, deletes them from the keyring, and closes the
    /// connection; mappings stay.
    Disconnect,
    /// A calendar's Salesforce integration: create it, show it with its checks, export or
    /// import it as a mapping file.
    #[command(subcommand)]
    Mapping(MappingCommand),
    /// The exact Lead a booking would post through the calendar's mapping, with every failing
    /// check; calls Salesforce only for the field list (cached for a day).
    Preview(PreviewArgs),
    /// Runs headless: the webhook receiver (POST /webhooks/timerex) and the push, until Ctrl-C.
    Serve(ServeArgs),
    /// Imports a file of webhook payloads (a JSON array, or JSON lines) into the queue.
    Import { file: PathBuf },
    /// Pushes what is due to Salesforce once and exits (with --until-empty: until nothing is due).
    Push {
        #[arg(long)]
        until_empty: bool,
    },
    /// The queue: counts by state and a page of jobs (newest first); `--job ID` shows one job
    /// with every attempt.
    Queue(QueueArgs),
    /// The sync log: every failure with its explanation and fix; `log export` writes the
    /// success and error files.
    Log(LogArgs),
    /// Queues failed jobs again: by id, every job failing with --code, or --all.
    Retry(SelectionArgs),
    /// Marks failed jobs skipped: they will not be pushed.
    Skip(SelectionArgs),
    /// Keeps the token TimeRex generated for the webhook in the OS keyring (read from stdin).
    WebhookToken,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen on this address instead of the team's setting (127.0.0.1 by default).
    #[arg(long, value_name = "IP")]
    pub bind: Option<String>,
    /// Listen on this port instead of the team's setting (17640 by default).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Do not run the webhook receiver, only the push.
    #[arg(long)]
    pub no_webhook: bool,
    /// How long a push holds its jobs before another run may take them over (default 300).
    #[arg(long, value_name = "SECONDS")]
    pub lease_seconds: Option<i64>,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    #[arg(long, value_enum)]
    pub state: Option<StateArg>,
    #[arg(long, value_name = "ID")]
    pub calendar: Option<i64>,
    /// Matches the guest's name or e-mail, or the booking id.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long, default_value_t = 0)]
    pub offset: i64,
    /// Show this job with every attempt instead.
    #[arg(long, value_name = "ID")]
    pub job: Option<i64>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: Option<LogCommand>,
    #[arg(long, value_name = "ID")]
    pub calendar: Option<i64>,
    /// A Salesforce error code, e.g. REQUIRED_FIELD_MISSING.
    #[arg(long)]
    pub code: Option<String>,
    /// The job's state now.
    #[arg(long, value_enum)]
    pub state: Option<StateArg>,
    /// Entries at or after this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Entries before this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only failures not yet resolved.
    #[arg(long)]
    pub unresolved: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long, default_value_t = 0)]
    pub offset: i64,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Data Loader style result files: successes (the records with their Ids) and errors.
    Export {
        #[arg(long, value_name = "FILE")]
        successes: PathBuf,
        #[arg(long, value_name = "FILE")]
        errors: PathBuf,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SelectionArgs {
    /// Job ids.
    pub ids: Vec<i64>,
    /// Every job needing attention whose last error has this code.
    #[arg(long)]
    pub code: Option<String>,
    /// Every job needing attention.
    #[arg(long)]
    pub all: bool,
}

/// Job states as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Held,
    Queued,
    InFlight,
    Retry,
    Done,
    NeedsAttention,
    Skipped,
    Cancelled,
}

impl From<StateArg> for JobState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Held => JobState::Held,
            StateArg::Queued => JobState::Queued,
            StateArg::InFlight => JobState::InFlight,
            StateArg::Retry => JobState::Retry,
            StateArg::Done => JobState::Done,
            StateArg::NeedsAttention => JobState::NeedsAttention,
            StateArg::Skipped => JobState::Skipped,
            StateArg::Cancelled => JobState::Cancelled,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Adds the Salesforce integration with every required field pre-selected (owner or admin).
    /// When its checks pass it starts enabled, and the bookings held so far are queued.
    Init {
        #[command(flatten)]
        calendar: CalendarOpt,
        /// Leave the bookings held so far out of Salesforce (they are marked skipped).
        #[arg(long)]
        skip_held: bool,
    },
    /// The rows, the settings and every failing check.
    Show(CalendarOpt),
    /// Prints the mapping file (or writes it to --out FILE).
    Export {
        #[command(flatten)]
        calendar: CalendarOpt,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Replaces the calendar's mapping with a mapping file's, once every row checks out.
    Import {
        #[command(flatten)]
        calendar: CalendarOpt,
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CalendarOpt {
    /// The calendar's id (see `calendars list`).
    #[arg(long = "calendar", value_name = "ID")]
    pub id: i64,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PreviewSource {
    /// A stored booking's id.
    #[arg(long, value_name = "ID")]
    pub booking: Option<i64>,
    /// A file holding one webhook payload (JSON).
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    pub calendar: CalendarOpt,
    #[command(flatten)]
    pub source: PreviewSource,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Where you log in: https://login.salesforce.com, https://test.salesforce.com, your My
    /// Domain (https://NAME.my.salesforce.com), or any URL such as the practice org's.
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// The connected app's Consumer Key.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The callback port registered with the app (default 17635, falling back to 17636).
    #[arg(long, value_name = "N")]
    pub callback_port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct SigninArgs {
    /// The practice org (leadline-sfsim) at URL, e.g. http://127.0.0.1:8711.
    #[arg(long, value_name = "URL", conflicts_with_all = ["issuer", "provider", "client_id"])]
    pub practice: Option<String>,
    /// Any OpenID Connect issuer; needs --client-id.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "provider",
        requires = "client_id"
    )]
    pub issuer: Option<String>,
    /// The client id registered with the provider (default for Google and Microsoft:
    /// $LEADLINE_GOOGLE_CLIENT_ID, $LEADLINE_MICROSOFT_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
}

/// Identity providers by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    Google,
    Microsoft,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Every member with their role.
    List,
    /// Adds someone by e-mail as admin or support.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Changes a member's role.
    Role {
        id: i64,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Removes a member from the team.
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// The team's settings.
    Show,
    /// Minutes without activity after which a session ends (owner or admin; 5 to 43200).
    IdleTimeout {
        #[arg(long)]
        minutes: i64,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// An action or its area, e.g. `calendar` or `member.role`.
    #[arg(long)]
    pub action: Option<String>,
    /// Only what this member did.
    #[arg(long, value_name = "EMAIL")]
    pub actor: Option<String>,
    /// Entries at or after this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Entries before this RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long, default_value_t = 0)]
    pub offset: i64,
    /// Write every matching entry to FILE as CSV instead of listing a page.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Roles as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Owner,
    Admin,
    Support,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Owner => Role::Owner,
            RoleArg::Admin => Role::Admin,
            RoleArg::Support => Role::Support,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Every calendar, by name.
    List,
    /// One calendar with its questions.
    Show { id: i64 },
    /// A new calendar with the default questions (company, name, email, comment).
    Create {
        #[arg(long)]
        name: String,
    },
    Rename {
        id: i64,
        #[arg(long)]
        name: String,
    },
    /// Deletes the calendar and its questions.
    Delete { id: i64 },
}

#[derive(Debug, Args)]
pub struct CalendarArg {
    /// The calendar's id (see `calendars list`).
    #[arg(long = "calendar", value_name = "ID")]
    pub calendar: i64,
}

#[derive(Debug, Subcommand)]
pub enum QuestionCommand {
    /// The calendar's questions in the order guests see them.
    List {
        #[command(flatten)]
        calendar: CalendarArg,
    },
    /// Appends a question.
    Add {
        #[command(flatten)]
        calendar: CalendarArg,
        #[arg(long)]
        label: String,
        #[arg(long, value_enum, default_value_t = Kind::ShortText)]
        kind: Kind,
        /// The guest must answer.
        #[arg(long)]
        required: bool,
        /// A choice of a single- or multiple-choice question; repeat for each.
        #[arg(long = "choice", value_name = "TEXT")]
        choices: Vec<String>,
    },
    /// Changes what is given; the rest stays.
    Edit {
        id: i64,
        #[command(flatten)]
        calendar: CalendarArg,
        #[arg(long)]
        label: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        #[arg(long, value_name = "true|false")]
        required: Option<bool>,
        /// Replaces all choices; repeat for each.
        #[arg(long = "choice", value_name = "TEXT")]
        choices: Vec<String>,
        /// Removes all choices (when changing to a kind without choices).
        #[arg(long, conflicts_with = "choices")]
        clear_choices: bool,
    },
    /// Moves a question to a 1-based position.
    Move {
        id: i64,
        #[command(flatten)]
        calendar: CalendarArg,
        #[arg(long)]
        position: i64,
    },
    Delete {
        id: i64,
        #[command(flatten)]
        calendar: CalendarArg,
    },
}

/// Question kinds as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Kind {
    ShortText,
    LongText,
    Email,
    Phone,
    SingleChoice,
    MultipleChoice,
    Checkbox,
    Date,
    Number,
}

impl From<Kind> for QuestionKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::ShortText => QuestionKind::ShortText,
            Kind::LongText => QuestionKind::LongText,
            Kind::Email => QuestionKind::Email,
            Kind::Phone => QuestionKind::Phone,
            Kind::SingleChoice => QuestionKind::SingleChoice,
            Kind::MultipleChoice => QuestionKind::MultipleChoice,
            Kind::Checkbox => QuestionKind::Checkbox,
            Kind::Date => QuestionKind::Date,
            Kind::Number => QuestionKind::Number,
        }
    }
}
