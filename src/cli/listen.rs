//! `pasarela listen`, as `stripe listen`: connects out to a running server (so it works
//! from another machine or container), prints the account's listen signing secret (the
//! same on every run), and forwards each event recorded from now on to a local URL,
//! signed with that secret, printing one line per event and one per answer.

use super::{error_message, Api, Remote};
use crate::domain::webhook;
use axum::body::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::Method;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct Listen {
    /// The URL to POST each event to (e.g. localhost:4242/webhook, which means http, or
    /// an https:// URL). Without it, the events are only printed.
    #[arg(long, short = 'f')]
    forward_to: Option<String>,
    /// Certificate authorities (PEM) trusted for an https --forward-to besides the
    /// system's (a local CA).
    #[arg(long)]
    ca_file: Option<std::path::PathBuf>,
    /// Only these event types, comma-separated (e.g. payment_intent.succeeded,charge.refunded).
    #[arg(long, short = 'e', value_delimiter = ',')]
    events: Vec<String>,
    /// Events in the newest API version's shape instead of the account's default.
    #[arg(long)]
    latest: bool,
    /// Print the signing secret and exit.
    #[arg(long)]
    print_secret: bool,
    #[command(flatten)]
    remote: Remote,
}

/// How long one feed request waits on the server for an event.
const WAIT_SECONDS: u32 = 20;
/// How long the handler has to answer.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

/// The `--forward-to` URL as it is posted to: `host:port/path` means http, as for the
/// Stripe CLI; an http or https URL with a host is kept.
fn forward_url(given: &str) -> Result<String, String> {
    let url = if given.contains("://") {
        given.to_string()
    } else {
        format!("http://{given}")
    };
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| format!("--forward-to {given} is not a URL: {e}"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(h)) if !h.is_empty() => Ok(url),
        (Some("http" | "https"), _) => Err(format!("--forward-to {given} names no host")),
        _ => Err(format!(
            "--forward-to {given}: only http:// and https:// URLs can be forwarded to"
        )),
    }
}

/// Runs `listen` until interrupted; the exit code.
pub async fn listen(args: Listen) -> i32 {
    // Everything that can be checked is checked before "Ready!".
    let forward_to = match args.forward_to.as_deref().map(forward_url).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("pasarela: {e}");
            return 1;
        }
    };
    let forward = match crate::webhooks::client(args.ca_file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pasarela: {e}");
            return 1;
        }
    };
    let api = Api::new(args.remote.clone(), None);
    let session = match api
        .call::<&str, &str>(Method::GET, "/v1/listen/session", &[])
        .await
    {
        Ok((200, s)) => s,
        Ok((_, answer)) => {
            eprintln!("pasarela: {}", error_message(&answer));
            return 1;
        }
        Err(e) => {
            eprintln!("pasarela: {e}");
            return 1;
        }
    };
    let secret = session["secret"].as_str().unwrap_or_default().to_string();
    if args.print_secret {
        println!("{secret}");
        return 0;
    }
    let version = if args.latest {
        &session["latest_api_version"]
    } else {
        &session["api_version"]
    };
    println!(
        "> Ready! You are using Pasarela API Version [{}]. Your webhook signing secret is {secret} (^C to quit)",
        version.as_str().unwrap_or_default()
    );
    let mut cursor = session["cursor"].as_str().map(str::to_string);
    loop {
        let path = feed_path(cursor.as_deref(), &args.events, args.latest);
        let page = match api.call::<&str, &str>(Method::GET, &path, &[]).await {
            Ok((200, page)) => page,
            // Busy, timed out or failing for now: try again shortly.
            Ok((status @ (408 | 429 | 500..), answer)) => {
                eprintln!(
                    "[{}] the server answered {status} ({}); retrying",
                    timestamp(crate::clock::now()),
                    error_message(&answer)
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Ok((_, answer)) => {
                eprintln!("pasarela: {}", error_message(&answer));
                return 1;
            }
            Err(e) => {
                // The server restarting, or the network: try again shortly.
                eprintln!("[{}] {e}; retrying", timestamp(crate::clock::now()));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for event in page["data"].as_array().into_iter().flatten() {
            cursor = event["id"].as_str().map(str::to_string);
            handle(&forward, forward_to.as_deref(), &secret, event).await;
        }
    }
}

/// The feed request: events after `cursor`, of `types`, at the newest version if `latest`.
fn feed_path(cursor: Option<&str>, types: &[String], latest: bool) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("wait", &WAIT_SECONDS.to_string());
    if let Some(c) = cursor {
        q.append_pair("after", c);
    }
    for t in types {
        q.append_pair("types[]", t);
    }
    if latest {
        q.append_pair("latest", "true");
    }
    format!("/v1/listen/events?{}", q.finish())
}

/// Prints the event and forwards it, signed, printing the handler's answer.
async fn handle(
    client: &crate::webhooks::HttpClient,
    forward_to: Option<&str>,
    secret: &str,
    event: &Value,
) {
    let (id, kind) = (
        event["id"].as_str().unwrap_or_default(),
        event["type"].as_str().unwrap_or_default(),
    );
    let now = crate::clock::now();
    println!("{}   --> {kind} [{id}]", timestamp(now));
    let Some(url) = forward_to else {
        return;
    };
    let payload = serde_json::to_string_pretty(event).unwrap_or_default();
    let request = hyper::Request::post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header(
            "user-agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .header(
            "stripe-signature",
            webhook::signature(secret, now, &payload),
        )
        .body(Full::new(Bytes::from(payload)));
    let answer = match request {
        Err(e) => Err(format!("bad --forward-to URL: {e}")),
        Ok(r) => match tokio::time::timeout(HANDLER_TIMEOUT, client.request(r)).await {
            Err(_) => Err(format!("no answer in {} s", HANDLER_TIMEOUT.as_secs())),
            Ok(Err(e)) => Err(e.to_string()),
            Ok(Ok(response)) => Ok(response.status().as_u16()),
        },
    };
    let at = timestamp(crate::clock::now());
    match answer {
        Ok(status) => println!("{at}  <--  [{status}] POST {url} [{id}]"),
        Err(e) => println!("{at}            [ERROR] Failed to POST: {url} [{id}]: {e}"),
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for unix time `t`, as the Stripe CLI prints its lines.
fn timestamp(t: i64) -> String {
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = crate::clock::date_of(t);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_urls_are_checked_before_ready() {
        assert_eq!(
            forward_url("localhost:4242/webhook").unwrap(),
            "http://localhost:4242/webhook"
        );
        assert_eq!(
            forward_url("https://shop.test/hook").unwrap(),
            "https://shop.test/hook"
        );
        assert!(forward_url("ftp://x/y").unwrap_err().contains("only http"));
        assert!(forward_url("http:///nohost").is_err());
        assert!(forward_url("http://exa mple/").is_err());
    }

    #[test]
    fn timestamps_are_utc_civil_dates() {
        assert_eq!(timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(timestamp(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(timestamp(1_796_069_045), "2026-11-30 20:04:05");
    }

    #[test]
    fn the_feed_asks_for_what_was_chosen() {
        assert_eq!(feed_path(None, &[], false), "/v1/listen/events?wait=20");
        assert_eq!(
            feed_path(Some("evt_1"), &["charge.refunded".into()], true),
            "/v1/listen/events?wait=20&after=evt_1&types%5B%5D=charge.refunded&latest=true"
        );
    }
}
