//! Mapping files: a calendar's integration as a versioned, diff-friendly JSON document (one row
//! per mapped field, in order; only the transform steps that are on), like Data Loader's mapping
//! files. Questions are named by label, not id, because ids differ between installs. Import
//! validates against the current questions and describe and reports every problem at once, each
//! naming its row and field, so a file is fixed in one pass.

use leadline_salesforce::rest::ObjectDescribe;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::ipc::{
    BookingAttribute, MappingRow, NamePart, PicklistEntry, Question, Source, Transform,
};

pub const FORMAT: &str = "leadline-mapping";
pub const VERSION: u64 = 1;

/// An integration read from a mapping file, its rows resolved against this install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedMapping {
    pub target_object: String,
    pub enabled: bool,
    pub auto_assign: bool,
    pub rows: Vec<MappingRow>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u64,
    calendar: &'a str,
    target_object: &'a str,
    enabled: bool,
    auto_assign: bool,
    rows: Vec<RowOut>,
}

#[derive(Serialize)]
struct RowOut {
    field: String,
    source: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    transform: Option<Value>,
}

/// The mapping file's text: pretty JSON ending in a newline.
pub fn export(
    calendar: &str,
    target_object: &str,
    enabled: bool,
    auto_assign: bool,
    rows: &[MappingRow],
    questions: &[Question],
) -> String {
    let file = FileOut {
        format: FORMAT,
        version: VERSION,
        calendar,
        target_object,
        enabled,
        auto_assign,
        rows: rows
            .iter()
            .map(|row| RowOut {
                field: row.field.clone(),
                source: source_out(&row.source, questions),
                transform: transform_out(&row.transform),
            })
            .collect(),
    };
    // Structs of strings, booleans and JSON values always serialise; the fallback is unreachable.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

fn source_out(source: &Source, questions: &[Question]) -> Value {
    match source {
        Source::Question { question_id } => {
            let label = questions
                .iter()
                .find(|q| q.id == *question_id)
                .map(|q| q.label.clone())
                // Kept visible rather than dropped: importing it reports the unknown question.
                .unwrap_or_else(|| format!("(deleted question #{question_id})"));
            json!({ "question": label })
        }
        Source::Attribute {
            attribute,
            param: Some(param),
        } => json!({ "attribute": attribute.as_str(), "param": param }),
        Source::Attribute { attribute, .. } => json!({ "attribute": attribute.as_str() }),
        Source::Fixed { value } => json!({ "fixed": value }),
    }
}

fn transform_out(t: &Transform) -> Option<Value> {
    let mut out = Map::new();
    if t.trim {
        out.insert("trim".into(), json!(true));
    }
    if t.half_width {
        out.insert("half_width".into(), json!(true));
    }
    if let Some(part) = t.name_part {
        out.insert("name_part".into(), json!(part));
    }
    if t.truncate {
        out.insert("truncate".into(), json!(true));
    }
    if !t.picklist.is_empty() {
        out.insert("picklist".into(), json!(t.picklist));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// Reads a mapping file against this install's questions and the current describe. Every
/// problem is reported, each message naming its row (1-based) and field.
pub fn import(
    text: &str,
    questions: &[Question],
    describe: &ObjectDescribe,
) -> Result<ImportedMapping, Vec<String>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| vec![format!("the file is not JSON: {e}")])?;
    let Some(top) = doc.as_object() else {
        return Err(vec!["the file is not a JSON object".into()]);
    };
    let mut problems = Vec::new();
    match top.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => problems.push(format!("format: \"{other}\" is not \"{FORMAT}\"")),
        None => problems.push(format!("format: missing (expected \"{FORMAT}\")")),
    }
    match top.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => problems.push(format!(
            "version: {v} is not supported (this Leadline reads version {VERSION})"
        )),
        None => problems.push(format!("version: missing (expected {VERSION})")),
    }
    let target_object = match top.get("target_object") {
        Some(Value::String(s)) => s.clone(),
        None => describe.name.clone(),
        Some(_) => {
            problems.push("target_object: expected a string".into());
            describe.name.clone()
        }
    };
    if !target_object.eq_ignore_ascii_case(&describe.name) {
        problems.push(format!(
            "target_object: the file maps {target_object}, but this integration posts {}",
            describe.name
        ));
    }
    let flag = |key: &str, default: bool, problems: &mut Vec<String>| match top.get(key) {
        None => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problems.push(format!("{key}: expected true or false"));
            default
        }
    };
    // An imported integration does not start posting until someone enables it.
    let enabled = flag("enabled", false, &mut problems);
    let auto_assign = flag("auto_assign", true, &mut problems);

    let mut rows: Vec<MappingRow> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    match top.get("rows") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let row = import_row(i + 1, item, questions, describe, &mut seen, &mut problems);
                rows.extend(row);
            }
        }
        Some(_) => problems.push("rows: expected an array".into()),
        None => problems.push("rows: missing".into()),
    }
    if problems.is_empty() {
        Ok(ImportedMapping {
            target_object: describe.name.clone(),
            enabled,
            auto_assign,
            rows,
        })
    } else {
        Err(problems)
    }
}

fn import_row(
    number: usize,
    item: &Value,
    questions: &[Question],
    describe: &ObjectDescribe,
    seen: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Option<MappingRow> {
    let Some(obj) = item.as_object() else {
        problems.push(format!("row {number}: expected an object"));
        return None;
    };
    let Some(name) = obj.get("field").and_then(Value::as_str) else {
        problems.push(format!("row {number}: field: missing"));
        return None;
    };
    let at = format!("row {number} ({name})");
    let before = problems.len();
    for key in obj.keys() {
        if !matches!(key.as_str(), "field" | "source" | "transform") {
            problems.push(format!("{at}: unknown key \"{key}\""));
        }
    }
    let field = match describe.field(name) {
        None => {
            problems.push(format!("{at}: {} has no field {name}", describe.name));
            None
        }
        Some(f) if !f.createable => {
            problems.push(format!(
                "{at}: {} ({}) cannot be set when a {} is created",
                f.label, f.name, describe.name
            ));
            None
        }
        Some(f) => Some(f.name.clone()),
    };
    if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
        problems.push(format!("{at}: an earlier row already maps {name}"));
    }
    seen.push(name.to_owned());
    let source = import_source(&at, obj.get("source"), questions, problems);
    let transform = import_transform(&at, obj.get("transform"), problems);
    if problems.len() > before {
        return None;
    }
    Some(MappingRow {
        field: field?,
        source: source?,
        transform: transform?,
    })
}

fn import_source(
    at: &str,
    source: Option<&Value>,
    questions: &[Question],
    problems: &mut Vec<String>,
) -> Option<Source> {
    let Some(obj) = source.and_then(Value::as_object) else {
        problems.push(format!(
            "{at}: source: expected {{\"question\": label}}, {{\"attribute\": name}} or {{\"fixed\": value}}"
        ));
        return None;
    };
    let str_of = |key: &str| obj.get(key).and_then(Value::as_str);
    if let Some(label) = str_of("question") {
        let found = questions
            .iter()
            .find(|q| q.label.trim().eq_ignore_ascii_case(label.trim()));
        return match found {
            Some(q) => Some(Source::Question { question_id: q.id }),
            None => {
                problems.push(format!(
                    "{at}: source: the calendar has no question \"{label}\""
                ));
                None
            }
        };
    }
    if let Some(name) = str_of("attribute") {
        let Some(attribute) = BookingAttribute::parse(name) else {
            let known: Vec<&str> = BookingAttribute::ALL.iter().map(|a| a.as_str()).collect();
            problems.push(format!(
                "{at}: source: unknown attribute \"{name}\" (known: {})",
                known.join(", ")
            ));
            return None;
        };
        let param = str_of("param").map(str::to_owned);
        if attribute == BookingAttribute::QueryParam && param.as_deref().is_none_or(str::is_empty) {
            problems.push(format!(
                "{at}: source: the query_param attribute needs a \"param\" (e.g. utm_source)"
            ));
            return None;
        }
        return Some(Source::Attribute { attribute, param });
    }
    if let Some(value) = str_of("fixed") {
        return Some(Source::Fixed {
            value: value.to_owned(),
        });
    }
    problems.push(format!(
        "{at}: source: expected a \"question\", \"attribute\" or \"fixed\" key with a string"
    ));
    None
}

fn import_transform(
    at: &str,
    transform: Option<&Value>,
    problems: &mut Vec<String>,
) -> Option<Transform> {
    let Some(value) = transform else {
        return Some(Transform::default());
    };
    let Some(obj) = value.as_object() else {
        problems.push(format!("{at}: transform: expected an object"));
        return None;
    };
    let before = problems.len();
    let mut t = Transform::default();
    for (key, v) in obj {
        let mut flag = |slot: &mut bool| match v {
            Value::Bool(b) => *slot = *b,
            _ => problems.push(format!("{at}: transform: {key}: expected true or false")),
        };
        match key.as_str() {
            "trim" => flag(&mut t.trim),
            "half_width" => flag(&mut t.half_width),
            "truncate" => flag(&mut t.truncate),
            "name_part" => match serde_json::from_value::<Option<NamePart>>(v.clone()) {
                Ok(part) => t.name_part = part,
                Err(_) => problems.push(format!(
                    "{at}: transform: name_part: expected \"last_name\" or \"first_name\""
                )),
            },
            "picklist" => match serde_json::from_value::<Vec<PicklistEntry>>(v.clone()) {
                Ok(entries) => t.picklist = entries,
                Err(_) => problems.push(format!(
                    "{at}: transform: picklist: expected [{{\"answer\": …, \"value\": …}}, …]"
                )),
            },
            other => problems.push(format!("{at}: transform: unknown step \"{other}\"")),
        }
    }
    (problems.len() == before).then_some(t)
}
