//! Bookings in: one payload, from the webhook receiver or a file, becomes a stored booking and
//! its outbox job in one transaction — or nothing at all. A redelivered payload is recognised by
//! its canonical hash (and by its booking id) and makes nothing new; a payload for a calendar
//! Leadline has not seen registers it (name, URL path, form labels as questions); a booking of a
//! calendar without an enabled integration is held, never dropped. A cancellation removes a job
//! not yet pushed, or is noted beside the Lead it cannot undo; a reschedule never makes a second
//! Lead: it replaces a job not yet pushed, or updates the Lead made for the original booking.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::booking::{self, Booking, FormAnswer, WebhookType};
use crate::error::{Error, Result};
use crate::integrations::SALESFORCE;
use crate::ipc::{ImportReport, JobAction, JobState, QuestionInput, QuestionKind, StandardField};
use crate::questions::clean_input;
use crate::store::{NewBooking, Tx};

/// Which door a payload came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeSource {
    Webhook,
    File,
}

impl IntakeSource {
    fn as_str(self) -> &'static str {
        match self {
            IntakeSource::Webhook => "webhook",
            IntakeSource::File => "file",
        }
    }
}

/// What accepting one payload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// A job waits for the push.
    Queued,
    /// A job waits for the calendar's integration to be enabled.
    Held,
    /// This payload was received before; nothing new was made.
    Duplicate,
    /// A cancellation, recorded (and the job removed when it had not been pushed).
    Cancellation,
}

/// The outcome of one payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub booking_id: i64,
    pub intake: Intake,
    pub calendar_registered: bool,
}

/// The hash a payload is recognised by: of its JSON with keys sorted, so a redelivery that only
/// reorders or re-spaces the same content is still the same payload.
pub fn payload_hash(raw: &Value) -> String {
    let canonical = raw.to_string();
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn webhook_type_text(t: WebhookType) -> &'static str {
    match t {
        WebhookType::Confirmed => "event_confirmed",
        WebhookType::Cancelled => "event_cancelled",
    }
}

/// A form entry's question, for registering a calendar from its first payload.
fn question_for(answer: &FormAnswer) -> (QuestionInput, Option<StandardField>) {
    let (kind, standard) = match answer.field_type.as_str() {
        "company_name" => (QuestionKind::ShortText, Some(StandardField::CompanyName)),
        "guest_name" => (QuestionKind::ShortText, Some(StandardField::GuestName)),
        "guest_email" => (QuestionKind::Email, Some(StandardField::GuestEmail)),
        "guest_comment" => (QuestionKind::LongText, Some(StandardField::GuestComment)),
        "guest_phone" => (QuestionKind::Phone, None),
        _ => (QuestionKind::ShortText, None),
    };
    let label = if answer.label.trim().is_empty() {
        answer.field_type.clone()
    } else {
        answer.label.clone()
    };
    let locked = standard.is_some_and(StandardField::locked);
    (
        QuestionInput {
            label,
            kind,
            required: answer.required || locked,
            choices: Vec::new(),
        },
        standard,
    )
}

/// The calendar a booking belongs to: by its URL path, else an unlinked calendar of the same
/// name (which it then links), else a new one registered from the payload.
fn calendar_for(tx: &Tx<'_>, b: &Booking, now: &str) -> Result<(Option<i64>, bool)> {
    let Some(path) = b.calendar_url_path.as_deref().filter(|p| !p.is_empty()) else {
        return Ok((None, false));
    };
    if let Some(id) = tx.calendar_by_path(path)? {
        return Ok((Some(id), false));
    }
    let name = b
        .calendar_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("Calendar {path}"));
    if let Some(id) = tx.calendar_named(&name)?
        && tx.calendar_path(id)?.is_none()
    {
        tx.set_calendar_paths(id, path, b.team_url_path.as_deref(), now)?;
        return Ok((Some(id), false));
    }
    let name = if tx.calendar_named(&name)?.is_some() {
        format!("{name} ({path})")
    } else {
        name
    };
    let id = tx.insert_calendar(&name, now)?;
    tx.set_calendar_paths(id, path, b.team_url_path.as_deref(), now)?;
    let mut seen = std::collections::HashSet::new();
    let mut standard_seen = std::collections::HashSet::new();
    for answer in &b.form {
        let (input, standard) = question_for(answer);
        let Ok(input) = clean_input(&input) else {
            continue;
        };
        if !seen.insert(input.label.to_lowercase())
            || standard.is_some_and(|s| !standard_seen.insert(s))
        {
            continue;
        }
        tx.insert_question(id, &input, standard, now)?;
    }
    Ok((Some(id), true))
}

fn enabled_integration(tx: &Tx<'_>, calendar: Option<i64>) -> Result<bool> {
    match calendar {
        Some(c) => Ok(tx.integration(c, SALESFORCE)?.is_some_and(|i| i.enabled)),
        None => Ok(false),
    }
}

/// Still waiting to be pushed: a cancellation or a reschedule may replace it.
fn unpushed(state: JobState) -> bool {
    matches!(
        state,
        JobState::Held | JobState::Queued | JobState::Retry | JobState::NeedsAttention
    )
}

/// Writes one parsed payload: booking, then job (or the cancellation's effect).
fn store_booking(
    tx: &Tx<'_>,
    b: &Booking,
    raw_text: &str,
    hash: &str,
    source: IntakeSource,
    now: &str,
) -> Result<Accepted> {
    if let Some(id) = tx.booking_by_hash(hash)? {
        return Ok(Accepted {
            booking_id: id,
            intake: Intake::Duplicate,
            calendar_registered: false,
        });
    }
    let kind = webhook_type_text(b.webhook_type);
    // The same booking event again, told differently (a changed timestamp, say).
    if let Some(id) = tx.booking_by_event(&b.event_id, kind)? {
        return Ok(Accepted {
            booking_id: id,
            intake: Intake::Duplicate,
            calendar_registered: false,
        });
    }
    let (calendar, registered) = calendar_for(tx, b, now)?;
    let guest = |field: &str| {
        b.form
            .iter()
            .find(|a| a.field_type == field)
            .and_then(|a| a.value.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let booking_id = tx.insert_booking(&NewBooking {
        event_id: &b.event_id,
        calendar_id: calendar,
        webhook_type: kind,
        payload_sha256: hash,
        raw_payload: raw_text,
        guest_name: guest("guest_name"),
        guest_email: guest("guest_email"),
        start_at: b.start_utc.as_deref(),
        end_at: b.end_utc.as_deref(),
        guest_timezone: b.guest_timezone.as_deref(),
        old_event_id: b.old_event_id.as_deref(),
        received_at: now,
        source: source.as_str(),
    })?;
    let accepted = |intake| Accepted {
        booking_id,
        intake,
        calendar_registered: registered,
    };

    if b.webhook_type == WebhookType::Cancelled {
        let confirmed = tx.booking_by_event(&b.event_id, "event_confirmed")?;
        if let Some((job, state, sf_id)) = match confirmed {
            Some(c) => tx.job_of_booking(c)?,
            None => None,
        } {
            if unpushed(state) {
                let note = format!("cancelled by the guest at {now}, before it was pushed");
                tx.set_job_state(job, JobState::Cancelled, Some(&note), now)?;
                tx.resolve_log(job, now)?;
            } else {
                let note = match sf_id {
                    Some(id) => format!("the guest cancelled at {now}, after Lead {id} was made"),
                    None => format!("the guest cancelled at {now}, while it was being pushed"),
                };
                tx.note_job(job, &note, now)?;
            }
        }
        return Ok(accepted(Intake::Cancellation));
    }

    // Its cancellation came first (webhooks are not ordered; a file may list it earlier): the
    // booking is kept, but nothing is pushed for it.
    if tx
        .booking_by_event(&b.event_id, "event_cancelled")?
        .is_some()
    {
        let job = tx.insert_job(
            booking_id,
            JobState::Cancelled,
            JobAction::Create,
            None,
            now,
        )?;
        let note = format!("the guest had already cancelled when it arrived at {now}");
        tx.note_job(job, &note, now)?;
        return Ok(accepted(Intake::Cancellation));
    }

    // Its reschedule came first (a file out of order, a late redelivery): the reschedule's job
    // makes the Lead, so this one must not make another.
    if !b.is_changed && tx.rescheduled_from(&b.event_id)?.is_some() {
        let job = tx.insert_job(
            booking_id,
            JobState::Cancelled,
            JobAction::Create,
            None,
            now,
        )?;
        let note = format!("superseded: its reschedule had already arrived when it came at {now}");
        tx.note_job(job, &note, now)?;
        return Ok(accepted(Intake::Cancellation));
    }

    let state = if enabled_integration(tx, calendar)? {
        JobState::Queued
    } else {
        JobState::Held
    };
    let mut action = JobAction::Create;
    let mut original = None;
    if b.is_changed
        && let Some(old) = b.old_event_id.as_deref()
        && let Some(old_booking) = tx.booking_by_event(old, "event_confirmed")?
        && let Some((job, old_state, _)) = tx.job_of_booking(old_booking)?
    {
        // A retry whose last send lost its answer may have made the Lead: like one in flight,
        // it is waited for and its Lead updated, never replaced by a second create.
        let maybe_pushed = old_state == JobState::Retry && tx.job_outcome_unknown(job)?;
        if unpushed(old_state) && !maybe_pushed {
            let note = format!(
                "replaced by the rescheduled booking {} before it was pushed",
                b.event_id
            );
            tx.set_job_state(job, JobState::Cancelled, Some(&note), now)?;
            tx.resolve_log(job, now)?;
            // Rescheduled again before the push: the replaced job was itself an update of an
            // earlier booking's Lead, and so is this one — never a second create.
            if let Some((JobAction::Update, Some(first))) = tx.job_link(job)? {
                action = JobAction::Update;
                original = Some(first);
            }
        } else if maybe_pushed || matches!(old_state, JobState::Done | JobState::InFlight) {
            // Update the original's Lead; an original not yet settled is waited for at push time.
            action = JobAction::Update;
            original = Some(job);
        }
    }
    tx.insert_job(booking_id, state, action, original, now)?;
    Ok(accepted(if state == JobState::Queued {
        Intake::Queued
    } else {
        Intake::Held
    }))
}

/// Splits a file of payloads: a JSON array, or JSON lines (one payload per non-empty line).
fn split_payloads(text: &str) -> Result<Vec<Value>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err("the file is not a JSON array of payloads".into()),
            Err(e) => Err(format!("the file is not valid JSON: {e}")),
        };
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: not JSON: {e}", i + 1)))
        .collect()
}

impl Leadline {
    /// Accepts one webhook payload: stored with its job in one transaction, or refused with the
    /// offending field named and nothing stored. The webhook door calls this after checking its
    /// token; there is no member acting.
    pub fn accept_payload(&self, bytes: &[u8], source: IntakeSource) -> Result<Accepted> {
        let b = booking::parse(bytes).map_err(|e| {
            tracing::warn!("refused a {} payload: {e}", source.as_str());
            Error::InvalidInput(format!("payload: {e}"))
        })?;
        let raw_text = b.raw.to_string();
        let hash = payload_hash(&b.raw);
        let now = self.now();
        let accepted = self
            .store
            .write(|tx| store_booking(tx, &b, &raw_text, &hash, source, &now))?;
        tracing::debug!(event_id = %b.event_id, intake = ?accepted.intake, "payload accepted");
        Ok(accepted)
    }

    /// Imports a file of payloads (owner and admin). Every payload is checked first, and a file
    /// with any malformed one is refused whole, each problem named by its position; a valid file
    /// is stored in one transaction.
    pub fn import_payloads(&self, actor: &Actor, text: &str) -> Result<ImportReport> {
        actor.may(Action::EditCalendars)?;
        let items = split_payloads(text).map_err(Error::InvalidInput)?;
        let mut parsed = Vec::with_capacity(items.len());
        let mut errors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let raw_text = item.to_string();
            match booking::parse(raw_text.as_bytes()) {
                Ok(b) => {
                    let hash = payload_hash(&b.raw);
                    parsed.push((b, raw_text, hash));
                }
                Err(e) => errors.push(format!("payload {}: {e}", i + 1)),
            }
        }
        if !errors.is_empty() {
            return Err(Error::InvalidInput(format!(
                "the file was not imported: {} of {} payloads are malformed:\n{}",
                errors.len(),
                items.len(),
                errors.join("\n")
            )));
        }
        let now = self.now();
        let report = self.store.write(|tx| {
            let mut r = ImportReport {
                payloads: parsed.len() as i64,
                ..ImportReport::default()
            };
            for (b, raw_text, hash) in &parsed {
                let a = store_booking(tx, b, raw_text, hash, IntakeSource::File, &now)?;
                match a.intake {
                    Intake::Queued => r.queued += 1,
                    Intake::Held => r.held += 1,
                    Intake::Duplicate => r.duplicates += 1,
                    Intake::Cancellation => r.cancellations += 1,
                }
                r.calendars_registered += i64::from(a.calendar_registered);
            }
            tx.audit(
                &now,
                actor,
                "bookings.import",
                "bookings",
                &json!({
                    "payloads": r.payloads, "queued": r.queued, "held": r.held,
                    "duplicates": r.duplicates, "cancellations": r.cancellations,
                }),
            )?;
            Ok(r)
        })?;
        Ok(report)
    }
}
