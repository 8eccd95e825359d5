//! The org's objects as describe sees them: the built-in standard objects (Lead, Contact, Event,
//! and a read-only User and Organization), the org's custom fields added to them, and objects loaded from
//! describe JSON files. Each field carries Salesforce's describe flags, which are also the rules
//! the record layer enforces; each object carries its compiled validation, duplicate and
//! assignment rules. This module also renders the describe JSON documents themselves.

mod custom;
mod describe;
mod standard;

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::org::{DuplicateAction, Org};

/// A describe field `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    Id,
    String,
    Email,
    Phone,
    Url,
    Textarea,
    Picklist,
    Multipicklist,
    Combobox,
    EncryptedString,
    Boolean,
    Int,
    Long,
    Double,
    Currency,
    Percent,
    Date,
    Datetime,
    Time,
    Reference,
    Address,
    Location,
    Base64,
    /// Any other type a describe file names (`anyType`, `complexvalue`, …): stored as sent.
    Other,
}

impl FieldType {
    /// Parses a describe `type`; unknown names become [`FieldType::Other`].
    pub fn parse(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "id" => Self::Id,
            "string" | "text" => Self::String,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "url" => Self::Url,
            "textarea" => Self::Textarea,
            "picklist" => Self::Picklist,
            "multipicklist" => Self::Multipicklist,
            "combobox" => Self::Combobox,
            "encryptedstring" => Self::EncryptedString,
            "boolean" | "checkbox" => Self::Boolean,
            "int" | "integer" => Self::Int,
            "long" => Self::Long,
            "double" | "number" => Self::Double,
            "currency" => Self::Currency,
            "percent" => Self::Percent,
            "date" => Self::Date,
            "datetime" => Self::Datetime,
            "time" => Self::Time,
            "reference" => Self::Reference,
            "address" => Self::Address,
            "location" => Self::Location,
            "base64" => Self::Base64,
            _ => Self::Other,
        }
    }

    /// The name describe uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::String => "string",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Url => "url",
            Self::Textarea => "textarea",
            Self::Picklist => "picklist",
            Self::Multipicklist => "multipicklist",
            Self::Combobox => "combobox",
            Self::EncryptedString => "encryptedstring",
            Self::Boolean => "boolean",
            Self::Int => "int",
            Self::Long => "long",
            Self::Double => "double",
            Self::Currency => "currency",
            Self::Percent => "percent",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Time => "time",
            Self::Reference => "reference",
            Self::Address => "address",
            Self::Location => "location",
            Self::Base64 => "base64",
            Self::Other => "anyType",
        }
    }

    pub fn soap_type(self) -> &'static str {
        match self {
            Self::Id | Self::Reference => "tns:ID",
            Self::Boolean => "xsd:boolean",
            Self::Int => "xsd:int",
            Self::Long => "xsd:long",
            Self::Double | Self::Currency | Self::Percent => "xsd:double",
            Self::Date => "xsd:date",
            Self::Datetime => "xsd:dateTime",
            Self::Time => "xsd:time",
            Self::Address => "urn:address",
            Self::Location => "urn:location",
            Self::Base64 => "xsd:base64Binary",
            Self::Other => "xsd:anyType",
            _ => "xsd:string",
        }
    }

    /// Text stored as a string and measured against `length`.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::String
                | Self::Email
                | Self::Phone
                | Self::Url
                | Self::Textarea
                | Self::Picklist
                | Self::Multipicklist
                | Self::Combobox
                | Self::EncryptedString
        )
    }

    pub fn is_number(self) -> bool {
        matches!(
            self,
            Self::Int | Self::Long | Self::Double | Self::Currency | Self::Percent
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PicklistValue {
    pub value: String,
    pub label: String,
    pub active: bool,
    pub default_value: bool,
}

/// One field with its describe flags.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    pub kind: FieldType,
    /// The describe `type` as written (differs from `kind.as_str()` only for `Other`).
    pub type_name: String,
    pub length: u32,
    pub byte_length: u32,
    pub precision: u32,
    pub scale: u32,
    pub digits: u32,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub defaulted_on_create: bool,
    pub default_value: Value,
    pub calculated: bool,
    pub auto_number: bool,
    pub unique: bool,
    pub external_id: bool,
    pub id_lookup: bool,
    pub custom: bool,
    pub case_sensitive: bool,
    pub name_field: bool,
    pub filterable: bool,
    pub sortable: bool,
    pub groupable: bool,
    pub aggregatable: bool,
    pub html_formatted: bool,
    pub polymorphic: bool,
    pub picklist: Vec<PicklistValue>,
    pub restricted_picklist: bool,
    pub reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub compound_field_name: Option<String>,
    pub extra_type_info: Option<String>,
    /// The field's describe JSON as read from a describe file, echoed back verbatim.
    pub raw: Option<Map<String, Value>>,
}

impl FieldDef {
    /// Salesforce's definition of "required on create".
    pub fn required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }

    /// Usable in `…/sobjects/X/{field}/{value}` and collections upsert: an external id, or a
    /// standard field with `idLookup`.
    pub fn upsertable_key(&self) -> bool {
        self.external_id || (self.id_lookup && !self.custom)
    }

    /// Values are compared case-insensitively in unique/external-id indexes.
    pub fn index_key(&self, value: &Value) -> Option<String> {
        let text = match value {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some(if self.case_sensitive {
            text
        } else {
            text.to_lowercase()
        })
    }

    /// The active picklist value equal to `value`, if any.
    pub fn picklist_has(&self, value: &str) -> bool {
        self.picklist.iter().any(|p| p.active && p.value == value)
    }
}

/// A validation rule compiled against its object's fields.
#[derive(Debug, Clone)]
pub struct ValidationCheck {
    pub name: String,
    pub message: String,
    pub field: usize,
    pub rule: RuleKind,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    RequiredWhen {
        when_field: usize,
        when_equals: Option<String>,
    },
    Regex(regex::Regex),
}

#[derive(Debug, Clone)]
pub struct DuplicateCheck {
    pub name: String,
    /// Indexes into the object's fields, compared case-insensitively; all must be non-blank.
    pub fields: Vec<usize>,
    pub action: DuplicateAction,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub rule_id: String,
    pub owner_id: String,
}

/// One object: describe facts, fields, and the org's rules for it.
#[derive(Debug, Clone)]
pub struct ObjectDef {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub custom: bool,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    pub fields: Vec<FieldDef>,
    pub validations: Vec<ValidationCheck>,
    pub duplicates: Vec<DuplicateCheck>,
    pub assignment: Option<Assignment>,
    /// Fields with a value index: unique, external-id and id-lookup fields other than `Id`.
    pub indexed: Vec<usize>,
    /// Top-level describe JSON from a describe file (without `fields`), echoed back.
    pub raw: Option<Map<String, Value>>,
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl ObjectDef {
    fn new(name: &str, label: &str, plural: &str, prefix: &str, fields: Vec<FieldDef>) -> Self {
        let mut o = ObjectDef {
            name: name.into(),
            label: label.into(),
            label_plural: plural.into(),
            key_prefix: prefix.into(),
            custom: name.ends_with("__c"),
            createable: true,
            updateable: true,
            deletable: true,
            fields,
            validations: Vec::new(),
            duplicates: Vec::new(),
            assignment: None,
            indexed: Vec::new(),
            raw: None,
            exact: HashMap::new(),
            folded: HashMap::new(),
        };
        o.reindex();
        o
    }

    fn reindex(&mut self) {
        self.exact.clear();
        self.folded.clear();
        self.indexed.clear();
        for (i, f) in self.fields.iter().enumerate() {
            self.exact.insert(f.name.clone(), i);
            self.folded.insert(f.name.to_ascii_lowercase(), i);
            if f.kind != FieldType::Id && (f.unique || f.external_id || f.id_lookup) {
                self.indexed.push(i);
            }
        }
    }

    /// The index of a field, by API name in any case (as Salesforce accepts).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.exact
            .get(name)
            .or_else(|| self.folded.get(&name.to_ascii_lowercase()))
            .copied()
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.field_index(name).map(|i| &self.fields[i])
    }

    /// Whether the object's records can be written through the API.
    pub fn writable(&self) -> bool {
        self.createable || self.updateable || self.deletable
    }

    /// The global-describe entry (`/sobjects` list item and `objectDescribe`).
    pub fn global_entry(&self, version: &str) -> Value {
        describe::global_entry(self, version)
    }

    /// The full `/sobjects/X/describe` document.
    pub fn describe(&self, version: &str) -> Value {
        describe::describe(self, version)
    }
}

/// Every object of the org.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    objects: Vec<ObjectDef>,
    by_name: HashMap<String, usize>,
    by_prefix: HashMap<String, usize>,
}

impl Schema {
    /// Builds the org's schema, or says what in the org file is wrong.
    pub fn build(org: &Org) -> Result<Self, String> {
        let mut objects = standard::objects();
        for file in &org.describe_files {
            let loaded = custom::load_describe_file(file)?;
            match objects
                .iter_mut()
                .find(|o| o.name.eq_ignore_ascii_case(&loaded.name))
            {
                Some(slot) => *slot = loaded,
                None => objects.push(loaded),
            }
        }
        for cf in &org.custom_fields {
            let obj = objects
                .iter_mut()
                .find(|o| o.name.eq_ignore_ascii_case(&cf.object))
                .ok_or_else(|| {
                    format!("custom field {}: no object named {:?}", cf.name, cf.object)
                })?;
            if obj.field_index(&cf.name).is_some() {
                return Err(format!(
                    "custom field {}.{} already exists",
                    obj.name, cf.name
                ));
            }
            let field = custom::custom_field(cf)?;
            obj.fields.push(field);
            obj.reindex();
        }
        for obj in &mut objects {
            custom::attach_rules(obj, org)?;
        }
        for rule in &org.validation_rules {
            let object = match rule {
                crate::org::ValidationRule::RequiredWhen { object, .. }
                | crate::org::ValidationRule::Regex { object, .. } => object,
            };
            if !objects.iter().any(|o| o.name.eq_ignore_ascii_case(object)) {
                return Err(format!("validation rule on unknown object {object:?}"));
            }
        }
        for rule in &org.duplicate_rules {
            if !objects
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&rule.object))
            {
                return Err(format!(
                    "duplicate rule {:?} on unknown object {:?}",
                    rule.name, rule.object
                ));
            }
        }
        for rule in &org.assignment_rules {
            if !objects
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&rule.object))
            {
                return Err(format!(
                    "assignment rule {:?} on unknown object {:?}",
                    rule.id, rule.object
                ));
            }
        }
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        let mut schema = Schema {
            objects,
            ..Schema::default()
        };
        for (i, o) in schema.objects.iter().enumerate() {
            schema.by_name.insert(o.name.to_ascii_lowercase(), i);
            if schema.by_prefix.insert(o.key_prefix.clone(), i).is_some() {
                return Err(format!(
                    "two objects share the key prefix {:?}",
                    o.key_prefix
                ));
            }
        }
        Ok(schema)
    }

    /// An object by API name, in any case.
    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.objects[i])
    }

    /// The object whose ids start with `prefix`.
    pub fn object_by_prefix(&self, prefix: &str) -> Option<&ObjectDef> {
        self.by_prefix.get(prefix).map(|&i| &self.objects[i])
    }

    /// All objects, sorted by name as global describe lists them.
    pub fn objects(&self) -> &[ObjectDef] {
        &self.objects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_schema_has_the_standard_objects_and_flags() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let lead = schema.object("lead").unwrap();
        assert_eq!(lead.key_prefix, "00Q");
        let required: Vec<_> = lead
            .fields
            .iter()
            .filter(|f| f.required_on_create())
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(required, ["LastName", "Company"]);
        let status = lead.field("STATUS").unwrap();
        assert!(!status.nillable && status.defaulted_on_create);
        assert_eq!(status.picklist.len(), 4);
        assert!(status.picklist[0].default_value);
        assert!(!lead.field("Address").unwrap().createable);
        assert!(lead.field("OwnerId").unwrap().defaulted_on_create);
        assert_eq!(schema.object_by_prefix("003").unwrap().name, "Contact");
        assert_eq!(schema.object("Event").unwrap().key_prefix, "00U");
        assert!(!schema.object("User").unwrap().createable);
        let names: Vec<_> = schema.objects().iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Contact", "Event", "Lead", "Organization", "User"]);
        let organization = schema.object("Organization").unwrap();
        assert_eq!(organization.key_prefix, "00D");
        assert!(!organization.createable && !organization.updateable);
    }

    #[test]
    fn every_field_describes_with_the_full_property_set() {
        let schema = Schema::build(&Org::practice()).unwrap();
        let d = schema.object("Lead").unwrap().describe("59.0");
        let fields = d["fields"].as_array().unwrap();
        for f in fields {
            for key in [
                "name",
                "label",
                "type",
                "length",
                "byteLength",
                "nillable",
                "createable",
                "updateable",
                "defaultedOnCreate",
                "defaultValue",
                "calculated",
                "autoNumber",
                "unique",
                "externalId",
                "idLookup",
                "custom",
                "picklistValues",
                "restrictedPicklist",
                "referenceTo",
                "relationshipName",
                "precision",
                "scale",
                "digits",
                "soapType",
            ] {
                assert!(f.get(key).is_some(), "{} lacks {key}", f["name"]);
            }
        }
        assert_eq!(
            d["urls"]["describe"],
            "/services/data/v59.0/sobjects/Lead/describe"
        );
    }
}
