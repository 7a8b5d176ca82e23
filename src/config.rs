//! Flags and environment variables -> one `Config` (see the contract's `pasarela serve`).

use crate::store::Backend;
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PASARELA_LISTEN", default_value = "127.0.0.1:4111")]
    pub listen: String,
    /// `sqlite:PATH` (the file is created if missing, its directory must exist) or
    /// `postgres://USER@HOST:PORT/DATABASE` (the database is created if missing and the
    /// role may).
    #[arg(
        long,
        env = "PASARELA_DATABASE_URL",
        default_value = "sqlite:pasarela.db"
    )]
    pub database_url: String,
    /// PostgreSQL connections this process may hold (writers, readers and one for
    /// start-up), at least 3. Default: four per core and four more, at most 24.
    #[arg(long, env = "PASARELA_DB_CONNECTIONS", value_parser = clap::value_parser!(u16).range(3..))]
    pub db_connections: Option<u16>,
    /// The URL clients reach this server at (hosted pages link to it). Default: http://<listen>.
    #[arg(long, env = "PASARELA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The account's secret key (stored; generated on first start when absent).
    #[arg(long, env = "PASARELA_SECRET_KEY")]
    pub secret_key: Option<String>,
    /// The account's publishable key (stored; generated on first start when absent).
    #[arg(long, env = "PASARELA_PUBLISHABLE_KEY")]
    pub publishable_key: Option<String>,
    /// The account's country (ISO code). Default US, or what is stored.
    #[arg(long, env = "PASARELA_COUNTRY")]
    pub country: Option<String>,
    /// The account's default API version. Default 2025-09-30.clover, or what is stored.
    #[arg(long, env = "PASARELA_API_VERSION")]
    pub api_version: Option<String>,
    #[command(flatten)]
    pub limits: Limits,
    /// Seconds before a failed webhook delivery is first retried; each retry waits twice
    /// as long, for up to three days.
    #[arg(long, env = "PASARELA_WEBHOOK_RETRY_SECONDS", default_value_t = 5)]
    pub webhook_retry_seconds: u64,
    /// Seconds a webhook endpoint has to answer a delivery. A node that dies while
    /// sending leaves its deliveries to the others after about twice this.
    #[arg(long, env = "PASARELA_WEBHOOK_TIMEOUT_SECONDS", default_value_t = 30)]
    pub webhook_timeout_seconds: u64,
    /// A PEM file of certificate authorities trusted for `https://` webhook endpoints
    /// besides the system's (a local CA, for tests).
    #[arg(long, env = "PASARELA_WEBHOOK_CA_FILE")]
    pub webhook_ca_file: Option<std::path::PathBuf>,
    /// Let webhook endpoints be link-local addresses (169.254.0.0/16, fe80::/10), where cloud
    /// metadata services answer; refused by default.
    #[arg(long, env = "PASARELA_WEBHOOK_ALLOW_LINK_LOCAL")]
    pub webhook_allow_link_local: bool,
    /// Seconds before what Stripe does later happens here: a `pm_card_pendingRefund`
    /// refund succeeds, a `pm_card_refundFail` refund fails.
    #[arg(long, env = "PASARELA_LATER_SECONDS", default_value_t = 2)]
    pub later_seconds: u64,
    /// The test-mode Dashboard at /dashboard (signed in with the secret key): `on` or `off`.
    #[arg(long, env = "PASARELA_DASHBOARD", default_value = "on", value_parser = ["on", "off"])]
    pub dashboard: String,
    /// Minutes the Dashboard's Logs keep each API request (in memory, at most 20,000 requests).
    #[arg(long, env = "PASARELA_REQUEST_LOG_MINUTES", default_value_t = 1440)]
    pub request_log_minutes: u64,
}

/// What one client may hold of the server: body size, time, connections.
#[derive(Debug, Clone, Copy, Args)]
pub struct Limits {
    /// Largest request body, in bytes; a larger one is answered 413.
    #[arg(long, env = "PASARELA_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Connections served at once; further ones wait to be accepted. Bounded at start by
    /// the process's open-file limit.
    #[arg(long, env = "PASARELA_MAX_CONNECTIONS", default_value_t = 16384)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (and an idle keep-alive
    /// connection stays open).
    #[arg(long, env = "PASARELA_HEADER_TIMEOUT", default_value_t = 20)]
    pub header_timeout: u64,
    /// Seconds a request may take from its headers to its answer, body included; past
    /// it the answer is 408.
    #[arg(long, env = "PASARELA_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_connections: 16384,
            header_timeout: 20,
            request_timeout: 30,
        }
    }
}

impl ServeArgs {
    pub fn database(&self) -> Result<Backend, String> {
        database(&self.database_url)
    }
}

/// The database a `--database-url` names: `sqlite:PATH` (also `sqlite://PATH`) or a
/// `postgres://` / `postgresql://` URL.
pub fn database(url: &str) -> Result<Backend, String> {
    let url = url.trim();
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err("sqlite: needs a file path, e.g. sqlite:pasarela.db".into());
        }
        // The file is created when missing, its directory is not: a typo in a path
        // should not quietly make a tree of directories.
        let dir = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(format!(
                    "--database-url {url}: the directory {} does not exist; create it first \
                     (mkdir -p {}) or choose another path",
                    dir.display(),
                    dir.display()
                ));
            }
        }
        Ok(Backend::Sqlite(path.to_string()))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| format!("--database-url {url} is not a PostgreSQL URL: {e}"))?;
        // Without one PostgreSQL picks the user's name (often `postgres`, the
        // administration database): the tables would land there unnoticed.
        if config.get_dbname().is_none_or(str::is_empty) {
            return Err(format!(
                "--database-url {url} names no database: add one, e.g. \
                 postgres://USER@HOST:5432/pasarela (it is created if the role may)"
            ));
        }
        Ok(Backend::Postgres(url.to_string()))
    } else {
        Err(format!(
            "unsupported --database-url {url}: use sqlite:PATH or postgres://..."
        ))
    }
}
