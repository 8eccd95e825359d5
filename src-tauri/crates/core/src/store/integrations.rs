//! Service integrations' SQL: a calendar's link to Salesforce (target object, enabled, assignment
//! rules), its mapping rows in order, and the describe cache the mapping editor works from when
//! Salesforce is out of reach.

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::{Error, Result};
use crate::ipc::{BookingAttribute, MappingRow, Source, Transform};

/// A calendar's integration as stored, without its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationRecord {
    pub id: i64,
    pub calendar_id: i64,
    pub target_object: String,
    pub enabled: bool,
    pub auto_assign: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A describe as cached: the JSON Salesforce sent, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDescribe {
    pub fetched_at: String,
    pub body: String,
}

fn integration_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<IntegrationRecord> {
    Ok(IntegrationRecord {
        id: r.get(0)?,
        calendar_id: r.get(1)?,
        target_object: r.get(2)?,
        enabled: r.get(3)?,
        auto_assign: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

const QUERY_PARAM_PREFIX: &str = "query_param:";

/// `(source_kind, source)` as the columns hold them: a question's id, an attribute's name (a
/// query parameter as `query_param:NAME`), or the fixed value itself.
fn source_columns(source: &Source) -> Result<(&'static str, String)> {
    Ok(match source {
        Source::Question { question_id } => ("question", question_id.to_string()),
        Source::Attribute { attribute, param } => {
            let name = serde_json::to_value(attribute)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .ok_or_else(|| Error::Storage(format!("attribute {attribute:?} has no name")))?;
            match (attribute, param) {
                (BookingAttribute::QueryParam, Some(p)) => {
                    ("attribute", format!("{QUERY_PARAM_PREFIX}{p}"))
                }
                _ => ("attribute", name),
            }
        }
        Source::Fixed { value } => ("fixed", value.clone()),
    })
}

fn bad(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(std::io::Error::new(std::io::ErrorKind::InvalidData, what)),
    )
}

fn source_from(kind: &str, source: String) -> rusqlite::Result<Source> {
    match kind {
        "question" => source
            .parse()
            .map(|question_id| Source::Question { question_id })
            .map_err(|_| bad(format!("question source {source:?}"))),
        "attribute" => {
            if let Some(p) = source.strip_prefix(QUERY_PARAM_PREFIX) {
                return Ok(Source::Attribute {
                    attribute: BookingAttribute::QueryParam,
                    param: Some(p.to_string()),
                });
            }
            let attribute: BookingAttribute = serde_json::from_value(source.clone().into())
                .map_err(|_| bad(format!("attribute source {source:?}")))?;
            Ok(Source::Attribute {
                attribute,
                param: None,
            })
        }
        "fixed" => Ok(Source::Fixed { value: source }),
        other => Err(bad(format!("source kind {other:?}"))),
    }
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<MappingRow> {
    let kind: String = r.get(1)?;
    let source = source_from(&kind, r.get(2)?)?;
    let transform: String = r.get(3)?;
    let transform: Transform =
        serde_json::from_str(&transform).map_err(|e| bad(format!("transform: {e}")))?;
    Ok(MappingRow {
        field: r.get(0)?,
        source,
        transform,
    })
}

impl Tx<'_> {
    pub fn integration(
        &self,
        calendar_id: i64,
        service: &str,
    ) -> Result<Option<IntegrationRecord>> {
        Ok(self
            .0
            .query_row(
                "SELECT id, calendar_id, target_object, enabled, auto_assign, created_at, updated_at
                 FROM integrations WHERE calendar_id = ?1 AND service = ?2",
                params![calendar_id, service],
                integration_from,
            )
            .optional()?)
    }

    /// Every integration of a service, enabled or not.
    pub fn integrations(&self, service: &str) -> Result<Vec<IntegrationRecord>> {
        let mut stmt = self.0.prepare(
            "SELECT id, calendar_id, target_object, enabled, auto_assign, created_at, updated_at
             FROM integrations WHERE service = ?1 ORDER BY calendar_id",
        )?;
        let rows = stmt.query_map([service], integration_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_integration(
        &self,
        calendar_id: i64,
        service: &str,
        target_object: &str,
        enabled: bool,
        now: &str,
    ) -> Result<i64> {
        self.0.execute(
            "INSERT INTO integrations (calendar_id, service, target_object, enabled, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![calendar_id, service, target_object, enabled, now],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    pub fn update_integration(
        &self,
        id: i64,
        enabled: bool,
        auto_assign: bool,
        now: &str,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE integrations SET enabled = ?2, auto_assign = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, enabled, auto_assign, now],
        )?;
        Ok(())
    }

    pub fn delete_integration(&self, id: i64) -> Result<()> {
        self.0
            .execute("DELETE FROM integrations WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn mapping_rows(&self, integration_id: i64) -> Result<Vec<MappingRow>> {
        let mut stmt = self.0.prepare(
            "SELECT field, source_kind, source, transform FROM mapping_rows
             WHERE integration_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([integration_id], row_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the integration's rows with `rows`, in that order.
    pub fn replace_mapping_rows(&self, integration_id: i64, rows: &[MappingRow]) -> Result<()> {
        self.0.execute(
            "DELETE FROM mapping_rows WHERE integration_id = ?1",
            [integration_id],
        )?;
        let mut stmt = self.0.prepare(
            "INSERT INTO mapping_rows (integration_id, position, field, source_kind, source, transform)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, row) in rows.iter().enumerate() {
            let (kind, source) = source_columns(&row.source)?;
            let transform = serde_json::to_string(&row.transform)
                .map_err(|e| Error::Storage(format!("cannot encode a transform: {e}")))?;
            stmt.execute(params![
                integration_id,
                i as i64 + 1,
                row.field,
                kind,
                source,
                transform
            ])?;
        }
        Ok(())
    }

    pub fn cached_describe(&self, org_id: &str, object: &str) -> Result<Option<CachedDescribe>> {
        Ok(self
            .0
            .query_row(
                "SELECT fetched_at, body FROM describe_cache WHERE org_id = ?1 AND object = ?2",
                params![org_id, object],
                |r| {
                    Ok(CachedDescribe {
                        fetched_at: r.get(0)?,
                        body: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn cache_describe(&self, org_id: &str, object: &str, at: &str, body: &str) -> Result<()> {
        self.0.execute(
            "INSERT INTO describe_cache (org_id, object, fetched_at, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (org_id, object) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
            params![org_id, object, at, body],
        )?;
        Ok(())
    }
}
