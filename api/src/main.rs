//! The `tandem` binary: `tandem serve` (the default), `tandem migrate`, `tandem openapi`.

use clap::{Parser, Subcommand};

/// jemalloc instead of glibc's allocator: glibc keeps a heap arena per thread that has allocated
/// and seldom gives freed memory back, so after a burst of load the process stayed at 110-190 MiB.
/// It also serves the C libraries' `malloc` (SQLite, libpq; the
/// `unprefixed_malloc_on_supported_platforms` feature): SQLite's page caches and statements in
/// glibc's arenas kept the SQLite server at 62 MiB after the benchmark, 49 MiB with everything in
/// jemalloc. Its settings are compiled in, in one place (`JEMALLOC_SYS_WITH_MALLOC_CONF` in
/// `.cargo/config.toml`; `MALLOC_CONF` still overrides them):
/// - one arena instead of four per core, and thread caches for requests of up to 4 KiB: a few busy
///   threads share one heap well (over two alternating benchmark pairs on both databases the
///   throughput stayed within the noise while resident memory fell by about 1.3 MiB idle and
///   3 MiB after the benchmark);
/// - a background thread returning freed pages after a second, with no muzzy stage: by default
///   jemalloc purges only while something allocates, so an idle server kept whatever its last
///   burst had used.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use tandem_api::{Application, Config, telemetry};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Tandem: the API behind accountability partnerships"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage the admin role.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Grant the admin role (provisioning people; never partnership contents) to an account.
    Grant {
        /// The account's email.
        email: String,
    },
    /// Withdraw the admin role.
    Revoke {
        /// The account's email.
        email: String,
    },
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => match tandem_api::openapi::api_doc().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
        Command::Migrate => {
            let url = cli.config.database_url.clone();
            tandem_app::migrate(&url)
                .map(|()| println!("migrations applied to {}", redact(&url)))
                .map_err(|e| e.to_string())
        }
        Command::Admin { action } => {
            let (email, grant) = match action {
                AdminAction::Grant { email } => (email, true),
                AdminAction::Revoke { email } => (email, false),
            };
            let email = email.trim().to_lowercase();
            admin_role(&cli.config, &email, grant)
                .await
                .map(|()| {
                    let verb = if grant {
                        "granted to"
                    } else {
                        "withdrawn from"
                    };
                    println!("admin role {verb} {email}");
                })
                .map_err(|e| match e {
                    tandem_app::AppError::NotFound => format!("no account with email {email}"),
                    other => other.to_string(),
                })
        }
        Command::Serve => serve(cli.config).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("tandem: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Grants or withdraws the admin role of the account with `email`.
async fn admin_role(config: &Config, email: &str, grant: bool) -> Result<(), tandem_app::AppError> {
    let (url, settings) = (config.database_url.clone(), config.app_settings());
    let app = tokio::task::spawn_blocking(move || {
        tandem_app::connect(
            &url,
            1,
            std::sync::Arc::new(tandem_app::SystemClock),
            settings,
        )
    })
    .await
    .map_err(tandem_app::AppError::internal)??;
    let email = email.to_owned();
    app.write(move |tx| tandem_app::identity::set_admin(tx, &email, grant))
        .await
}

async fn serve(config: Config) -> Result<(), String> {
    let database = redact(&config.database_url);
    let app = Application::build(config)
        .await
        .map_err(|e| e.to_string())?;
    let addr = app.local_addr();
    // Written, not printed: a closed stdout (`tandem | head -1`) must not stop the server.
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "Tandem listening on http://{addr} (database: {database})"
    );
    let _ = writeln!(
        out,
        "API docs: http://{addr}/docs/  ·  OpenAPI: http://{addr}/openapi.json"
    );
    if let Some(metrics) = app.metrics_addr() {
        let _ = writeln!(out, "Metrics: http://{metrics}/metrics");
    }
    let _ = out.flush();
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// A database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jemalloc_starts_with_the_binarys_settings() {
        use tikv_jemalloc_ctl::{Access, AsName};
        if std::env::var_os("MALLOC_CONF").is_some() {
            return; // the environment overrides them on purpose
        }
        let narenas: u32 = b"opt.narenas\0".name().read().expect("opt.narenas");
        let tcache_max: usize = b"opt.tcache_max\0".name().read().expect("opt.tcache_max");
        assert_eq!((narenas, tcache_max), (1, 4096));
        let background: bool = b"opt.background_thread\0"
            .name()
            .read()
            .expect("opt.background_thread");
        let dirty: isize = b"opt.dirty_decay_ms\0".name().read().expect("dirty");
        let muzzy: isize = b"opt.muzzy_decay_ms\0".name().read().expect("muzzy");
        assert_eq!((background, dirty, muzzy), (true, 1000, 0));
        // In force, not only asked for: the arena in use decays on those terms.
        let arena_dirty: isize = b"arena.0.dirty_decay_ms\0".name().read().expect("arena");
        assert_eq!(arena_dirty, 1000);
    }

    #[test]
    fn every_flag_and_environment_variable_is_declared_once() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn the_reminder_scan_keeps_its_earlier_name_and_the_new_one_wins() {
        let scan = |args: &[&str]| {
            let cli = Cli::try_parse_from(std::iter::once("tandem").chain(args.iter().copied()))
                .expect("valid flags");
            cli.config.webhooks.settings().due_scan_secs
        };
        assert_eq!(scan(&[]), 60);
        assert_eq!(scan(&["--webhook-due-scan-secs", "5"]), 5);
        assert_eq!(scan(&["--reminder-scan-secs", "7"]), 7);
        assert_eq!(
            scan(&["--reminder-scan-secs", "7", "--webhook-due-scan-secs", "5"]),
            7
        );
    }
}
