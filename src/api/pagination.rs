//! List parameters (`limit`, cursors, `created`) and the list envelope.

use super::form::Params;
use crate::error::{ApiError, ApiResult};
use crate::store::{Db, ListQuery, StoreError};
use serde_json::Value;

/// Parameters every list endpoint takes.
pub const LIST_SHAPE: &[&str] = &[
    "limit",
    "starting_after",
    "ending_before",
    "expand[]",
    "created",
    "created[gt]",
    "created[gte]",
    "created[lt]",
    "created[lte]",
];

/// Reads `limit` (1-100, default 10), the cursors and `created` into a query.
pub fn query(p: &Params) -> ApiResult<ListQuery> {
    let limit = match p.int("limit")? {
        None => 10,
        Some(l) if l < 1 => {
            return Err(
                ApiError::invalid("This value must be greater than or equal to 1.")
                    .code("parameter_invalid_integer")
                    .param("limit"),
            )
        }
        Some(l) if l > 100 => {
            return Err(
                ApiError::invalid("This value must be less than or equal to 100.")
                    .code("parameter_invalid_integer")
                    .param("limit"),
            )
        }
        Some(l) => l as usize,
    };
    let starting_after = p.str("starting_after")?;
    let ending_before = p.str("ending_before")?;
    if starting_after.is_some() && ending_before.is_some() {
        return Err(ApiError::invalid(
            "Received both starting_after and ending_before parameters. Please pass in only one.",
        ));
    }
    let mut q = ListQuery {
        limit,
        starting_after,
        ending_before,
        ..Default::default()
    };
    match p.get("created") {
        None => {}
        Some(super::form::Node::Leaf(_)) => {
            let exact = p.int("created")?;
            q.created_gte = exact;
            q.created_lte = exact;
        }
        Some(_) => {
            let c = p
                .sub("created")
                .unwrap_or_else(|| Params::new(super::form::Node::Hash(Default::default())));
            let field = |name: &str| c.int(name);
            q.created_gt = field("gt")?;
            q.created_gte = field("gte")?;
            q.created_lt = field("lt")?;
            q.created_lte = field("lte")?;
        }
    }
    Ok(q)
}

/// Runs a list query and renders each item; a cursor naming nothing is Stripe's 400.
pub fn page(
    db: &Db,
    kind: &str,
    object_name: &str,
    q: &ListQuery,
    url: &str,
    mut render: impl FnMut(&Db, &str) -> Result<Value, StoreError>,
) -> ApiResult<Value> {
    match db.list(kind, q)? {
        Err(cursor) => {
            let param = if q.starting_after.is_some() {
                "starting_after"
            } else {
                "ending_before"
            };
            Err(ApiError::no_such(object_name, &cursor, param, 400))
        }
        Ok(page) => {
            let mut data = Vec::with_capacity(page.bodies.len());
            for body in &page.bodies {
                data.push(render(db, body)?);
            }
            Ok(crate::views::list(url, data, page.has_more))
        }
    }
}

/// A whole list request on a reader: the page, each item's view, `expand`, and the
/// rendering at the request's version.
pub async fn respond<T: crate::store::Stored + 'static>(
    ctx: &super::Ctx,
    q: ListQuery,
    object_name: &'static str,
    url: impl Into<String>,
    expand_paths: Vec<String>,
    view: fn(&Db, &T) -> Result<Value, StoreError>,
) -> ApiResult<super::Reply> {
    let version = ctx.version;
    let url = url.into();
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<Value> {
            let mut page = page(db, T::KIND, object_name, &q, &url, |db, body| {
                view(db, &crate::store::decode::<T>(body)?)
            })?;
            super::expand::apply(db, &mut page, &expand_paths)?;
            Ok(crate::flows::embeds::render_at(db, page, version)?)
        })
        .await?;
    Ok(super::Reply::ok(&body))
}

/// Keeps an item in a filtered list.
pub type Keep<T> = Box<dyn Fn(&T) -> bool + Send>;

/// A list with a filter that is not a column (e.g. `allow_redisplay`): reads pages
/// until `limit` items pass, in either direction, so `has_more` and the cursors stay
/// right.
pub async fn respond_filtered<T: crate::store::Stored + 'static>(
    ctx: &super::Ctx,
    q: ListQuery,
    object_name: &'static str,
    url: impl Into<String>,
    expand_paths: Vec<String>,
    view: fn(&Db, &T) -> Result<Value, StoreError>,
    keep: Keep<T>,
) -> ApiResult<super::Reply> {
    let version = ctx.version;
    let url = url.into();
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<Value> {
            let (kept, has_more) = kept_page(db, &q, object_name, &keep)?;
            let mut data = Vec::with_capacity(kept.len());
            for item in &kept {
                data.push(view(db, item)?);
            }
            let mut page = crate::views::list(&url, data, has_more);
            super::expand::apply(db, &mut page, &expand_paths)?;
            Ok(crate::flows::embeds::render_at(db, page, version)?)
        })
        .await?;
    Ok(super::Reply::ok(&body))
}

/// The page of a filtered list: up to `q.limit` items that `keep` passes, newest
/// first, scanning from the cursor in its direction; and whether more pass.
fn kept_page<T: crate::store::Stored>(
    db: &Db,
    q: &ListQuery,
    object_name: &str,
    keep: &Keep<T>,
) -> ApiResult<(Vec<T>, bool)> {
    let backwards = q.ending_before.is_some();
    let limit = q.limit;
    let mut scan = ListQuery {
        limit: 100,
        ..q.clone()
    };
    // Items in order of distance from the cursor (or from the newest).
    let mut kept: Vec<T> = Vec::new();
    let mut has_more = false;
    loop {
        let page = match db.list(T::KIND, &scan)? {
            Ok(p) => p,
            Err(cursor) => {
                let param = if backwards {
                    "ending_before"
                } else {
                    "starting_after"
                };
                return Err(ApiError::no_such(object_name, &cursor, param, 400));
            }
        };
        let mut items: Vec<T> = page
            .bodies
            .iter()
            .map(|b| crate::store::decode::<T>(b))
            .collect::<Result<_, _>>()?;
        if backwards {
            items.reverse();
        }
        let next = items.last().map(|t| t.id().to_string());
        for item in items {
            if keep(&item) {
                if kept.len() == limit {
                    has_more = true;
                    break;
                }
                kept.push(item);
            }
        }
        if has_more || !page.has_more {
            break;
        }
        match next {
            Some(id) if backwards => scan.ending_before = Some(id),
            Some(id) => scan.starting_after = Some(id),
            None => break,
        }
    }
    if backwards {
        kept.reverse();
    }
    Ok((kept, has_more))
}
