//! The sObject resources: global and per-object describe, basic information, and one record at
//! a time — create, read (with `fields=`), update, delete by id, and read, upsert and delete by
//! an external-id field, with Salesforce's statuses (201/204, 200 or 201 with `created` from
//! v46, 300 on several matches, 404 for what is not there).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    ApiVersion, ctx, json_body, object_body, record_errors, select_fields, unknown_object,
};
use crate::error::{ApiError, json as sf_json};
use crate::records::{self, Action, Item, Outcome, values};
use crate::schema::{FieldType, ObjectDef};
use crate::session::Session;
use crate::state::Sim;

type Params = HashMap<String, String>;

fn object<'s>(sim: &'s Sim, name: &str) -> Result<&'s ObjectDef, ApiError> {
    sim.schema().object(name).ok_or_else(unknown_object)
}

pub async fn global(version: ApiVersion, State(sim): State<Sim>, _: Session) -> Response {
    let v = version.number();
    let list: Vec<Value> = sim
        .schema()
        .objects()
        .iter()
        .map(|o| o.global_entry(&v))
        .collect();
    sf_json(
        StatusCode::OK,
        &json!({ "encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list }),
    )
}

pub async fn describe(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let obj = object(&sim, &name)?;
    Ok(sf_json(StatusCode::OK, &obj.describe(&version.number())))
}

pub async fn basic_info(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let obj = object(&sim, &name)?;
    let recent: Vec<Value> = sim.read(|w| {
        w.records
            .get(&obj.name)
            .map(|t| {
                t.values()
                    .rev()
                    .take(10)
                    .map(|r| {
                        let id = r.get("Id").cloned().unwrap_or(Value::Null);
                        let mut item = json!({
                            "attributes": {
                                "type": obj.name,
                                "url": format!("/services/data/v{}/sobjects/{}/{}", version.number(), obj.name, id.as_str().unwrap_or_default()),
                            },
                            "Id": id,
                        });
                        if let Some(n) = r.get("Name") {
                            item["Name"] = n.clone();
                        }
                        item
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    Ok(sf_json(
        StatusCode::OK,
        &json!({ "objectDescribe": obj.global_entry(&version.number()), "recentItems": recent }),
    ))
}

fn save_one(
    sim: &Sim,
    session: &Session,
    version: ApiVersion,
    headers: &HeaderMap,
    obj: &ObjectDef,
    action: Action,
) -> Outcome {
    let ctx = ctx(session, version, headers);
    records::save(sim, &ctx, vec![Item { obj, action }], false)
        .pop()
        .unwrap_or_else(|| Outcome::failed(vec![]))
}

fn created(id: &str) -> Response {
    sf_json(
        StatusCode::CREATED,
        &json!({ "id": id, "success": true, "errors": [] }),
    )
}

async fn create_record(
    sim: &Sim,
    session: &Session,
    version: ApiVersion,
    name: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let obj = object(sim, name)?;
    let (raw, value) = json_body(headers, body).await?;
    let incoming = records::read_fields(obj, object_body(&value, &obj.name)?, &raw, &[])?;
    match save_one(
        sim,
        session,
        version,
        headers,
        obj,
        Action::Create(incoming),
    ) {
        Outcome::Created(id) => Ok(created(&id)),
        Outcome::Failed { errors, .. } => Err(record_errors(&errors)),
        other => Err(unexpected(&other)),
    }
}

fn unexpected(o: &Outcome) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNKNOWN_EXCEPTION",
        format!("An unexpected error occurred: {o:?}"),
    )
}

pub async fn create(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    Path((_, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    create_record(&sim, &session, version, &name, &headers, body).await
}

/// `POST …/sobjects/X/Id` creates (API 37.0+: `Id` as the external id with no value); POST to a
/// record is not allowed.
pub async fn create_by_id(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    Path((_, name, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if id != "Id" || version.0 < 37 {
        return Err(ApiError::method_not_allowed(
            "POST",
            "GET,HEAD,PATCH,DELETE",
        ));
    }
    create_record(&sim, &session, version, &name, &headers, body).await
}

/// A record id from the path: well formed and of this object, or Salesforce's 404.
fn record_id(obj: &ObjectDef, raw: &str) -> Result<String, ApiError> {
    let Some(id) = values::normalize_id(raw) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {raw}"),
        ));
    };
    if !id.starts_with(&obj.key_prefix) {
        return Err(ApiError::not_found());
    }
    Ok(id)
}

fn gone(sim: &Sim, id: &str) -> ApiError {
    if sim.read(|w| w.indexes.is_deleted(id)) {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "ENTITY_IS_DELETED",
            "entity is deleted",
        )
        .with_fields(vec![])
    } else {
        ApiError::not_found()
    }
}

fn render_one(
    sim: &Sim,
    obj: &ObjectDef,
    id: &str,
    version: ApiVersion,
    select: Option<&[usize]>,
) -> Option<Value> {
    sim.read(|w| {
        w.records
            .get(&obj.name)
            .and_then(|t| t.get(id))
            .map(|r| records::render(obj, r, version.0, select))
    })
}

pub async fn read(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name, raw_id)): Path<(String, String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let obj = object(&sim, &name)?;
    let id = record_id(obj, &raw_id)?;
    let select = params
        .get("fields")
        .map(|f| select_fields(obj, f))
        .transpose()?;
    match render_one(&sim, obj, &id, version, select.as_deref()) {
        Some(v) => Ok(sf_json(StatusCode::OK, &v)),
        None => Err(gone(&sim, &id)),
    }
}

pub async fn update(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    Path((_, name, raw_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let obj = object(&sim, &name)?;
    if raw_id == "Id" {
        return Err(ApiError::method_not_allowed("PATCH", "GET,HEAD,POST"));
    }
    let id = record_id(obj, &raw_id)?;
    let (raw, value) = json_body(&headers, body).await?;
    let incoming = records::read_fields(obj, object_body(&value, &obj.name)?, &raw, &[])?;
    if !sim.read(|w| {
        w.records
            .get(&obj.name)
            .is_some_and(|t| t.contains_key(&id))
    }) {
        return Err(gone(&sim, &id));
    }
    match save_one(
        &sim,
        &session,
        version,
        &headers,
        obj,
        Action::Update { id, incoming },
    ) {
        Outcome::Updated(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Outcome::Failed { errors, .. } => Err(record_errors(&errors)),
        other => Err(unexpected(&other)),
    }
}

fn delete_one(sim: &Sim, obj: &ObjectDef, id: String) -> Result<Response, ApiError> {
    match records::delete(sim, &[(obj, id.clone())], false).pop() {
        Some(Outcome::Updated(_)) => Ok(StatusCode::NO_CONTENT.into_response()),
        Some(Outcome::Failed { errors, .. }) => match errors.first().map(|e| e.code) {
            Some("INVALID_TYPE_FOR_OPERATION") => Err(record_errors(&errors)),
            _ => Err(gone(sim, &id)),
        },
        other => Err(unexpected(
            &other.unwrap_or_else(|| Outcome::failed(vec![])),
        )),
    }
}

pub async fn delete(
    _: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name, raw_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let obj = object(&sim, &name)?;
    let id = record_id(obj, &raw_id)?;
    delete_one(&sim, obj, id)
}

/// The field of `…/sobjects/X/{field}/{value}`: the Id, an external id or a lookup field.
fn key_field(obj: &ObjectDef, name: &str) -> Result<usize, ApiError> {
    obj.field_index(name)
        .filter(|&i| {
            let f = &obj.fields[i];
            f.kind == FieldType::Id || f.upsertable_key()
        })
        .ok_or_else(ApiError::not_found)
}

/// The URL value coerced to the key field's type.
fn key_value(obj: &ObjectDef, field: usize, raw: &str) -> Result<Value, ApiError> {
    values::coerce(&obj.fields[field], &Value::String(raw.to_string()))
        .map_err(|m| ApiError::json_parser(m.message(1, 1)))
}

/// The object, key field and key of `…/sobjects/X/{field}/{value}`.
fn keyed<'s>(
    sim: &'s Sim,
    name: &str,
    field: &str,
    raw: &str,
) -> Result<(&'s ObjectDef, usize, Value), ApiError> {
    let obj = object(sim, name)?;
    let field = key_field(obj, field)?;
    let key = key_value(obj, field, raw)?;
    Ok((obj, field, key))
}

/// 300 Multiple Choices: the URLs of every matching record.
fn multiple(obj: &ObjectDef, version: ApiVersion, ids: &[String]) -> Response {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                "/services/data/v{}/sobjects/{}/{id}",
                version.number(),
                obj.name
            )
        })
        .collect();
    sf_json(StatusCode::MULTIPLE_CHOICES, &urls)
}

pub async fn read_by_key(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, ApiError> {
    let (obj, field, key) = keyed(&sim, &name, &field, &raw)?;
    let select = params
        .get("fields")
        .map(|f| select_fields(obj, f))
        .transpose()?;
    let ids = records::find_by(&sim, obj, field, &key);
    match ids.as_slice() {
        [] => Err(ApiError::not_found()),
        [id] => render_one(&sim, obj, id, version, select.as_deref())
            .map(|v| sf_json(StatusCode::OK, &v))
            .ok_or_else(ApiError::not_found),
        _ => Ok(multiple(obj, version, &ids)),
    }
}

pub async fn upsert(
    version: ApiVersion,
    State(sim): State<Sim>,
    session: Session,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (obj, field, key) = keyed(&sim, &name, &field, &raw)?;
    let (raw_body, value) = json_body(&headers, body).await?;
    let incoming = records::read_fields(obj, object_body(&value, &obj.name)?, &raw_body, &[])?;
    let update_only = params
        .get("updateOnly")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if update_only && records::find_by(&sim, obj, field, &key).is_empty() {
        return Err(ApiError::not_found());
    }
    let with_created = version.0 >= 46;
    match save_one(
        &sim,
        &session,
        version,
        &headers,
        obj,
        Action::Upsert {
            field,
            key,
            incoming,
        },
    ) {
        Outcome::Created(id) if with_created => Ok(sf_json(
            StatusCode::CREATED,
            &json!({ "id": id, "success": true, "errors": [], "created": true }),
        )),
        Outcome::Created(id) => Ok(created(&id)),
        Outcome::Updated(id) if with_created => Ok(sf_json(
            StatusCode::OK,
            &json!({ "id": id, "success": true, "errors": [], "created": false }),
        )),
        Outcome::Updated(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Outcome::Ambiguous(ids) => Ok(multiple(obj, version, &ids)),
        Outcome::Failed { errors, .. } => Err(record_errors(&errors)),
        other @ Outcome::RolledBack { .. } => Err(unexpected(&other)),
    }
}

pub async fn delete_by_key(
    version: ApiVersion,
    State(sim): State<Sim>,
    _: Session,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let (obj, field, key) = keyed(&sim, &name, &field, &raw)?;
    let ids = records::find_by(&sim, obj, field, &key);
    match ids.as_slice() {
        [] => Err(ApiError::not_found()),
        [id] => delete_one(&sim, obj, id.clone()),
        _ => Ok(multiple(obj, version, &ids)),
    }
}
