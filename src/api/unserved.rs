//! Stripe's API beyond what Pasarela serves, answered as Stripe answers an account that has
//! none of it. The table is `stripe_paths.tsv`: every `/v1` operation of Stripe's API (from
//! the official SDK's generated resources, `scripts/stripe-paths.py`), each marked served,
//! partly served or not. A request the router has no route for is looked up there:
//! - a list is a real, empty, paginable list (a backfill walks it to its end);
//! - a search is an empty search result;
//! - anything naming an object by id is Stripe's 404 `resource_missing` for that id (no
//!   such object can exist here), after the ids of objects Pasarela does hold are checked;
//! - any other operation is refused with a 400 that says Pasarela does not serve it yet
//!   (never a 5xx, which SDKs retry).

use super::{pagination, Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::store::Db;
use serde_json::json;
use std::sync::OnceLock;

const TABLE: &str = include_str!("stripe_paths.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    List,
    Retrieve,
    Search,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Yes,
    Partly,
    No,
}

/// One operation of Stripe's API.
#[derive(Debug)]
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub kind: Kind,
    pub served: Served,
    /// What "partly" leaves out, or where a served operation differs.
    pub note: &'static str,
}

/// Every operation of the table, in its order (by path).
pub fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut f = l.split('\t');
                let mut next = || f.next().unwrap_or("");
                let (method, path, kind, served, note) = (next(), next(), next(), next(), next());
                Operation {
                    method,
                    path,
                    kind: match kind {
                        "list" => Kind::List,
                        "retrieve" => Kind::Retrieve,
                        "search" => Kind::Search,
                        _ => Kind::Other,
                    },
                    served: match served {
                        "yes" => Served::Yes,
                        "partly" => Served::Partly,
                        _ => Served::No,
                    },
                    note,
                }
            })
            .collect()
    })
}

/// The operation `method path` is, when Stripe has it. A literal segment beats `{id}`
/// (`/v1/invoices/search` is the search, not an invoice named "search").
pub fn find(method: &str, path: &str) -> Option<&'static Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    operations()
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .filter_map(|op| {
            let pattern: Vec<&str> = op.path.split('/').collect();
            if pattern.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (p, s) in pattern.iter().zip(&segments) {
                if *p == "{id}" {
                    if s.is_empty() {
                        return None;
                    }
                } else if p != s {
                    return None;
                } else {
                    literal += 1;
                }
            }
            Some((literal, op))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, op)| op)
}

/// The objects Pasarela holds, by the collection segment that names them in a path: the
/// store's kind and Stripe's name in `No such …`.
const HELD: &[(&str, &str, &str)] = &[
    ("customers", "customer", "customer"),
    ("payment_intents", "payment_intent", "payment_intent"),
    ("payment_methods", "payment_method", "payment_method"),
    ("setup_intents", "setup_intent", "setup_intent"),
    ("charges", "charge", "charge"),
    ("refunds", "refund", "refund"),
    ("products", "product", "product"),
    ("prices", "price", "price"),
    ("sessions", "checkout_session", "checkout.session"),
    ("mandates", "mandate", "mandate"),
    ("events", "event", "event"),
    ("webhook_endpoints", "webhook_endpoint", "webhook_endpoint"),
    (
        "balance_transactions",
        "balance_transaction",
        "balance_transaction",
    ),
];

/// Stripe's name for one object of a collection segment (`early_fraud_warnings` →
/// `early_fraud_warning`).
fn singular(collection: &str) -> String {
    if let Some(stem) = collection.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = collection.strip_suffix('s') {
        stem.to_string()
    } else {
        collection.to_string()
    }
}

/// The ids a path names, each with the collection segment before it.
fn ids_in(op: &Operation, path: &str) -> Vec<(&'static str, String)> {
    let pattern: Vec<&'static str> = op.path.split('/').collect();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    (1..pattern.len())
        .filter(|&i| pattern[i] == "{id}")
        .map(|i| (pattern[i - 1], segments[i].to_string()))
        .collect()
}

/// Checks each id in the path: one of an object Pasarela holds must exist; any other
/// cannot. The path's first missing object is Stripe's 404.
fn check_ids(db: &Db, ids: &[(&str, String)], own_account: &str) -> ApiResult<()> {
    for (collection, id) in ids {
        if *collection == "accounts" && id == own_account {
            continue;
        }
        match HELD.iter().find(|(c, _, _)| c == collection) {
            Some((_, kind, name)) => {
                let live = db
                    .get_raw(kind, id)?
                    .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok())
                    .is_some_and(|o| o.get("deleted") != Some(&json!(true)));
                if !live {
                    return Err(ApiError::no_such(name, id, "id", 404));
                }
            }
            None => return Err(ApiError::no_such(&singular(collection), id, "id", 404)),
        }
    }
    Ok(())
}

/// Stripe's answer to `op` for an account that has none of what it names.
pub async fn answer(ctx: Ctx, op: &'static Operation) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let path = ctx.path.trim_end_matches('/').to_string();
    let ids = ids_in(op, &path);
    let query = match op.kind {
        Kind::List => Some(pagination::query(&ctx.params)?),
        _ => None,
    };
    if op.kind == Kind::Search && ctx.params.str("query")?.is_none() {
        return Err(ApiError::missing("query"));
    }
    let item = singular(path.rsplit('/').next().unwrap_or(""));
    let own_account = ctx.app.account.id.clone();
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<serde_json::Value> {
            check_ids(db, &ids, &own_account)?;
            match op.kind {
                Kind::List => {
                    let q = query.expect("read above");
                    // A cursor names an object of the list: there is none.
                    if let Some(cursor) = q.starting_after.as_ref().or(q.ending_before.as_ref()) {
                        let param = if q.starting_after.is_some() {
                            "starting_after"
                        } else {
                            "ending_before"
                        };
                        return Err(ApiError::no_such(&item, cursor, param, 400));
                    }
                    Ok(crate::views::list(&path, vec![], false))
                }
                Kind::Search => Ok(json!({
                    "object": "search_result",
                    "data": [],
                    "has_more": false,
                    "next_page": null,
                    "url": path,
                })),
                Kind::Retrieve | Kind::Other => Err(not_served(op)),
            }
        })
        .await?;
    Ok(Reply::ok(&body))
}

/// The refusal of an operation Pasarela does not serve.
fn not_served(op: &Operation) -> ApiError {
    let what = match (op.served, op.note) {
        (Served::No, _) | (_, "") => String::new(),
        (_, note) => format!(" (served in part: {note})"),
    };
    ApiError::invalid(format!(
        "Pasarela does not serve {} {} yet{what}. Its docs/api-coverage.md lists what it serves.",
        op.method, op.path
    ))
}

#[cfg(test)]
/// `docs/api-coverage.md`'s table, made from the operations: one row per resource (a path
/// without its ids and actions), what of it is served.
pub fn coverage_markdown() -> String {
    use std::collections::BTreeMap;
    let mut by_resource: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in operations() {
        let mut resource = String::new();
        for seg in op.path.split('/').skip(2) {
            if seg == "{id}" {
                break;
            }
            resource.push('/');
            resource.push_str(seg);
        }
        by_resource.entry(resource).or_default().push(op);
    }
    let mut out =
        String::from("| resource | served | partly served | not served |\n|---|---|---|---|\n");
    for (resource, ops) in by_resource {
        let cell = |s: Served| {
            ops.iter()
                .filter(|o| o.served == s)
                .map(|o| {
                    let op = format!("`{} {}`", o.method, o.path);
                    match o.note.is_empty() {
                        true => op,
                        false => format!("{op} ({})", o.note),
                    }
                })
                .collect::<Vec<_>>()
                .join("<br>")
        };
        out.push_str(&format!(
            "| `{resource}` | {} | {} | {} |\n",
            cell(Served::Yes),
            cell(Served::Partly),
            cell(Served::No)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_operations_literal_segments_first() {
        let op = find("GET", "/v1/invoices/search").unwrap();
        assert_eq!(op.kind, Kind::Search);
        let op = find("GET", "/v1/invoices/in_123").unwrap();
        assert_eq!((op.path, op.kind), ("/v1/invoices/{id}", Kind::Retrieve));
        let op = find("get", "/v1/plans").unwrap();
        assert_eq!(op.kind, Kind::List);
        assert_eq!(
            find("POST", "/v1/customers/cus_1/tax_ids").unwrap().path,
            "/v1/customers/{id}/tax_ids"
        );
        assert!(find("GET", "/v1/nothing_here").is_none());
        assert!(find("GET", "/v1/plans//x").is_none());
    }

    #[test]
    fn names_the_objects_in_a_path() {
        let op = find("GET", "/v1/customers/cus_1/tax_ids/txi_2").unwrap();
        assert_eq!(
            ids_in(op, "/v1/customers/cus_1/tax_ids/txi_2"),
            vec![
                ("customers", "cus_1".to_string()),
                ("tax_ids", "txi_2".to_string())
            ]
        );
        assert_eq!(singular("early_fraud_warnings"), "early_fraud_warning");
        assert_eq!(singular("capabilities"), "capability");
    }

    #[test]
    fn the_table_is_whole() {
        let ops = operations();
        assert!(ops.len() > 500, "{}", ops.len());
        assert!(ops.iter().filter(|o| o.kind == Kind::List).count() > 100);
        for op in ops {
            assert!(op.path.starts_with("/v1/"), "{}", op.path);
            assert!(
                matches!(op.method, "GET" | "POST" | "DELETE"),
                "{}",
                op.method
            );
            assert!(op.served == Served::Yes || op.served == Served::No || !op.note.is_empty());
        }
    }

    /// docs/api-coverage.md carries the table as made from `stripe_paths.tsv`; with
    /// `PASARELA_WRITE_DOCS=1` this test writes it there.
    #[test]
    fn the_coverage_doc_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api-coverage.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let table = coverage_markdown();
        const MARK: &str = "<!-- table: made from src/api/stripe_paths.tsv -->\n";
        if std::env::var_os("PASARELA_WRITE_DOCS").is_some() {
            let head = doc.split(MARK).next().unwrap_or("").to_string();
            std::fs::write(path, format!("{head}{MARK}{table}")).unwrap();
            return;
        }
        assert!(
            doc.ends_with(&format!("{MARK}{table}")),
            "docs/api-coverage.md is out of date: run PASARELA_WRITE_DOCS=1 cargo test the_coverage_doc"
        );
    }
}
