//! `/v1/products` and `/v1/prices`: the catalog Checkout Sessions sell from. One-time
//! prices only.

use super::form::Params;
use super::{pagination, Ctx, Reply};
use crate::domain::catalog::{Price, Product};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::money::Currency;
use crate::error::{ApiError, ApiResult};
use crate::flows::{catalog, load, Lookup};
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use serde_json::Map;

const PRODUCT_FIELDS: &[&str] = &[
    "name",
    "description",
    "active",
    "images[]",
    "url",
    "metadata[*]",
];

fn product_fields(p: &Params, product: &mut Product) -> ApiResult<()> {
    if let Some(name) = p.str_patch("name", 5000)?.set() {
        product.name = name;
    }
    p.str_patch("description", 40000)?
        .apply(&mut product.description);
    if let Some(a) = p.bool("active")? {
        product.active = a;
    }
    if let Some(images) = p.str_list("images")? {
        product.images = images;
    }
    p.str_patch("url", 5000)?.apply(&mut product.url);
    p.apply_metadata(&mut product.metadata)
}

/// `currency` and `unit_amount` of a new price (`default_price_data[...]` or `/v1/prices`).
fn price_terms(p: &Params, prefix: &str) -> ApiResult<(Currency, i64)> {
    let name = |f: &str| {
        if prefix.is_empty() {
            f.to_string()
        } else {
            format!("{prefix}[{f}]")
        }
    };
    let code = p
        .str("currency")?
        .ok_or_else(|| ApiError::missing(&name("currency")))?;
    let currency = Currency::parse(&code).map_err(|_| {
        ApiError::invalid(format!("Invalid currency: {code}")).param(name("currency"))
    })?;
    if p.has("recurring") {
        return Err(ApiError::invalid(
            "Recurring prices need Subscriptions, which Pasarela does not serve: create a one-time price.",
        )
        .param(name("recurring")));
    }
    let amount = p
        .int_at_least("unit_amount", 0)
        .map_err(|e| e.param(name("unit_amount")))?
        .ok_or_else(|| ApiError::missing(&name("unit_amount")))?;
    Ok((currency, amount))
}

fn live_product(db: &Db, id: &str, param: &str, status: u16) -> ApiResult<Product> {
    db.get::<Product>(id)?
        .filter(|p| !p.deleted)
        .ok_or_else(|| ApiError::no_such("product", id, param, status))
}

pub async fn create_product(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    let mut shape = PRODUCT_FIELDS.to_vec();
    shape.extend([
        "id",
        "default_price_data[currency]",
        "default_price_data[unit_amount]",
        "default_price_data[recurring][**]",
    ]);
    p.check(&shape)?;
    let name = p.str("name")?.ok_or_else(|| ApiError::missing("name"))?;
    let id = p.str("id")?.unwrap_or_else(|| ids::new_id("prod"));
    let mut product = Product::new(id, name, 0);
    product_fields(p, &mut product)?;
    let default_price = match p.sub("default_price_data") {
        Some(d) => Some(price_terms(&d, "default_price_data")?),
        None => None,
    };
    ctx.execute(move |db, exec| {
        if db.get::<Product>(&product.id)?.is_some() {
            return Err(
                ApiError::invalid(format!("Product already exists: {}", product.id))
                    .code("resource_already_exists")
                    .param("id"),
            );
        }
        product.created = exec.now;
        product.updated = exec.now;
        let price = default_price
            .map(|(currency, amount)| Price::new(&product.id, currency, amount, exec.now));
        product.default_price = price.as_ref().map(|p| p.id.clone());
        catalog::create_product(db, exec, &product)?;
        if let Some(price) = price {
            catalog::create_price(db, exec, &price)?;
        }
        Ok((
            200,
            crate::versions::render(views::product(&product), exec.version),
        ))
    })
    .await
}

pub async fn retrieve_product(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve::<Product>(id, ("product", "product", "id"), views::product)
        .await
}

pub async fn update_product(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    let mut shape = PRODUCT_FIELDS.to_vec();
    shape.push("default_price");
    p.check(&shape)?;
    ctx.execute(move |db, exec| {
        let mut product = live_product(db, &id, "id", 404)?;
        let before = views::product(&product);
        product_fields(&p, &mut product)?;
        if let Some(price) = p.str("default_price")? {
            let found = db
                .get::<Price>(&price)?
                .filter(|pr| pr.product == product.id);
            if found.is_none() {
                return Err(ApiError::no_such("price", &price, "default_price", 400));
            }
            product.default_price = Some(price);
        }
        product.updated = exec.now;
        db.put(&product)?;
        let after = views::product(&product);
        exec.event(db, EventType::ProductUpdated, &after, Some(&before))?;
        Ok((200, crate::versions::render(after, exec.version)))
    })
    .await
}

pub async fn delete_product(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&[])?;
    ctx.execute(move |db, exec| {
        let mut product = live_product(db, &id, "id", 404)?;
        let q = crate::store::ListQuery {
            ref1: Some(product.id.clone()),
            limit: 1,
            ..Default::default()
        };
        let has_prices = matches!(db.list(<Price as crate::store::Stored>::KIND, &q)?, Ok(page) if !page.bodies.is_empty());
        if has_prices {
            return Err(ApiError::invalid(
                "This product cannot be deleted because it has one or more user-created prices.",
            ));
        }
        // The event carries the product as it was, as customer.deleted does.
        let last = views::product(&product);
        product.deleted = true;
        db.put(&product)?;
        exec.event(db, EventType::ProductDeleted, &last, None)?;
        Ok((200, crate::versions::render(views::product(&product), exec.version)))
    })
    .await
}

pub async fn list_products(ctx: Ctx) -> ApiResult<Reply> {
    let (q, expand_paths) = ctx.list_request("product", &["active"])?;
    let active = ctx.params.bool("active")?;
    pagination::respond_filtered(
        &ctx,
        q,
        "product",
        "/v1/products",
        expand_paths,
        |_, p: &Product| Ok(views::product(p)),
        Box::new(move |p: &Product| active.is_none_or(|a| p.active == a)),
    )
    .await
}

pub async fn create_price(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    p.check(&[
        "currency",
        "unit_amount",
        "product",
        "product_data[name]",
        "product_data[metadata][*]",
        "nickname",
        "lookup_key",
        "active",
        "metadata[*]",
        "recurring[**]",
        "expand[]",
    ])?;
    let (currency, amount) = price_terms(p, "")?;
    let product = p.str("product")?;
    let product_data = match (&product, p.sub("product_data")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "You may only specify one of these parameters: product, product_data.",
            )
            .param("product_data"))
        }
        (None, None) => return Err(ApiError::missing("product")),
        (_, Some(d)) => Some(
            d.str("name")?
                .ok_or_else(|| ApiError::missing("product_data[name]"))?,
        ),
        _ => None,
    };
    let nickname = p.str("nickname")?;
    let lookup_key = p.str("lookup_key")?;
    let active = p.bool("active")?.unwrap_or(true);
    let mut metadata = Map::new();
    p.apply_metadata(&mut metadata)?;
    ctx.execute(move |db, exec| {
        let product_id = match (product, product_data) {
            (Some(id), _) => live_product(db, &id, "product", 400)?.id,
            (None, Some(name)) => {
                let made = Product::new(ids::new_id("prod"), name, exec.now);
                catalog::create_product(db, exec, &made)?;
                made.id
            }
            (None, None) => unreachable!("checked above"),
        };
        let mut price = Price::new(&product_id, currency, amount, exec.now);
        price.nickname = nickname;
        price.lookup_key = lookup_key;
        price.active = active;
        price.metadata = metadata;
        catalog::create_price(db, exec, &price)?;
        Ok((
            200,
            crate::versions::render(views::price(&price), exec.version),
        ))
    })
    .await
}

pub async fn retrieve_price(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve::<Price>(id, ("price", "price", "price"), views::price)
        .await
}

pub async fn update_price(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&[
        "active",
        "nickname",
        "lookup_key",
        "metadata[*]",
        "expand[]",
    ])?;
    ctx.execute(move |db, exec| {
        let mut price = load::<Price>(db, &id, Lookup("price", "price", 404))?;
        let before = views::price(&price);
        if let Some(a) = p.bool("active")? {
            price.active = a;
        }
        p.str_patch("nickname", 5000)?.apply(&mut price.nickname);
        p.str_patch("lookup_key", 200)?.apply(&mut price.lookup_key);
        p.apply_metadata(&mut price.metadata)?;
        db.put(&price)?;
        let after = views::price(&price);
        exec.event(db, EventType::PriceUpdated, &after, Some(&before))?;
        Ok((200, crate::versions::render(after, exec.version)))
    })
    .await
}

pub async fn list_prices(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) =
        ctx.list_request("price", &["product", "active", "currency", "type"])?;
    q.ref1 = ctx.params.str("product")?;
    let active = ctx.params.bool("active")?;
    let currency = ctx.params.str("currency")?;
    pagination::respond_filtered(
        &ctx,
        q,
        "price",
        "/v1/prices",
        expand_paths,
        |_, p: &Price| Ok(views::price(p)),
        // Inline prices (`price_data`) are hidden in the store: listed by no filter.
        Box::new(move |p: &Price| {
            active.is_none_or(|a| p.active == a)
                && currency.as_deref().is_none_or(|c| p.currency.code() == c)
        }),
    )
    .await
}

/// A line of a Checkout Session from a price: its amount and product name, if it sells.
pub fn line_from_price(db: &Db, price_id: &str, param: &str) -> ApiResult<(Price, Product)> {
    let price = db
        .get::<Price>(price_id)?
        .ok_or_else(|| ApiError::no_such("price", price_id, param, 400))?;
    let product = live_product(db, &price.product, param, 400)?;
    crate::domain::catalog::sellable(&price, &product).map_err(|e| {
        ApiError::invalid(match e {
            crate::domain::catalog::NotSellable::Inactive => {
                format!("The price `{price_id}` is not active, so it cannot be used in a Checkout Session.")
            }
            crate::domain::catalog::NotSellable::ProductInactive => format!(
                "The product of price `{price_id}` is not active, so it cannot be used in a Checkout Session."
            ),
        })
        .param(param)
    })?;
    Ok((price, product))
}

pub async fn search_products(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "products",
        super::search::PRODUCT_FIELDS,
        |_, p: &Product| Ok(views::product(p)),
    )
    .await
}

pub async fn search_prices(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "prices",
        super::search::PRICE_FIELDS,
        |_, p: &Price| Ok(views::price(p)),
    )
    .await
}
