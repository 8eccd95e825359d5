//! The shapes of Salesforce's REST answers that Leadline reads: describe (object, field,
//! picklist value), global describe, the identity URL, API versions, save and query results,
//! and the per-request write options. Field names follow the wire (camelCase); unknown keys are
//! ignored so a newer API version's additions do not break parsing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::SalesforceError;

/// An entry of `GET /services/data/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersion {
    pub label: String,
    pub url: String,
    pub version: String,
}

/// How one write is to be handled, sent as request headers.
#[derive(Default, Clone, Debug)]
pub struct WriteOptions {
    /// `Sforce-Auto-Assign: TRUE|FALSE`; `None` leaves the header out (Salesforce then runs
    /// assignment rules, which may replace a mapped owner).
    pub auto_assign: Option<bool>,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`: save past an alerting duplicate rule
    /// (never past a blocking one).
    pub allow_save_on_duplicate_alert: bool,
}

/// The result of saving one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveResult {
    pub id: Option<String>,
    pub success: bool,
    /// Upserts only: whether the record was created (`false`: an existing one was updated).
    pub created: Option<bool>,
    pub errors: Vec<SalesforceError>,
}

/// A whole query, all pages gathered. `attributes` stays in each record as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub total_size: u64,
    pub records: Vec<Map<String, Value>>,
}

/// What the identity URL (`…/id/<orgId>/<userId>`) tells about the connected user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityInfo {
    pub organization_id: String,
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// `rest`, `sobjects`, `query`, … with `{version}` left in as sent.
    #[serde(default)]
    pub urls: Map<String, Value>,
}

/// An object as global describe lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalObject {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub label_plural: Option<String>,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub queryable: bool,
    #[serde(default)]
    pub custom: bool,
}

/// `GET …/sobjects/<Object>/describe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDescribe {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub label_plural: Option<String>,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub fields: Vec<FieldDescribe>,
    #[serde(default)]
    pub urls: Map<String, Value>,
}

impl ObjectDescribe {
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    pub label: String,
    /// `string`, `email`, `picklist`, `reference`, …
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub byte_length: u32,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub default_value: Option<Value>,
    #[serde(default)]
    pub calculated: bool,
    #[serde(default)]
    pub auto_number: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub id_lookup: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    #[serde(default)]
    pub restricted_picklist: bool,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub precision: u32,
    #[serde(default)]
    pub scale: u32,
    #[serde(default)]
    pub digits: u32,
    #[serde(default)]
    pub soap_type: Option<String>,
}

impl FieldDescribe {
    /// Whether a create must carry this field: Salesforce fills neither a default nor a null.
    pub fn required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }
}

/// One value of a picklist field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
    /// Dependent picklists: base64 bitmap over the controlling field's values.
    #[serde(default)]
    pub valid_for: Option<String>,
}
