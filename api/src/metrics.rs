//! `/metrics` in Prometheus text format, on its own listener (`TANDEM_METRICS_BIND`, off by
//! default) so it is never exposed where the API is: requests and latency per route template and
//! status class, database connections in use and idle and the wait for one, statements run,
//! webhook queue depth and delivery outcomes, and how far the changes feed lags.

use std::time::Duration;

use actix_web::dev::ServiceResponse;
use actix_web::{HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::state::AppState;

/// A request's labels: the route template (never the raw path, whose ids would explode the
/// series count), the method and the status class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RequestLabels {
    /// Route template, e.g. `/v1/goals/{id}/readings`; `unmatched` for unknown paths.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// `2xx`, `4xx`, ...
    pub status: &'static str,
}

type Latencies = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.25 ms to 2 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 14))
}

/// Counts a served request; called by the outermost middleware with this server's metrics.
pub fn observe(
    metrics: &Metrics,
    res: &ServiceResponse<impl actix_web::body::MessageBody>,
    took: Duration,
) {
    let status = match res.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    let labels = RequestLabels {
        route: res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned()),
        method: res.request().method().as_str().to_owned(),
        status,
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .latency
        .get_or_create(&labels)
        .observe(took.as_secs_f64());
}

/// Gauges set at scrape time.
#[derive(Default)]
struct ScrapeGauges {
    in_use: Gauge,
    idle: Gauge,
    queue_depth: Gauge,
    feed_lag: Gauge<f64, std::sync::atomic::AtomicU64>,
}

/// One server's registry: its own request metrics, the process-wide ones of the layers below,
/// and the gauges it reads at scrape time.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latencies,
    gauges: ScrapeGauges,
}

impl Metrics {
    /// Registers everything the layers measure.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let gauges = ScrapeGauges::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latencies = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_requests",
            "HTTP requests served, by route template, method and status class",
            requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to serve a request, by route template, method and status class",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "db_connections_in_use",
            "Pooled database connections lent out",
            gauges.in_use.clone(),
        );
        registry.register(
            "db_connections_idle",
            "Pooled database connections waiting",
            gauges.idle.clone(),
        );
        registry.register_with_unit(
            "db_pool_wait",
            "Time a unit of work waited for a database connection",
            Unit::Seconds,
            tandem_app::metrics::POOL_WAIT.clone(),
        );
        registry.register(
            "db_statements",
            "SQL statements run",
            tandem_app::metrics::STATEMENTS.clone(),
        );
        registry.register(
            "db_write_batch_units",
            "Write units committed together by one SQLite transaction (group commit)",
            tandem_app::metrics::WRITE_BATCH.clone(),
        );
        registry.register(
            "blocking_hops",
            "Units of work handed to the blocking pool (a request takes one)",
            tandem_app::metrics::BLOCKING_HOPS.clone(),
        );
        registry.register(
            "db_statement_errors",
            "SQL statements that failed",
            tandem_app::metrics::STATEMENT_ERRORS.clone(),
        );
        registry.register(
            "webhook_queue_depth",
            "Webhook deliveries waiting to be tried",
            gauges.queue_depth.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Webhook delivery tries, by outcome (delivered, retrying, failed)",
            tandem_app::metrics::DELIVERIES.clone(),
        );
        registry.register(
            "emails",
            "Email send tries, by outcome (sent, retrying, failed)",
            tandem_app::metrics::EMAILS.clone(),
        );
        registry.register(
            "rollups",
            "Goals' roll-ups of readings, by outcome (extended, afresh, busy, failed)",
            tandem_app::metrics::ROLLUPS.clone(),
        );
        registry.register(
            "rollup_readings_summed",
            "Readings summed by roll-ups (a roll-up summed afresh sums all its goal's)",
            tandem_app::metrics::ROLLUP_READINGS.clone(),
        );
        registry.register_with_unit(
            "changes_feed_lag",
            "How long the oldest write transaction still running has been open: changes after it wait for it",
            Unit::Seconds,
            gauges.feed_lag.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            gauges,
        }
    }

    /// The text exposition, after reading the gauges.
    async fn render(&self, state: &AppState) -> Result<String, tandem_app::AppError> {
        let pool = state.app.pool().state();
        self.gauges
            .in_use
            .set(i64::from(pool.connections - pool.idle_connections));
        self.gauges.idle.set(i64::from(pool.idle_connections));
        let read = state.app.read(tandem_app::metrics::gauges).await?;
        self.gauges.queue_depth.set(read.queue_depth);
        self.gauges.feed_lag.set(read.feed_lag_seconds);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(tandem_app::AppError::internal)?;
        Ok(text)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    match state.metrics.render(&state).await {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(e) => HttpResponse::ServiceUnavailable().body(e.to_string()),
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(scrape));
}
