//! Every type that crosses the IPC boundary between the desktop shell and the UI (and the CLI's
//! `--json` output), in one place. Each derives `ts_rs::TS`; the TypeScript twins are generated into
//! `ui/src/gen/` and committed, and the `bindings_are_current` test fails when they drift.
//!
//! Field names stay snake_case on both sides so the CLI's JSON, the IPC payloads and the generated
//! TypeScript read the same. Row ids are SQLite integers, typed as `number` for the UI: they never
//! approach 2^53.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A member's role in the team; what each may do is decided in `crate::actor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Support,
}

/// A person on the team, as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Member {
    #[ts(type = "number")]
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// What the shell tells the UI about itself: who is signed in (nobody yet: `null`), and the
/// sign-in providers on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub actor: Option<Member>,
    pub providers: Vec<ProviderInfo>,
}

/// The kinds of identity provider a team member signs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The local practice org (`leadline-sfsim`), for the offline demo.
    Practice,
    Google,
    Microsoft,
    /// Any OpenID Connect issuer, by URL.
    Oidc,
}

/// A sign-in choice as the sign-in screen offers it. `issuer` and `client_id` are filled when
/// configured; where they are `null` the person types them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderInfo {
    pub kind: ProviderKind,
    pub label: String,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
}

/// Which provider to sign in with; `issuer` and `client_id` override or complete the configured
/// ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    pub kind: ProviderKind,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
}

/// The kinds of guest question the scheduling product offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
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

/// The scheduling product's built-in questions, which every new calendar starts with. They match
/// the webhook's `form[].field_type` values, so answers find their question without relying on
/// a translated label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StandardField {
    CompanyName,
    GuestName,
    GuestEmail,
    GuestComment,
}

/// A scheduling calendar as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Calendar {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// The calendar's path in the scheduling product's booking URL, once a webhook has told us.
    pub url_path: Option<String>,
    #[ts(type = "number")]
    pub question_count: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// A guest question of one calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Question {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub calendar_id: i64,
    /// 1-based order in which the guest sees the question.
    #[ts(type = "number")]
    pub position: i64,
    pub kind: QuestionKind,
    pub label: String,
    pub required: bool,
    /// The options of a choice question; empty for every other kind.
    pub choices: Vec<String>,
    pub standard_field: Option<StandardField>,
    /// Name and email identify the guest: they can be neither made optional nor deleted.
    pub locked: bool,
}

/// A calendar with its questions in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CalendarDetail {
    pub calendar: Calendar,
    pub questions: Vec<Question>,
}

/// What an admin types to add or edit a question. Editing replaces every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuestionInput {
    pub label: String,
    pub kind: QuestionKind,
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<String>,
}

/// A person's identity as a sign-in provider vouched for it: a verified e-mail and a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifiedIdentity {
    pub email: String,
    pub name: String,
}

/// What the owner types to add someone to the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewMember {
    pub email: String,
    /// Optional: filled in from the person's identity at their first sign-in when empty.
    #[serde(default)]
    pub name: String,
    pub role: Role,
}

/// One line of the audit log: who did what, when, to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor_email: String,
    /// Dotted, e.g. `calendar.create`, `member.role`.
    pub action: String,
    /// What it was done to, e.g. `calendar:3`.
    pub target: String,
    /// The change's particulars, as JSON text.
    pub detail: String,
}

/// Which audit entries to read; every part is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditFilter {
    #[serde(default)]
    pub actor_email: Option<String>,
    /// An action or its area: `calendar` matches `calendar.create`, `calendar.rename`, …
    #[serde(default)]
    pub action: Option<String>,
    /// RFC 3339; entries at or after.
    #[serde(default)]
    pub since: Option<String>,
    /// RFC 3339; entries before.
    #[serde(default)]
    pub until: Option<String>,
}

/// A page of audit entries, newest first, with how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[ts(type = "number")]
    pub total: i64,
}

/// The team's settings as the UI edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamSettings {
    /// Minutes without activity after which a session ends (5 to 43,200).
    #[ts(type = "number")]
    pub idle_timeout_minutes: i64,
}

/// A file Leadline wrote for the user, and how many data rows it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedFile {
    pub path: String,
    #[ts(type = "number")]
    pub rows: i64,
}

/// Where an admin logs in to Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LoginHostKind {
    /// `https://login.salesforce.com`.
    Production,
    /// `https://test.salesforce.com`.
    Sandbox,
    /// `https://NAME.my.salesforce.com`; the name goes in [`ConnectRequest::my_domain`].
    MyDomain,
    /// Any login URL, e.g. the local practice org; it goes in [`ConnectRequest::login_url`].
    Custom,
}

/// What the Connect form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectRequest {
    pub login_host: LoginHostKind,
    #[serde(default)]
    pub my_domain: Option<String>,
    #[serde(default)]
    pub login_url: Option<String>,
    /// The connected app's consumer key (client id).
    pub client_id: String,
    /// The callback port registered with the app; `null` uses the documented default (and its
    /// fallback when busy).
    #[serde(default)]
    pub callback_port: Option<u16>,
}

/// How the Connect form starts out: the practice org preselected when one runs, and the callback
/// URLs to register in the connected app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectDefaults {
    pub login_host: LoginHostKind,
    pub login_url: Option<String>,
    pub client_id: Option<String>,
    pub callback_port: u16,
    pub fallback_callback_port: u16,
    /// `http://localhost:PORT/oauth/callback` for the default port and its fallback.
    pub callback_urls: Vec<String>,
}

/// Daily API requests used and allowed, from the last `Sforce-Limit-Info` Salesforce sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiUsageInfo {
    #[ts(type = "number")]
    pub used: i64,
    #[ts(type = "number")]
    pub limit: i64,
    /// When Salesforce reported it.
    pub at: String,
}

/// The open Salesforce connection's non-secret facts (tokens stay in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SalesforceConnection {
    pub org_id: String,
    pub org_name: Option<String>,
    pub user_id: String,
    pub username: String,
    pub instance_url: String,
    pub api_version: String,
    pub login_url: String,
    pub client_id: String,
    pub connected_at: String,
    /// The member who connected, by e-mail (`null` once they left the team).
    pub connected_by: Option<String>,
    pub api_usage: Option<ApiUsageInfo>,
    /// Set when Salesforce refused the refresh token: the admin must connect again.
    pub reconnect_reason: Option<String>,
}

/// The Integrations page's view: the open connection, if any, and the Connect form's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionStatus {
    pub connection: Option<SalesforceConnection>,
    pub defaults: ConnectDefaults,
}

/// What disconnecting did at Salesforce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Disconnected {
    /// The refresh token (and with it every access token) was revoked at Salesforce.
    pub revoked: bool,
    /// Set when Salesforce could not be reached to revoke it.
    pub warning: Option<String>,
}

/// How bad a doctor's finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ok,
    Warning,
    Error,
}

/// One check the doctor made: what it found, why, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// A stable name for the check, e.g. `refresh_token` or `api_usage`.
    pub check: String,
    pub severity: Severity,
    /// One line: what was found.
    pub title: String,
    /// Why, in the admin's words.
    pub cause: String,
    /// What to do; empty when nothing is needed.
    pub fix: String,
}

/// The doctor's report on the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DoctorReport {
    pub checked_at: String,
    pub connection: Option<SalesforceConnection>,
    pub findings: Vec<Finding>,
}

/// A calendar's Salesforce integration as the rows editor shows it: the rows, every failing
/// check, the fields on offer, and how fresh the org's field list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntegrationDetail {
    #[ts(type = "number")]
    pub calendar_id: i64,
    /// The object each booking creates, e.g. `Lead`.
    pub target_object: String,
    pub enabled: bool,
    /// Whether the org's assignment rules run on each record (`Sforce-Auto-Assign`).
    pub auto_assign: bool,
    pub rows: Vec<MappingRow>,
    pub checks: Vec<Check>,
    /// The createable fields of the target object, required ones first.
    pub fields: Vec<FieldOption>,
    /// When the field list was read from Salesforce.
    pub describe_fetched_at: String,
    /// Why a fresher field list could not be read (the editor then works from the cache).
    pub describe_stale: Option<String>,
    /// Bookings of this calendar waiting for the integration to be enabled.
    #[ts(type = "number")]
    pub held_bookings: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An integration's switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntegrationSettings {
    pub enabled: bool,
    pub auto_assign: bool,
    /// When enabling: leave the bookings held so far out of Salesforce (they are marked
    /// skipped) instead of queueing them.
    #[serde(default)]
    #[ts(optional)]
    pub skip_held: Option<bool>,
}

/// What a preview runs on: a stored booking, a pasted webhook payload, or typed answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewInput {
    Booking {
        #[ts(type = "number")]
        booking_id: i64,
    },
    Payload {
        payload: String,
    },
    Sample {
        sample: SampleBooking,
    },
}

// ---- Mappings (issue 6)

/// A fact of the booking itself (not a guest answer) that a mapping row can post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BookingAttribute {
    BookingId,
    CalendarName,
    /// RFC 3339 in UTC, e.g. `2025-06-06T08:00:00Z`.
    StartUtc,
    EndUtc,
    /// RFC 3339 with the calendar's offset, as the scheduling product sent it.
    StartLocal,
    EndLocal,
    GuestTimezone,
    MeetingUrl,
    CancelUrl,
    RescheduleUrl,
    CreatedAt,
    /// A query parameter of the booking URL (e.g. `utm_source`), named by [`Source::Attribute`]'s
    /// `param`.
    QueryParam,
}

/// Where a mapping row's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The guest's answer to a question of the calendar.
    Question {
        #[ts(type = "number")]
        question_id: i64,
    },
    Attribute {
        attribute: BookingAttribute,
        /// The query parameter's name; only for [`BookingAttribute::QueryParam`].
        #[serde(default)]
        param: Option<String>,
    },
    /// The same text for every booking, e.g. a Lead Source.
    Fixed { value: String },
}

/// Which half of a full name a row posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NamePart {
    LastName,
    FirstName,
}

/// One line of a picklist translation table: the guest's answer and the picklist API value it
/// becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PicklistEntry {
    pub answer: String,
    pub value: String,
}

/// What a row does to its value before posting it; the default posts it as-is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Transform {
    #[serde(default)]
    pub trim: bool,
    /// Full-width letters, digits and symbols to ASCII (and dash variants to `-` for phones).
    #[serde(default)]
    pub half_width: bool,
    #[serde(default)]
    pub name_part: Option<NamePart>,
    /// Cut the value to the field's length instead of letting Salesforce refuse it.
    #[serde(default)]
    pub truncate: bool,
    #[serde(default)]
    pub picklist: Vec<PicklistEntry>,
}

/// One row of a calendar's Salesforce integration: field ← source, through a transform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MappingRow {
    /// The field's API name, e.g. `LastName`.
    pub field: String,
    pub source: Source,
    #[serde(default)]
    pub transform: Transform,
}

/// What a mapping check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckCode {
    RequiredFieldUnmapped,
    RequiredFedByOptionalQuestion,
    FieldNotCreateable,
    TypeMismatch,
    PossibleOverflow,
    FixedNotInRestrictedPicklist,
    FixedWrongType,
    QuestionDeleted,
    FieldDeleted,
    DuplicateField,
    /// A translation target, or a choice, that is not an active value of the picklist.
    PicklistAnswerNotActive,
    /// The answer's shape does not suit the field, e.g. a phone answer into an email field.
    FormatMismatch,
}

/// Errors block saving a mapping; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckSeverity {
    Warning,
    Error,
}

/// The one-click fix a check offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckFix {
    MakeQuestionRequired {
        #[ts(type = "number")]
        question_id: i64,
    },
    RemoveRow {
        field: String,
    },
    EnableTruncate {
        field: String,
    },
    MapField {
        field: String,
        source: Source,
    },
}

/// One failing check of a mapping, or of one booking's values in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Check {
    pub code: CheckCode,
    pub severity: CheckSeverity,
    /// The field's API name; `null` for checks of the mapping as a whole.
    pub field: Option<String>,
    /// Names the field and the source, and says what to do.
    pub message: String,
    pub fix: Option<CheckFix>,
}

/// A field the rows editor's dropdown offers (createable fields only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldOption {
    pub name: String,
    pub label: String,
    /// The describe type: `string`, `email`, `picklist`, …
    pub field_type: String,
    /// Characters the field holds; `null` for fields without a length (numbers, dates, …).
    #[ts(type = "number | null")]
    pub length: Option<i64>,
    pub required: bool,
    /// The active values of a picklist, in the org's order.
    pub picklist_values: Vec<String>,
    pub restricted: bool,
}

/// One field of a previewed record, with where its value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PreviewField {
    pub field: String,
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
    /// The source in words, e.g. `question "Name"`.
    pub source: String,
    /// The transform in words; empty when the value is posted as-is.
    pub transform: String,
}

/// The exact record a booking would post, its fields explained, and every failing check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Preview {
    /// The JSON record as posted: `{"attributes":{"type":"Lead"}, "LastName": …}`.
    #[ts(type = "unknown")]
    pub record: serde_json::Value,
    pub fields: Vec<PreviewField>,
    pub checks: Vec<Check>,
}

/// A query parameter of a booking URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueryParam {
    pub name: String,
    pub value: String,
}

/// Answers typed into the preview form instead of a real booking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SampleBooking {
    #[serde(default)]
    pub answers: Vec<SampleAnswer>,
    /// RFC 3339.
    #[serde(default)]
    pub start_utc: Option<String>,
    #[serde(default)]
    pub guest_timezone: Option<String>,
    /// e.g. `ja` or `en`; decides the order of a full name's parts.
    #[serde(default)]
    pub guest_locale: Option<String>,
    #[serde(default)]
    pub query: Vec<QueryParam>,
}

/// A typed answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SampleAnswer {
    #[ts(type = "number")]
    pub question_id: i64,
    pub value: String,
}

// ---- Queue and sync log (issue 7)

/// Where a booking's outbox job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Its calendar has no enabled integration yet; enabling one queues it.
    Held,
    Queued,
    /// Claimed by a push, under a lease.
    InFlight,
    /// Failed for a reason that may pass; tried again at `next_attempt_at`.
    Retry,
    /// The Lead exists; `salesforce_id` names it.
    Done,
    /// Failed for good (or too often): support must look, fix, and retry or skip.
    NeedsAttention,
    Skipped,
    /// The guest cancelled before it was pushed.
    Cancelled,
}

/// What a job does at Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    Create,
    /// A reschedule: update the Lead made for the original booking where mapped fields changed.
    Update,
}

/// How many jobs are in each state, and whether pushing is paused (and why).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueCounts {
    #[ts(type = "number")]
    pub held: i64,
    #[ts(type = "number")]
    pub queued: i64,
    #[ts(type = "number")]
    pub in_flight: i64,
    #[ts(type = "number")]
    pub retry: i64,
    #[ts(type = "number")]
    pub done: i64,
    #[ts(type = "number")]
    pub needs_attention: i64,
    #[ts(type = "number")]
    pub skipped: i64,
    #[ts(type = "number")]
    pub cancelled: i64,
    /// Why pushing is paused: by a person, near the daily API limit, or until Salesforce is
    /// connected again; `null` while it runs.
    pub paused: Option<String>,
}

/// A job as the queue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobSummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub booking_id: i64,
    /// The scheduling product's booking id.
    pub event_id: String,
    #[ts(type = "number | null")]
    pub calendar_id: Option<i64>,
    pub calendar_name: Option<String>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub start_at: Option<String>,
    pub state: JobState,
    pub action: JobAction,
    #[ts(type = "number")]
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub salesforce_id: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    /// What happened besides attempts: cancelled by the guest, skipped by support…
    pub note: Option<String>,
    pub updated_at: String,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobFilter {
    #[serde(default)]
    pub state: Option<JobState>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub calendar_id: Option<i64>,
    /// Matches the guest's name or e-mail, or the booking id.
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub limit: Option<i64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub offset: Option<i64>,
}

/// A page of jobs, newest first, with how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobPage {
    pub jobs: Vec<JobSummary>,
    #[ts(type = "number")]
    pub total: i64,
}

/// One try at Salesforce: the exact record sent and Salesforce's answer for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttemptInfo {
    #[ts(type = "number")]
    pub attempt: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[ts(type = "number | null")]
    pub http_status: Option<i64>,
    #[ts(type = "unknown")]
    pub request: serde_json::Value,
    #[ts(type = "unknown")]
    pub response: serde_json::Value,
    /// done, retry, throttled, auth, permanent or unknown.
    pub outcome: String,
}

/// A job with everything support needs: the booking, each attempt, and a link to the Lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JobDetail {
    pub job: JobSummary,
    pub attempts: Vec<AttemptInfo>,
    /// The Lead in Salesforce's UI, once it exists.
    pub lead_url: Option<String>,
    /// The booking's webhook payload as received.
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
}

/// A failure, explained for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncLogEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub job_id: Option<i64>,
    #[ts(type = "number | null")]
    pub booking_id: Option<i64>,
    #[ts(type = "number | null")]
    pub calendar_id: Option<i64>,
    pub calendar_name: Option<String>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    /// Salesforce's error code (or Leadline's: `invalid_grant`, `unreachable`, `mapping`).
    pub error_code: String,
    pub message: String,
    pub fields: Vec<String>,
    /// Records a duplicate rule matched.
    pub duplicate_ids: Vec<String>,
    #[ts(type = "number")]
    pub attempt: i64,
    pub occurred_at: String,
    pub resolved_at: Option<String>,
    /// The job's state now.
    pub job_state: Option<JobState>,
    pub title: String,
    pub cause: String,
    pub fix: String,
}

/// Which sync-log entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncLogFilter {
    #[serde(default)]
    #[ts(type = "number | null")]
    pub calendar_id: Option<i64>,
    #[serde(default)]
    pub error_code: Option<String>,
    /// The job's state now, e.g. `needs_attention`.
    #[serde(default)]
    pub job_state: Option<JobState>,
    /// RFC 3339: entries at or after.
    #[serde(default)]
    pub since: Option<String>,
    /// RFC 3339: entries before.
    #[serde(default)]
    pub until: Option<String>,
    /// Hide entries whose job has since succeeded or been skipped.
    #[serde(default)]
    pub unresolved_only: bool,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub limit: Option<i64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub offset: Option<i64>,
}

/// A page of the sync log, newest first, with the codes present for the filter's menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncLogPage {
    pub entries: Vec<SyncLogEntry>,
    #[ts(type = "number")]
    pub total: i64,
    pub codes: Vec<String>,
}

/// What importing a file of payloads did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    #[ts(type = "number")]
    pub payloads: i64,
    #[ts(type = "number")]
    pub queued: i64,
    #[ts(type = "number")]
    pub held: i64,
    /// Already received before: nothing new was made.
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub cancellations: i64,
    #[ts(type = "number")]
    pub calendars_registered: i64,
    /// Each malformed payload, by its position in the file, with the offending field.
    pub errors: Vec<String>,
}

/// What one push did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PushReport {
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub done: i64,
    #[ts(type = "number")]
    pub retry: i64,
    #[ts(type = "number")]
    pub needs_attention: i64,
    #[ts(type = "number")]
    pub requests: i64,
    pub paused: Option<String>,
}

/// Which jobs a retry or skip applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSelection {
    Jobs {
        #[ts(type = "number[]")]
        ids: Vec<i64>,
    },
    /// Every job needing attention whose last error has this code.
    Code { code: String },
    /// Every job needing attention.
    All,
}

/// The push's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncSettings {
    /// Requests in flight at once (1 to 16).
    #[ts(type = "number")]
    pub concurrency: i64,
    /// Pause when this share of the daily API limit is used (0.1 to 1.0).
    pub pause_share: f64,
    /// A Lead field that is External ID and Unique, to upsert on the booking id; `null` creates.
    pub external_id_field: Option<String>,
    /// Run the webhook receiver inside the app.
    pub webhook_enabled: bool,
    /// Where the receiver listens; 127.0.0.1 by default.
    pub webhook_bind: String,
    #[ts(type = "number")]
    pub webhook_port: i64,
}

/// The webhook receiver inside the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WebhookStatus {
    pub enabled: bool,
    /// Where it listens, when it does: the URL to give TimeRex.
    pub url: Option<String>,
    /// Whether a token is kept (never the token itself).
    pub token_set: bool,
    /// Why it is not listening although enabled.
    pub error: Option<String>,
}

/// The stable codes an error crosses IPC with; the UI branches on these, never on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    Forbidden,
    /// Signed in with an identity that is not on the team.
    NotAMember,
    /// Nobody is signed in (or the session ended): sign in first.
    NotSignedIn,
    /// The browser sign-in did not complete; the message says why.
    SignInFailed,
    /// The person cancelled the sign-in.
    SignInCancelled,
    /// No OS keyring to keep secrets in.
    KeyringUnavailable,
    DatabaseTooNew,
    Storage,
    /// Connecting Salesforce did not complete; the message gives the cause and the fix.
    ConnectFailed,
    /// The person cancelled connecting Salesforce.
    ConnectCancelled,
    /// No Salesforce org is connected.
    NotConnected,
    /// Salesforce refused the stored tokens: connect again.
    ReconnectRequired,
    /// Salesforce answered with an error or could not be reached; the message says which.
    Salesforce,
    /// A mapping Salesforce would reject: the message lists every error.
    MappingInvalid,
}

/// An error as it crosses IPC: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
}

/// The TypeScript declarations of every IPC type, as `(file name, contents)` pairs, in the layout
/// committed under `ui/src/gen/`.
pub fn typescript_bindings() -> Vec<(String, String)> {
    fn one<T: TS + 'static>(out: &mut Vec<(String, String)>) {
        let cfg = ts_rs::Config::new();
        let name = format!("{}.ts", T::name(&cfg));
        // `export_to_string` only fails for types that cannot be exported (generic placeholders);
        // every type listed below is concrete, and the bindings test proves it.
        if let Ok(text) = T::export_to_string(&cfg) {
            out.push((name, text));
        }
    }
    let mut out = Vec::new();
    one::<Role>(&mut out);
    one::<Member>(&mut out);
    one::<AppInfo>(&mut out);
    one::<QuestionKind>(&mut out);
    one::<StandardField>(&mut out);
    one::<Calendar>(&mut out);
    one::<Question>(&mut out);
    one::<CalendarDetail>(&mut out);
    one::<QuestionInput>(&mut out);
    one::<ProviderKind>(&mut out);
    one::<ProviderInfo>(&mut out);
    one::<SignInRequest>(&mut out);
    one::<VerifiedIdentity>(&mut out);
    one::<NewMember>(&mut out);
    one::<AuditEntry>(&mut out);
    one::<AuditFilter>(&mut out);
    one::<AuditPage>(&mut out);
    one::<ExportedFile>(&mut out);
    one::<TeamSettings>(&mut out);
    one::<LoginHostKind>(&mut out);
    one::<ConnectRequest>(&mut out);
    one::<ConnectDefaults>(&mut out);
    one::<ApiUsageInfo>(&mut out);
    one::<SalesforceConnection>(&mut out);
    one::<ConnectionStatus>(&mut out);
    one::<Disconnected>(&mut out);
    one::<Severity>(&mut out);
    one::<Finding>(&mut out);
    one::<DoctorReport>(&mut out);
    one::<IntegrationDetail>(&mut out);
    one::<IntegrationSettings>(&mut out);
    one::<PreviewInput>(&mut out);
    one::<JobState>(&mut out);
    one::<JobAction>(&mut out);
    one::<QueueCounts>(&mut out);
    one::<JobSummary>(&mut out);
    one::<JobFilter>(&mut out);
    one::<JobPage>(&mut out);
    one::<AttemptInfo>(&mut out);
    one::<JobDetail>(&mut out);
    one::<SyncLogEntry>(&mut out);
    one::<SyncLogFilter>(&mut out);
    one::<SyncLogPage>(&mut out);
    one::<ImportReport>(&mut out);
    one::<PushReport>(&mut out);
    one::<JobSelection>(&mut out);
    one::<SyncSettings>(&mut out);
    one::<WebhookStatus>(&mut out);
    one::<ErrorCode>(&mut out);
    one::<ErrorPayload>(&mut out);
    one::<BookingAttribute>(&mut out);
    one::<Source>(&mut out);
    one::<NamePart>(&mut out);
    one::<PicklistEntry>(&mut out);
    one::<Transform>(&mut out);
    one::<MappingRow>(&mut out);
    one::<CheckCode>(&mut out);
    one::<CheckSeverity>(&mut out);
    one::<CheckFix>(&mut out);
    one::<Check>(&mut out);
    one::<FieldOption>(&mut out);
    one::<PreviewField>(&mut out);
    one::<Preview>(&mut out);
    one::<QueryParam>(&mut out);
    one::<SampleBooking>(&mut out);
    one::<SampleAnswer>(&mut out);
    out
}
