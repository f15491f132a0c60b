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
        }
    }
}
