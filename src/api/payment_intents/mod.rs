//! `/v1/payment_intents`: create, retrieve, update, list, confirm, capture, cancel.
//! Each handler reads its parameters (`params`), then writes through `flows`.

pub mod params;

use super::auth::KeyKind;
use super::form::Patch;
use super::{load_for, load_intent, pagination, Ctx, Reply};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::method_choice::TypeChoice;
use crate::domain::payment_intent::{
    CaptureMethod, ConfirmRequest, ConfirmationMethod, PaymentIntent,
};
use crate::error::{ApiError, ApiResult};
use crate::flows::payment_intent::{self as flow, Confirmed, MethodChoice};
use crate::flows::{render_intent, Exec};
use crate::store::Db;
use crate::versions::{self, ApiVersion, Behaviour, Operation};
use crate::views;
use axum::extract::Path;
use params::{full_shape, COMMON, CONFIRM_SHAPE, CREATE_ONLY, SHIPPING};
use serde_json::Value;

/// Renders an intent for the caller: full for secret keys, Stripe.js's view otherwise.
fn render(
    db: &Db,
    pi: &PaymentIntent,
    key: KeyKind,
    version: ApiVersion,
    expand_paths: &[String],
) -> ApiResult<Value> {
    let body = render_intent(db, pi)?;
    super::shown_intent(
        db,
        body,
        key,
        version,
        expand_paths,
        views::payment_intent_publishable,
    )
}

/// Applies a choice of types to the intent (its amount and currency as they are now).
fn choose_types(pi: &mut PaymentIntent, choice: &TypeChoice, country: &str) -> ApiResult<()> {
    let chosen = choice
        .resolve(country, &pi.currency, pi.amount)
        .map_err(|e| params::choice_refused(e, &pi.currency))?;
    pi.set_types(chosen);
    Ok(())
}

/// Confirms and turns the outcome into the response; stores the intent once.
fn confirm_and_render(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    method: MethodChoice,
    request: ConfirmRequest,
    expand_paths: &[String],
) -> ApiResult<(u16, Value)> {
    let outcome = flow::confirm(db, exec, pi, method, request)?;
    db.put(pi)?;
    match outcome {
        Confirmed::Ok => Ok((200, render(db, pi, exec.key, exec.version, expand_paths)?)),
        Confirmed::Declined(e) => Ok((402, super::shown_to(e, exec.key, exec.version).body())),
    }
}

/// What create asks, read before the write.
struct Create {
    pi: PaymentIntent,
    confirm: Option<(MethodChoice, ConfirmRequest)>,
    method: MethodChoice,
}

const ONLY_WITH_CONFIRM: &[&str] = &[
    "return_url",
    "off_session",
    "error_on_requires_action",
    "mandate",
    "mandate_data",
    "use_stripe_sdk",
];

fn create_params(ctx: &Ctx) -> ApiResult<Create> {
    let p = &ctx.params;
    let amount = params::parse_amount(p, true)?.unwrap_or_default();
    let currency = params::parse_currency(p, true)?.expect("required");
    params::check_minimum(amount, &currency)?;
    let choice = params::create_choice(p, ctx.version)?;
    let confirm_now = p.bool("confirm")?.unwrap_or(false);
    if !confirm_now {
        if let Some(f) = ONLY_WITH_CONFIRM.iter().find(|f| p.has(f)) {
            return Err(ApiError::invalid(format!(
                "You can only pass in `{f}` when `confirm` is set to `true`."
            ))
            .param(*f));
        }
    }
    let confirmation_method = p
        .enum_("confirmation_method", &["automatic", "manual"])?
        .as_deref()
        .and_then(ConfirmationMethod::parse)
        .unwrap_or(ConfirmationMethod::Automatic);
    let id = ids::new_id("pi");
    let secret = ids::client_secret(&id);
    let mut pi = PaymentIntent::new(id, secret, amount, currency);
    p.apply_metadata(&mut pi.metadata)?;
    pi.customer = p.str("customer")?;
    pi.description = p.str_patch("description", 1000)?.set();
    if let Some(cm) = params::capture_method(p)? {
        pi.capture_method = cm;
    } else if versions::old_behaviour(ctx.version, Behaviour::CaptureMethodAutomatic) {
        pi.capture_method = CaptureMethod::Automatic;
    }
    pi.confirmation_method = confirmation_method;
    pi.receipt_email = p.email_patch("receipt_email")?.set();
    pi.setup_future_usage = params::future_usage(p)?.set();
    pi.shipping = p.shipping_patch("shipping")?.set();
    pi.statement_descriptor = params::validate_descriptor(p, "statement_descriptor", 22)?.set();
    pi.statement_descriptor_suffix =
        params::validate_descriptor(p, "statement_descriptor_suffix", 22)?.set();
    pi.transfer_group = p.str("transfer_group")?;
    choose_types(&mut pi, &choice, &ctx.app.account.country)?;
    params::check_statement_descriptor(&pi)?;
    params::options(p)?.apply(&mut pi.payment_method_options);
    if let Some(sfu) = pi.setup_future_usage {
        if !pi.some_type_allows(sfu) {
            let types = crate::domain::payment_method::type_names(&pi.payment_method_types);
            return Err(ApiError::invalid(format!(
                "None of the payment method types on this PaymentIntent ({}) support `setup_future_usage={}`.",
                types,
                sfu.as_str()
            ))
            .param("setup_future_usage"));
        }
    }
    let method = params::method_choice(p, ctx.key)?;
    Ok(if confirm_now {
        Create {
            pi,
            confirm: Some((method, params::confirm_request(p, ctx.key, &ctx.client)?)),
            method: MethodChoice::Current,
        }
    } else {
        Create {
            pi,
            confirm: None,
            method,
        }
    })
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params
        .check(&full_shape(&[COMMON, SHIPPING, CREATE_ONLY]))?;
    versions::check_request(ctx.version, Operation::PaymentIntentCreate, &ctx.params)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let Create {
        mut pi,
        confirm,
        method,
    } = create_params(&ctx)?;
    ctx.execute(move |db, exec| {
        pi.created = exec.now;
        if let Some(c) = &pi.customer {
            crate::flows::live_customer(db, c)?;
        }
        if let Some(pm) = flow::method(db, exec, method)? {
            pi.check_owner(&pm)?;
            pi.attach_payment_method(pm.id.clone());
        }
        let recorded = exec.event(
            db,
            EventType::PaymentIntentCreated,
            &render_intent(db, &pi)?,
            None,
        )?;
        match confirm {
            // Confirming stores the intent once, in its confirmed state.
            Some((method, request)) => {
                confirm_and_render(db, exec, &mut pi, method, request, &expand_paths)
            }
            None => {
                db.put(&pi)?;
                // The event holds the answer already when both are the secret key's view
                // at one version with nothing expanded: rendered once, not twice.
                let body = match recorded {
                    Some(object)
                        if exec.version == exec.event_version
                            && exec.key == KeyKind::Secret
                            && expand_paths.is_empty() =>
                    {
                        object
                    }
                    _ => render(db, &pi, exec.key, exec.version, &expand_paths)?,
                };
                Ok((200, body))
            }
        }
    })
    .await
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve_intent::<PaymentIntent>(id, "payment_intent", render)
        .await
}

/// What update asks, read before the write.
struct Update {
    amount: Option<i64>,
    currency: Option<crate::domain::money::Currency>,
    choice: Option<TypeChoice>,
    capture_method: Option<CaptureMethod>,
    description: Patch<String>,
    receipt_email: Patch<String>,
    shipping: Patch<Value>,
    setup_future_usage: Patch<crate::domain::payment_method::FutureUsage>,
    statement_descriptor: Patch<String>,
    statement_descriptor_suffix: Patch<String>,
    transfer_group: Option<String>,
    customer: Patch<String>,
    options: params::OptionsPatch,
    /// `payment_method=`: detach; else the method named, if any.
    detach_method: bool,
    method: MethodChoice,
    metadata: super::form::Params,
}

fn update_params(ctx: &Ctx) -> ApiResult<Update> {
    let p = &ctx.params;
    let detach_method = p.has("payment_method") && p.str("payment_method")?.is_none();
    Ok(Update {
        amount: params::parse_amount(p, false)?,
        currency: params::parse_currency(p, false)?,
        choice: params::type_choice(p, false)?,
        capture_method: params::capture_method(p)?,
        description: p.str_patch("description", 1000)?,
        receipt_email: p.email_patch("receipt_email")?,
        shipping: p.shipping_patch("shipping")?,
        setup_future_usage: params::future_usage(p)?,
        statement_descriptor: params::validate_descriptor(p, "statement_descriptor", 22)?,
        statement_descriptor_suffix: params::validate_descriptor(
            p,
            "statement_descriptor_suffix",
            22,
        )?,
        transfer_group: p.str("transfer_group")?,
        customer: p.str_patch("customer", 5000)?,
        options: params::options(p)?,
        detach_method,
        method: if detach_method {
            MethodChoice::Current
        } else {
            params::method_choice(p, ctx.key)?
        },
        metadata: p.clone(),
    })
}

impl Update {
    /// The fields an intent's status must allow changing, with whether they were sent.
    fn guarded(&self, pi: &PaymentIntent) -> [(&'static str, bool); 8] {
        [
            ("amount", self.amount.is_some()),
            ("currency", self.currency.is_some()),
            (
                "payment_method",
                self.detach_method || !matches!(self.method, MethodChoice::Current),
            ),
            ("capture_method", self.capture_method.is_some()),
            ("setup_future_usage", !self.setup_future_usage.is_absent()),
            ("payment_method_types", self.choice.is_some()),
            (
                "customer",
                !self.customer.is_absent() && pi.customer.is_some(),
            ),
            ("payment_method_options", !self.options.is_empty()),
        ]
    }

    /// Applies everything but the payment method and the customer (which need the store).
    fn apply(
        self,
        pi: &mut PaymentIntent,
        country: &str,
    ) -> ApiResult<(Patch<String>, bool, MethodChoice)> {
        let amounts_changed = self.amount.is_some() || self.currency.is_some();
        if let Some(c) = self.currency {
            pi.currency = c;
        }
        if let Some(a) = self.amount {
            pi.amount = a;
        }
        if amounts_changed {
            params::check_minimum(pi.amount, &pi.currency)?;
        }
        let recompute = self
            .choice
            .or_else(|| amounts_changed.then(|| TypeChoice::of(&pi.chosen_types())));
        if let Some(choice) = recompute {
            choose_types(pi, &choice, country)?;
        }
        if let Some(cm) = self.capture_method {
            pi.capture_method = cm;
        }
        self.description.apply(&mut pi.description);
        self.receipt_email.apply(&mut pi.receipt_email);
        self.shipping.apply(&mut pi.shipping);
        self.setup_future_usage.apply(&mut pi.setup_future_usage);
        self.statement_descriptor
            .apply(&mut pi.statement_descriptor);
        self.statement_descriptor_suffix
            .apply(&mut pi.statement_descriptor_suffix);
        if let Some(t) = self.transfer_group {
            pi.transfer_group = Some(t);
        }
        Ok((self.customer, self.detach_method, self.method))
    }
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&full_shape(&[COMMON, SHIPPING]))?;
    versions::check_request(ctx.version, Operation::PaymentIntentUpdate, &ctx.params)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let update = update_params(&ctx)?;
    let country = ctx.app.account.country.clone();
    ctx.execute(move |db, exec| {
        let mut pi = load_intent::<PaymentIntent>(db, &id)?;
        for (field, given) in update.guarded(&pi) {
            if given {
                pi.check_update(field)
                    .map_err(|e| flow::unexpected_state(db, &pi, e))?;
            }
        }
        let metadata = update.metadata.clone();
        let options = update.options.clone();
        let (customer, detach_method, method) = update.apply(&mut pi, &country)?;
        match customer {
            Patch::Set(c) => {
                crate::flows::live_customer(db, &c)?;
                pi.customer = Some(c);
            }
            Patch::Unset => pi.customer = None,
            Patch::Absent => {}
        }
        params::check_statement_descriptor(&pi)?;
        options.apply(&mut pi.payment_method_options);
        metadata.apply_metadata(&mut pi.metadata)?;
        if detach_method {
            pi.detach_payment_method();
        } else if let Some(pm) = flow::method(db, exec, method)? {
            pi.check_owner(&pm)?;
            pi.attach_payment_method(pm.id.clone());
        }
        // Any update clears the last attempt's error.
        pi.last_payment_error = None;
        db.put(&pi)?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn confirm(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.params.check(&full_shape(&[CONFIRM_SHAPE, SHIPPING]))?;
    super::check_intent_id::<PaymentIntent>(&id)?;
    versions::check_request(ctx.version, Operation::PaymentIntentConfirm, &ctx.params)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let c = params::confirm(&ctx.params, ctx.key, &ctx.client)?;
    let key = ctx.key;
    let country = ctx.app.account.country.clone();
    ctx.execute(move |db, exec| {
        let mut pi = load_for::<PaymentIntent>(db, &id, key, c.client_secret.as_deref())?;
        flow::check_confirm_key(key, &pi)?;
        if let Some(cm) = c.capture_method {
            pi.capture_method = cm;
        }
        if let Some(r) = c.receipt_email {
            pi.receipt_email = Some(r);
        }
        if let Some(s) = c.shipping {
            pi.shipping = Some(s);
        }
        c.options.apply(&mut pi.payment_method_options);
        if let Some(choice) = &c.types {
            pi.check_update("payment_method_types")
                .map_err(|e| flow::unexpected_state(db, &pi, e))?;
            choose_types(&mut pi, choice, &country)?;
        }
        confirm_and_render(db, exec, &mut pi, c.method, c.request, &expand_paths)
    })
    .await
}

const CAPTURE_SHAPE: &[&str] = &[
    "amount_to_capture",
    "expand[]",
    "metadata[*]",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "final_capture",
    "application_fee_amount",
];

pub async fn capture(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(CAPTURE_SHAPE)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let amount_to_capture = p.int_at_least("amount_to_capture", 1)?;
    let final_capture = p.bool("final_capture")?;
    ctx.execute(move |db, exec| {
        let mut pi = load_intent::<PaymentIntent>(db, &id)?;
        flow::capture(db, exec, &mut pi, amount_to_capture, final_capture, |pi| {
            p.apply_metadata(&mut pi.metadata)
        })?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

const CANCELLATION_REASONS: &[&str] = &[
    "abandoned",
    "duplicate",
    "fraudulent",
    "requested_by_customer",
];

pub async fn cancel(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["cancellation_reason", "expand[]"])?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let reason = ctx
        .params
        .enum_("cancellation_reason", CANCELLATION_REASONS)?;
    ctx.execute(move |db, exec| {
        let mut pi = load_intent::<PaymentIntent>(db, &id)?;
        flow::cancel(db, exec, &mut pi, reason)?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) =
        ctx.list_request("payment_intent", &["customer", "customer_account"])?;
    q.customer = ctx.params.str("customer")?;
    pagination::respond(
        &ctx,
        q,
        "payment_intent",
        "/v1/payment_intents",
        expand_paths,
        |db, pi: &PaymentIntent| render_intent(db, pi),
    )
    .await
}

pub async fn search(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "payment_intents",
        super::search::PAYMENT_INTENT_FIELDS,
        |db, pi: &PaymentIntent| render_intent(db, pi),
    )
    .await
}
