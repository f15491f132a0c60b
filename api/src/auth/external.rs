//! Trusted external issuers: an HR or identity system's own JWTs (RS256 or ES256) accepted as
//! Tandem credentials. Each issuer pins one algorithm, so an HS256 token "signed" with a public key
//! (algorithm confusion) is refused; keys come from a PEM or a JWKS file, chosen by `kid`, and a
//! JWKS file is re-read when a token names a key it does not hold (key rotation).

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::tokens::LEEWAY_SECONDS;
use crate::http::problem::ApiError;

/// Shortest pause between two re-reads of a JWKS file prompted by unknown key ids.
const RELOAD_PAUSE: Duration = Duration::from_secs(1);

/// One trusted issuer, as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The `iss` claim its tokens carry.
    pub issuer: String,
    /// The `aud` claim they must carry.
    pub audience: String,
    /// `RS256` or `ES256`; nothing else is accepted from this issuer.
    pub algorithm: String,
    /// A JWKS file with its public keys (selected by `kid`).
    pub jwks_file: Option<PathBuf>,
    /// Or a single PEM public key.
    pub pem_file: Option<PathBuf>,
    /// Create (or link by email) a Tandem account on first sight of an unknown subject.
    #[serde(default)]
    pub create_users: bool,
    /// The claim holding the email (default `email`).
    #[serde(default = "default_email_claim")]
    pub email_claim: String,
    /// The claim holding the display name (default `name`).
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
}

fn default_email_claim() -> String {
    "email".into()
}

fn default_name_claim() -> String {
    "name".into()
}

struct Keys {
    by_kid: HashMap<String, DecodingKey>,
    single: Option<DecodingKey>,
    loaded_at: Instant,
}

/// A configured issuer with its keys.
pub struct Issuer {
    /// Its configuration.
    pub config: IssuerConfig,
    algorithm: Algorithm,
    keys: RwLock<Keys>,
}

/// What Tandem reads from a verified external token.
#[derive(Debug, Clone)]
pub struct ExternalIdentity {
    /// The issuer.
    pub issuer: String,
    /// The subject, stable per person at that issuer.
    pub subject: String,
    /// The email claim, if present.
    pub email: Option<String>,
    /// The name claim, if present.
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct ExternalClaims {
    sub: String,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

fn load_keys(config: &IssuerConfig, algorithm: Algorithm) -> Result<Keys, String> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let mut keys = Keys {
        by_kid: HashMap::new(),
        single: None,
        loaded_at: Instant::now(),
    };
    if let Some(path) = &config.jwks_file {
        let set: JwkSet = serde_json::from_slice(&read(path)?)
            .map_err(|e| format!("{} is not a JWKS document: {e}", path.display()))?;
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| format!("key {kid} in {}: {e}", path.display()))?;
            keys.by_kid.insert(kid, key);
        }
    }
    if let Some(path) = &config.pem_file {
        let pem = read(path)?;
        let key = match algorithm {
            Algorithm::ES256 => DecodingKey::from_ec_pem(&pem),
            _ => DecodingKey::from_rsa_pem(&pem),
        }
        .map_err(|e| format!("{} is not a {algorithm:?} public key: {e}", path.display()))?;
        keys.single = Some(key);
    }
    Ok(keys)
}

impl Issuer {
    fn new(config: IssuerConfig) -> Result<Self, String> {
        let algorithm = match config.algorithm.as_str() {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            other => {
                return Err(format!(
                    "issuer {}: algorithm {other} is not supported (RS256 or ES256)",
                    config.issuer
                ));
            }
        };
        if config.jwks_file.is_none() == config.pem_file.is_none() {
            return Err(format!(
                "issuer {}: give exactly one of jwks_file and pem_file",
                config.issuer
            ));
        }
        let keys = load_keys(&config, algorithm)?;
        Ok(Issuer {
            config,
            algorithm,
            keys: RwLock::new(keys),
        })
    }

    /// The key for `kid`, re-reading a JWKS file once when the key is unknown (rotation).
    fn key(&self, kid: Option<&str>) -> Option<DecodingKey> {
        let find = |keys: &Keys| match kid {
            Some(kid) if self.config.jwks_file.is_some() => keys.by_kid.get(kid).cloned(),
            None if self.config.jwks_file.is_some() && keys.by_kid.len() == 1 => {
                keys.by_kid.values().next().cloned()
            }
            _ => keys.single.clone(),
        };
        {
            let keys = self.keys.read().ok()?;
            if let Some(key) = find(&keys) {
                return Some(key);
            }
            if self.config.jwks_file.is_none() || keys.loaded_at.elapsed() < RELOAD_PAUSE {
                return None;
            }
        }
        let fresh = load_keys(&self.config, self.algorithm)
            .inspect_err(|e| tracing::warn!(issuer = %self.config.issuer, "key reload failed: {e}"))
            .ok()?;
        let key = find(&fresh);
        if let Ok(mut keys) = self.keys.write() {
            *keys = fresh;
        }
        key
    }

    /// Verifies signature (with the pinned algorithm), issuer, audience and time claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<ExternalIdentity, ApiError> {
        let refused = |why: &str| {
            tracing::debug!(issuer = %self.config.issuer, "external token refused: {why}");
            ApiError::Unauthorized("the token is invalid or expired".into())
        };
        let header = decode_header(token).map_err(|_| refused("bad header"))?;
        if header.alg != self.algorithm {
            return Err(refused("algorithm not the issuer's"));
        }
        let key = self
            .key(header.kid.as_deref())
            .ok_or_else(|| refused("unknown key id"))?;
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `nbf` and `iat` are optional for an issuer, but honoured when present.
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = decode::<ExternalClaims>(token, &key, &validation)
            .map_err(|e| refused(&e.to_string()))?;
        match data.claims.rest.get("iat") {
            None => {}
            Some(iat) => match iat.as_f64() {
                Some(iat) if !super::tokens::issued_in_the_future(iat as i64, now) => {}
                _ => return Err(refused("iat in the future or not a number")),
            },
        }
        let claim = |name: &str| {
            data.claims
                .rest
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Ok(ExternalIdentity {
            issuer: self.config.issuer.clone(),
            subject: data.claims.sub.clone(),
            email: claim(&self.config.email_claim),
            name: claim(&self.config.name_claim),
        })
    }
}

/// Every trusted issuer, by `iss`.
#[derive(Default)]
pub struct ExternalIssuers {
    issuers: Vec<Issuer>,
}

impl ExternalIssuers {
    /// Reads the issuers file (a JSON array of [`IssuerConfig`]) and each issuer's keys.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let configs: Vec<IssuerConfig> = serde_json::from_slice(&text)
            .map_err(|e| format!("{} is not a list of issuers: {e}", path.display()))?;
        let issuers = configs
            .into_iter()
            .map(Issuer::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ExternalIssuers { issuers })
    }

    /// The issuer whose `iss` this is.
    pub fn find(&self, iss: &str) -> Option<&Issuer> {
        self.issuers.iter().find(|i| i.config.issuer == iss)
    }

    /// How many issuers are trusted.
    pub fn len(&self) -> usize {
        self.issuers.len()
    }

    /// No external issuer is trusted.
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }
}

/// The `iss` claim of a JWT, read without verifying anything: only to choose who verifies it.
pub fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}
