//! The describe JSON documents, with every property Salesforce sends (clients and mapping UIs read
//! more than the obvious ones), keys in Salesforce's alphabetical order, and URLs for the API
//! version the client asked with.

use serde_json::{Map, Value, json};

use super::{FieldDef, ObjectDef};

fn urls(o: &ObjectDef, version: &str) -> Value {
    let base = format!("/services/data/v{version}/sobjects/{}", o.name);
    json!({
        "compactLayouts": format!("{base}/describe/compactLayouts"),
        "rowTemplate": format!("{base}/{{ID}}"),
        "approvalLayouts": format!("{base}/describe/approvalLayouts"),
        "uiDetailTemplate": Value::Null,
        "uiEditTemplate": Value::Null,
        "listviews": format!("{base}/listviews"),
        "describe": format!("{base}/describe"),
        "uiNewRecord": Value::Null,
        "quickActions": format!("{base}/quickActions"),
        "layouts": format!("{base}/describe/layouts"),
        "sobject": base,
    })
}

/// Properties shared by the global-describe entry and the full describe.
fn common(o: &ObjectDef, version: &str) -> Map<String, Value> {
    let standard = !o.custom;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("activateable", json!(false));
    put("associateEntityType", Value::Null);
    put("associateParentEntity", Value::Null);
    put("createable", json!(o.createable));
    put("custom", json!(o.custom));
    put("customSetting", json!(false));
    put("deepCloneable", json!(false));
    put("deletable", json!(o.deletable));
    put("deprecatedAndHidden", json!(false));
    put("feedEnabled", json!(standard));
    put("hasSubtypes", json!(false));
    put("isInterface", json!(false));
    put("isSubtype", json!(false));
    put("keyPrefix", json!(o.key_prefix));
    put("label", json!(o.label));
    put("labelPlural", json!(o.label_plural));
    put("layoutable", json!(true));
    put("mergeable", json!(o.name == "Lead" || o.name == "Contact"));
    put("mruEnabled", json!(true));
    put("name", json!(o.name));
    put("queryable", json!(true));
    put("replicateable", json!(true));
    put("retrieveable", json!(true));
    put("searchable", json!(true));
    put("triggerable", json!(true));
    put("undeletable", json!(o.deletable));
    put("updateable", json!(o.updateable));
    put("urls", urls(o, version));
    m
}

pub(super) fn global_entry(o: &ObjectDef, version: &str) -> Value {
    let mut m = common(o, version);
    if let Some(raw) = &o.raw {
        // Keep what a describe file says about the object, but point URLs at this version.
        for (k, v) in raw {
            if m.contains_key(k) && k != "urls" {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(m)
}

pub(super) fn describe(o: &ObjectDef, version: &str) -> Value {
    let mut m = common(o, version);
    let scope_label = format!("All {}", o.label_plural.to_lowercase());
    let extra = [
        ("actionOverrides", json!([])),
        ("childRelationships", json!([])),
        ("compactLayoutable", json!(true)),
        ("dataTranslationEnabled", json!(false)),
        ("defaultImplementation", Value::Null),
        ("extendedBy", Value::Null),
        ("extendsInterfaces", Value::Null),
        ("implementedBy", Value::Null),
        ("implementsInterfaces", Value::Null),
        ("listviewable", Value::Null),
        ("lookupLayoutable", Value::Null),
        ("namedLayoutInfos", json!([])),
        ("networkScopeFieldName", Value::Null),
        (
            "recordTypeInfos",
            json!([{
                "active": true,
                "available": true,
                "defaultRecordTypeMapping": true,
                "developerName": "Master",
                "master": true,
                "name": "Master",
                "recordTypeId": "012000000000000AAA",
                "urls": {
                    "layout": format!(
                        "/services/data/v{version}/sobjects/{}/describe/layouts/012000000000000AAA",
                        o.name
                    )
                }
            }]),
        ),
        ("searchLayoutable", json!(true)),
        ("sobjectDescribeOption", json!("FULL")),
        (
            "supportedScopes",
            json!([{ "label": scope_label, "name": "everything" }]),
        ),
    ];
    for (k, v) in extra {
        m.insert(k.to_string(), v);
    }
    if let Some(raw) = &o.raw {
        for (k, v) in raw {
            if k != "urls" {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    let fields: Vec<Value> = o.fields.iter().map(field).collect();
    m.insert("fields".into(), Value::Array(fields));
    Value::Object(m)
}

/// One field's describe entry.
pub(super) fn field(f: &FieldDef) -> Value {
    if let Some(raw) = &f.raw {
        return Value::Object(raw.clone());
    }
    let picklist: Vec<Value> = f
        .picklist
        .iter()
        .map(|p| {
            json!({
                "active": p.active,
                "defaultValue": p.default_value,
                "label": p.label,
                "validFor": Value::Null,
                "value": p.value,
            })
        })
        .collect();
    let system = !f.createable && !f.updateable;
    let props: [(&str, Value); 58] = [
        ("aggregatable", json!(f.aggregatable)),
        ("aiPredictionField", json!(false)),
        ("autoNumber", json!(f.auto_number)),
        ("byteLength", json!(f.byte_length)),
        ("calculated", json!(f.calculated)),
        ("calculatedFormula", Value::Null),
        ("cascadeDelete", json!(false)),
        ("caseSensitive", json!(f.case_sensitive)),
        ("compoundFieldName", json!(f.compound_field_name)),
        ("controllerName", Value::Null),
        ("createable", json!(f.createable)),
        ("custom", json!(f.custom)),
        ("dataTranslationEnabled", Value::Null),
        ("defaultValue", json!(f.default_value)),
        ("defaultValueFormula", Value::Null),
        ("defaultedOnCreate", json!(f.defaulted_on_create)),
        ("dependentPicklist", json!(false)),
        ("deprecatedAndHidden", json!(false)),
        ("digits", json!(f.digits)),
        ("displayLocationInDecimal", json!(false)),
        ("encrypted", json!(false)),
        ("externalId", json!(f.external_id)),
        ("extraTypeInfo", json!(f.extra_type_info)),
        ("filterable", json!(f.filterable)),
        ("filteredLookupInfo", Value::Null),
        ("formulaTreatNullNumberAsZero", json!(false)),
        ("groupable", json!(f.groupable)),
        ("highScaleNumber", json!(false)),
        ("htmlFormatted", json!(f.html_formatted)),
        ("idLookup", json!(f.id_lookup)),
        ("inlineHelpText", Value::Null),
        ("label", json!(f.label)),
        ("length", json!(f.length)),
        ("mask", Value::Null),
        ("maskType", Value::Null),
        ("name", json!(f.name)),
        ("nameField", json!(f.name_field)),
        ("namePointing", json!(f.polymorphic)),
        ("nillable", json!(f.nillable)),
        ("permissionable", json!(f.nillable && !system)),
        ("picklistValues", json!(picklist)),
        ("polymorphicForeignKey", json!(f.polymorphic)),
        ("precision", json!(f.precision)),
        ("queryByDistance", json!(false)),
        ("referenceTargetField", Value::Null),
        ("referenceTo", json!(f.reference_to)),
        ("relationshipName", json!(f.relationship_name)),
        ("relationshipOrder", Value::Null),
        ("restrictedDelete", json!(false)),
        ("restrictedPicklist", json!(f.restricted_picklist)),
        ("scale", json!(f.scale)),
        ("searchPrefilterable", json!(false)),
        ("soapType", json!(f.kind.soap_type())),
        ("sortable", json!(f.sortable)),
        ("type", json!(f.type_name)),
        ("unique", json!(f.unique)),
        ("updateable", json!(f.updateable)),
        ("writeRequiresMasterRead", json!(false)),
    ];
    Value::Object(props.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
