//! Building and running the server. Tests and `main` start it the same way, so what the tests
//! exercise is what ships.

use std::net::{SocketAddr, TcpListener};
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use base64::Engine;
use governor::{Quota, RateLimiter};
use rand::RngCore;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::external::ExternalIssuers;
use crate::auth::tokens::{MIN_SECRET_BYTES, TokenKeys};
use crate::config::Config;
use crate::http::routing::{RouteTable, fallback};
use crate::state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] tandem_app::AppError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// What we tried to bind.
        addr: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

/// A built server, bound and ready to run.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    metrics: Option<(SocketAddr, Server)>,
    state: AppState,
    mailer: Option<tandem_app::jobs::mail::Mailer>,
}

/// Name of the stored setting that holds the generated signing secret.
const JWT_SECRET_SETTING: &str = "jwt_secret";

impl Application {
    /// Opens the database (applying migrations), resolves the signing secret, binds the address.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let config = Arc::new(config);
        let (url, pool_size, settings) = (
            config.database_url.clone(),
            config.pool_size(),
            config.app_settings(),
        );
        let app = web::block(move || {
            tandem_app::connect(&url, pool_size, Arc::new(tandem_app::SystemClock), settings)
        })
        .await
        .map_err(|e| StartupError::Config(e.to_string()))??;
        let mailer = match &app.settings().mail {
            Some(mail) => {
                let mailer =
                    tandem_app::jobs::mail::Mailer::new(mail).map_err(StartupError::Config)?;
                tracing::info!(from = %mail.from, links = %mail.public_url, "email on: invitations are sent over SMTP");
                Some(mailer)
            }
            None => {
                tracing::info!("email off: set TANDEM_SMTP_URL to send meeting invitations");
                None
            }
        };
        let secret = signing_secret(&config, &app).await?;
        let state = AppState {
            app,
            tokens: Arc::new(TokenKeys::new(&secret)),
            config: config.clone(),
            external: Arc::new(match &config.external_issuers {
                Some(path) => ExternalIssuers::load(path).map_err(StartupError::Config)?,
                None => ExternalIssuers::default(),
            }),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            auth_limiter: NonZeroU32::new(config.auth_rate_limit)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
            feed_limiter: NonZeroU32::new(config.feed_rate_limit)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        };

        // Routed and (in debug builds) checked by the contract as served; nothing builds it here.
        let contract = crate::openapi::COMMITTED;
        let unreadable = |e: serde_json::Error| {
            StartupError::Config(format!("the built-in OpenAPI document: {e}"))
        };
        let routes = web::Data::new(RouteTable::from_document(contract).map_err(unreadable)?);
        let problems = web::Data::new(if cfg!(debug_assertions) {
            crate::openapi::ProblemTable::of_json(
                &serde_json::from_str(contract).map_err(unreadable)?,
            )
        } else {
            crate::openapi::ProblemTable::default()
        });

        let listener = TcpListener::bind(&config.bind).map_err(|source| StartupError::Bind {
            addr: config.bind.clone(),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: config.bind.clone(),
            source,
        })?;
        let cors_origins = config.cors_origins.clone();
        let worker_state = state.clone();
        let state = web::Data::new(state);
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(routes.clone())
                .app_data(problems.clone())
                .app_data(crate::http::extract::path_config())
                .app_data(crate::http::extract::query_config())
                .configure(crate::routes::serve)
                .default_service(web::to(fallback))
                .service(web::redirect("/docs", "/docs/"))
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        // No call to swagger.io's online validator: it would tell a third
                        // party where this API lives.
                        .config(
                            utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none"),
                        ),
                )
                .wrap(from_fn(crate::auth::confirm_sessions))
                .wrap(from_fn(crate::auth::enforce_token_scopes))
                .wrap(cors(&cors_origins))
                .wrap(from_fn(crate::middleware::request_context))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: config.bind.clone(),
            source,
        })?
        .shutdown_timeout(30);
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        // Database work runs on each worker's blocking pool; beyond the database pool's size more
        // threads would only wait for a connection, and each one that allocated keeps a heap arena
        // (hundreds of threads left the process at 110-190 MiB after a benchmark).
        server = server.worker_max_blocking_threads(config.pool_size().max(1) as usize + 2);
        let metrics = match &config.metrics_bind {
            Some(bind) => Some(metrics_server(bind, worker_state.clone())?),
            None => None,
        };
        Ok(Application {
            addr,
            server: server.run(),
            metrics,
            state: worker_state,
            mailer,
        })
    }

    /// Where `/metrics` is served, if `TANDEM_METRICS_BIND` asked for it.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(addr, _)| *addr)
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to stop the server from elsewhere (tests restart servers on the same database).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (or [`Application::handle`]'s stop), then stops accepting and
    /// lets in-flight requests finish. The webhook worker and the roll-up job run alongside and
    /// stop with it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self
            .state
            .config
            .webhooks
            .worker
            .then(|| tokio::spawn(tandem_app::jobs::run(self.state.app.clone(), self.mailer)));
        let rollups = (self.state.config.rollup_every_ms > 0)
            .then(|| tokio::spawn(tandem_app::jobs::rollups::run(self.state.app.clone())));
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let served = self.server.await;
        for job in [worker, rollups].into_iter().flatten() {
            job.abort();
        }
        if let Some((task, handle)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        served
    }
}

/// The metrics listener: one worker, `GET /metrics` only, apart from the API.
fn metrics_server(bind: &str, state: AppState) -> Result<(SocketAddr, Server), StartupError> {
    let failed = |source| StartupError::Bind {
        addr: bind.to_owned(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(failed)?;
    let addr = listener.local_addr().map_err(failed)?;
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(crate::metrics::configure)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(failed)?
    .run();
    Ok((addr, server))
}

/// The configured secret, or the one generated on first start and kept in the database.
async fn signing_secret(config: &Config, app: &tandem_app::App) -> Result<Vec<u8>, StartupError> {
    if let Some(secret) = &config.jwt_secret {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(StartupError::Config(format!(
                "TANDEM_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let encoded = app
        .write(|tx| {
            tandem_app::identity::stored_setting(tx, JWT_SECRET_SETTING, || {
                let mut bytes = [0u8; 64];
                rand::rng().fill_bytes(&mut bytes);
                base64::engine::general_purpose::STANDARD.encode(bytes)
            })
        })
        .await?;
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| StartupError::Config(format!("stored signing secret is corrupt: {e}")))
}

/// CORS for the configured origins only (none by default). Bearer tokens travel in a header, so
/// credentials (cookies) are never allowed, and `*` is never sent.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::ACCEPT,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::IF_NONE_MATCH,
        ])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .expose_headers([
            "etag",
            "location",
            "content-location",
            "link",
            "retry-after",
            "x-request-id",
        ])
        .max_age(600);
    for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        cors = cors.allowed_origin(origin);
    }
    cors
}
