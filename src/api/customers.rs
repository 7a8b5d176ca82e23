//! `/v1/customers`: create, retrieve, update, delete, list.

use super::error::{ApiError, ApiResult};
use super::form::{Params, Patch};
use super::{expand, pagination, Ctx, Reply};
use crate::domain::customer::Customer;
use crate::domain::ids;
use crate::domain::payment_method::PaymentMethod;
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value};

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
    "invoice_settings[**]",
    "payment_method",
    "invoice_prefix",
    "expand[]",
    "source",
    "test_clock",
    "tax[**]",
    "tax_id_data[**]",
    "cash_balance[**]",
    "next_invoice_sequence",
    "business_name",
    "individual_name",
    "coupon",
    "promotion_code",
];

/// The fields create and update share, applied to `c`.
fn apply_fields(p: &Params, c: &mut Customer) -> ApiResult<()> {
    p.str_patch("email", 512)?.apply(&mut c.email);
    p.str_patch("name", 256)?.apply(&mut c.name);
    p.str_patch("description", 350)?.apply(&mut c.description);
    p.str_patch("phone", 20)?.apply(&mut c.phone);
    p.hash_patch("address")?.apply(&mut c.address);
    if let Some(addr) = &mut c.address {
        *addr = full_address(addr);
    }
    match p.hash_patch("shipping")? {
        Patch::Set(mut s) => {
            if s.get("name").is_none() {
                return Err(ApiError::missing("shipping[name]"));
            }
            if let Some(a) = s.get("address") {
                s["address"] = full_address(a);
            }
            if s.get("phone").is_none() {
                s["phone"] = Value::Null;
            }
            c.shipping = Some(s);
        }
        other => other.apply(&mut c.shipping),
    }
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
    Ok(())
}

fn full_address(a: &Value) -> Value {
    let mut out = serde_json::json!({"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null});
    if let Value::Object(m) = a {
        for (k, v) in m {
            out[k.as_str()] = v.clone();
        }
    }
    out
}

/// Checks `invoice_settings[default_payment_method]` names a PM attached to `customer`.
fn default_payment_method(db: &Db, p: &Params, customer: &str) -> ApiResult<Patch<String>> {
    let Some(settings) = p.sub("invoice_settings") else {
        return Ok(Patch::Absent);
    };
    match settings.str_patch("default_payment_method", 5000)? {
        Patch::Set(pm_id) => {
            let attached = db
                .get::<PaymentMethod>(&pm_id)?
                .map(|pm| pm.customer.as_deref() == Some(customer))
                .unwrap_or(false);
            if !attached {
                return Err(ApiError::invalid(format!(
                    "The customer does not have a payment method with the ID {pm_id}. The payment method must be attached to the customer."
                ))
                .code("resource_missing")
                .param("invoice_settings[default_payment_method]"));
            }
            Ok(Patch::Set(pm_id))
        }
        other => Ok(other),
    }
}

fn render(db: &Db, ctx_expand: &[String], c: &Customer) -> ApiResult<Value> {
    let mut body = views::customer(c);
    expand::apply(db, &mut body, ctx_expand)?;
    Ok(body)
}

pub async fn create(ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(WRITE_SHAPE)?;
        crate::versions::check_request(
            ctx.version,
            crate::versions::Operation::CustomerCreate,
            &ctx.params,
        )?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("customer", &expand_paths, false)?;
        let p = ctx.params.clone();
        let mut c = Customer {
            id: ids::new_id("cus"),
            created: 0,
            email: None,
            name: None,
            description: None,
            phone: None,
            address: None,
            shipping: None,
            balance: 0,
            metadata: Map::new(),
            preferred_locales: vec![],
            tax_exempt: None,
            default_payment_method: None,
            invoice_prefix: ids::random_base62(8).to_uppercase(),
            deleted: false,
        };
        apply_fields(&p, &mut c)?;
        let version = ctx.version;
        ctx.execute(move |db, exec| {
            c.created = exec.now;
            db.put(&c)?;
            let body = views::customer(&c);
            exec.event(db, "customer.created", &body, None)?;
            let mut out = render(db, &expand_paths, &c)?;
            out = crate::versions::render(out, version);
            Ok((200, out))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

async fn load(ctx: &Ctx, id: &str) -> ApiResult<Customer> {
    let id2 = id.to_string();
    ctx.app
        .store
        .read(move |db| db.get::<Customer>(&id2).map_err(ApiError::from))
        .await?
        .ok_or_else(|| ApiError::no_such("customer", id, "id", 404))
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(&["expand[]"])?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("customer", &expand_paths, false)?;
        let c = load(&ctx, &id).await?;
        let body = ctx
            .app
            .store
            .read(move |db| render(db, &expand_paths, &c))
            .await?;
        Ok(Reply::ok(&ctx.render(body)))
    }
    .await;
    ctx.respond(r)
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(WRITE_SHAPE)?;
        crate::versions::check_request(
            ctx.version,
            crate::versions::Operation::CustomerUpdate,
            &ctx.params,
        )?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("customer", &expand_paths, false)?;
        let p = ctx.params.clone();
        let version = ctx.version;
        ctx.execute(move |db, exec| {
            let mut c = db
                .get::<Customer>(&id)?
                .filter(|c| !c.deleted)
                .ok_or_else(|| ApiError::no_such("customer", &id, "id", 404))?;
            let before = views::customer(&c);
            apply_fields(&p, &mut c)?;
            default_payment_method(db, &p, &c.id)?.apply(&mut c.default_payment_method);
            db.put(&c)?;
            let after = views::customer(&c);
            if after != before {
                exec.event(db, "customer.updated", &after, Some(&before))?;
            }
            Ok((
                200,
                crate::versions::render(render(db, &expand_paths, &c)?, version),
            ))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

pub async fn delete(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
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
            exec.event(db, "customer.deleted", &full, None)?;
            Ok((200, views::customer(&c)))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

pub async fn list(ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        let mut shape = pagination::LIST_SHAPE.to_vec();
        shape.extend(["email", "test_clock"]);
        ctx.params.check(&shape)?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("customer", &expand_paths, true)?;
        let mut q = pagination::query(&ctx.params)?;
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
    .await;
    ctx.respond(r)
}
