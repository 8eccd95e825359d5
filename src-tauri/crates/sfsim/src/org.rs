//! The org the simulator plays: its identity and edition, users, connected apps, extra fields and
//! objects, rules, limits, latency and scripted faults — read from a TOML file, or the built-in
//! practice org that the offline demo and most tests use.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ids::{self, prefix};

/// Client id of the practice org's connected app.
pub const PRACTICE_CLIENT_ID: &str = "leadline-practice";
/// The practice org's one user.
pub const PRACTICE_USERNAME: &str = "admin@practice.example";
pub const PRACTICE_PASSWORD: &str = "practice";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    pub org: OrgInfo,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub connected_apps: Vec<ConnectedApp>,
    /// Fields added to the built-in objects (or to objects loaded from describe files).
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    /// Objects loaded from a describe JSON file, as Salesforce returns `…/sobjects/X/describe`.
    #[serde(default)]
    pub describe_files: Vec<DescribeFile>,
    #[serde(default)]
    pub validation_rules: Vec<ValidationRule>,
    #[serde(default)]
    pub duplicate_rules: Vec<DuplicateRule>,
    #[serde(default)]
    pub assignment_rules: Vec<AssignmentRule>,
    #[serde(default)]
    pub latency: Latency,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Seed for latency jitter and fault dice, so a failing test can be replayed.
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgInfo {
    /// The 18-character org id (`00D…`); generated when absent.
    #[serde(default = "default_org_id")]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub edition: Edition,
    /// Daily API requests allowed; `Sforce-Limit-Info` and `/limits` report against it.
    #[serde(default = "default_daily_limit")]
    pub daily_api_limit: u64,
    /// Requests already used when the simulator starts (to test behaviour near the limit).
    #[serde(default)]
    pub api_usage_start: u64,
    /// A user whose consent is given without a page: authorize redirects straight back.
    #[serde(default)]
    pub auto_approve: Option<String>,
}

fn default_org_id() -> String {
    ids::id18(prefix::ORG, 1)
}

fn default_daily_limit() -> u64 {
    15_000
}

/// Salesforce editions; those without API access answer API_DISABLED_FOR_ORG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Edition {
    #[default]
    Developer,
    Enterprise,
    Unlimited,
    Performance,
    /// Professional with the API add-on.
    ProfessionalWithApi,
    Professional,
    Essentials,
    Group,
}

impl Edition {
    /// The Organization record's `OrganizationType`, as Salesforce labels the edition
    /// (Performance orgs report Unlimited, Group orgs Team).
    pub fn label(self) -> &'static str {
        match self {
            Edition::Developer => "Developer Edition",
            Edition::Enterprise => "Enterprise Edition",
            Edition::Unlimited | Edition::Performance => "Unlimited Edition",
            Edition::ProfessionalWithApi | Edition::Professional | Edition::Essentials => {
                "Professional Edition"
            }
            Edition::Group => "Team Edition",
        }
    }

    pub fn has_api(self) -> bool {
        !matches!(
            self,
            Edition::Professional | Edition::Essentials | Edition::Group
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: String,
    pub password: String,
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    pub last_name: String,
    /// The 18-character user id (`005…`); generated from the user's place when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// The profile's "API Enabled" permission.
    #[serde(default = "yes")]
    pub api_enabled: bool,
    /// Whether the user's email is verified (an OpenID Connect claim).
    #[serde(default = "yes")]
    pub email_verified: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectedApp {
    pub client_id: String,
    #[serde(default = "default_app_name")]
    pub name: String,
    /// Exact callback URLs. `*` in place of a port accepts any port on that host (practice org).
    pub callback_urls: Vec<String>,
    #[serde(default)]
    pub permitted_users: PermittedUsers,
    /// Usernames pre-approved by an admin, for `admin-approved`.
    #[serde(default)]
    pub approved_users: Vec<String>,
    /// Blocked in "OAuth Usage Status for Connected Applications".
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub refresh_token_policy: RefreshTokenPolicy,
    /// Whether PKCE is required (External Client Apps always require it).
    #[serde(default = "yes")]
    pub require_pkce: bool,
    /// "Enforce IP restrictions" refusing the caller's address: every token grant (code
    /// exchange and refresh) answers `invalid_grant` / `ip restricted`.
    #[serde(default)]
    pub ip_restricted: bool,
}

fn default_app_name() -> String {
    "Leadline".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermittedUsers {
    #[default]
    SelfAuthorize,
    AdminApproved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefreshTokenPolicy {
    #[default]
    UntilRevoked,
    ExpireImmediately,
    Rotate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    pub object: String,
    /// API name; custom fields end in `__c`.
    pub name: String,
    pub label: String,
    /// A describe type: string, email, phone, url, textarea, picklist, multipicklist, boolean,
    /// int, double, currency, percent, date, datetime.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub length: Option<u32>,
    /// Required on create (not nillable, not defaulted).
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default = "yes")]
    pub createable: bool,
    #[serde(default = "yes")]
    pub updateable: bool,
    #[serde(default)]
    pub picklist_values: Vec<String>,
    #[serde(default)]
    pub restricted_picklist: bool,
    #[serde(default)]
    pub precision: Option<u32>,
    #[serde(default)]
    pub scale: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribeFile {
    /// Resolved against the org file's folder.
    pub path: PathBuf,
    /// The key prefix for new records' ids, if the file lacks `keyPrefix`.
    #[serde(default)]
    pub key_prefix: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
pub enum ValidationRule {
    /// `field` must have a value when `when_field` is not blank (or equals `when_equals`).
    RequiredWhen {
        object: String,
        name: String,
        field: String,
        when_field: String,
        #[serde(default)]
        when_equals: Option<String>,
        message: String,
    },
    /// When `field` has a value it must match `pattern` (a regular expression, whole value).
    Regex {
        object: String,
        name: String,
        field: String,
        pattern: String,
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRule {
    pub object: String,
    pub name: String,
    /// `["Email"]` or `["Email", "Company"]`: compared case-insensitively.
    pub match_on: Vec<String>,
    pub action: DuplicateAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicateAction {
    Block,
    Alert,
}

/// The active assignment rule: with `Sforce-Auto-Assign: TRUE` (the default) it sets OwnerId.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRule {
    pub object: String,
    /// The rule's id (`01Q…`), which a client may name in the header instead of TRUE.
    pub id: String,
    pub owner_id: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    #[serde(default)]
    pub fixed_ms: u64,
    #[serde(default)]
    pub jitter_ms: u64,
}

/// Scripted failures for requests whose path contains `endpoint` (e.g. `composite/sobjects`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub endpoint: String,
    /// Probability of answering 503 SERVER_UNAVAILABLE instead of serving.
    #[serde(default)]
    pub unavailable: f64,
    /// Probability of answering UNABLE_TO_LOCK_ROW instead of serving.
    #[serde(default)]
    pub unable_to_lock_row: f64,
    /// Probability of serving (committing) and then dropping the connection before the answer.
    #[serde(default)]
    pub drop_after_commit: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum OrgFileError {
    #[error("cannot read the org file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the org file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

impl Org {
    /// Reads an org file; describe file paths are made absolute against its folder.
    pub fn load(path: &Path) -> Result<Self, OrgFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| OrgFileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut org: Org = toml::from_str(&text).map_err(|e| OrgFileError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for f in &mut org.describe_files {
            if f.path.is_relative() {
                f.path = base.join(&f.path);
            }
        }
        org.fill_ids();
        org.check().map_err(|message| OrgFileError::Invalid {
            path: path.display().to_string(),
            message,
        })?;
        Ok(org)
    }

    /// The built-in practice org: one admin, the `leadline-practice` app accepting any loopback
    /// callback port, and the standard objects.
    pub fn practice() -> Self {
        let mut org = Org {
            org: OrgInfo {
                id: default_org_id(),
                name: "Leadline Practice Org".into(),
                edition: Edition::Developer,
                daily_api_limit: default_daily_limit(),
                api_usage_start: 0,
                auto_approve: None,
            },
            users: vec![User {
                username: PRACTICE_USERNAME.into(),
                password: PRACTICE_PASSWORD.into(),
                email: PRACTICE_USERNAME.into(),
                first_name: "Pat".into(),
                last_name: "Practice".into(),
                id: None,
                active: true,
                api_enabled: true,
                email_verified: true,
            }],
            connected_apps: vec![ConnectedApp {
                client_id: PRACTICE_CLIENT_ID.into(),
                name: "Leadline".into(),
                callback_urls: vec![
                    "http://localhost:*/oauth/callback".into(),
                    "http://127.0.0.1:*/oauth/callback".into(),
                ],
                permitted_users: PermittedUsers::SelfAuthorize,
                approved_users: Vec::new(),
                blocked: false,
                refresh_token_policy: RefreshTokenPolicy::UntilRevoked,
                require_pkce: true,
                ip_restricted: false,
            }],
            custom_fields: Vec::new(),
            describe_files: Vec::new(),
            validation_rules: Vec::new(),
            duplicate_rules: Vec::new(),
            assignment_rules: Vec::new(),
            latency: Latency::default(),
            faults: Vec::new(),
            seed: 0,
        };
        org.fill_ids();
        org
    }

    fn fill_ids(&mut self) {
        for (i, u) in self.users.iter_mut().enumerate() {
            if u.id.is_none() {
                u.id = Some(ids::id18(prefix::USER, i as u64 + 1));
            }
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.org.id.len() != 18 || !self.org.id.starts_with(prefix::ORG) {
            return Err(format!(
                "org.id {:?} must be an 18-character id starting with 00D",
                self.org.id
            ));
        }
        for a in &self.connected_apps {
            if a.callback_urls.is_empty() {
                return Err(format!(
                    "connected app {:?} has no callback_urls",
                    a.client_id
                ));
            }
        }
        let probabilities = self
            .faults
            .iter()
            .flat_map(|f| [f.unavailable, f.unable_to_lock_row, f.drop_after_commit]);
        if probabilities.clone().any(|p| !(0.0..=1.0).contains(&p)) {
            return Err("fault probabilities must be between 0 and 1".into());
        }
        Ok(())
    }

    pub fn user(&self, username: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    pub fn user_by_id(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id.as_deref() == Some(id))
    }

    pub fn app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.connected_apps
            .iter()
            .find(|a| a.client_id == client_id)
    }
}

impl User {
    /// The user's id; always filled once the org is loaded.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }

    pub fn display_name(&self) -> String {
        if self.first_name.is_empty() {
            self.last_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }
}

impl ConnectedApp {
    /// Salesforce matches callback URLs exactly; `*` as the port matches any port.
    pub fn accepts_callback(&self, redirect_uri: &str) -> bool {
        self.callback_urls
            .iter()
            .any(|pattern| match pattern.split_once(":*") {
                Some((head, tail)) => redirect_uri
                    .strip_prefix(head)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .and_then(|rest| {
                        let digits = rest.chars().take_while(char::is_ascii_digit).count();
                        (digits > 0).then(|| &rest[digits..])
                    })
                    .is_some_and(|rest| rest == tail),
                None => pattern == redirect_uri,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_app_accepts_any_loopback_port_and_nothing_else() {
        let org = Org::practice();
        let app = org.app(PRACTICE_CLIENT_ID).unwrap();
        assert!(app.accepts_callback("http://localhost:8711/oauth/callback"));
        assert!(app.accepts_callback("http://127.0.0.1:1/oauth/callback"));
        assert!(!app.accepts_callback("http://localhost/oauth/callback"));
        assert!(!app.accepts_callback("http://localhost:8711/oauth/callback/x"));
        assert!(!app.accepts_callback("http://evil.example:8711/oauth/callback"));
        assert!(!app.accepts_callback("http://localhost:87a/oauth/callback"));
        assert_eq!(org.users[0].id().len(), 18);
    }

    #[test]
    fn org_files_parse_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("org.toml");
        std::fs::write(
            &good,
            r#"
[org]
name = "Acme"
edition = "Professional"

[[users]]
username = "a@acme.example"
password = "pw"
email = "a@acme.example"
last_name = "Admin"
api_enabled = false

[[connected_apps]]
client_id = "abc"
callback_urls = ["http://localhost:8711/oauth/callback"]
permitted_users = "admin-approved"
refresh_token_policy = "rotate"

[[duplicate_rules]]
object = "Lead"
name = "Email match"
match_on = ["Email"]
action = "block"

[[validation_rules]]
kind = "regex"
object = "Lead"
name = "Phone digits"
field = "Phone"
pattern = "[0-9-]+"
message = "Phone must be digits"
"#,
        )
        .unwrap();
        let org = Org::load(&good).unwrap();
        assert!(!org.org.edition.has_api());
        assert_eq!(
            org.connected_apps[0].refresh_token_policy,
            RefreshTokenPolicy::Rotate
        );
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[org]\nname = \"x\"\nflavour = 1\n").unwrap();
        let err = Org::load(&bad).unwrap_err().to_string();
        assert!(err.contains("flavour"), "{err}");
    }
}
