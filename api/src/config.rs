//! Configuration: every setting is a `tandem` flag with an environment variable behind it and a
//! default that works on a laptop, so `tandem` alone starts a usable server.

use clap::{Args, ValueEnum};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, for terminals.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: `postgres://…` for PostgreSQL, anything else is an SQLite file path.
    #[arg(long, env = "TANDEM_DATABASE_URL", default_value = "tandem.db")]
    pub database_url: String,

    /// Address to listen on (`host:port`; port 0 picks a free one).
    #[arg(long, env = "TANDEM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// HS256 signing secret, at least 32 bytes. Unset: one is generated on first start and kept in
    /// the database, so tokens survive restarts.
    #[arg(long, env = "TANDEM_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Access-token lifetime in seconds.
    #[arg(long, env = "TANDEM_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u32,

    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "TANDEM_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: u32,

    /// Log format.
    #[arg(long, env = "TANDEM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// Largest number of database connections.
    #[arg(long, env = "TANDEM_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "TANDEM_WORKERS")]
    pub workers: Option<usize>,

    /// A JSON file listing trusted external JWT issuers (issuer, audience, RS256/ES256, a JWKS or
    /// PEM key file, whether to create accounts on first sight). Unset: none.
    #[arg(long, env = "TANDEM_EXTERNAL_ISSUERS")]
    pub external_issuers: Option<std::path::PathBuf>,

    /// Emails (comma-separated) that hold the admin role, besides `tandem admin grant`.
    #[arg(long, env = "TANDEM_ADMIN_EMAILS", value_delimiter = ',')]
    pub admin_emails: Vec<String>,

    /// Browser origins (comma-separated, e.g. `https://app.example.com`) allowed to call the API
    /// cross-origin. None by default.
    #[arg(long, env = "TANDEM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Sign-in, refresh and registration requests allowed per client address per minute
    /// (0: unlimited).
    #[arg(long, env = "TANDEM_AUTH_RATE_LIMIT", default_value_t = 30)]
    pub auth_rate_limit: u32,
}

impl Config {
    /// Defaults for a given database and bind address; what tests and embedders start from.
    pub fn new(database_url: impl Into<String>, bind: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            bind: bind.into(),
            jwt_secret: None,
            access_token_ttl: 900,
            refresh_token_ttl: 30 * 24 * 3600,
            log_format: LogFormat::Human,
            db_pool_size: 10,
            workers: None,
            external_issuers: None,
            admin_emails: Vec::new(),
            cors_origins: Vec::new(),
            auth_rate_limit: 30,
        }
    }
}
