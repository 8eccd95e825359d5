//! Human-readable renderings of results, for when `--json` is not given.

use leadline_core::actor::role_name;
use leadline_core::ipc::{
    AuditPage, Calendar, CalendarDetail, Check, CheckSeverity, DoctorReport, IntegrationDetail,
    JobDetail, JobPage, JobState, Member, Preview, PushReport, Question, QueueCounts,
    SalesforceConnection, Severity, Source, SyncLogPage,
};

pub fn calendars(list: &[Calendar]) -> String {
    if list.is_empty() {
        return "No calendars yet. Create one with: leadline-cli calendars create --name NAME\n"
            .into();
    }
    let mut out = format!(
        "{:>5}  {:<40}  {:>9}  {}\n",
        "ID", "NAME", "QUESTIONS", "CREATED"
    );
    for c in list {
        out.push_str(&format!(
            "{:>5}  {:<40}  {:>9}  {}\n",
            c.id, c.name, c.question_count, c.created_at
        ));
    }
    out
}

pub fn calendar(c: &Calendar) -> String {
    format!(
        "calendar {}: {} ({} questions)\n",
        c.id, c.name, c.question_count
    )
}

pub fn detail(d: &CalendarDetail) -> String {
    let mut out = calendar(&d.calendar);
    out.push_str(&questions(&d.questions));
    out
}

pub fn question(q: &Question) -> String {
    let mut flags = Vec::new();
    if q.required {
        flags.push("required");
    }
    if q.locked {
        flags.push("locked");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", flags.join(", "))
    };
    let choices = if q.choices.is_empty() {
        String::new()
    } else {
        format!(" — {}", q.choices.join(" | "))
    };
    format!(
        "{:>3}. #{} {} ({}){}{}\n",
        q.position,
        q.id,
        q.label,
        q.kind.as_str(),
        flags,
        choices
    )
}

pub fn questions(list: &[Question]) -> String {
    list.iter().map(question).collect()
}

pub fn member(m: &Member) -> String {
    let name = if m.name.is_empty() { "—" } else { &m.name };
    format!(
        "{:>5}  {:<40}  {:<24}  {}\n",
        m.id,
        m.email,
        name,
        role_name(m.role)
    )
}

pub fn members(list: &[Member]) -> String {
    let mut out = format!("{:>5}  {:<40}  {:<24}  {}\n", "ID", "EMAIL", "NAME", "ROLE");
    out.extend(list.iter().map(member));
    out
}

pub fn audit(page: &AuditPage, offset: i64) -> String {
    if page.entries.is_empty() {
        return format!("No audit entries match ({} in all).\n", page.total);
    }
    let mut out = String::new();
    for e in &page.entries {
        out.push_str(&format!(
            "{}  {:<28}  {:<18}  {:<14}  {}\n",
            e.at, e.actor_email, e.action, e.target, e.detail
        ));
    }
    out.push_str(&format!(
        "{}–{} of {}\n",
        offset + 1,
        offset + page.entries.len() as i64,
        page.total
    ));
    out
}

pub fn connection(c: &SalesforceConnection) -> String {
    let mut out = format!(
        "org:          {} ({})\nuser:         {} ({})\ninstance:     {}\nAPI version:  {}\nlogin URL:    {}\nconnected:    {} by {}\n",
        c.org_name.as_deref().unwrap_or("unnamed"),
        c.org_id,
        c.username,
        c.user_id,
        c.instance_url,
        c.api_version,
        c.login_url,
        c.connected_at,
        c.connected_by.as_deref().unwrap_or("a former member"),
    );
    if let Some(u) = &c.api_usage {
        let share = if u.limit > 0 {
            u.used * 100 / u.limit
        } else {
            100
        };
        out.push_str(&format!(
            "API usage:    {} of {} daily requests ({share}%) at {}\n",
            u.used, u.limit, u.at
        ));
    }
    if let Some(r) = &c.reconnect_reason {
        out.push_str(&format!("RECONNECT:    {r}\n"));
    }
    out
}

pub fn doctor(report: &DoctorReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mark = match f.severity {
            Severity::Ok => "ok  ",
            Severity::Warning => "WARN",
            Severity::Error => "FAIL",
        };
        out.push_str(&format!("[{mark}] {}\n", f.title));
        if !f.cause.is_empty() {
            out.push_str(&format!("       why: {}\n", f.cause));
        }
        if !f.fix.is_empty() {
            out.push_str(&format!("       fix: {}\n", f.fix));
        }
    }
    out
}

fn checks(list: &[Check]) -> String {
    if list.is_empty() {
        return "checks: all pass\n".into();
    }
    list.iter()
        .map(|c| {
            let mark = match c.severity {
                CheckSeverity::Error => "ERROR",
                CheckSeverity::Warning => "warn ",
            };
            format!("[{mark}] {}\n", c.message)
        })
        .collect()
}

fn source(s: &Source) -> String {
    match s {
        Source::Question { question_id } => format!("question {question_id}"),
        Source::Attribute { attribute, param } => {
            let name = serde_json::to_value(attribute)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            match param {
                Some(p) => format!("{name} {p}"),
                None => name,
            }
        }
        Source::Fixed { value } => format!("fixed {value:?}"),
    }
}

pub fn integration(d: &IntegrationDetail) -> String {
    let mut out = format!(
        "calendar {} → Salesforce {} ({}, assignment rules {})\nfields as of {}{}\n",
        d.calendar_id,
        d.target_object,
        if d.enabled { "enabled" } else { "disabled" },
        if d.auto_assign { "on" } else { "off" },
        d.describe_fetched_at,
        d.describe_stale
            .as_deref()
            .map(|w| format!(" (could not refresh: {w})"))
            .unwrap_or_default()
    );
    for r in &d.rows {
        out.push_str(&format!("  {:<28} ← {}\n", r.field, source(&r.source)));
    }
    out.push_str(&checks(&d.checks));
    out
}

pub fn preview(p: &Preview) -> String {
    let mut out = serde_json::to_string_pretty(&p.record).unwrap_or_default();
    out.push('\n');
    for f in &p.fields {
        let transform = if f.transform.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.transform)
        };
        out.push_str(&format!("  {:<28} ← {}{transform}\n", f.field, f.source));
    }
    out.push_str(&checks(&p.checks));
    out
}

fn state(s: JobState) -> &'static str {
    leadline_core::store::state_text(s)
}

pub fn counts(c: &QueueCounts) -> String {
    let mut out = format!(
        "held {}  queued {}  in flight {}  retry {}  done {}  needs attention {}  skipped {}  cancelled {}\n",
        c.held, c.queued, c.in_flight, c.retry, c.done, c.needs_attention, c.skipped, c.cancelled
    );
    if let Some(p) = &c.paused {
        out.push_str(&format!("PAUSED: {p}\n"));
    }
    out
}

pub fn jobs(page: &JobPage) -> String {
    let mut out = String::new();
    for j in &page.jobs {
        out.push_str(&format!(
            "{:>7}  {:<16}  {:<28}  {:<20}  {:>2}  {}\n",
            j.id,
            state(j.state),
            j.guest_email.as_deref().unwrap_or("—"),
            j.calendar_name.as_deref().unwrap_or("—"),
            j.attempts,
            j.salesforce_id
                .as_deref()
                .or(j.last_error_code.as_deref())
                .unwrap_or("")
        ));
    }
    out.push_str(&format!("{} of {} jobs\n", page.jobs.len(), page.total));
    out
}

pub fn job_detail(d: &JobDetail) -> String {
    let j = &d.job;
    let mut out = format!(
        "job {} ({}) for booking {} of {}: {}\n",
        j.id,
        match j.action {
            leadline_core::ipc::JobAction::Create => "create",
            leadline_core::ipc::JobAction::Update => "update",
        },
        j.event_id,
        j.guest_email.as_deref().unwrap_or("an unnamed guest"),
        state(j.state)
    );
    if let Some(n) = &j.note {
        out.push_str(&format!("note: {n}\n"));
    }
    if let Some(url) = &d.lead_url {
        out.push_str(&format!("Lead: {url}\n"));
    }
    for a in &d.attempts {
        out.push_str(&format!(
            "attempt {} at {}: {} (HTTP {})\n  sent:   {}\n  answer: {}\n",
            a.attempt,
            a.started_at,
            a.outcome,
            a.http_status.map_or("—".into(), |s| s.to_string()),
            a.request,
            a.response
        ));
    }
    out
}

pub fn push(r: &PushReport) -> String {
    let mut out = format!(
        "sent {} in {} request(s): {} done, {} to retry, {} need attention\n",
        r.sent, r.requests, r.done, r.retry, r.needs_attention
    );
    if let Some(p) = &r.paused {
        out.push_str(&format!("PAUSED: {p}\n"));
    }
    out
}

pub fn sync_log(page: &SyncLogPage) -> String {
    let mut out = String::new();
    for e in &page.entries {
        out.push_str(&format!(
            "{}  {:<28}  {:<20}  {}  (attempt {}{})\n  {}\n  why: {}\n  fix: {}\n",
            e.occurred_at,
            e.guest_email.as_deref().unwrap_or("—"),
            e.calendar_name.as_deref().unwrap_or("—"),
            e.error_code,
            e.attempt,
            if e.resolved_at.is_some() {
                ", resolved"
            } else {
                ""
            },
            e.message,
            e.cause,
            e.fix
        ));
    }
    out.push_str(&format!(
        "{} of {} entries\n",
        page.entries.len(),
        page.total
    ));
    out
}
