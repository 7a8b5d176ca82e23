//! `/v1/setup_intents`: create, retrieve, update, list, confirm, cancel; and
//! `/v1/mandates/:id`. Parameters are read before the write; `flows::setup_intent`
//! does the rest.

use super::auth::KeyKind;
use super::form::{Params, Patch};
use super::payment_intents::params::{self, data_shape_paths};
use super::{load_for, load_intent, pagination, Ctx, Reply};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::method_choice::TypeChoice;
use crate::domain::payment_method::FutureUsage;
use crate::domain::setup_intent::{SetupIntent, SetupRequest};
use crate::error::{ApiError, ApiResult};
use crate::flows::payment_intent::MethodChoice;
use crate::flows::setup_intent::{self as flow, Confirmed};
use crate::flows::Exec;
use crate::store::Db;
use crate::versions::{self, ApiVersion, Operation};
use crate::views;
use axum::extract::Path;
use serde_json::Value;

const COMMON: &[&str] = &[
    "customer",
    "description",
    "metadata[*]",
    "payment_method",
    "payment_method_types[]",
    "allowed_payment_method_types[]",
    "excluded_payment_method_types[]",
    "payment_method_options[**]",
    "flow_directions[]",
    "expand[]",
];
const CREATE_ONLY: &[&str] = &[
    "usage",
    "confirm",
    "return_url",
    "mandate_data[**]",
    "automatic_payment_methods[enabled]",
    "automatic_payment_methods[allow_redirects]",
    "use_stripe_sdk",
    "single_use[amount]",
    "single_use[currency]",
    "attach_to_self",
    "on_behalf_of",
];
const CONFIRM_SHAPE: &[&str] = &[
    "payment_method",
    "return_url",
    "mandate_data[**]",
    "use_stripe_sdk",
    "client_secret",
    "payment_method_options[**]",
    "expand[]",
];

fn shape(parts: &[&[&'static str]]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    v.extend(data_shape_paths());
    v
}

/// Full for secret keys, Stripe.js's view otherwise.
fn render(
    db: &Db,
    si: &SetupIntent,
    key: KeyKind,
    version: ApiVersion,
    expand_paths: &[String],
) -> ApiResult<Value> {
    let body = flow::render(db, si)?;
    super::shown_intent(
        db,
        body,
        key,
        version,
        expand_paths,
        views::setup_intent_publishable,
    )
}

/// Applies a choice of types; none usable is Stripe's error.
fn choose_types(si: &mut SetupIntent, choice: &TypeChoice, country: &str) -> ApiResult<()> {
    let chosen = choice
        .resolve_for_setup(country)
        .map_err(params::setup_choice_refused)?;
    si.set_types(chosen);
    Ok(())
}

/// `flow_directions[]`: `inbound` and/or `outbound`.
fn flow_directions(p: &Params) -> ApiResult<Option<Vec<String>>> {
    let Some(list) = p.str_list("flow_directions")? else {
        return Ok(None);
    };
    if let Some(bad) = list
        .iter()
        .find(|d| !matches!(d.as_str(), "inbound" | "outbound"))
    {
        return Err(ApiError::invalid(format!(
            "Invalid flow_directions[]: must be one of inbound or outbound (got {bad})"
        ))
        .param("flow_directions"));
    }
    Ok(Some(list))
}

fn setup_request(p: &Params, ctx: &Ctx) -> ApiResult<SetupRequest> {
    Ok(SetupRequest {
        return_url: p.url_patch("return_url")?.set(),
        use_stripe_sdk: p.bool("use_stripe_sdk")?.unwrap_or(false),
        mandate_acceptance: params::mandate_acceptance(p, ctx.key, &ctx.client)?,
    })
}

fn confirm_and_render(
    db: &Db,
    exec: &Exec,
    si: &mut SetupIntent,
    method: MethodChoice,
    req: SetupRequest,
    expand_paths: &[String],
) -> ApiResult<(u16, Value)> {
    let outcome = flow::confirm(db, exec, si, method, req)?;
    db.put(si)?;
    match outcome {
        Confirmed::Ok => Ok((200, render(db, si, exec.key, exec.version, expand_paths)?)),
        Confirmed::Declined(e) => Ok((402, super::shown_to(e, exec.key, exec.version).body())),
    }
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    p.check(&shape(&[COMMON, CREATE_ONLY]))?;
    versions::check_request(ctx.version, Operation::SetupIntentCreate, p)?;
    let expand_paths = ctx.expand_paths("setup_intent", false)?;
    let usage = match p.enum_("usage", &["off_session", "on_session"])?.as_deref() {
        Some("on_session") => FutureUsage::OnSession,
        _ => FutureUsage::OffSession,
    };
    let choice = params::create_choice(p, ctx.version)?;
    let confirm_now = p.bool("confirm")?.unwrap_or(false);
    if !confirm_now {
        if let Some(f) = ["return_url", "mandate_data", "use_stripe_sdk"]
            .iter()
            .find(|f| p.has(f))
        {
            return Err(ApiError::invalid(format!(
                "You can only pass in `{f}` when `confirm` is set to `true`."
            ))
            .param(*f));
        }
    }
    let id = ids::new_id("seti");
    let secret = ids::client_secret(&id);
    let mut si = SetupIntent::new(id, secret, usage);
    si.customer = p.str("customer")?;
    si.description = p.str_patch("description", 1000)?.set();
    si.flow_directions = flow_directions(p)?;
    params::options(p)?.apply(&mut si.payment_method_options);
    if p.has("single_use") {
        // Single-use mandates are for the bank debits Pasarela does not serve.
        return Err(ApiError::invalid(
            "single_use is only supported for payment method types that take single-use mandates (such as sepa_debit or us_bank_account), which this account does not offer.",
        )
        .param("single_use"));
    }
    p.apply_metadata(&mut si.metadata)?;
    choose_types(&mut si, &choice, &ctx.app.account.country)?;
    let method = params::method_choice(p, ctx.key)?;
    let request = setup_request(p, &ctx)?;
    ctx.execute(move |db, exec| {
        si.created = exec.now;
        if let Some(c) = &si.customer {
            crate::flows::live_customer(db, c)?;
        }
        let confirm_method = if confirm_now {
            method
        } else {
            if let Some(pm) = crate::flows::payment_intent::method(db, exec, method)? {
                si.check_owner(&pm)?;
                si.attach_payment_method(pm.id.clone());
            }
            MethodChoice::Current
        };
        exec.event(
            db,
            EventType::SetupIntentCreated,
            &flow::render(db, &si)?,
            None,
        )?;
        if confirm_now {
            return confirm_and_render(db, exec, &mut si, confirm_method, request, &expand_paths);
        }
        db.put(&si)?;
        Ok((200, render(db, &si, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve_intent::<SetupIntent>(id, "setup_intent", render)
        .await
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&shape(&[COMMON]))?;
    versions::check_request(ctx.version, Operation::SetupIntentUpdate, &p)?;
    let expand_paths = ctx.expand_paths("setup_intent", false)?;
    let choice = params::type_choice(&p, false)?;
    let description = p.str_patch("description", 1000)?;
    let directions = flow_directions(&p)?;
    let options = params::options(&p)?;
    let customer = p.str_patch("customer", 5000)?;
    let method = params::method_choice(&p, ctx.key)?;
    let country = ctx.app.account.country.clone();
    ctx.execute(move |db, exec| {
        let mut si = load_intent::<SetupIntent>(db, &id)?;
        si.check_update()
            .map_err(|e| flow::unexpected_state(db, &si, e))?;
        if let Some(choice) = &choice {
            choose_types(&mut si, choice, &country)?;
        }
        description.apply(&mut si.description);
        if directions.is_some() {
            si.flow_directions = directions;
        }
        options.apply(&mut si.payment_method_options);
        match customer {
            Patch::Set(c) => {
                crate::flows::live_customer(db, &c)?;
                si.customer = Some(c);
            }
            Patch::Unset => si.customer = None,
            Patch::Absent => {}
        }
        p.apply_metadata(&mut si.metadata)?;
        if let Some(pm) = crate::flows::payment_intent::method(db, exec, method)? {
            si.check_owner(&pm)?;
            crate::flows::setup_intent::abandon_attempt(db, &si)?;
            si.attach_payment_method(pm.id.clone());
        }
        db.put(&si)?;
        Ok((200, render(db, &si, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn confirm(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    let p = &ctx.params;
    p.check(&shape(&[CONFIRM_SHAPE]))?;
    super::check_intent_id::<SetupIntent>(&id)?;
    let expand_paths = ctx.expand_paths("setup_intent", false)?;
    let client_secret = p.str("client_secret")?;
    if ctx.key == KeyKind::Publishable && client_secret.is_none() {
        return Err(ApiError::missing("client_secret"));
    }
    let method = params::method_choice(p, ctx.key)?;
    let request = setup_request(p, &ctx)?;
    let key = ctx.key;
    ctx.execute(move |db, exec| {
        let mut si = load_for::<SetupIntent>(db, &id, key, client_secret.as_deref())?;
        confirm_and_render(db, exec, &mut si, method, request, &expand_paths)
    })
    .await
}

pub async fn cancel(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["cancellation_reason", "expand[]"])?;
    let expand_paths = ctx.expand_paths("setup_intent", false)?;
    let reason = ctx.params.enum_(
        "cancellation_reason",
        &["abandoned", "duplicate", "requested_by_customer"],
    )?;
    ctx.execute(move |db, exec| {
        let mut si = load_intent::<SetupIntent>(db, &id)?;
        flow::cancel(db, exec, &mut si, reason)?;
        Ok((200, render(db, &si, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request(
        "setup_intent",
        &[
            "customer",
            "payment_method",
            "attach_to_self",
            "customer_account",
        ],
    )?;
    q.customer = ctx.params.str("customer")?;
    q.ref1 = ctx.params.str("payment_method")?;
    pagination::respond(
        &ctx,
        q,
        "setup_intent",
        "/v1/setup_intents",
        expand_paths,
        |db, si: &SetupIntent| crate::flows::render_setup(db, si),
    )
    .await
}

/// `GET /v1/setup_attempts?setup_intent=seti_...`: the attempts of one SetupIntent.
pub async fn list_attempts(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request("setup_attempt", &["setup_intent"])?;
    let Some(setup_intent) = ctx.params.str("setup_intent")? else {
        return Err(ApiError::missing("setup_intent"));
    };
    q.ref1 = Some(setup_intent);
    pagination::respond(
        &ctx,
        q,
        "setup_attempt",
        "/v1/setup_attempts",
        expand_paths,
        |db, a: &crate::domain::setup_attempt::SetupAttempt| crate::flows::render_attempt(db, a),
    )
    .await
}

pub async fn retrieve_mandate(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(id, ("mandate", "mandate", "mandate"), views::mandate)
        .await
}
