//! `/v1/checkout/sessions`: create, retrieve, list, expire. The hosted page the session's
//! `url` opens is `web/checkout.rs`.

use super::form::Params;
use super::payment_intents::params::{choice_refused, setup_choice_refused, type_choice};
use super::{pagination, Ctx, Reply};
use crate::domain::catalog::{Price, Product};
use crate::domain::checkout_session::{self, CheckoutSession, LineItem, Mode, Status};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::job::{Job, Work};
use crate::domain::money::Currency;
use crate::error::{ApiError, ApiResult};
use crate::flows::{live_customer, load, Lookup};
use crate::versions::{self, Behaviour, Operation};
use crate::views;
use axum::extract::Path;
use serde_json::Map;

const CREATE: &[&str] = &[
    "mode",
    "success_url",
    "cancel_url",
    "customer",
    "customer_email",
    "customer_creation",
    "client_reference_id",
    "currency",
    "payment_method_types[]",
    "allowed_payment_method_types[]",
    "excluded_payment_method_types[]",
    "line_items[][price_data][currency]",
    "line_items[][price_data][unit_amount]",
    "line_items[][price_data][product_data][name]",
    "line_items[][price_data][product_data][description]",
    "line_items[][price]",
    "line_items[][quantity]",
    "metadata[*]",
    "expires_at",
    "payment_intent_data[description]",
    "payment_intent_data[metadata][*]",
    "setup_intent_data[description]",
    "setup_intent_data[metadata][*]",
    "ui_mode",
    "locale",
];

/// Line items given without a Price, accepted before 2022-08-01.
const AD_HOC_LINE_ITEMS: &[&str] = &[
    "line_items[][amount]",
    "line_items[][currency]",
    "line_items[][name]",
    "line_items[][description]",
    "line_items[][images][]",
];

/// One `line_items[]` entry as given: a catalog price (looked up in the write) or
/// `price_data`.
enum LineSpec {
    Price {
        id: String,
        quantity: i64,
        param: String,
    },
    Data {
        line: LineItem,
        currency: Currency,
        description: Option<String>,
    },
}

fn line_specs(p: &Params) -> ApiResult<Vec<LineSpec>> {
    let Some(items) = p.sub_list("line_items") else {
        return Ok(vec![]);
    };
    let mut specs = Vec::new();
    for item in &items {
        let at = |f: &str| item.path(f);
        let quantity = item
            .int_at_least("quantity", 1)?
            .ok_or_else(|| ApiError::missing(&at("quantity")))?;
        if let Some(id) = item.str("price")? {
            specs.push(LineSpec::Price {
                id,
                quantity,
                param: at("price"),
            });
            continue;
        }
        // `price_data`, or before 2022-08-01 the same given on the item itself.
        let (data, prefix, product) = match item.sub("price_data") {
            Some(data) => {
                let product = data.sub("product_data");
                (data, "price_data][", product)
            }
            None if item.has("amount") => (item.clone(), "", Some(item.clone())),
            None => return Err(ApiError::missing(&at("price"))),
        };
        let amount_field = if prefix.is_empty() {
            "amount"
        } else {
            "unit_amount"
        };
        let code = data
            .str("currency")?
            .ok_or_else(|| ApiError::missing(&at(&format!("{prefix}currency"))))?;
        let currency = Currency::parse(&code).map_err(|_| {
            ApiError::invalid(format!("Invalid currency: {code}"))
                .param(at(&format!("{prefix}currency")))
        })?;
        let unit_amount = data
            .int_at_least(amount_field, 0)?
            .ok_or_else(|| ApiError::missing(&at(&format!("{prefix}{amount_field}"))))?;
        let name_param = if prefix.is_empty() {
            "name".to_string()
        } else {
            "price_data][product_data][name".to_string()
        };
        let name = product
            .as_ref()
            .map(|pd| pd.str("name"))
            .transpose()?
            .flatten()
            .ok_or_else(|| ApiError::missing(&at(&name_param)))?;
        let description = product
            .map(|pd| pd.str("description"))
            .transpose()?
            .flatten();
        specs.push(LineSpec::Data {
            line: LineItem {
                id: ids::new_id("li"),
                name,
                unit_amount,
                quantity,
                price: ids::new_id("price"),
                product: ids::new_id("prod"),
            },
            currency,
            description,
        });
    }
    Ok(specs)
}

/// The lines and their one currency, catalog prices looked up, and the Price and Product
/// of each `price_data` made as Stripe makes them (an inline price: inactive, in no list).
fn resolve_lines(
    db: &crate::store::Db,
    exec: &crate::flows::Exec,
    specs: Vec<LineSpec>,
) -> ApiResult<(Vec<LineItem>, Option<Currency>)> {
    let mut lines = Vec::new();
    let mut currency: Option<Currency> = None;
    for spec in specs {
        let (line, c, param) = match spec {
            LineSpec::Price {
                id,
                quantity,
                param,
            } => {
                let (price, product) = super::catalog::line_from_price(db, &id, &param)?;
                let line = LineItem {
                    id: ids::new_id("li"),
                    name: product.name,
                    unit_amount: price.unit_amount,
                    quantity,
                    price: price.id,
                    product: product.id,
                };
                (line, price.currency, param)
            }
            LineSpec::Data {
                line,
                currency,
                description,
            } => {
                let mut product = Product::new(line.product.clone(), line.name.clone(), exec.now);
                product.description = description;
                let price = Price {
                    id: line.price.clone(),
                    active: false,
                    inline: true,
                    ..Price::new(&product.id, currency.clone(), line.unit_amount, exec.now)
                };
                crate::flows::catalog::create_product(db, exec, &product)?;
                crate::flows::catalog::create_price(db, exec, &price)?;
                (line, currency, "line_items".to_string())
            }
        };
        if currency.as_ref().is_some_and(|cur| *cur != c) {
            return Err(
                ApiError::invalid("All line items must be in the same currency.").param(param),
            );
        }
        currency = Some(c);
        lines.push(line);
    }
    Ok((lines, currency))
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    let old = |b| versions::old_behaviour(ctx.version, b);
    if old(Behaviour::AdHocLineItems) {
        p.check(&[CREATE, AD_HOC_LINE_ITEMS].concat())?;
    } else {
        p.check(CREATE)?;
    }
    versions::check_request(ctx.version, Operation::CheckoutSessionCreate, p)?;
    let mode =
        match p
            .enum_("mode", &["payment", "setup", "subscription"])?
            .as_deref()
        {
            None => return Err(ApiError::missing("mode")),
            Some("payment") => Mode::Payment,
            Some("setup") => Mode::Setup,
            Some(_) => return Err(ApiError::invalid(
                "Subscription mode needs Prices and Subscriptions, which Pasarela does not serve.",
            )
            .param("mode")),
        };
    // The version's naming was checked above; Pasarela serves the hosted page only.
    if let Some(ui) = p.str("ui_mode")? {
        if ui != "hosted" && ui != "hosted_page" {
            return Err(ApiError::invalid(format!(
                "ui_mode {ui} is not available: Pasarela serves the hosted Checkout page only."
            ))
            .param("ui_mode"));
        }
    }
    let success_url = p
        .url_patch("success_url")?
        .set()
        .ok_or_else(|| ApiError::missing("success_url"))?;
    let specs = line_specs(p)?;
    let given_currency = match p.str("currency")? {
        Some(code) => Some(Currency::parse(&code).map_err(|_| {
            ApiError::invalid(format!("Invalid currency: {code}")).param("currency")
        })?),
        None => None,
    };
    // The same rules as an intent's: one way of naming types, unknown names refused,
    // `allowed_payment_method_types` dropping silently what cannot be used.
    let choice = type_choice(p, true)?.expect("create always chooses");
    let country = ctx.app.account.country.clone();
    match mode {
        Mode::Payment if specs.is_empty() => return Err(ApiError::missing("line_items")),
        Mode::Setup if !specs.is_empty() => {
            return Err(
                ApiError::invalid("You cannot pass `line_items` in `setup` mode.")
                    .param("line_items"),
            )
        }
        _ => {}
    }
    let intent_data = match mode {
        Mode::Payment => p.sub("payment_intent_data"),
        Mode::Setup => p.sub("setup_intent_data"),
    };
    let mut customer_creation = p.enum_("customer_creation", &["always", "if_required"])?;
    if customer_creation.is_some() {
        if mode != Mode::Payment {
            return Err(
                ApiError::invalid("customer_creation can only be used in payment mode.")
                    .param("customer_creation"),
            );
        }
        if p.has("customer") {
            return Err(ApiError::invalid(
                "You may only specify one of these parameters: customer, customer_creation.",
            )
            .param("customer_creation"));
        }
    }
    // Before 2022-08-01 a payment-mode session made a Customer of every buyer.
    if mode == Mode::Payment
        && customer_creation.is_none()
        && !p.has("customer")
        && old(Behaviour::CheckoutAlwaysCreatesCustomer)
    {
        customer_creation = Some("always".to_string());
    }
    let intent_at_creation = mode == Mode::Payment && old(Behaviour::CheckoutIntentAtCreation);
    let mut intent_metadata = Map::new();
    let mut intent_description = None;
    if let Some(d) = &intent_data {
        d.apply_metadata(&mut intent_metadata)?;
        intent_description = d.str("description")?;
    }
    let mut session = CheckoutSession {
        id: format!("cs_test_{}", ids::random_base62(58)),
        created: 0,
        mode,
        status: Status::Open,
        currency: None,
        line_items: vec![],
        payment_method_types: vec![],
        customer: p.str("customer")?,
        customer_email: p.email_patch("customer_email")?.set(),
        client_reference_id: p.str("client_reference_id")?,
        success_url,
        cancel_url: p.url_patch("cancel_url")?.set(),
        metadata: Map::new(),
        expires_at: 0,
        url: String::new(),
        payment_intent: None,
        setup_intent: None,
        customer_details: None,
        intent_description,
        intent_metadata,
        customer_creation,
        intent_at_creation,
    };
    p.apply_metadata(&mut session.metadata)?;
    let expires_at = p.int("expires_at")?;
    ctx.execute(move |db, exec| {
        if let Some(c) = &session.customer {
            live_customer(db, c)?;
        }
        let (lines, line_currency) = resolve_lines(db, exec, specs)?;
        session.currency = line_currency.or(given_currency);
        session.payment_method_types = match mode {
            Mode::Payment => {
                let currency = session.currency.clone().expect("lines have one");
                let total: i64 = lines.iter().map(LineItem::total).sum();
                choice
                    .resolve(&country, &currency, total)
                    .map_err(|e| choice_refused(e, &currency))?
                    .types
            }
            Mode::Setup => {
                choice
                    .resolve_for_setup(&country)
                    .map_err(setup_choice_refused)?
                    .types
            }
        };
        session.line_items = lines;
        session.created = exec.now;
        session.expires_at = match expires_at {
            Some(t)
                if t < exec.now + checkout_session::MIN_LIFETIME
                    || t > exec.now + checkout_session::LIFETIME =>
            {
                return Err(ApiError::invalid(
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
                )
                .param("expires_at"))
            }
            Some(t) => t,
            None => exec.now + checkout_session::LIFETIME,
        };
        session.url = format!("{}/c/pay/{}", exec.public_url, session.id);
        db.put(&session)?;
        // It expires on time whether or not anybody opens it.
        let expire = Work::ExpireCheckout {
            session: session.id.clone(),
        };
        let delay = session.expires_at - exec.now;
        db.put(&Job::new(ids::new_id("job"), exec.now, delay, expire))?;
        if session.intent_at_creation {
            // Before 2022-08-01 the PaymentIntent came with the session.
            crate::flows::checkout::intent(db, exec, &session.id)?;
            session = load(db, &session.id, Lookup("checkout.session", "session", 404))?;
        }
        let body = views::checkout_session(&session);
        Ok((
            200,
            crate::flows::embeds::render_at(db, body, exec.version)?,
        ))
    })
    .await
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve::<CheckoutSession>(
        id,
        ("checkout.session", "checkout.session", "session"),
        views::checkout_session,
    )
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request("checkout.session", &["customer"])?;
    q.customer = ctx.params.str("customer")?;
    pagination::respond(
        &ctx,
        q,
        "checkout.session",
        "/v1/checkout/sessions",
        expand_paths,
        |_, s: &CheckoutSession| Ok(views::checkout_session(s)),
    )
    .await
}

/// `POST /v1/checkout/sessions/:id/expire`: an open session can no longer be used.
pub async fn expire(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&[])?;
    ctx.execute(move |db, exec| {
        let mut s = load::<CheckoutSession>(db, &id, Lookup("checkout.session", "session", 404))?;
        if s.status != Status::Open {
            return Err(ApiError::invalid(format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired; this one is {}.",
                if s.status == Status::Complete { "complete" } else { "expired" }
            ))
            .param("session"));
        }
        s.status = Status::Expired;
        db.put(&s)?;
        let body = views::checkout_session(&s);
        exec.event(db, EventType::CheckoutSessionExpired, &body, None)?;
        Ok((200, crate::flows::embeds::render_at(db, body, exec.version)?))
    })
    .await
}

/// `GET /v1/checkout/sessions/:id/line_items`: what the session sells, each with its price.
pub async fn line_items(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(pagination::LIST_SHAPE)?;
    let url = format!("/v1/checkout/sessions/{id}/line_items");
    let version = ctx.version;
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<serde_json::Value> {
            let s = load::<CheckoutSession>(db, &id, Lookup("checkout.session", "session", 404))?;
            let mut items = Vec::with_capacity(s.line_items.len());
            for li in &s.line_items {
                // The price as stored now (a catalog price may have changed since).
                let price = match db.get::<Price>(&li.price)? {
                    Some(p) => views::price(&p),
                    None => views::line_price(li, s.currency.as_ref(), s.created),
                };
                items.push(views::line_item(li, s.currency.as_ref(), price));
            }
            Ok(crate::versions::render(
                views::list(&url, items, false),
                version,
            ))
        })
        .await?;
    Ok(Reply::ok(&body))
}
