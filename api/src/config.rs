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

    /// Largest number of database connections (default: 10 on PostgreSQL, 4 on SQLite).
    #[arg(long, env = "TANDEM_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,

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

    /// Requests allowed per feed link per minute (0: unlimited): a leaked link cannot be
    /// hammered, while a spreadsheet's refreshes stay well inside it.
    #[arg(long, env = "TANDEM_FEED_RATE_LIMIT", default_value_t = 60)]
    pub feed_rate_limit: u32,

    /// Address (`host:port`) of a separate listener serving `GET /metrics` in Prometheus text
    /// format. Unset: no metrics listener.
    #[arg(long, env = "TANDEM_METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// Webhook delivery settings.
    #[command(flatten)]
    pub webhooks: WebhookConfig,

    /// Email settings.
    #[command(flatten)]
    pub mail: MailConfig,

    /// How many hours before a meeting its pre-read goes out: the `meeting.upcoming` event and,
    /// with email on, the agenda, both scorecards and the commitments up for review.
    #[arg(
        long = "pre-read-hours",
        env = "TANDEM_PRE_READ_HOURS",
        default_value_t = 24
    )]
    pub pre_read_hours: u32,

    /// How often goals whose readings are due a roll-up are looked for, milliseconds (0: this
    /// instance rolls up nothing). A scorecard sums each goal's readings recorded since its last
    /// roll-up and merges them with it, so its cost does not grow with the goal's history.
    #[arg(
        long = "rollup-every-ms",
        env = "TANDEM_ROLLUP_EVERY_MS",
        default_value_t = 2_000
    )]
    pub rollup_every_ms: u64,

    /// Readings recorded since a goal's last roll-up that make it due another.
    #[arg(
        long = "rollup-min-readings",
        env = "TANDEM_ROLLUP_MIN_READINGS",
        default_value_t = 64
    )]
    pub rollup_min_readings: u32,
}

/// Where email goes. Without `TANDEM_SMTP_URL` no email is queued or sent.
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// The SMTP server: `smtp://user:pass@host:587?tls=starttls` (STARTTLS, also spelled
    /// `tls=required`; `tls=opportunistic` falls back to plain), `smtps://user:pass@host:465`
    /// (implicit TLS), or `smtp://127.0.0.1:2525` (plain, for development). Unset: email is off.
    #[arg(long = "smtp-url", env = "TANDEM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// A PEM file of certificate authorities to trust for the SMTP server besides the system's
    /// (a relay with a private CA).
    #[arg(long = "smtp-ca-file", env = "TANDEM_SMTP_CA_FILE")]
    pub ca_file: Option<std::path::PathBuf>,

    /// The `From` of every email.
    #[arg(
        id = "mail_from",
        long = "mail-from",
        env = "TANDEM_MAIL_FROM",
        default_value = "Tandem <tandem@localhost>"
    )]
    pub from: String,

    /// The base of links in emails, as recipients reach the API (default: `http://` and the bind
    /// address).
    #[arg(long = "public-url", env = "TANDEM_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// How often the email worker looks for due emails, milliseconds.
    #[arg(
        id = "mail_poll_ms",
        long = "mail-poll-ms",
        env = "TANDEM_MAIL_POLL_MS",
        default_value_t = 1000
    )]
    pub poll_ms: u64,

    /// The wait after a first failed send, milliseconds (doubling, capped at six hours).
    #[arg(
        id = "mail_retry_base_ms",
        long = "mail-retry-base-ms",
        env = "TANDEM_MAIL_RETRY_BASE_MS",
        default_value_t = 30_000
    )]
    pub retry_base_ms: u64,

    /// Tries per email.
    #[arg(
        id = "mail_max_attempts",
        long = "mail-max-attempts",
        env = "TANDEM_MAIL_MAX_ATTEMPTS",
        default_value_t = 12
    )]
    pub max_attempts: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_url: None,
            ca_file: None,
            from: "Tandem <tandem@localhost>".into(),
            public_url: None,
            poll_ms: 1000,
            retry_base_ms: 30_000,
            max_attempts: 12,
        }
    }
}

/// Where webhooks may go and how hard Tandem tries to deliver them.
#[derive(Debug, Clone, Args)]
pub struct WebhookConfig {
    /// Allow plain `http://` webhook targets (development only; https otherwise).
    #[arg(long = "webhook-allow-http", env = "TANDEM_WEBHOOK_ALLOW_HTTP")]
    pub allow_http: bool,

    /// Allow webhook targets on loopback, private and link-local addresses (development, or a
    /// receiver inside your own network). Refused by default: no SSRF into the server's network.
    #[arg(long = "webhook-allow-private", env = "TANDEM_WEBHOOK_ALLOW_PRIVATE")]
    pub allow_private: bool,

    /// Run the delivery worker in this instance (several instances may all run it).
    #[arg(long = "webhook-worker", env = "TANDEM_WEBHOOK_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub worker: bool,

    /// How often the worker looks for due deliveries, milliseconds.
    #[arg(
        long = "webhook-poll-ms",
        env = "TANDEM_WEBHOOK_POLL_MS",
        default_value_t = 1000
    )]
    pub poll_ms: u64,

    /// How often reminders coming due (pre-reads, commitments, stale readings, fit reviews,
    /// refreshes) are looked for, seconds [default: 60].
    #[arg(long = "reminder-scan-secs", env = "TANDEM_REMINDER_SCAN_SECS")]
    pub due_scan_secs: Option<u64>,

    /// The earlier name of `--reminder-scan-secs`, still read so existing deployments keep
    /// their setting; the new name wins when both are set.
    #[arg(
        long = "webhook-due-scan-secs",
        env = "TANDEM_WEBHOOK_DUE_SCAN_SECS",
        hide = true
    )]
    pub legacy_due_scan_secs: Option<u64>,

    /// The wait after a delivery's first failure, milliseconds; it doubles per failure (capped at
    /// six hours), with jitter.
    #[arg(
        long = "webhook-retry-base-ms",
        env = "TANDEM_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 30_000
    )]
    pub retry_base_ms: u64,

    /// Tries per delivery, the first included; then it is marked failed.
    #[arg(
        long = "webhook-max-attempts",
        env = "TANDEM_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 12
    )]
    pub max_attempts: u32,

    /// How long a receiver may take to answer, milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "TANDEM_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub timeout_ms: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_http: false,
            allow_private: false,
            worker: true,
            poll_ms: 1000,
            due_scan_secs: None,
            legacy_due_scan_secs: None,
            retry_base_ms: 30_000,
            max_attempts: 12,
            timeout_ms: 10_000,
        }
    }
}

impl WebhookConfig {
    /// Where targets may point.
    pub fn target_policy(&self) -> tandem_domain::webhook::TargetPolicy {
        self.settings().target_policy()
    }

    /// The application's view of these settings.
    pub fn settings(&self) -> tandem_app::WebhookSettings {
        tandem_app::WebhookSettings {
            allow_http: self.allow_http,
            allow_private: self.allow_private,
            poll_ms: self.poll_ms,
            due_scan_secs: self
                .due_scan_secs
                .or(self.legacy_due_scan_secs)
                .unwrap_or(60),
            retry_base_ms: self.retry_base_ms,
            max_attempts: self.max_attempts,
            timeout_ms: self.timeout_ms,
        }
    }
}

impl Config {
    /// The database pool's size: as configured, else [`tandem_app::default_pool_size`].
    pub fn pool_size(&self) -> u32 {
        self.db_pool_size
            .unwrap_or_else(|| tandem_app::default_pool_size(&self.database_url))
    }

    /// What the use cases need of the configuration.
    pub fn app_settings(&self) -> tandem_app::Settings {
        tandem_app::Settings {
            refresh_token_ttl_secs: self.refresh_token_ttl,
            webhooks: self.webhooks.settings(),
            mail: self
                .mail
                .smtp_url
                .as_ref()
                .map(|url| tandem_app::MailSettings {
                    smtp_url: url.clone(),
                    ca_file: self.mail.ca_file.clone(),
                    from: self.mail.from.clone(),
                    public_url: self
                        .mail
                        .public_url
                        .clone()
                        .unwrap_or_else(|| format!("http://{}", self.bind)),
                    poll_ms: self.mail.poll_ms,
                    retry_base_ms: self.mail.retry_base_ms,
                    max_attempts: self.mail.max_attempts,
                }),
            pre_read_hours: self.pre_read_hours,
            admin_emails: self.admin_emails.clone(),
            rollups: tandem_app::RollupSettings {
                every_ms: self.rollup_every_ms,
                min_unrolled: self.rollup_min_readings,
            },
        }
    }

    /// Defaults for a given database and bind address; what tests and embedders start from.
    pub fn new(database_url: impl Into<String>, bind: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            bind: bind.into(),
            jwt_secret: None,
            access_token_ttl: 900,
            refresh_token_ttl: 30 * 24 * 3600,
            log_format: LogFormat::Human,
            db_pool_size: None,
            workers: None,
            external_issuers: None,
            admin_emails: Vec::new(),
            cors_origins: Vec::new(),
            auth_rate_limit: 30,
            feed_rate_limit: 60,
            metrics_bind: None,
            webhooks: WebhookConfig::default(),
            mail: MailConfig::default(),
            pre_read_hours: 24,
            rollup_every_ms: 2_000,
            rollup_min_readings: 64,
        }
    }
}
