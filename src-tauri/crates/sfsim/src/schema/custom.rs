//! What the org file adds to the standard schema: custom fields (`__c`) with the flags Salesforce
//! gives fields made in Setup, whole objects read from describe JSON files, and the validation,
//! duplicate and assignment rules compiled against their object's fields.

use serde_json::{Map, Value, json};

use super::{
    Assignment, DuplicateCheck, FieldDef, FieldType, ObjectDef, PicklistValue, RuleKind,
    ValidationCheck,
};
use crate::org::{CustomField, DescribeFile, Org, ValidationRule};

pub(super) fn custom_field(cf: &CustomField) -> Result<FieldDef, String> {
    if !cf.name.ends_with("__c") {
        return Err(format!("custom field {:?} must end in __c", cf.name));
    }
    let kind = FieldType::parse(&cf.kind);
    let mut f = FieldDef::of(&cf.name, &cf.label, kind);
    f.custom = true;
    match kind {
        FieldType::String => f = f.len(cf.length.unwrap_or(255)),
        FieldType::Email => f = f.len(80),
        FieldType::Phone => f = f.len(40),
        FieldType::Url => f = f.len(cf.length.unwrap_or(255)),
        FieldType::Textarea => {
            let length = cf.length.unwrap_or(255);
            f = f.len(length);
            if length > 255 {
                f.extra_type_info = Some("plaintextarea".into());
            }
        }
        FieldType::Picklist => f = f.len(255),
        FieldType::Multipicklist => f = f.len(4099),
        FieldType::Boolean => {
            f = f.required().defaulted(json!(false));
        }
        FieldType::Int => f = f.digits(cf.precision.unwrap_or(9)),
        FieldType::Double | FieldType::Currency => {
            let default_scale = if kind == FieldType::Currency { 2 } else { 0 };
            f = f.number(
                cf.precision.unwrap_or(18),
                cf.scale.unwrap_or(default_scale),
            );
        }
        FieldType::Percent => f = f.number(cf.precision.unwrap_or(5), cf.scale.unwrap_or(2)),
        FieldType::Date | FieldType::Datetime => {}
        other => {
            return Err(format!(
                "custom field {}: type {:?} is not supported (use string, email, phone, url, textarea, \
                 picklist, multipicklist, boolean, int, double, currency, percent, date or datetime; got {})",
                cf.name,
                cf.kind,
                other.as_str()
            ));
        }
    }
    if cf.length.is_some() && !kind.is_text() {
        return Err(format!(
            "custom field {}: length applies only to text fields",
            cf.name
        ));
    }
    if cf.required && kind != FieldType::Boolean {
        f.nillable = false;
    }
    f.unique = cf.unique;
    f.external_id = cf.external_id;
    // External ids are indexed for lookup, which describe reports as idLookup.
    f.id_lookup = cf.external_id;
    f.createable = cf.createable;
    f.updateable = cf.updateable;
    if !cf.picklist_values.is_empty() {
        if !matches!(kind, FieldType::Picklist | FieldType::Multipicklist) {
            return Err(format!(
                "custom field {}: picklist_values on a {} field",
                cf.name, cf.kind
            ));
        }
        f.picklist = cf
            .picklist_values
            .iter()
            .map(|v| PicklistValue {
                value: v.clone(),
                label: v.clone(),
                active: true,
                default_value: false,
            })
            .collect();
    }
    f.restricted_picklist = cf.restricted_picklist;
    Ok(f)
}

fn flag(m: &Map<String, Value>, key: &str, default: bool) -> bool {
    m.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn num(m: &Map<String, Value>, key: &str) -> u32 {
    m.get(key)
        .and_then(Value::as_u64)
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    m.get(key).and_then(Value::as_str).map(str::to_string)
}

fn field_from_describe(m: &Map<String, Value>) -> Result<FieldDef, String> {
    let name = text(m, "name").ok_or("a field without a name")?;
    let type_name = text(m, "type").ok_or_else(|| format!("field {name} has no type"))?;
    let kind = FieldType::parse(&type_name);
    let mut f = FieldDef::of(
        &name,
        &text(m, "label").unwrap_or_else(|| name.clone()),
        kind,
    );
    f.type_name = type_name;
    f.length = num(m, "length");
    f.byte_length = num(m, "byteLength");
    f.precision = num(m, "precision");
    f.scale = num(m, "scale");
    f.digits = num(m, "digits");
    f.nillable = flag(m, "nillable", true);
    f.createable = flag(m, "createable", false);
    f.updateable = flag(m, "updateable", false);
    f.defaulted_on_create = flag(m, "defaultedOnCreate", false);
    f.default_value = m.get("defaultValue").cloned().unwrap_or(Value::Null);
    f.calculated = flag(m, "calculated", false);
    f.auto_number = flag(m, "autoNumber", false);
    f.unique = flag(m, "unique", false);
    f.external_id = flag(m, "externalId", false);
    f.id_lookup = flag(m, "idLookup", false);
    f.custom = flag(m, "custom", name.ends_with("__c"));
    f.case_sensitive = flag(m, "caseSensitive", false);
    f.name_field = flag(m, "nameField", false);
    f.filterable = flag(m, "filterable", true);
    f.sortable = flag(m, "sortable", true);
    f.groupable = flag(m, "groupable", false);
    f.aggregatable = flag(m, "aggregatable", false);
    f.restricted_picklist = flag(m, "restrictedPicklist", false);
    f.polymorphic = flag(m, "polymorphicForeignKey", false);
    f.relationship_name = text(m, "relationshipName");
    f.compound_field_name = text(m, "compoundFieldName");
    f.extra_type_info = text(m, "extraTypeInfo");
    f.reference_to = m
        .get("referenceTo")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    f.picklist = m
        .get("picklistValues")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_object)
                .filter_map(|p| {
                    let value = text(p, "value")?;
                    Some(PicklistValue {
                        label: text(p, "label").unwrap_or_else(|| value.clone()),
                        value,
                        active: flag(p, "active", true),
                        default_value: flag(p, "defaultValue", false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    f.raw = Some(m.clone());
    Ok(f)
}

/// Reads an object from a `…/sobjects/X/describe` JSON document.
pub(super) fn load_describe_file(file: &DescribeFile) -> Result<ObjectDef, String> {
    let path = file.path.display();
    let text_doc = std::fs::read_to_string(&file.path)
        .map_err(|e| format!("cannot read describe file {path}: {e}"))?;
    let doc: Value = serde_json::from_str(&text_doc)
        .map_err(|e| format!("describe file {path} is not JSON: {e}"))?;
    let mut top = match doc {
        Value::Object(m) => m,
        _ => return Err(format!("describe file {path} is not a JSON object")),
    };
    let name = text(&top, "name").ok_or_else(|| format!("describe file {path} has no \"name\""))?;
    let prefix = file
        .key_prefix
        .clone()
        .or_else(|| text(&top, "keyPrefix"))
        .ok_or_else(|| {
            format!("describe file {path} has no keyPrefix; set key_prefix in the org file")
        })?;
    if prefix.len() != 3 || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "describe file {path}: key prefix {prefix:?} must be three letters or digits"
        ));
    }
    let fields = match top.remove("fields") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|f| match f {
                Value::Object(m) => field_from_describe(m),
                _ => Err("a field that is not an object".to_string()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("describe file {path}: {e}"))?,
        _ => return Err(format!("describe file {path} has no \"fields\" array")),
    };
    if !fields.iter().any(|f| f.name == "Id") {
        return Err(format!("describe file {path} has no Id field"));
    }
    let label = text(&top, "label").unwrap_or_else(|| name.clone());
    let plural = text(&top, "labelPlural").unwrap_or_else(|| format!("{label}s"));
    let mut o = ObjectDef::new(&name, &label, &plural, &prefix, fields);
    o.custom = flag(&top, "custom", name.ends_with("__c"));
    o.createable = flag(&top, "createable", true);
    o.updateable = flag(&top, "updateable", true);
    o.deletable = flag(&top, "deletable", true);
    top.insert("keyPrefix".into(), json!(prefix));
    o.raw = Some(top);
    Ok(o)
}

fn field_of(obj: &ObjectDef, what: &str, name: &str) -> Result<usize, String> {
    obj.field_index(name)
        .ok_or_else(|| format!("{what}: {} has no field {name:?}", obj.name))
}

/// Compiles the org's rules that apply to `obj`.
pub(super) fn attach_rules(obj: &mut ObjectDef, org: &Org) -> Result<(), String> {
    for rule in &org.validation_rules {
        let check = match rule {
            ValidationRule::RequiredWhen {
                object,
                name,
                field,
                when_field,
                when_equals,
                message,
            } if object.eq_ignore_ascii_case(&obj.name) => ValidationCheck {
                name: name.clone(),
                message: message.clone(),
                field: field_of(obj, &format!("validation rule {name:?}"), field)?,
                rule: RuleKind::RequiredWhen {
                    when_field: field_of(obj, &format!("validation rule {name:?}"), when_field)?,
                    when_equals: when_equals.clone(),
                },
            },
            ValidationRule::Regex {
                object,
                name,
                field,
                pattern,
                message,
            } if object.eq_ignore_ascii_case(&obj.name) => ValidationCheck {
                name: name.clone(),
                message: message.clone(),
                field: field_of(obj, &format!("validation rule {name:?}"), field)?,
                rule: RuleKind::Regex(
                    regex::Regex::new(&format!("^(?:{pattern})$"))
                        .map_err(|e| format!("validation rule {name:?}: bad pattern: {e}"))?,
                ),
            },
            _ => continue,
        };
        obj.validations.push(check);
    }
    for rule in org
        .duplicate_rules
        .iter()
        .filter(|r| r.object.eq_ignore_ascii_case(&obj.name))
    {
        if rule.match_on.is_empty() {
            return Err(format!(
                "duplicate rule {:?} matches on no fields",
                rule.name
            ));
        }
        let fields = rule
            .match_on
            .iter()
            .map(|f| field_of(obj, &format!("duplicate rule {:?}", rule.name), f))
            .collect::<Result<Vec<_>, _>>()?;
        obj.duplicates.push(DuplicateCheck {
            name: rule.name.clone(),
            fields,
            action: rule.action,
        });
    }
    let mut rules = org
        .assignment_rules
        .iter()
        .filter(|r| r.object.eq_ignore_ascii_case(&obj.name));
    if let Some(rule) = rules.next() {
        if rules.next().is_some() {
            return Err(format!(
                "{} has more than one active assignment rule",
                obj.name
            ));
        }
        if obj.field_index("OwnerId").is_none() {
            return Err(format!(
                "assignment rule {:?}: {} has no OwnerId",
                rule.id, obj.name
            ));
        }
        obj.assignment = Some(Assignment {
            rule_id: rule.id.clone(),
            owner_id: rule.owner_id.clone(),
        });
    }
    Ok(())
}
