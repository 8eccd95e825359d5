//! Field semantics: what happens to a record a client writes, exactly as describe says it will.
//! Reading a body resolves field names (case-insensitively) and coerces values, failing the whole
//! request the way Salesforce's JSON reader does; saving then applies, per record and in
//! Salesforce's order, createable/updateable, required fields, lengths, email format, restricted
//! picklists, numeric ranges and id formats, defaults and derived fields, the org's validation
//! rules, duplicate rules (with `Sforce-Duplicate-Rule-Header`), unique and external-id values,
//! and assignment rules (with `Sforce-Auto-Assign`). A batch is checked against the stored
//! records under one short lock and committed all at once, or not at all for `allOrNone`.
//! Also here: rendering a stored record as the REST API returns it, and the org's users and the
//! org itself as User and Organization records.

mod index;
pub mod values;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

pub use index::Indexes;
use values::{Seg, TypeMismatch};

use crate::error::ErrorItem;
use crate::ids;
use crate::org::{DuplicateAction, Org};
use crate::schema::{FieldDef, FieldType, ObjectDef, RuleKind, Schema};
use crate::state::{Record, Sim, World};

/// A record-level failure, reported in the record's result (or as the whole answer for
/// single-record calls).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
    /// The `duplicateResut` detail of DUPLICATES_DETECTED (single-record calls only).
    pub duplicate: Option<Value>,
}

impl RecordError {
    pub fn new(code: &'static str, message: impl Into<String>, fields: Vec<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields,
            duplicate: None,
        }
    }

    /// As an item of a REST error array (`errorCode`).
    pub fn to_item(&self) -> ErrorItem {
        let mut extra = Map::new();
        let fields = match &self.duplicate {
            // Salesforce sends the detail under this misspelt key, and no `fields`.
            Some(d) => {
                extra.insert("duplicateResut".into(), d.clone());
                None
            }
            None => Some(self.fields.clone()),
        };
        ErrorItem {
            message: self.message.clone(),
            error_code: self.code.into(),
            fields,
            extra,
        }
    }

    /// As an error inside an sObject Collections result (`statusCode`).
    pub fn to_collection(&self) -> Value {
        json!({ "statusCode": self.code, "message": self.message, "fields": self.fields })
    }
}

/// A body the JSON reader rejects: the whole request fails with HTTP 400.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyError {
    pub code: &'static str,
    pub message: String,
}

/// `Sforce-Auto-Assign`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoAssign {
    /// TRUE, or no header: the active rule runs on create and update.
    Active,
    Off,
    /// A rule id: that rule runs on create.
    Rule(String),
}

impl AutoAssign {
    pub fn parse(header: Option<&str>) -> Self {
        match header.map(str::trim) {
            None => Self::Active,
            Some(v) if v.eq_ignore_ascii_case("true") => Self::Active,
            Some(v) if v.eq_ignore_ascii_case("false") => Self::Off,
            Some(v) => Self::Rule(v.to_string()),
        }
    }
}

/// Whether `Sforce-Duplicate-Rule-Header` says `allowSave=true`.
pub fn allow_save(header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        h.split([';', ','])
            .filter_map(|kv| kv.split_once('='))
            .any(|(k, v)| {
                k.trim().eq_ignore_ascii_case("allowSave") && v.trim().eq_ignore_ascii_case("true")
            })
    })
}

/// Who is saving, when, and with which headers.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user_id: String,
    /// The API version's major number (`59` for v59.0).
    pub version: u32,
    pub now: String,
    pub assign: AutoAssign,
    pub allow_save: bool,
}

impl Ctx {
    fn record_url(&self, obj: &str, id: &str) -> String {
        format!("/services/data/v{}.0/sobjects/{obj}/{id}", self.version)
    }
}

/// One record's fields from a request body, resolved to the object's fields and coerced.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    pub values: Vec<(usize, Value)>,
}

impl Incoming {
    pub fn get(&self, field: usize) -> Option<&Value> {
        self.values
            .iter()
            .rev()
            .find(|(i, _)| *i == field)
            .map(|(_, v)| v)
    }

    fn set(&mut self, field: usize, value: Value) {
        self.values.retain(|(i, _)| *i != field);
        self.values.push((field, value));
    }

    fn remove(&mut self, field: usize) {
        self.values.retain(|(i, _)| *i != field);
    }
}

/// Reads one record object of a body. `path` locates it in `raw` for error positions.
pub fn read_fields(
    obj: &ObjectDef,
    map: &Map<String, Value>,
    raw: &[u8],
    path: &[Seg<'_>],
) -> Result<Incoming, BodyError> {
    let mut incoming = Incoming {
        values: Vec::with_capacity(map.len()),
    };
    for (key, value) in map {
        if key == "attributes" {
            continue;
        }
        let Some(i) = obj.field_index(key) else {
            return Err(BodyError {
                code: "INVALID_FIELD",
                message: format!("No such column '{key}' on sobject of type {}", obj.name),
            });
        };
        match values::coerce(&obj.fields[i], value) {
            Ok(v) => incoming.values.push((i, v)),
            Err(mismatch) => return Err(type_error(&mismatch, raw, path, key)),
        }
    }
    Ok(incoming)
}

fn type_error(m: &TypeMismatch, raw: &[u8], path: &[Seg<'_>], key: &str) -> BodyError {
    let mut full = path.to_vec();
    full.push(Seg::Key(key));
    let (line, column) = values::locate(raw, &full);
    BodyError {
        code: "JSON_PARSER_ERROR",
        message: m.message(line, column),
    }
}

/// What to do with one record of a request.
#[derive(Debug, Clone)]
pub enum Action {
    Create(Incoming),
    Update {
        id: String,
        incoming: Incoming,
    },
    /// Match on `field` = `key` (already coerced); no key means create.
    Upsert {
        field: usize,
        key: Value,
        incoming: Incoming,
    },
    /// Already failed before saving (bad id, wrong type…); kept for its place in the results.
    Fail {
        id: Option<String>,
        errors: Vec<RecordError>,
    },
}

#[derive(Debug, Clone)]
pub struct Item<'s> {
    pub obj: &'s ObjectDef,
    pub action: Action,
}

/// One record's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Created(String),
    Updated(String),
    Failed {
        id: Option<String>,
        errors: Vec<RecordError>,
    },
    /// Valid, but not saved because another record of an all-or-none request failed.
    RolledBack {
        id: Option<String>,
    },
    /// An upsert key matching several records.
    Ambiguous(Vec<String>),
}

impl Outcome {
    pub fn failed(errors: Vec<RecordError>) -> Self {
        Outcome::Failed { id: None, errors }
    }
}

enum Pending<'s> {
    Create(&'s ObjectDef, Result<Record, Vec<RecordError>>, Vec<usize>),
    Update(&'s ObjectDef, String, Incoming),
    Upsert(&'s ObjectDef, usize, Value, Incoming),
    Done(Outcome),
}

enum Plan<'s> {
    Insert(&'s ObjectDef, Record),
    Update(&'s ObjectDef, String, Record),
    Done(Outcome),
}

/// Saves a batch: each item in order, against the stored records, under one lock. With
/// `all_or_none`, one failure leaves everything unsaved.
pub fn save(sim: &Sim, ctx: &Ctx, items: Vec<Item<'_>>, all_or_none: bool) -> Vec<Outcome> {
    let schema = sim.schema();
    let org = sim.org();
    // Creates are checked before taking the lock: they need nothing stored.
    let mut pending: Vec<Pending<'_>> = items
        .into_iter()
        .map(|it| match it.action {
            Action::Create(inc) => {
                let changed = inc.values.iter().map(|(i, _)| *i).collect();
                Pending::Create(it.obj, prepare_create(it.obj, &inc, ctx, schema), changed)
            }
            Action::Update { id, incoming } => Pending::Update(it.obj, id, incoming),
            Action::Upsert {
                field,
                key,
                mut incoming,
            } => {
                // The key in the URL wins over a copy of it in the body; no key means create.
                incoming.remove(field);
                if key.is_null() {
                    let changed = incoming.values.iter().map(|(i, _)| *i).collect();
                    Pending::Create(
                        it.obj,
                        prepare_create(it.obj, &incoming, ctx, schema),
                        changed,
                    )
                } else {
                    Pending::Upsert(it.obj, field, key, incoming)
                }
            }
            Action::Fail { id, errors } => Pending::Done(Outcome::Failed { id, errors }),
        })
        .collect();
    batch_conflicts(&mut pending);

    sim.write(|w| {
        let World {
            records,
            indexes,
            next_sequence,
            ..
        } = w;
        for p in &pending {
            let obj = match p {
                Pending::Create(o, ..) | Pending::Update(o, ..) | Pending::Upsert(o, ..) => o,
                Pending::Done(_) => continue,
            };
            indexes.ensure(obj, records.get(&obj.name));
        }
        let store = Store {
            records,
            indexes,
            org,
            schema,
        };
        let plans: Vec<Plan<'_>> = pending
            .into_iter()
            .map(|p| evaluate(p, &store, ctx))
            .collect();
        let any_failed = plans.iter().any(|p| {
            matches!(
                p,
                Plan::Done(Outcome::Failed { .. } | Outcome::Ambiguous(_))
            )
        });
        if all_or_none && any_failed {
            return plans
                .into_iter()
                .map(|p| match p {
                    Plan::Insert(..) => Outcome::RolledBack { id: None },
                    Plan::Update(_, id, _) => Outcome::RolledBack { id: Some(id) },
                    Plan::Done(o) => o,
                })
                .collect();
        }
        let mut indexed_later = Vec::new();
        let outcomes = plans
            .into_iter()
            .map(|p| match p {
                Plan::Insert(obj, mut rec) => {
                    *next_sequence += 1;
                    let id = ids::id18(&obj.key_prefix, *next_sequence);
                    rec.insert("Id".into(), Value::String(id.clone()));
                    indexes.inserted(obj, &id, &rec);
                    records
                        .entry(obj.name.clone())
                        .or_default()
                        .insert(id.clone(), rec);
                    indexed_later.push((obj, id.clone()));
                    Outcome::Created(id)
                }
                Plan::Update(obj, id, rec) => {
                    let table = records.entry(obj.name.clone()).or_default();
                    if let Some(old) = table.insert(id.clone(), rec)
                        && let Some(new) = table.get(&id)
                    {
                        indexes.updated(obj, &id, &old, new);
                    }
                    indexed_later.push((obj, id.clone()));
                    Outcome::Updated(id)
                }
                Plan::Done(o) => o,
            })
            .collect();
        // Duplicate rules never compare records of the same batch with each other.
        for (obj, id) in indexed_later {
            if let Some(rec) = records.get(&obj.name).and_then(|t| t.get(&id)) {
                indexes.inserted_duplicates(obj, &id, rec);
            }
        }
        outcomes
    })
}

struct Store<'a> {
    records: &'a BTreeMap<String, BTreeMap<String, Record>>,
    indexes: &'a Indexes,
    org: &'a Org,
    schema: &'a Schema,
}

impl Store<'_> {
    fn get(&self, obj: &ObjectDef, id: &str) -> Option<&Record> {
        self.records.get(&obj.name).and_then(|t| t.get(id))
    }

    fn missing(&self, id: &str) -> RecordError {
        if self.indexes.is_deleted(id) {
            RecordError::new("ENTITY_IS_DELETED", "entity is deleted", vec![])
        } else {
            RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                vec![],
            )
        }
    }
}

fn evaluate<'s>(p: Pending<'s>, store: &Store<'_>, ctx: &Ctx) -> Plan<'s> {
    let fail = |id: Option<String>, errors| Plan::Done(Outcome::Failed { id, errors });
    match p {
        Pending::Done(o) => Plan::Done(o),
        Pending::Create(_, Err(errors), _) => fail(None, errors),
        Pending::Create(obj, Ok(rec), changed) => {
            match finish(obj, rec, None, &changed, store, ctx) {
                Ok(rec) => Plan::Insert(obj, rec),
                Err(errors) => fail(None, errors),
            }
        }
        Pending::Update(obj, id, inc) => update_plan(obj, id, &inc, store, ctx),
        Pending::Upsert(obj, field, key, mut inc) => {
            let f = &obj.fields[field];
            let matches: Vec<String> = if f.kind == FieldType::Id {
                let id = key.as_str().and_then(values::normalize_id);
                match id {
                    Some(id) if store.get(obj, &id).is_some() => vec![id],
                    _ => {
                        return fail(
                            None,
                            vec![RecordError::new(
                                "NOT_FOUND",
                                "The requested resource does not exist",
                                vec![],
                            )],
                        );
                    }
                }
            } else {
                f.index_key(&key)
                    .map(|k| store.indexes.lookup(obj, field, &k).to_vec())
                    .unwrap_or_default()
            };
            match matches.as_slice() {
                [] => {
                    inc.set(field, key);
                    let changed: Vec<usize> = inc.values.iter().map(|(i, _)| *i).collect();
                    let prepared = prepare_create_with(obj, &inc, ctx, store.schema, Some(field));
                    match prepared.and_then(|rec| finish(obj, rec, None, &changed, store, ctx)) {
                        Ok(rec) => Plan::Insert(obj, rec),
                        Err(errors) => fail(None, errors),
                    }
                }
                [id] => update_plan(obj, id.clone(), &inc, store, ctx),
                _ => Plan::Done(Outcome::Ambiguous(matches)),
            }
        }
    }
}

fn update_plan<'s>(
    obj: &'s ObjectDef,
    id: String,
    inc: &Incoming,
    store: &Store<'_>,
    ctx: &Ctx,
) -> Plan<'s> {
    let Some(existing) = store.get(obj, &id) else {
        let e = store.missing(&id);
        return Plan::Done(Outcome::Failed {
            id: Some(id),
            errors: vec![e],
        });
    };
    let changed: Vec<usize> = inc.values.iter().map(|(i, _)| *i).collect();
    let result = prepare_update(obj, existing, inc, ctx, store.schema)
        .and_then(|rec| finish(obj, rec, Some(&id), &changed, store, ctx));
    match result {
        Ok(rec) => Plan::Update(obj, id, rec),
        Err(errors) => Plan::Done(Outcome::Failed {
            id: Some(id),
            errors,
        }),
    }
}

fn field_error(code: &'static str, f: &FieldDef, what: &str, value: &str) -> RecordError {
    RecordError::new(
        code,
        format!("{}: {what}: {value}", f.label),
        vec![f.name.clone()],
    )
}

fn insert_update_error(names: Vec<String>) -> RecordError {
    RecordError::new(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        format!(
            "Unable to create/update fields: {}. Please check the security settings of this field and verify \
             that it is read/write for your profile or permission set.",
            names.join(", ")
        ),
        names,
    )
}

fn required_error(names: Vec<String>) -> RecordError {
    RecordError::new(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{}]", names.join(", ")),
        names,
    )
}

/// Key prefixes of standard objects the simulator does not store, so lookups to them can still
/// be told apart from lookups to the wrong kind of record.
fn foreign_prefix(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "001" => "Account",
        "006" => "Opportunity",
        "00G" => "Group",
        "500" => "Case",
        "701" => "Campaign",
        "02i" => "Asset",
        "800" => "Contract",
        "801" => "Order",
        "01t" => "Product2",
        "0Q0" => "Quote",
        "501" => "Solution",
        "00e" => "Profile",
        "023" => "Calendar",
        "0PK" => "Individual",
        _ => return None,
    })
}

/// Checks a value against its field and returns its stored form.
fn normalize(f: &FieldDef, v: Value, schema: &Schema) -> Result<Value, RecordError> {
    let Value::String(s) = &v else {
        return match (&v, f.kind) {
            (Value::Number(n), FieldType::Int | FieldType::Long) => {
                let x = n.as_i64().unwrap_or(0);
                if f.digits > 0 && f.digits < 19 && x.unsigned_abs() >= 10u64.pow(f.digits) {
                    return Err(field_error(
                        "NUMBER_OUTSIDE_VALID_RANGE",
                        f,
                        "value outside of valid range on numeric field",
                        &n.to_string(),
                    ));
                }
                Ok(v)
            }
            (Value::Number(n), FieldType::Double | FieldType::Currency | FieldType::Percent) => {
                let x = n.as_f64().unwrap_or(0.0);
                let scale = i32::try_from(f.scale.min(15)).unwrap_or(0);
                let factor = 10f64.powi(scale);
                let rounded = (x * factor).round() / factor;
                if f.precision > 0 && f.precision > f.scale {
                    let whole = f.precision - f.scale;
                    if rounded.abs().trunc() >= 10f64.powi(i32::try_from(whole).unwrap_or(18)) {
                        return Err(field_error(
                            "NUMBER_OUTSIDE_VALID_RANGE",
                            f,
                            "value outside of valid range on numeric field",
                            &n.to_string(),
                        ));
                    }
                }
                Ok(serde_json::Number::from_f64(rounded).map_or(v, Value::Number))
            }
            _ => Ok(v),
        };
    };
    match f.kind {
        FieldType::Id | FieldType::Reference => {
            let Some(id) = values::normalize_id(s) else {
                return Err(field_error(
                    "MALFORMED_ID",
                    f,
                    "id value of incorrect type",
                    s,
                ));
            };
            if f.kind == FieldType::Reference && !f.reference_to.is_empty() {
                let prefix = &id[..3];
                let target = schema
                    .object_by_prefix(prefix)
                    .map(|o| o.name.as_str())
                    .or_else(|| foreign_prefix(prefix));
                if let Some(target) = target
                    && !f.reference_to.iter().any(|r| r == target)
                {
                    return Err(field_error(
                        "FIELD_INTEGRITY_EXCEPTION",
                        f,
                        "id value of incorrect type",
                        s,
                    ));
                }
            }
            Ok(Value::String(id))
        }
        kind if kind.is_text() => {
            if kind == FieldType::Email && !values::valid_email(s) {
                return Err(field_error(
                    "INVALID_EMAIL_ADDRESS",
                    f,
                    "invalid email address",
                    s,
                ));
            }
            if f.length > 0 && s.chars().count() > f.length as usize {
                return Err(RecordError::new(
                    "STRING_TOO_LONG",
                    format!(
                        "{}: data value too large: {s} (max length={})",
                        f.label, f.length
                    ),
                    vec![f.name.clone()],
                ));
            }
            if f.restricted_picklist {
                let bad = if kind == FieldType::Multipicklist {
                    s.split(';').map(str::trim).find(|p| !f.picklist_has(p))
                } else {
                    (!f.picklist_has(s)).then_some(s.as_str())
                };
                if let Some(bad) = bad {
                    return Err(field_error(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f,
                        "bad value for restricted picklist field",
                        bad,
                    ));
                }
            }
            Ok(v)
        }
        _ => Ok(v),
    }
}

fn prepare_create(
    obj: &ObjectDef,
    inc: &Incoming,
    ctx: &Ctx,
    schema: &Schema,
) -> Result<Record, Vec<RecordError>> {
    prepare_create_with(obj, inc, ctx, schema, None)
}

/// Everything about a new record that needs nothing stored: createable, defaults, required,
/// values, derived fields, validation rules. `key` is an upsert key field, writable even when
/// not createable.
fn prepare_create_with(
    obj: &ObjectDef,
    inc: &Incoming,
    ctx: &Ctx,
    schema: &Schema,
    key: Option<usize>,
) -> Result<Record, Vec<RecordError>> {
    if !obj.createable {
        return Err(vec![RecordError::new(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type cannot be inserted: {}", obj.label),
            vec![],
        )]);
    }
    if inc
        .values
        .iter()
        .any(|(i, v)| obj.fields[*i].kind == FieldType::Id && !v.is_null() && Some(*i) != key)
    {
        return Err(vec![RecordError::new(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Record ID: cannot specify Id in an insert call",
            vec!["Id".into()],
        )]);
    }
    let locked: Vec<String> = inc
        .values
        .iter()
        .map(|(i, _)| &obj.fields[*i])
        .filter(|f| !f.createable && f.kind != FieldType::Id)
        .filter(|f| key.is_none_or(|k| obj.fields[k].name != f.name))
        .map(|f| f.name.clone())
        .collect();
    if !locked.is_empty() {
        return Err(vec![insert_update_error(locked)]);
    }
    let mut rec = Record::new();
    for (i, v) in &inc.values {
        if !v.is_null() {
            rec.insert(obj.fields[*i].name.clone(), v.clone());
        }
    }
    for f in &obj.fields {
        if !f.defaulted_on_create || rec.contains_key(&f.name) {
            continue;
        }
        let value = match f.name.as_str() {
            "Id" => continue,
            "OwnerId" | "CreatedById" | "LastModifiedById" => json!(ctx.user_id),
            "CreatedDate" | "LastModifiedDate" | "SystemModstamp" => json!(ctx.now),
            _ if f.default_value.is_null() => continue,
            _ => f.default_value.clone(),
        };
        rec.insert(f.name.clone(), value);
    }
    let missing: Vec<String> = obj
        .fields
        .iter()
        .filter(|f| f.required_on_create() && rec.get(&f.name).is_none_or(Value::is_null))
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(vec![required_error(missing)]);
    }
    for (i, v) in &inc.values {
        if v.is_null() {
            continue;
        }
        let f = &obj.fields[*i];
        let stored = normalize(f, v.clone(), schema).map_err(|e| vec![e])?;
        rec.insert(f.name.clone(), stored);
    }
    let changed: Vec<usize> = inc.values.iter().map(|(i, _)| *i).collect();
    derive(obj, &mut rec, &changed).map_err(|e| vec![e])?;
    validate(obj, &rec)?;
    Ok(rec)
}

fn prepare_update(
    obj: &ObjectDef,
    existing: &Record,
    inc: &Incoming,
    ctx: &Ctx,
    schema: &Schema,
) -> Result<Record, Vec<RecordError>> {
    if !obj.updateable {
        return Err(vec![RecordError::new(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type cannot be updated: {}", obj.label),
            vec![],
        )]);
    }
    let locked: Vec<String> = inc
        .values
        .iter()
        .map(|(i, _)| &obj.fields[*i])
        .filter(|f| !f.updateable && f.kind != FieldType::Id)
        .map(|f| f.name.clone())
        .collect();
    if !locked.is_empty() {
        return Err(vec![insert_update_error(locked)]);
    }
    let cleared: Vec<String> = inc
        .values
        .iter()
        .map(|(i, v)| (&obj.fields[*i], v))
        .filter(|(f, v)| v.is_null() && !f.nillable && f.kind != FieldType::Id)
        .map(|(f, _)| f.name.clone())
        .collect();
    if !cleared.is_empty() {
        return Err(vec![required_error(cleared)]);
    }
    let mut rec = existing.clone();
    for (i, v) in &inc.values {
        let f = &obj.fields[*i];
        if f.kind == FieldType::Id {
            continue;
        }
        if v.is_null() {
            rec.remove(&f.name);
        } else {
            let stored = normalize(f, v.clone(), schema).map_err(|e| vec![e])?;
            rec.insert(f.name.clone(), stored);
        }
    }
    for (name, value) in [
        ("LastModifiedDate", json!(ctx.now)),
        ("LastModifiedById", json!(ctx.user_id)),
        ("SystemModstamp", json!(ctx.now)),
    ] {
        if obj.field_index(name).is_some() {
            rec.insert(name.into(), value);
        }
    }
    let changed: Vec<usize> = inc.values.iter().map(|(i, _)| *i).collect();
    derive(obj, &mut rec, &changed).map_err(|e| vec![e])?;
    validate(obj, &rec)?;
    Ok(rec)
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The org's validation rules; every failing rule is reported.
fn validate(obj: &ObjectDef, rec: &Record) -> Result<(), Vec<RecordError>> {
    let errors: Vec<RecordError> = obj
        .validations
        .iter()
        .filter(|check| {
            let field = &obj.fields[check.field];
            let value = text_of(rec.get(&field.name));
            match &check.rule {
                RuleKind::RequiredWhen {
                    when_field,
                    when_equals,
                } => {
                    let when = text_of(rec.get(&obj.fields[*when_field].name));
                    let applies = match (when, when_equals) {
                        (Some(w), Some(eq)) => &w == eq,
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    applies && value.is_none()
                }
                RuleKind::Regex(re) => value.is_some_and(|v| !re.is_match(&v)),
            }
        })
        .map(|check| {
            RecordError::new(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                check.message.clone(),
                vec![obj.fields[check.field].name.clone()],
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Fields Salesforce computes: the person name, compound addresses, and an event's times.
fn derive(obj: &ObjectDef, rec: &mut Record, changed: &[usize]) -> Result<(), RecordError> {
    if let Some(name) = obj.field("Name")
        && name.extra_type_info.as_deref() == Some("personname")
    {
        let full: Vec<&str> = ["FirstName", "LastName"]
            .iter()
            .filter_map(|k| rec.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect();
        let full = full.join(" ");
        rec.insert("Name".into(), Value::String(full));
    }
    for compound in obj.fields.iter().filter(|f| f.kind == FieldType::Address) {
        let stem = compound.name.strip_suffix("Address").unwrap_or("");
        let mut parts = Map::new();
        let mut any = false;
        for part in obj
            .fields
            .iter()
            .filter(|f| f.compound_field_name.as_deref() == Some(compound.name.as_str()))
        {
            let short = part.name.strip_prefix(stem).unwrap_or(&part.name);
            let mut key = short.to_string();
            if let Some(first) = key.get(..1) {
                key.replace_range(..1, &first.to_ascii_lowercase());
            }
            let v = rec.get(&part.name).cloned().unwrap_or(Value::Null);
            any |= !v.is_null();
            parts.insert(key, v);
        }
        if any {
            rec.insert(compound.name.clone(), Value::Object(parts));
        } else {
            rec.remove(&compound.name);
        }
    }
    if obj.name == "Event" {
        event_times(obj, rec, changed)?;
    }
    Ok(())
}

/// An event's start, end and duration agree, and the ones the client left out are computed.
fn event_times(obj: &ObjectDef, rec: &mut Record, changed: &[usize]) -> Result<(), RecordError> {
    let was_changed = |name: &str| obj.field_index(name).is_some_and(|i| changed.contains(&i));
    let dt = |rec: &Record, k: &str| {
        rec.get(k)
            .and_then(Value::as_str)
            .and_then(values::parse_datetime)
    };
    let all_day = rec
        .get("IsAllDayEvent")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let duration = rec.get("DurationInMinutes").and_then(Value::as_i64);
    let (start, end) = if all_day {
        let day = rec
            .get("ActivityDate")
            .and_then(Value::as_str)
            .and_then(values::parse_date)
            .or_else(|| dt(rec, "StartDateTime").map(|d| d.date()))
            .or_else(|| dt(rec, "ActivityDateTime").map(|d| d.date()))
            .ok_or_else(|| required_error(vec!["ActivityDate".into()]))?;
        let days = duration.map_or(1, |m| (m / 1440).max(1));
        let start = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT).assume_utc();
        (start, start + time::Duration::days(days - 1))
    } else {
        let start = if was_changed("StartDateTime") || !was_changed("ActivityDateTime") {
            dt(rec, "StartDateTime").or_else(|| dt(rec, "ActivityDateTime"))
        } else {
            dt(rec, "ActivityDateTime")
        }
        .ok_or_else(|| required_error(vec!["ActivityDateTime".into()]))?;
        let end = match (dt(rec, "EndDateTime"), duration) {
            (Some(end), _) if was_changed("EndDateTime") => end,
            (_, Some(m)) if was_changed("DurationInMinutes") => start + time::Duration::minutes(m),
            (_, Some(m)) => start + time::Duration::minutes(m),
            (Some(end), None) => end,
            (None, None) => return Err(required_error(vec!["DurationInMinutes".into()])),
        };
        if end < start {
            return Err(RecordError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                "End Date Time: End time can't be before start time",
                vec!["EndDateTime".into()],
            ));
        }
        (start, end)
    };
    let minutes = if all_day {
        ((end - start).whole_days() + 1) * 1440
    } else {
        (end - start).whole_minutes()
    };
    let stamp = |d| Value::String(values::format_datetime(d));
    rec.insert("StartDateTime".into(), stamp(start));
    rec.insert("ActivityDateTime".into(), stamp(start));
    rec.insert("EndDateTime".into(), stamp(end));
    rec.insert("DurationInMinutes".into(), json!(minutes));
    rec.insert(
        "ActivityDate".into(),
        json!(values::format_date(start.date())),
    );
    rec.insert("EndDate".into(), json!(values::format_date(end.date())));
    Ok(())
}

/// The checks that need the stored records — lookups exist, duplicate rules, unique values —
/// then assignment. `own` is the record's id when updating.
fn finish(
    obj: &ObjectDef,
    mut rec: Record,
    own: Option<&str>,
    changed: &[usize],
    store: &Store<'_>,
    ctx: &Ctx,
) -> Result<Record, Vec<RecordError>> {
    for &i in changed {
        let f = &obj.fields[i];
        if f.kind != FieldType::Reference {
            continue;
        }
        let Some(id) = rec.get(&f.name).and_then(Value::as_str) else {
            continue;
        };
        let Some(target) = store.schema.object_by_prefix(&id[..3.min(id.len())]) else {
            continue;
        };
        let exists = if target.name == "User" {
            store.org.user_by_id(id).is_some()
        } else {
            store.get(target, id).is_some()
        };
        if !exists {
            return Err(vec![RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("{}: id value of incorrect type: {id}", f.label),
                vec![f.name.clone()],
            )]);
        }
    }
    if let Some(e) = duplicate_rules(obj, &rec, own, store, ctx) {
        return Err(vec![e]);
    }
    for &i in &obj.indexed {
        let f = &obj.fields[i];
        if !f.unique {
            continue;
        }
        let Some(key) = rec.get(&f.name).and_then(|v| f.index_key(v)) else {
            continue;
        };
        if let Some(other) = store
            .indexes
            .lookup(obj, i, &key)
            .iter()
            .find(|x| Some(x.as_str()) != own)
        {
            return Err(vec![RecordError::new(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: {} duplicates value on record with id: {other}",
                    f.name
                ),
                vec![],
            )]);
        }
    }
    if let Some(rule) = &obj.assignment {
        let runs = match &ctx.assign {
            AutoAssign::Active => true,
            AutoAssign::Off => false,
            AutoAssign::Rule(id) => own.is_none() && id.get(..15) == rule.rule_id.get(..15),
        };
        if runs {
            rec.insert("OwnerId".into(), json!(rule.owner_id));
        }
    }
    Ok(rec)
}

fn developer_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn duplicate_rules(
    obj: &ObjectDef,
    rec: &Record,
    own: Option<&str>,
    store: &Store<'_>,
    ctx: &Ctx,
) -> Option<RecordError> {
    let mut alert = None;
    for (r, rule) in obj.duplicates.iter().enumerate() {
        let Some(key) = index::duplicate_key(obj, rule, rec) else {
            continue;
        };
        let matches: Vec<&String> = store
            .indexes
            .duplicates(obj, r, &key)
            .iter()
            .filter(|x| Some(x.as_str()) != own)
            .collect();
        if matches.is_empty() {
            continue;
        }
        match rule.action {
            DuplicateAction::Block => {
                return Some(duplicate_error(
                    obj,
                    rule.name.as_str(),
                    false,
                    &matches,
                    ctx,
                ));
            }
            DuplicateAction::Alert if !ctx.allow_save && alert.is_none() => {
                alert = Some(duplicate_error(
                    obj,
                    rule.name.as_str(),
                    true,
                    &matches,
                    ctx,
                ));
            }
            DuplicateAction::Alert => {}
        }
    }
    alert
}

fn duplicate_error(
    obj: &ObjectDef,
    rule: &str,
    allow_save: bool,
    matches: &[&String],
    ctx: &Ctx,
) -> RecordError {
    let message = if allow_save {
        "You're creating a duplicate record. We recommend you use an existing record instead."
    } else {
        "Use one of these records?"
    };
    let records: Vec<Value> = matches
        .iter()
        .map(|id| {
            json!({
                "additionalInformation": [],
                "fieldDiffs": [],
                "matchConfidence": 100.0,
                "record": {
                    "attributes": { "type": obj.name, "url": ctx.record_url(&obj.name, id) },
                    "Id": id,
                }
            })
        })
        .collect();
    let dev = developer_name(rule);
    let detail = json!({
        "allowSave": allow_save,
        "duplicateRule": dev,
        "duplicateRuleEntityType": obj.name,
        "errorMessage": message,
        "matchResults": [{
            "entityType": obj.name,
            "errors": [],
            "matchEngine": "ExactMatchEngine",
            "matchRecords": records,
            "rule": format!("{dev}_Match_Rule"),
            "size": matches.len(),
            "success": true,
        }],
    });
    RecordError {
        code: "DUPLICATES_DETECTED",
        message: message.into(),
        fields: vec![],
        duplicate: Some(detail),
    }
}

/// Conflicts inside one batch, which Salesforce reports without naming the other record: the
/// same unique value twice, the same upsert key twice, the same id updated twice.
fn batch_conflicts(pending: &mut [Pending<'_>]) {
    if pending.len() < 2 {
        return;
    }
    let mut unique: HashMap<(&str, usize, String), Vec<usize>> = HashMap::new();
    let mut keys: HashMap<(&str, usize, String), Vec<usize>> = HashMap::new();
    let mut updates: HashMap<String, Vec<usize>> = HashMap::new();
    for (pos, p) in pending.iter().enumerate() {
        let (obj, values): (&ObjectDef, Vec<(usize, &Value)>) = match p {
            Pending::Create(obj, Ok(rec), _) => (
                obj,
                obj.indexed
                    .iter()
                    .filter_map(|&i| rec.get(&obj.fields[i].name).map(|v| (i, v)))
                    .collect(),
            ),
            Pending::Update(obj, id, inc) => {
                updates.entry(id.clone()).or_default().push(pos);
                (obj, inc.values.iter().map(|(i, v)| (*i, v)).collect())
            }
            Pending::Upsert(obj, field, key, inc) => {
                if let Some(k) = obj.fields[*field].index_key(key) {
                    keys.entry((obj.name.as_str(), *field, k))
                        .or_default()
                        .push(pos);
                }
                (obj, inc.values.iter().map(|(i, v)| (*i, v)).collect())
            }
            _ => continue,
        };
        for (i, v) in values {
            let f = &obj.fields[i];
            if let (true, Some(k)) = (f.unique, f.index_key(v)) {
                unique
                    .entry((obj.name.as_str(), i, k))
                    .or_default()
                    .push(pos);
            }
        }
    }
    // A record that conflicts in more than one way fails with the first conflict found.
    let mut verdict: HashMap<usize, RecordError> = HashMap::new();
    let mut conflict = |positions: Vec<usize>, error: &dyn Fn() -> RecordError| {
        if positions.len() > 1 {
            for pos in positions {
                verdict.entry(pos).or_insert_with(error);
            }
        }
    };
    for ((_, _, value), positions) in keys {
        conflict(positions, &|| {
            RecordError::new(
                "DUPLICATE_EXTERNAL_ID",
                format!("Duplicate external id specified: {value}"),
                vec![],
            )
        });
    }
    for (_, positions) in unique {
        conflict(positions, &|| {
            RecordError::new(
                "DUPLICATE_VALUE",
                "duplicate value found: <unknown> duplicates value on record with id: <unknown>",
                vec![],
            )
        });
    }
    for (id, positions) in updates {
        conflict(positions, &|| {
            RecordError::new(
                "INVALID_ID_FIELD",
                format!("Duplicate id in list: {id}"),
                vec![],
            )
        });
    }
    for (pos, error) in verdict {
        let id = match &pending[pos] {
            Pending::Update(_, id, _) => Some(id.clone()),
            _ => None,
        };
        pending[pos] = Pending::Done(Outcome::Failed {
            id,
            errors: vec![error],
        });
    }
}

/// Deletes records; each result is `Ok` or the record's error. With `all_or_none`, one failure
/// deletes nothing (the others report ALL_OR_NONE_OPERATION_ROLLED_BACK via `RolledBack`).
pub fn delete(sim: &Sim, targets: &[(&ObjectDef, String)], all_or_none: bool) -> Vec<Outcome> {
    sim.write(|w| {
        let World {
            records, indexes, ..
        } = w;
        let mut results: Vec<Outcome> = targets
            .iter()
            .map(|(obj, id)| {
                if !obj.deletable {
                    return Outcome::Failed {
                        id: Some(id.clone()),
                        errors: vec![RecordError::new(
                            "INVALID_TYPE_FOR_OPERATION",
                            format!("entity type cannot be deleted: {}", obj.label),
                            vec![],
                        )],
                    };
                }
                if records.get(&obj.name).is_some_and(|t| t.contains_key(id)) {
                    Outcome::Updated(id.clone())
                } else {
                    let e = if indexes.is_deleted(id) {
                        RecordError::new("ENTITY_IS_DELETED", "entity is deleted", vec![])
                    } else {
                        RecordError::new(
                            "INVALID_CROSS_REFERENCE_KEY",
                            "invalid cross reference id",
                            vec![],
                        )
                    };
                    Outcome::Failed {
                        id: Some(id.clone()),
                        errors: vec![e],
                    }
                }
            })
            .collect();
        let failed = results.iter().any(|r| matches!(r, Outcome::Failed { .. }));
        if all_or_none && failed {
            for r in &mut results {
                if let Outcome::Updated(id) = r {
                    *r = Outcome::RolledBack {
                        id: Some(id.clone()),
                    };
                }
            }
            return results;
        }
        for ((obj, id), r) in targets.iter().zip(&results) {
            if !matches!(r, Outcome::Updated(_)) {
                continue;
            }
            indexes.ensure(obj, records.get(&obj.name));
            if let Some(rec) = records.get_mut(&obj.name).and_then(|t| t.remove(id)) {
                indexes.removed(obj, id, &rec);
            }
        }
        results
    })
}

/// Ids of records whose `field` equals `value` (an external id or lookup field).
pub fn find_by(sim: &Sim, obj: &ObjectDef, field: usize, value: &Value) -> Vec<String> {
    let f = &obj.fields[field];
    if f.kind == FieldType::Id {
        let id = value.as_str().and_then(values::normalize_id);
        return sim.read(|w| {
            id.filter(|id| w.records.get(&obj.name).is_some_and(|t| t.contains_key(id)))
                .into_iter()
                .collect()
        });
    }
    let Some(key) = f.index_key(value) else {
        return Vec::new();
    };
    sim.count(|w| {
        let World {
            records, indexes, ..
        } = w;
        indexes.ensure(obj, records.get(&obj.name));
        indexes.lookup(obj, field, &key).to_vec()
    })
}

/// A stored record as the REST API returns it: `attributes`, then every field (or the selected
/// ones) in describe order, null when empty.
pub fn render(obj: &ObjectDef, rec: &Record, version: u32, select: Option<&[usize]>) -> Value {
    let id = rec.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({ "type": obj.name, "url": format!("/services/data/v{version}.0/sobjects/{}/{id}", obj.name) }),
    );
    let mut put = |f: &FieldDef| {
        let v = rec.get(&f.name).cloned().unwrap_or(match f.kind {
            FieldType::Boolean => Value::Bool(false),
            _ => Value::Null,
        });
        out.insert(f.name.clone(), v);
    };
    match select {
        Some(fields) => fields.iter().for_each(|&i| put(&obj.fields[i])),
        None => obj.fields.iter().for_each(put),
    }
    Value::Object(out)
}

/// The org's users as User records, for lookups, reads and queries.
pub fn user_records(org: &Org) -> BTreeMap<String, Record> {
    let stamp = "2024-01-01T00:00:00.000+0000";
    let admin = org
        .users
        .first()
        .map(|u| u.id().to_string())
        .unwrap_or_default();
    org.users
        .iter()
        .map(|u| {
            let alias: String = u
                .first_name
                .chars()
                .take(1)
                .chain(u.last_name.chars())
                .take(8)
                .collect::<String>()
                .to_lowercase();
            let rec = json!({
                "Id": u.id(),
                "Username": u.username,
                "LastName": u.last_name,
                "FirstName": if u.first_name.is_empty() { Value::Null } else { json!(u.first_name) },
                "Name": u.display_name(),
                "CompanyName": org.org.name,
                "Email": u.email,
                "Alias": alias,
                "IsActive": u.active,
                "TimeZoneSidKey": "America/Los_Angeles",
                "LocaleSidKey": "en_US",
                "EmailEncodingKey": "UTF-8",
                "LanguageLocaleKey": "en_US",
                "ProfileId": ids::id18("00e", 1),
                "UserType": "Standard",
                "CreatedDate": stamp,
                "CreatedById": admin,
                "LastModifiedDate": stamp,
                "LastModifiedById": admin,
                "SystemModstamp": stamp,
            });
            let rec = match rec {
                Value::Object(m) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
                _ => Record::new(),
            };
            (u.id().to_string(), rec)
        })
        .collect()
}

/// The org itself as its one Organization record.
pub fn organization_records(org: &Org) -> BTreeMap<String, Record> {
    let stamp = "2024-01-01T00:00:00.000+0000";
    let admin = org
        .users
        .first()
        .map(|u| u.id().to_string())
        .unwrap_or_default();
    let info = &org.org;
    let rec = json!({
        "Id": info.id,
        "Name": info.name,
        "OrganizationType": info.edition.label(),
        "InstanceName": ORG_INSTANCE_NAME,
        "IsSandbox": false,
        "CreatedDate": stamp,
        "CreatedById": admin,
        "LastModifiedDate": stamp,
        "LastModifiedById": admin,
        "SystemModstamp": stamp,
    });
    let rec = match rec {
        Value::Object(m) => m,
        _ => Record::new(),
    };
    BTreeMap::from([(info.id.clone(), rec)])
}

/// The Organization record's `InstanceName`: the simulator is one instance.
pub const ORG_INSTANCE_NAME: &str = "SIM1";

/// Puts the org's users and the org itself into the world (they come from the org file, not the
/// state file).
pub fn seed(org: &Org, world: &mut World) {
    world.records.insert("User".into(), user_records(org));
    world
        .records
        .insert("Organization".into(), organization_records(org));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Org;

    fn ctx() -> Ctx {
        Ctx {
            user_id: "005000000000001AAA".into(),
            version: 59,
            now: "2024-05-01T00:00:00.000+0000".into(),
            assign: AutoAssign::Active,
            allow_save: false,
        }
    }

    fn incoming(obj: &ObjectDef, body: Value) -> Incoming {
        let raw = body.to_string();
        read_fields(obj, body.as_object().unwrap(), raw.as_bytes(), &[]).unwrap()
    }

    #[test]
    fn create_fills_defaults_and_checks_required() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let lead = schema.object("Lead").unwrap();
        let rec = prepare_create(
            lead,
            &incoming(lead, json!({"lastname": "Ng", "Company": "Acme"})),
            &ctx(),
            &schema,
        )
        .unwrap();
        assert_eq!(rec["Status"], "Open - Not Contacted");
        assert_eq!(rec["OwnerId"], "005000000000001AAA");
        assert_eq!(rec["HasOptedOutOfEmail"], false);
        assert_eq!(rec["Name"], "Ng");
        let errs = prepare_create(
            lead,
            &incoming(lead, json!({"FirstName": "A"})),
            &ctx(),
            &schema,
        )
        .unwrap_err();
        assert_eq!(
            errs[0].message,
            "Required fields are missing: [LastName, Company]"
        );
        assert_eq!(errs[0].fields, ["LastName", "Company"]);
    }

    #[test]
    fn field_rules_give_salesforce_errors() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let lead = schema.object("Lead").unwrap();
        let base = json!({"LastName": "x", "Company": "y"});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            prepare_create(lead, &incoming(lead, b), &ctx(), &schema).unwrap_err()[0].clone()
        };
        let e = with("LastName", json!("x".repeat(81)));
        assert_eq!(e.code, "STRING_TOO_LONG");
        assert!(
            e.message
                .starts_with("Last Name: data value too large: xxx")
        );
        assert!(e.message.ends_with("(max length=80)"));
        assert_eq!(with("Email", json!("nope")).code, "INVALID_EMAIL_ADDRESS");
        assert_eq!(
            with("CreatedDate", json!("2024-01-01")).code,
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            with("Id", json!("00Q000000000001AAA")).message,
            "Record ID: cannot specify Id in an insert call"
        );
        assert_eq!(with("OwnerId", json!("xyz")).code, "MALFORMED_ID");
        assert_eq!(
            with("OwnerId", json!("003000000000001AAA")).code,
            "FIELD_INTEGRITY_EXCEPTION"
        );
        assert_eq!(
            with("NumberOfEmployees", json!(1_000_000_000)).code,
            "NUMBER_OUTSIDE_VALID_RANGE"
        );
        let ok = prepare_create(
            lead,
            &incoming(
                lead,
                json!({"LastName": "x", "Company": "y", "AnnualRevenue": 10.6, "City": "Osaka"}),
            ),
            &ctx(),
            &schema,
        )
        .unwrap();
        assert_eq!(ok["AnnualRevenue"], json!(11.0));
        assert_eq!(ok["Address"]["city"], "Osaka");
        assert_eq!(ok["Address"]["street"], Value::Null);
    }

    #[test]
    fn unknown_fields_and_bad_types_fail_the_body() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let lead = schema.object("Lead").unwrap();
        let body = json!({"LastName": "x", "Foo__c": 1});
        let raw = body.to_string();
        let e = read_fields(lead, body.as_object().unwrap(), raw.as_bytes(), &[]).unwrap_err();
        assert_eq!(e.message, "No such column 'Foo__c' on sobject of type Lead");
        let raw = r#"{"LastName":"x","NumberOfEmployees":"many"}"#;
        let body: Value = serde_json::from_str(raw).unwrap();
        let e = read_fields(lead, body.as_object().unwrap(), raw.as_bytes(), &[]).unwrap_err();
        assert_eq!(e.code, "JSON_PARSER_ERROR");
        assert!(
            e.message
                .starts_with("Cannot deserialize instance of int from VALUE_STRING value many"),
            "{}",
            e.message
        );
        assert!(e.message.ends_with("[line:1, column:43]"), "{}", e.message);
    }

    #[test]
    fn events_compute_their_times() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let event = schema.object("Event").unwrap();
        let rec = prepare_create(
            event,
            &incoming(event, json!({"Subject": "Call", "StartDateTime": "2024-05-01T09:00:00Z", "DurationInMinutes": 30})),
            &ctx(),
            &schema,
        )
        .unwrap();
        assert_eq!(rec["EndDateTime"], "2024-05-01T09:30:00.000+0000");
        assert_eq!(rec["ActivityDate"], "2024-05-01");
        let e = prepare_create(
            event,
            &incoming(event, json!({"Subject": "Call"})),
            &ctx(),
            &schema,
        )
        .unwrap_err();
        assert_eq!(e[0].code, "REQUIRED_FIELD_MISSING");
    }

    #[test]
    fn headers_parse() {
        assert_eq!(AutoAssign::parse(None), AutoAssign::Active);
        assert_eq!(AutoAssign::parse(Some("false")), AutoAssign::Off);
        assert_eq!(
            AutoAssign::parse(Some("01Q000000000001")),
            AutoAssign::Rule("01Q000000000001".into())
        );
        assert!(allow_save(Some(
            "allowSave=true; includeRecordDetails=true"
        )));
        assert!(!allow_save(Some("allowSave=false")));
        assert!(!allow_save(None));
    }
}
