//! sObject Collections (`/composite/sobjects`, API 42.0+; upsert 46.0+): create, update, upsert
//! and delete up to 200 records a request, retrieve by ids. Results come back in request order
//! with `statusCode` inside each record's errors; `allOrNone` rolls everything back and marks
//! the valid records ALL_OR_NONE_OPERATION_ROLLED_BACK. Whatever the JSON reader rejects (an
//! unknown field, a value of the wrong type, a missing or unknown type) fails the whole request.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{ApiVersion, ctx, json_body, select_fields, unknown_object, unsupported_type};
use crate::error::{ApiError, json as sf_json};
use crate::records::values::{self, Seg};
use crate::records::{self, Action, Incoming, Item, Outcome, RecordError};
use crate::schema::{FieldType, ObjectDef};
use crate::session::Session;
use crate::state::Sim;

/// Records a collections request may carry.
pub const MAX_RECORDS: usize = 200;

fn require(version: ApiVersion, since: u32) -> Result<(), ApiError> {
    if version.0 < since {
        Err(ApiError::not_found())
    } else {
        Ok(())
    }
}

fn too_many() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// `{"allOrNone": …, "records": [ … ]}`.
fn records_of(value: &Value) -> Result<(&[Value], bool), ApiError> {
    let Value::Object(m) = value else {
        return Err(ApiError::json_parser(
            "Cannot deserialize instance of SObjectCollection from START_ARRAY value [line:1, column:1]",
        ));
    };
    let list = match m.get("records") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            return Err(ApiError::json_parser(
                "Cannot deserialize instance of list from VALUE_STRING value or request may be missing a required \
                 field at [line:1, column:1]",
            ));
        }
        None => &[],
    };
    if list.len() > MAX_RECORDS {
        return Err(too_many());
    }
    Ok((list, truthy(m.get("allOrNone"))))
}

fn record_map(v: &Value) -> Result<&Map<String, Value>, ApiError> {
    v.as_object().ok_or_else(|| {
        ApiError::json_parser(
            "Cannot deserialize instance of sobject from VALUE_STRING value or request may be missing a required \
             field at [line:1, column:1]",
        )
    })
}

/// The record's `attributes.type`, which every record of a collection must name.
fn record_type<'s>(sim: &'s Sim, m: &Map<String, Value>) -> Result<&'s ObjectDef, ApiError> {
    let name = m
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_TYPE",
                "Missing entity type information. sObject requires a separate 'type' field be sent.",
            )
        })?;
    sim.schema().object(name).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            unsupported_type(name),
        )
    })
}

fn rolled_back() -> Value {
    json!({
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": [],
    })
}

/// One record's result; `upsert` adds `created` to successes.
fn result(o: &Outcome, upsert: bool, ambiguous: &dyn Fn(&[String]) -> RecordError) -> Value {
    let ok = |id: &str, created: bool| {
        let mut v = json!({ "id": id, "success": true, "errors": [] });
        if upsert {
            v["created"] = json!(created);
        }
        v
    };
    let failed = |id: &Option<String>, errors: Vec<Value>| {
        let mut v = Map::new();
        if let Some(id) = id {
            v.insert("id".into(), json!(id));
        }
        v.insert("success".into(), json!(false));
        v.insert("errors".into(), Value::Array(errors));
        Value::Object(v)
    };
    match o {
        Outcome::Created(id) => ok(id, true),
        Outcome::Updated(id) => ok(id, false),
        Outcome::Failed { id, errors } => {
            failed(id, errors.iter().map(RecordError::to_collection).collect())
        }
        Outcome::RolledBack { id } => failed(id, vec![rolled_back()]),
        Outcome::Ambiguous(ids) => failed(&None, vec![ambiguous(ids).to_collection()]),
    }
}

fn no_ambiguity(_: &[String]) -> RecordError {
    RecordError::new("UNKNOWN_EXCEPTION", "unexpected", vec![])
}

fn answer(
    outcomes: &[Outcome],
    upsert: bool,
    ambiguous: &dyn Fn(&[String]) -> RecordError,
) -> Response {
    let list: Vec<Value> = outcomes
        .iter()
        .map(|o| result(o, upsert, ambiguous))
        .collect();
    sf_json(StatusCode::OK, &list)
}

fn path(i: usize) -> [Seg<'static>; 2] {
    [Seg::Key("records"), Seg::Index(i)]
}

pub async fn create(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    save_each(version, &sim, &session, &headers, body, |_, _, incoming| {
        Action::Create(incoming)
    })
    .await
}

/// Create and update alike: every record is read first (whatever the reader rejects fails the
/// whole request), then all are saved together, each as `action` makes of it.
async fn save_each(
    version: ApiVersion,
    sim: &Sim,
    session: &Session,
    headers: &HeaderMap,
    body: Body,
    action: impl Fn(&ObjectDef, &Map<String, Value>, Incoming) -> Action,
) -> Result<Response, ApiError> {
    require(version, 42)?;
    let (raw, value) = json_body(headers, body).await?;
    let (list, all_or_none) = records_of(&value)?;
    let mut items = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let m = record_map(r)?;
        let obj = record_type(sim, m)?;
        let incoming = records::read_fields(obj, m, &raw, &path(i))?;
        items.push(Item {
            obj,
            action: action(obj, m, incoming),
        });
    }
    let outcomes = records::save(sim, &ctx(session, version, headers), items, all_or_none);
    Ok(answer(&outcomes, false, &no_ambiguity))
}

/// The id of a record in an update: present, well formed, of the record's type.
fn update_id(obj: &ObjectDef, m: &Map<String, Value>) -> Result<String, RecordError> {
    let raw = m
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .and_then(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            RecordError::new(
                "MISSING_ARGUMENT",
                "Id not specified in an update call",
                vec![],
            )
        })?;
    let id = values::normalize_id(raw)
        .ok_or_else(|| RecordError::new("MALFORMED_ID", format!("malformed id {raw}"), vec![]))?;
    if !id.starts_with(&obj.key_prefix) {
        return Err(RecordError::new(
            "MALFORMED_ID",
            format!("{} ID: id value of incorrect type: {raw}", obj.label),
            vec!["Id".into()],
        ));
    }
    Ok(id)
}

pub async fn update(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    save_each(
        version,
        &sim,
        &session,
        &headers,
        body,
        |obj, m, incoming| match update_id(obj, m) {
            Ok(id) => Action::Update { id, incoming },
            Err(e) => Action::Fail {
                id: None,
                errors: vec![e],
            },
        },
    )
    .await
}

pub async fn upsert(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    Path((_, name, field_name)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require(version, 46)?;
    let obj = sim.schema().object(&name).ok_or_else(unknown_object)?;
    let field = obj
        .field_index(&field_name)
        .filter(|&i| obj.fields[i].kind == FieldType::Id || obj.fields[i].upsertable_key())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                format!(
                    "Field name provided, {field_name} is not an External ID or indexed field for {}",
                    obj.name
                ),
            )
        })?;
    let (raw, value) = json_body(&headers, body).await?;
    let (list, all_or_none) = records_of(&value)?;
    let mut items = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let m = record_map(r)?;
        if m.get("attributes").and_then(|a| a.get("type")).is_some() {
            let named = record_type(&sim, m)?;
            if named.name != obj.name {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_TYPE",
                    format!(
                        "Record type {} does not match the upsert object {}",
                        named.name, obj.name
                    ),
                ));
            }
        }
        let incoming = records::read_fields(obj, m, &raw, &path(i))?;
        let key = incoming.get(field).cloned().unwrap_or(Value::Null);
        items.push(Item {
            obj,
            action: Action::Upsert {
                field,
                key,
                incoming,
            },
        });
    }
    let outcomes = records::save(&sim, &ctx(&session, version, &headers), items, all_or_none);
    let f = &obj.fields[field];
    let ambiguous = |ids: &[String]| {
        RecordError::new(
            "DUPLICATE_EXTERNAL_ID",
            format!(
                "{}: more than one record found for external id field: [{}]",
                f.label,
                ids.join(", ")
            ),
            vec![f.name.clone()],
        )
    };
    Ok(answer(&outcomes, true, &ambiguous))
}

pub async fn delete(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require(version, 42)?;
    let ids: Vec<&str> = params
        .get("ids")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if ids.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let all_or_none = params
        .get("allOrNone")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let schema = sim.schema();
    let checked: Vec<Result<(&ObjectDef, String), Outcome>> = ids
        .iter()
        .map(|raw| {
            let id = values::normalize_id(raw).ok_or_else(|| {
                Outcome::failed(vec![RecordError::new(
                    "MALFORMED_ID",
                    format!("malformed id {raw}"),
                    vec![],
                )])
            })?;
            let obj = schema
                .object_by_prefix(&id[..3])
                .ok_or_else(|| Outcome::Failed {
                    id: Some(id.clone()),
                    errors: vec![RecordError::new(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                        vec![],
                    )],
                })?;
            Ok((obj, id))
        })
        .collect();
    let prefailed = checked.iter().any(Result::is_err);
    let targets: Vec<(&ObjectDef, String)> = checked
        .iter()
        .filter_map(|c| c.as_ref().ok().cloned())
        .collect();
    let mut done = if all_or_none && prefailed {
        targets
            .iter()
            .map(|(_, id)| Outcome::RolledBack {
                id: Some(id.clone()),
            })
            .collect()
    } else {
        records::delete(&sim, &targets, all_or_none)
    }
    .into_iter();
    let outcomes: Vec<Outcome> = checked
        .into_iter()
        .map(|c| match c {
            Ok(_) => done.next().unwrap_or_else(|| Outcome::failed(vec![])),
            Err(o) => o,
        })
        .collect();
    Ok(answer(&outcomes, false, &no_ambiguity))
}

fn retrieve_records(
    sim: &Sim,
    version: ApiVersion,
    name: &str,
    ids: &[String],
    fields: Option<&str>,
) -> Result<Response, ApiError> {
    require(version, 42)?;
    let obj = sim.schema().object(name).ok_or_else(unknown_object)?;
    let fields = fields.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MISSING_ARGUMENT",
            "The fields parameter is required",
        )
    })?;
    let select = select_fields(obj, fields)?;
    if ids.len() > 2000 {
        return Err(too_many());
    }
    let list: Vec<Value> = sim.read(|w| {
        let table = w.records.get(&obj.name);
        ids.iter()
            .map(|raw| {
                values::normalize_id(raw)
                    .and_then(|id| table.and_then(|t| t.get(&id)))
                    .map_or(Value::Null, |r| {
                        records::render(obj, r, version.0, Some(&select))
                    })
            })
            .collect()
    });
    Ok(sf_json(StatusCode::OK, &list))
}

pub async fn retrieve(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = params
        .get("ids")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    retrieve_records(
        &sim,
        version,
        &name,
        &ids,
        params.get("fields").map(String::as_str),
    )
}

/// The POST form of retrieve, for id lists too long for a URL: `{"ids": [...], "fields": [...]}`.
pub async fn retrieve_post(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (_, value) = json_body(&headers, body).await?;
    let strings = |k: &str| -> Vec<String> {
        value
            .get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids = strings("ids");
    let fields = strings("fields").join(",");
    let fields = (!fields.is_empty()).then_some(fields);
    retrieve_records(&sim, version, &name, &ids, fields.as_deref())
}
