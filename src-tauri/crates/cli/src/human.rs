//! Human-readable renderings of results, for when `--json` is not given.

use leadline_core::ipc::{Calendar, CalendarDetail, Question};

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
