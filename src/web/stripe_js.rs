//! Serves Pasarela's Stripe.js at the URLs merchants write (`/v3/`, `/<release>/stripe.js`).
//! A versioned script pins its release's API version; `/v3/` uses the account default
//! (or the page's `apiVersion` option).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const SOURCE: &str = include_str!("stripe.js");
/// Elements and the Payment Element, spliced into the script where it says so.
const ELEMENTS: &str = include_str!("elements.js");

/// The API version each release's script sends: the release's first version.
fn pinned(release: &str) -> Option<&'static str> {
    match release {
        "v3" => Some(""),
        "basil" => Some("2025-03-31.basil"),
        "clover" => Some("2025-09-30.clover"),
        "dahlia" => Some("2026-03-25.dahlia"),
        "endive" => Some("2026-09-30.endive"),
        _ => None,
    }
}

/// The script a release name is served: its own, or for a well-formed release newer than
/// any Pasarela knows, the newest script at the newest version (as for `Stripe-Version`).
fn served(release: &str) -> Option<(&str, &'static str)> {
    if let Some(version) = pinned(release) {
        return Some((release, version));
    }
    let newest = crate::versions::release_of(crate::versions::LATEST)?;
    (crate::versions::is_release_at_or_after_latest(release) && release > newest)
        .then_some((newest, crate::versions::LATEST))
}

fn script(release: &str) -> Response {
    let Some((release, version)) = served(release) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let body = SOURCE
        .replace("/*__ELEMENTS__*/", ELEMENTS)
        .replace("/*__COUNTRIES__*/null", &super::countries::as_json())
        .replace("__RELEASE__", release)
        .replace("__API_VERSION__", version);
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn v3() -> Response {
    script("v3")
}

pub async fn release(Path(release): Path<String>) -> Response {
    script(&release)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_release_is_filled_in() {
        for r in ["v3", "basil", "clover", "dahlia", "endive"] {
            let body = super::SOURCE
                .replace("__RELEASE__", r)
                .replace("__API_VERSION__", super::pinned(r).unwrap());
            assert!(!body.contains("__RELEASE__") && !body.contains("__API_VERSION__"));
        }
        assert!(super::pinned("acacia").is_none());
        assert_eq!(
            super::served("fig"),
            Some(("endive", crate::versions::LATEST))
        );
        for refused in ["acacia", "dahlias", "Fig", "fig1", ""] {
            assert!(super::served(refused).is_none(), "{refused}");
        }
    }
}
