//! Pasarela: a Stripe-compatible payments server in one binary.
#![recursion_limit = "256"]
// `ApiError` carries Stripe's whole error body (type, code, message, param, the intent it
// names...), so every `ApiResult` is large; boxing it would add an allocation to every
// refusal and touch every handler for no measured gain.
#![allow(clippy::result_large_err)]

/// glibc malloc shows up high in profiles of the request path; mimalloc is faster here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod api;
mod app;
mod bench;
mod cli;
mod clock;
mod config;
mod dashboard;
mod domain;
mod error;
mod fill;
mod flows;
mod jobs;
mod open_files;
mod progress;
mod request_log;
mod server;
mod state;
mod store;
mod versions;
mod views;
mod web;
mod webhooks;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "pasarela",
    version,
    about = "A Stripe-compatible payments server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(config::ServeArgs),
    /// Start a server on a fresh database and print throughput and latency figures.
    Bench(bench::BenchArgs),
    /// Work with a running server's events (as `stripe events ...`).
    #[command(subcommand)]
    Events(cli::Events),
    /// Cause an event through the API, as `stripe trigger` does.
    Trigger(cli::Trigger),
    /// Forward a running server's events to a local URL, signed, as `stripe listen` does.
    Listen(cli::Listen),
    /// Fill a database with many PaymentIntents (for tests and benchmarks at scale).
    #[command(hide = true)]
    Fill(fill::FillArgs),
}

fn main() {
    let cli = Cli::parse();
    // Colours only for a terminal: logs sent to a file or a collector stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // A line per request, written by a thread of its own: a write to stderr on the
    // request's thread cost about a twentieth of a retrieve.
    let (log, log_guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(log)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Events(cmd) => cli::events(cmd).await,
            Command::Trigger(args) => cli::trigger(args).await,
            Command::Listen(args) => cli::listen(args).await,
            Command::Fill(args) => fill::run(args).await,
        }
    });
    // Whatever is still queued is written before the process ends.
    drop(log_guard);
    std::process::exit(code);
}

async fn serve(args: config::ServeArgs) -> i32 {
    let listener = match server::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "pasarela: cannot listen on {}: the port is in use (another Pasarela, or \
                 another server): stop it, or choose another with --listen HOST:PORT",
                args.listen
            );
            return 1;
        }
        Err(e) => {
            eprintln!("pasarela: cannot listen on {}: {e}", args.listen);
            return 1;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(args.listen.clone());
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let app = match app::open(&args, public_url.clone()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("pasarela: {e}");
            return 1;
        }
    };
    println!("Pasarela listening on http://{addr} (public URL {public_url})");
    println!(
        "Account country: {}  default API version: {}",
        app.account.country,
        app.account.api_version.as_str()
    );
    println!("Secret key:      {}", app.account.secret_key);
    println!("Publishable key: {}", app.account.publishable_key);
    if app.dashboard {
        println!("Dashboard:       {public_url}/dashboard (sign in with the secret key)");
    }
    println!("{}", app.settings);
    tracing::info!(listen = %addr, public_url = %public_url, "started");
    match app::serve(app, listener).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("pasarela: {e}");
            1
        }
    }
}
