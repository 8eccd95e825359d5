//! The simulator's shared state: the org (fixed at start), the schema built from it, and the
//! mutable world — records, OAuth codes and tokens, API usage and request statistics — behind one
//! lock. With `--state FILE` the world's records and tokens are written back (atomically, a
//! moment after each change and at shutdown) and read again at the next start.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids;
use crate::oauth::SigningKeys;
use crate::org::Org;
use crate::schema::Schema;

/// A record as stored: field API name → JSON value; `Id` included.
pub type Record = serde_json::Map<String, Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Access,
    Refresh,
}

/// Every access and refresh token ever issued, with its fate, so tests can prove where tokens
/// did and did not go.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub kind: TokenKind,
    pub value: String,
    pub username: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Unix milliseconds.
    pub issued_at: i64,
    pub revoked: bool,
    /// Why it stopped working: `revoked`, `rotated`, `policy`, …
    #[serde(default)]
    pub revoked_reason: Option<String>,
    /// For an access token: the refresh token it came from, if any (revoking that revokes it).
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// An authorization code waiting for its token request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub username: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Counters for the inspection endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// `"METHOD /route/{template}"` → HTTP status → count.
    pub requests: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Token requests by `grant_type` (successful or not).
    pub token_requests: BTreeMap<String, u64>,
    /// Tokens granted by `grant_type`.
    pub token_grants: BTreeMap<String, u64>,
    pub refreshes: u64,
    pub revokes: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct World {
    /// object API name → record id → record.
    pub records: BTreeMap<String, BTreeMap<String, Record>>,
    pub next_sequence: u64,
    pub tokens: Vec<Token>,
    #[serde(skip)]
    pub codes: HashMap<String, AuthCode>,
    /// Daily API requests used.
    #[serde(skip)]
    pub api_used: u64,
    #[serde(skip)]
    pub stats: Stats,
    /// Lookup indexes over `records` (rebuilt from them on demand; see `records::Indexes`).
    #[serde(skip)]
    pub indexes: crate::records::Indexes,
}

impl World {
    /// A fresh 18-character id with the object's key prefix.
    pub fn new_id(&mut self, key_prefix: &str) -> String {
        self.next_sequence += 1;
        ids::id18(key_prefix, self.next_sequence)
    }

    pub fn token(&self, value: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.value == value)
    }

    pub fn token_mut(&mut self, value: &str) -> Option<&mut Token> {
        self.tokens.iter_mut().find(|t| t.value == value)
    }

    pub fn objects(&mut self, object: &str) -> &mut BTreeMap<String, Record> {
        self.records.entry(object.to_string()).or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Org(#[from] crate::org::OrgFileError),
    #[error("the org's schema is not valid: {0}")]
    Schema(String),
    #[error("cannot read the state file {path}: {message}")]
    State { path: String, message: String },
    #[error("cannot make the OpenID Connect signing key: {0}")]
    Keys(String),
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
}

#[derive(Debug)]
pub struct Shared {
    pub org: Org,
    pub schema: Schema,
    pub keys: SigningKeys,
    world: Mutex<World>,
    base_url: OnceLock<String>,
    state_file: Option<PathBuf>,
    dirty: AtomicBool,
    rng: Mutex<StdRng>,
}

/// A handle on the simulator's state, cheap to clone into every handler.
#[derive(Debug, Clone)]
pub struct Sim(pub Arc<Shared>);

impl Sim {
    pub fn new(org: Org, state_file: Option<&Path>) -> Result<Self, StartError> {
        let schema = Schema::build(&org).map_err(StartError::Schema)?;
        let keys = SigningKeys::generate().map_err(StartError::Keys)?;
        let mut world = match state_file {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p).map_err(|e| StartError::State {
                    path: p.display().to_string(),
                    message: e.to_string(),
                })?;
                serde_json::from_str(&text).map_err(|e| StartError::State {
                    path: p.display().to_string(),
                    message: e.to_string(),
                })?
            }
            _ => World::default(),
        };
        world.api_used = org.org.api_usage_start;
        crate::records::seed(&org, &mut world);
        let rng = StdRng::seed_from_u64(org.seed);
        Ok(Sim(Arc::new(Shared {
            org,
            schema,
            keys,
            world: Mutex::new(world),
            base_url: OnceLock::new(),
            state_file: state_file.map(Path::to_path_buf),
            dirty: AtomicBool::new(false),
            rng: Mutex::new(rng),
        })))
    }

    pub fn org(&self) -> &Org {
        &self.0.org
    }

    pub fn schema(&self) -> &Schema {
        &self.0.schema
    }

    pub fn keys(&self) -> &SigningKeys {
        &self.0.keys
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        // A panicking handler must not take the whole org down with it.
        self.0.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the world.
    pub fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the world; the change is persisted shortly after when a state file is in use.
    pub fn write<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let out = f(&mut self.lock());
        self.0.dirty.store(true, Ordering::Release);
        out
    }

    /// Changes counters only (stats, usage): nothing to persist.
    pub fn count<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        f(&mut self.lock())
    }

    /// The address clients reach us at (`http://127.0.0.1:PORT`), known once listening.
    pub fn base_url(&self) -> String {
        self.0.base_url.get().cloned().unwrap_or_default()
    }

    pub fn set_base_url(&self, url: String) {
        let _ = self.0.base_url.set(url);
    }

    /// A roll of the seeded dice: true with probability `p`.
    pub fn chance(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        let mut rng = self.0.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.random_bool(p.min(1.0))
    }

    /// A seeded random number in `0..=max`.
    pub fn jitter(&self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut rng = self.0.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.random_range(0..=max)
    }

    /// Random URL-safe text of `bytes` random bytes, for tokens and codes.
    pub fn secret(&self, bytes: usize) -> String {
        use base64::Engine;
        let mut buf = vec![0u8; bytes];
        rand::rng().fill(&mut buf[..]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
    }

    /// Issues an access token (and, when `with_refresh`, a refresh token it hangs off) for a
    /// user of a connected app. OAuth grants call this; so do tests that need a session without
    /// walking the authorize page.
    pub fn mint_tokens(
        &self,
        username: &str,
        client_id: &str,
        scopes: &[String],
        with_refresh: bool,
    ) -> (String, Option<String>) {
        let now = time::OffsetDateTime::now_utc();
        let issued_at = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        // Salesforce access tokens look like `00D…!AQ…`: the org id, a bang, opaque text.
        let access = format!("{}!{}", &self.org().org.id[..15], self.secret(48));
        let refresh = with_refresh.then(|| format!("5Aep{}", self.secret(48)));
        let token = |kind, value: &str, refresh_token: Option<String>| Token {
            kind,
            value: value.to_string(),
            username: username.to_string(),
            client_id: client_id.to_string(),
            scopes: scopes.to_vec(),
            issued_at,
            revoked: false,
            revoked_reason: None,
            refresh_token,
        };
        self.write(|w| {
            if let Some(r) = &refresh {
                w.tokens.push(token(TokenKind::Refresh, r, None));
            }
            w.tokens
                .push(token(TokenKind::Access, &access, refresh.clone()));
        });
        (access, refresh)
    }

    /// Writes the state file if anything changed since the last save.
    pub fn save_if_dirty(&self) -> std::io::Result<()> {
        let Some(path) = &self.0.state_file else {
            return Ok(());
        };
        if !self.0.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let text = {
            let world = self.lock();
            serde_json::to_string(&*world).map_err(std::io::Error::other)?
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}
