//! Salesforce's REST API as Leadline uses it: a [`RestClient`] for one connected org (describe,
//! create, upsert, query, limits, identity) that renews its session on its own, the error codes
//! Salesforce answers with, and the shapes of its answers.

pub mod client;
pub mod error;
pub mod types;

pub use client::{
    API_VERSION, COLLECTION_LIMIT, OrgEndpoint, RestClient, TokenStore, pick_version, revoke,
    soql_quote, versions,
};
pub use error::{ApiErrorCode, RestError, SalesforceError, parse_error_body};
pub use types::{
    ApiVersion, FieldDescribe, GlobalObject, IdentityInfo, ObjectDescribe, PicklistValue,
    QueryResult, SaveResult, WriteOptions,
};
