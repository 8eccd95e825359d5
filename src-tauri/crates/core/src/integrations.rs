//! A calendar's service integration with Salesforce as the admin edits it: adding it (with every
//! required field pre-selected), saving its rows — refused while any check fails with an error,
//! so a mapping Salesforce would reject is never stored — enabling, assignment rules, removal,
//! previews of the exact record, and mapping files. The org's describe is cached in SQLite with
//! its fetch time, refreshed on demand and once a day old, and the editor keeps working from the
//! cache when Salesforce is out of reach.

use std::sync::Arc;

use leadline_salesforce::rest::ObjectDescribe;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::booking;
use crate::error::{Error, Result};
use crate::ipc::{
    Check, CheckSeverity, ExportedFile, IntegrationDetail, IntegrationSettings, JobState,
    MappingRow, Preview, PreviewInput, Question,
};
use crate::mapping::{self, file, preview::PreviewBooking};
use crate::secrets::SecretStore;
use crate::store::{CachedDescribe, IntegrationRecord, Tx};

/// The one service Leadline integrates with today.
pub const SALESFORCE: &str = "salesforce";
/// The object a new integration posts; stored per integration so Contact can follow.
pub const DEFAULT_TARGET: &str = "Lead";
/// A cached describe older than this is fetched again when Salesforce can be reached.
pub const DESCRIBE_MAX_AGE: time::Duration = time::Duration::days(1);

/// A describe ready to check against, with where it came from.
#[derive(Debug, Clone)]
pub struct Schema {
    pub describe: ObjectDescribe,
    pub fetched_at: String,
    /// Why a fresher one could not be had, when the cache was older than a day.
    pub stale: Option<String>,
}

fn parse_describe(body: &str) -> Result<ObjectDescribe> {
    serde_json::from_str(body)
        .map_err(|e| Error::Storage(format!("the cached describe is not readable: {e}")))
}

fn older_than_a_day(fetched_at: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(fetched_at, &Rfc3339).map_or(true, |t| now - t > DESCRIBE_MAX_AGE)
}

fn errors_of(checks: &[Check]) -> Vec<&Check> {
    checks
        .iter()
        .filter(|c| c.severity == CheckSeverity::Error)
        .collect()
}

fn refuse(what: &str, checks: &[Check]) -> Error {
    let list: Vec<String> = errors_of(checks)
        .iter()
        .map(|c| format!("- {}", c.message))
        .collect();
    Error::MappingInvalid(format!(
        "{what}: Salesforce would reject it ({} error{}):\n{}",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        list.join("\n")
    ))
}

/// Queues the bookings a calendar held while it had no enabled integration — or, when the admin
/// leaves them out, marks them skipped. Recorded in the audit log by the caller's entry.
fn release_held(tx: &Tx<'_>, calendar_id: i64, skip: bool, now: &str) -> Result<i64> {
    if skip {
        tx.release_held(
            calendar_id,
            JobState::Skipped,
            Some("left out when the integration was enabled"),
            now,
        )
    } else {
        tx.release_held(calendar_id, JobState::Queued, None, now)
    }
}

impl Leadline {
    /// The target object's describe for the open connection: the cache when it is less than a
    /// day old (and `refresh` is not asked), else a fresh one from Salesforce — or, when
    /// Salesforce cannot be reached, the cache with the reason it is stale.
    pub async fn schema(
        &self,
        object: &str,
        secrets: Arc<dyn SecretStore>,
        refresh: bool,
    ) -> Result<Schema> {
        let open = self.store.read(|tx| tx.open_connection())?.ok_or_else(|| {
            Error::NotConnected(
                "Salesforce is not connected, so its Lead fields are unknown; an owner or admin connects it in Team settings → Integrations".into(),
            )
        })?;
        let org_id = open.facts.org_id.clone();
        let cached = self.store.read(|tx| tx.cached_describe(&org_id, object))?;
        if let Some(c) = &cached
            && !refresh
            && !older_than_a_day(&c.fetched_at, self.clock.now())
        {
            return Ok(Schema {
                describe: parse_describe(&c.body)?,
                fetched_at: c.fetched_at.clone(),
                stale: None,
            });
        }
        let fetched = match self.salesforce_client(secrets) {
            Ok((_, client)) => client
                .describe(object)
                .await
                .map_err(|e| Error::Salesforce(format!("cannot read the {object} fields: {e}"))),
            Err(e) => Err(e),
        };
        match (fetched, cached) {
            (Ok(describe), _) => {
                let body = serde_json::to_string(&describe)
                    .map_err(|e| Error::Storage(format!("cannot encode the describe: {e}")))?;
                let now = self.now();
                self.store
                    .write(|tx| tx.cache_describe(&org_id, object, &now, &body))?;
                Ok(Schema {
                    describe,
                    fetched_at: now,
                    stale: None,
                })
            }
            (Err(e), Some(CachedDescribe { fetched_at, body })) => Ok(Schema {
                describe: parse_describe(&body)?,
                fetched_at,
                stale: Some(e.to_string()),
            }),
            (Err(e), None) => Err(e),
        }
    }

    fn record(&self, calendar_id: i64) -> Result<Option<IntegrationRecord>> {
        self.store.read(|tx| {
            if tx.calendar(calendar_id)?.is_none() {
                return Err(Error::NotFound(format!(
                    "calendar {calendar_id} does not exist"
                )));
            }
            tx.integration(calendar_id, SALESFORCE)
        })
    }

    fn existing(&self, calendar_id: i64) -> Result<IntegrationRecord> {
        self.record(calendar_id)?.ok_or_else(|| {
            Error::NotFound(format!(
                "calendar {calendar_id} has no Salesforce integration; add one first"
            ))
        })
    }

    fn questions_of(&self, calendar_id: i64) -> Result<Vec<Question>> {
        self.store.read(|tx| tx.questions(calendar_id))
    }

    fn detail(
        &self,
        record: &IntegrationRecord,
        rows: Vec<MappingRow>,
        schema: &Schema,
    ) -> Result<IntegrationDetail> {
        let questions = self.questions_of(record.calendar_id)?;
        Ok(IntegrationDetail {
            calendar_id: record.calendar_id,
            target_object: record.target_object.clone(),
            enabled: record.enabled,
            auto_assign: record.auto_assign,
            checks: mapping::checks::check(&rows, &schema.describe, &questions),
            rows,
            fields: mapping::field_options(&schema.describe),
            describe_fetched_at: schema.fetched_at.clone(),
            describe_stale: schema.stale.clone(),
            held_bookings: self.store.read(|tx| tx.held_jobs(record.calendar_id))?,
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
        })
    }

    /// The calendar's Salesforce integration with its rows, checks and the fields on offer;
    /// `None` when the calendar has none. Any member may read it.
    pub async fn integration(
        &self,
        actor: &Actor,
        calendar_id: i64,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Option<IntegrationDetail>> {
        actor.may(Action::Read)?;
        let Some(record) = self.record(calendar_id)? else {
            return Ok(None);
        };
        let schema = self.schema(&record.target_object, secrets, false).await?;
        let rows = self.store.read(|tx| tx.mapping_rows(record.id))?;
        self.detail(&record, rows, &schema).map(Some)
    }

    /// Adds the Salesforce integration to a calendar (owner and admin), every required field
    /// pre-selected with a best-guess source. It starts enabled when its checks pass.
    pub async fn add_integration(
        &self,
        actor: &Actor,
        calendar_id: i64,
        skip_held: bool,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<IntegrationDetail> {
        actor.may(Action::EditCalendars)?;
        if self.record(calendar_id)?.is_some() {
            return Err(Error::Conflict(format!(
                "calendar {calendar_id} already has a Salesforce integration"
            )));
        }
        let schema = self.schema(DEFAULT_TARGET, secrets, false).await?;
        let questions = self.questions_of(calendar_id)?;
        let rows = mapping::defaults::initial_rows(&schema.describe, &questions);
        let checks = mapping::checks::check(&rows, &schema.describe, &questions);
        let enabled = errors_of(&checks).is_empty();
        let now = self.now();
        let record = self.store.write(|tx| {
            let id =
                tx.insert_integration(calendar_id, SALESFORCE, DEFAULT_TARGET, enabled, &now)?;
            tx.replace_mapping_rows(id, &rows)?;
            if enabled {
                release_held(tx, calendar_id, skip_held, &now)?;
            }
            tx.audit(
                &now,
                actor,
                "integration.add",
                &format!("calendar:{calendar_id}"),
                &json!({ "target_object": DEFAULT_TARGET, "rows": rows.len(), "enabled": enabled }),
            )?;
            tx.integration(calendar_id, SALESFORCE)?
                .ok_or_else(|| Error::Storage("the new integration was not recorded".into()))
        })?;
        self.detail(&record, rows, &schema)
    }

    /// The checks `rows` would fail if saved, for the editor to show as the admin types (any
    /// member may check; nothing is written).
    pub async fn check_mapping(
        &self,
        actor: &Actor,
        calendar_id: i64,
        rows: &[MappingRow],
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Vec<Check>> {
        actor.may(Action::Read)?;
        let record = self.existing(calendar_id)?;
        let schema = self.schema(&record.target_object, secrets, false).await?;
        let questions = self.questions_of(calendar_id)?;
        Ok(mapping::checks::check(rows, &schema.describe, &questions))
    }

    /// Replaces the integration's rows (owner and admin). Refused, with every error named, while
    /// any check fails with an error; warnings are allowed.
    pub async fn save_mapping(
        &self,
        actor: &Actor,
        calendar_id: i64,
        rows: Vec<MappingRow>,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<IntegrationDetail> {
        actor.may(Action::EditCalendars)?;
        let record = self.existing(calendar_id)?;
        let schema = self.schema(&record.target_object, secrets, false).await?;
        let questions = self.questions_of(calendar_id)?;
        let checks = mapping::checks::check(&rows, &schema.describe, &questions);
        if !errors_of(&checks).is_empty() {
            return Err(refuse("the mapping was not saved", &checks));
        }
        let now = self.now();
        let record = self.store.write(|tx| {
            tx.replace_mapping_rows(record.id, &rows)?;
            tx.update_integration(record.id, record.enabled, record.auto_assign, &now)?;
            tx.audit(
                &now,
                actor,
                "integration.mapping",
                &format!("calendar:{calendar_id}"),
                &json!({ "fields": rows.iter().map(|r| r.field.as_str()).collect::<Vec<_>>() }),
            )?;
            tx.integration(calendar_id, SALESFORCE)?
                .ok_or_else(|| Error::Storage("the integration vanished".into()))
        })?;
        self.detail(&record, rows, &schema)
    }

    /// Turns the integration on or off and chooses whether the org's assignment rules run
    /// (owner and admin). Enabling is refused while the stored mapping has errors (a field
    /// deleted in the org since it was saved, say).
    pub async fn set_integration(
        &self,
        actor: &Actor,
        calendar_id: i64,
        settings: &IntegrationSettings,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<IntegrationDetail> {
        actor.may(Action::EditCalendars)?;
        let record = self.existing(calendar_id)?;
        let schema = self.schema(&record.target_object, secrets, false).await?;
        let rows = self.store.read(|tx| tx.mapping_rows(record.id))?;
        if settings.enabled && !record.enabled {
            let questions = self.questions_of(calendar_id)?;
            let checks = mapping::checks::check(&rows, &schema.describe, &questions);
            if !errors_of(&checks).is_empty() {
                return Err(refuse("the integration was not enabled", &checks));
            }
        }
        let now = self.now();
        let enabling = settings.enabled && !record.enabled;
        let skip_held = settings.skip_held.unwrap_or(false);
        let record = self.store.write(|tx| {
            tx.update_integration(record.id, settings.enabled, settings.auto_assign, &now)?;
            if enabling {
                release_held(tx, calendar_id, skip_held, &now)?;
            }
            tx.audit(
                &now,
                actor,
                "integration.settings",
                &format!("calendar:{calendar_id}"),
                &json!({ "enabled": settings.enabled, "auto_assign": settings.auto_assign }),
            )?;
            tx.integration(calendar_id, SALESFORCE)?
                .ok_or_else(|| Error::Storage("the integration vanished".into()))
        })?;
        self.detail(&record, rows, &schema)
    }

    /// Removes the calendar's integration and its rows (owner and admin).
    pub fn remove_integration(&self, actor: &Actor, calendar_id: i64) -> Result<()> {
        actor.may(Action::EditCalendars)?;
        let record = self.existing(calendar_id)?;
        let now = self.now();
        self.store.write(|tx| {
            tx.delete_integration(record.id)?;
            tx.audit(
                &now,
                actor,
                "integration.remove",
                &format!("calendar:{calendar_id}"),
                &json!({}),
            )
        })
    }

    /// Fetches the integration's describe again now (any member may; it changes no mapping).
    pub async fn refresh_schema(
        &self,
        actor: &Actor,
        calendar_id: i64,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<IntegrationDetail> {
        actor.may(Action::Read)?;
        let record = self.existing(calendar_id)?;
        let schema = self.schema(&record.target_object, secrets, true).await?;
        if let Some(why) = &schema.stale {
            return Err(Error::Salesforce(why.clone()));
        }
        let rows = self.store.read(|tx| tx.mapping_rows(record.id))?;
        self.detail(&record, rows, &schema)
    }

    /// The exact record a booking would post through `rows` (the stored ones when `None`), each
    /// field with its source, and every failing check — without calling Salesforce beyond the
    /// describe. Support may preview too.
    pub async fn preview(
        &self,
        actor: &Actor,
        calendar_id: i64,
        input: &PreviewInput,
        rows: Option<Vec<MappingRow>>,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Preview> {
        actor.may(Action::Read)?;
        let record = self.existing(calendar_id)?;
        let schema = self.schema(&record.target_object, secrets, false).await?;
        let rows = match rows {
            Some(r) => r,
            None => self.store.read(|tx| tx.mapping_rows(record.id))?,
        };
        let questions = self.questions_of(calendar_id)?;
        let parsed;
        let booking = match input {
            PreviewInput::Payload { payload } => {
                parsed = booking::parse(payload.as_bytes())
                    .map_err(|e| Error::InvalidInput(format!("payload: {e}")))?;
                PreviewBooking::Webhook(&parsed)
            }
            PreviewInput::Booking { booking_id } => {
                let raw = self
                    .store
                    .read(|tx| tx.booking_payload(*booking_id))?
                    .ok_or_else(|| {
                        Error::NotFound(format!("booking {booking_id} does not exist"))
                    })?;
                parsed = booking::parse(raw.as_bytes()).map_err(|e| {
                    Error::Storage(format!("booking {booking_id}'s stored payload: {e}"))
                })?;
                PreviewBooking::Webhook(&parsed)
            }
            PreviewInput::Sample { sample } => PreviewBooking::Sample(sample),
        };
        let calendar_name = self
            .store
            .read(|tx| tx.calendar(calendar_id))?
            .map(|c| c.name)
            .unwrap_or_default();
        Ok(mapping::preview::preview(
            &rows,
            &schema.describe,
            &questions,
            &calendar_name,
            &booking,
        ))
    }

    /// Writes the calendar's integration as a mapping file beside the database (any member).
    pub fn export_mapping(&self, actor: &Actor, calendar_id: i64) -> Result<(String, String)> {
        actor.may(Action::Read)?;
        let record = self.existing(calendar_id)?;
        let (calendar, rows, questions) = self.store.read(|tx| {
            Ok((
                tx.calendar(calendar_id)?,
                tx.mapping_rows(record.id)?,
                tx.questions(calendar_id)?,
            ))
        })?;
        let name = calendar.map(|c| c.name).unwrap_or_default();
        let text = file::export(
            &name,
            &record.target_object,
            record.enabled,
            record.auto_assign,
            &rows,
            &questions,
        );
        Ok((name, text))
    }

    /// [`Leadline::export_mapping`] into a file in the data directory.
    pub fn export_mapping_file(&self, actor: &Actor, calendar_id: i64) -> Result<ExportedFile> {
        let (name, text) = self.export_mapping(actor, calendar_id)?;
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self
            .data_dir()
            .join(format!("mapping-{calendar_id}-{safe}.json"));
        std::fs::write(&path, &text)
            .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
        let rows = text.matches("\"field\"").count() as i64;
        Ok(ExportedFile {
            path: path.display().to_string(),
            rows,
        })
    }

    /// Imports a mapping file into the calendar (owner and admin), creating the integration when
    /// there is none. Every problem in the file is reported at once, and nothing is written
    /// unless the whole file is valid against the org's current schema.
    pub async fn import_mapping(
        &self,
        actor: &Actor,
        calendar_id: i64,
        text: &str,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<IntegrationDetail> {
        actor.may(Action::EditCalendars)?;
        let existing = self.record(calendar_id)?;
        let target = existing
            .as_ref()
            .map_or(DEFAULT_TARGET.to_string(), |r| r.target_object.clone());
        let schema = self.schema(&target, secrets, false).await?;
        let questions = self.questions_of(calendar_id)?;
        let imported = file::import(text, &questions, &schema.describe).map_err(|problems| {
            Error::InvalidInput(format!(
                "the mapping file has {} problem{}:\n{}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                problems
                    .iter()
                    .map(|p| format!("- {p}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        })?;
        if imported.target_object != target {
            return Err(Error::InvalidInput(format!(
                "target object: the file maps {} but this calendar's integration posts {target}",
                imported.target_object
            )));
        }
        let checks = mapping::checks::check(&imported.rows, &schema.describe, &questions);
        if !errors_of(&checks).is_empty() {
            return Err(refuse("the mapping file was not imported", &checks));
        }
        let now = self.now();
        let rows = imported.rows;
        let record = self.store.write(|tx| {
            let id = match &existing {
                Some(r) => {
                    tx.update_integration(r.id, imported.enabled, imported.auto_assign, &now)?;
                    if imported.enabled && !r.enabled {
                        release_held(tx, calendar_id, false, &now)?;
                    }
                    r.id
                }
                None => {
                    let id = tx.insert_integration(
                        calendar_id,
                        SALESFORCE,
                        &target,
                        imported.enabled,
                        &now,
                    )?;
                    tx.update_integration(id, imported.enabled, imported.auto_assign, &now)?;
                    if imported.enabled {
                        release_held(tx, calendar_id, false, &now)?;
                    }
                    id
                }
            };
            tx.replace_mapping_rows(id, &rows)?;
            tx.audit(
                &now,
                actor,
                "integration.import",
                &format!("calendar:{calendar_id}"),
                &json!({ "rows": rows.len() }),
            )?;
            tx.integration(calendar_id, SALESFORCE)?
                .ok_or_else(|| Error::Storage("the integration vanished".into()))
        })?;
        self.detail(&record, rows, &schema)
    }
}
