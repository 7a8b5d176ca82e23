//! `/v1/customers`: create, retrieve, update, delete, list.

use super::form::{Params, Patch};
use super::{expand, pagination, Ctx, Reply};
use crate::domain::customer::Customer;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::payment_method::PaymentMethod;
use crate::error::{ApiError, ApiResult};
use crate::flows::{load, Lookup};
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use serde_json::Value;

const WRITE_SHAPE: &[&str] = &[
    "email",
    "name",
    "description",
    "phone",
    "metadata[*]",
    "address[city]",
    "address[country]",
    "address[line1]",
    "address[line2]",
    "address[postal_code]",
    "address[state]",
    "shipping[name]",
    "shipping[phone]",
    "shipping[address][city]",
    "shipping[address][country]",
    "shipping[address][line1]",
    "shipping[address][line2]",
    "shipping[address][postal_code]",
    "shipping[address][state]",
    "balance",
    "preferred_locales[]",
    "tax_exempt",
    "invoice_settings[default_payment_method]",
    "invoice_settings[footer]",
    "invoice_settings[custom_fields][][name]",
    "invoice_settings[custom_fields][][value]",
    "payment_method",
    "invoice_prefix",
    "expand[]",
    "next_invoice_sequence",
    "coupon",
    "promotion_code",
];

const CUSTOM_FIELDS_INVALID: &str =
    "Each invoice_settings[custom_fields] entry needs a name and a value (at most 4 entries).";

/// The fields create and update share, applied to `c`.
fn apply_fields(p: &Params, c: &mut Customer) -> ApiResult<()> {
    p.email_patch("email")?.apply(&mut c.email);
    p.str_patch("name", 256)?.apply(&mut c.name);
    p.str_patch("description", 350)?.apply(&mut c.description);
    p.str_patch("phone", 20)?.apply(&mut c.phone);
    p.hash_patch("address")?.apply(&mut c.address);
    if let Some(addr) = &mut c.address {
        *addr = super::form::full_address(addr);
    }
    p.shipping_patch("shipping")?.apply(&mut c.shipping);
    if let Some(b) = p.int("balance")? {
        c.balance = b;
    }
    match p.str_list_patch("preferred_locales")? {
        Patch::Set(l) => c.preferred_locales = l,
        Patch::Unset => c.preferred_locales.clear(),
        Patch::Absent => {}
    }
    p.enum_patch("tax_exempt", &["exempt", "none", "reverse"])?
        .apply(&mut c.tax_exempt);
    p.apply_metadata(&mut c.metadata)?;
    if let Some(settings) = p.sub("invoice_settings") {
        apply_invoice_settings(&settings, c)?;
    }
    if let Some(prefix) = p.str("invoice_prefix")? {
        if !(3..=12).contains(&prefix.len())
            || !prefix
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
        {
            return Err(ApiError::invalid(
                "Invoice prefixes must be 3 to 12 uppercase letters or numbers.",
            )
            .param("invoice_prefix"));
        }
        c.invoice_prefix = prefix;
    }
    if let Some(n) = p.int_at_least("next_invoice_sequence", 1)? {
        c.next_invoice_sequence = n;
    }
    Ok(())
}

/// `invoice_settings[footer]` and `invoice_settings[custom_fields]` (the default
/// payment method needs the store: see `default_payment_method`).
fn apply_invoice_settings(settings: &Params, c: &mut Customer) -> ApiResult<()> {
    settings
        .str_patch("footer", 5000)?
        .apply(&mut c.invoice_footer);
    match settings.get("custom_fields") {
        None => {}
        Some(super::form::Node::Leaf(v)) if v.is_empty() => c.invoice_custom_fields = None,
        Some(n) => {
            let fields = n.to_json();
            let ok = fields.as_array().is_some_and(|a| {
                a.len() <= 4
                    && a.iter()
                        .all(|f| f.get("name").is_some() && f.get("value").is_some())
            });
            if !ok {
                return Err(ApiError::invalid(CUSTOM_FIELDS_INVALID)
                    .param("invoice_settings[custom_fields]"));
            }
            c.invoice_custom_fields = Some(fields);
        }
    }
    Ok(())
}

/// Checks `invoice_settings[default_payment_method]` names a PM attached to `customer`.
/// `attached` maps the `payment_method` parameter of this call (maybe a test alias such
/// as `pm_card_visa`) to the method it attached, so the docs' create call works.
fn default_payment_method(
    db: &Db,
    p: &Params,
    customer: &str,
    attached: Option<(&str, &str)>,
) -> ApiResult<Patch<String>> {
    let Some(settings) = p.sub("invoice_settings") else {
        return Ok(Patch::Absent);
    };
    match settings.str_patch("default_payment_method", 5000)? {
        Patch::Set(given) => {
            let pm_id = match attached {
                Some((param, id)) if param == given => id.to_string(),
                _ => given,
            };
            let attached = db
                .get::<PaymentMethod>(&pm_id)?
                .map(|pm| pm.customer.as_deref() == Some(customer))
                .unwrap_or(false);
            if !attached {
                return Err(ApiError::invalid(format!(
                    "The customer does not have a payment method with the ID {pm_id}. \
                     The payment method must be attached to the customer."
                ))
                .code("resource_missing")
                .param("invoice_settings[default_payment_method]"));
            }
            Ok(Patch::Set(pm_id))
        }
        other => Ok(other),
    }
}

/// The `payment_method` parameter: attaches that method to the customer. Returns
/// (the parameter as given, the attached method's id).
fn attach_given(
    db: &Db,
    exec: &super::Exec,
    p: &Params,
    customer: &str,
) -> ApiResult<Option<(String, String)>> {
    let Some(given) = p.str("payment_method")? else {
        return Ok(None);
    };
    let mut pm = match crate::domain::payment_method::from_alias(&given, exec.now) {
        Some(pm) => pm,
        None => load::<PaymentMethod>(db, &given, Lookup("PaymentMethod", "payment_method", 400))?,
    };
    crate::flows::payment_methods::attach(db, exec, &mut pm, customer)?;
    Ok(Some((given, pm.id)))
}

fn render(db: &Db, ctx_expand: &[String], c: &Customer) -> ApiResult<Value> {
    let mut body = views::customer(c);
    expand::apply(db, &mut body, ctx_expand)?;
    Ok(body)
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(WRITE_SHAPE)?;
    crate::versions::check_request(
        ctx.version,
        crate::versions::Operation::CustomerCreate,
        &ctx.params,
    )?;
    let expand_paths = ctx.expand_paths("customer", false)?;
    let p = ctx.params.clone();
    let mut c = Customer::new(ids::new_id("cus"), ids::random_base62(8).to_uppercase(), 0);
    apply_fields(&p, &mut c)?;
    let version = ctx.version;
    let p2 = p.clone();
    ctx.execute(move |db, exec| {
        c.created = exec.now;
        db.put(&c)?;
        let attached = attach_given(db, exec, &p2, &c.id)?;
        default_payment_method(
            db,
            &p2,
            &c.id,
            attached.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )?
        .apply(&mut c.default_payment_method);
        db.put(&c)?;
        let body = views::customer(&c);
        exec.event(db, EventType::CustomerCreated, &body, None)?;
        let mut out = render(db, &expand_paths, &c)?;
        out = crate::versions::render(out, version);
        Ok((200, out))
    })
    .await
}

async fn read_customer(ctx: &Ctx, id: &str) -> ApiResult<Customer> {
    let id2 = id.to_string();
    ctx.app
        .store
        .read(move |db| db.get::<Customer>(&id2).map_err(ApiError::from))
        .await?
        .ok_or_else(|| ApiError::no_such("customer", id, "id", 404))
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    let expand_paths = ctx.expand_paths("customer", false)?;
    let c = read_customer(&ctx, &id).await?;
    let body = ctx
        .app
        .store
        .read(move |db| render(db, &expand_paths, &c))
        .await?;
    Ok(Reply::ok(&ctx.render(body)))
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(WRITE_SHAPE)?;
    crate::versions::check_request(
        ctx.version,
        crate::versions::Operation::CustomerUpdate,
        &ctx.params,
    )?;
    let expand_paths = ctx.expand_paths("customer", false)?;
    let p = ctx.params.clone();
    let version = ctx.version;
    ctx.execute(move |db, exec| {
        let mut c = db
            .get::<Customer>(&id)?
            .filter(|c| !c.deleted)
            .ok_or_else(|| ApiError::no_such("customer", &id, "id", 404))?;
        let before = views::customer(&c);
        apply_fields(&p, &mut c)?;
        let attached = attach_given(db, exec, &p, &c.id)?;
        default_payment_method(
            db,
            &p,
            &c.id,
            attached.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )?
        .apply(&mut c.default_payment_method);
        db.put(&c)?;
        let after = views::customer(&c);
        if after != before {
            exec.event(db, EventType::CustomerUpdated, &after, Some(&before))?;
        }
        Ok((
            200,
            crate::versions::render(render(db, &expand_paths, &c)?, version),
        ))
    })
    .await
}

pub async fn delete(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&[])?;
    ctx.execute(move |db, exec| {
        let mut c = db
            .get::<Customer>(&id)?
            .filter(|c| !c.deleted)
            .ok_or_else(|| ApiError::no_such("customer", &id, "id", 404))?;
        let full = views::customer(&c);
        c.deleted = true;
        db.put(&c)?;
        exec.event(db, EventType::CustomerDeleted, &full, None)?;
        Ok((200, views::customer(&c)))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request("customer", &["email", "test_clock"])?;
    q.ref1 = ctx.params.str("email")?;
    pagination::respond(
        &ctx,
        q,
        "customer",
        "/v1/customers",
        expand_paths,
        |_, c: &Customer| Ok(views::customer(c)),
    )
    .await
}

pub async fn search(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "customers",
        super::search::CUSTOMER_FIELDS,
        |_, c: &Customer| Ok(views::customer(c)),
    )
    .await
}
