//! `pasarela trigger EVENT`, as `stripe trigger`: makes, through the public API and with the
//! secret key, the objects whose normal flow emits EVENT. Nothing is faked: the server records
//! the event because the payment, setup or customer really went that way.
//!
//! `TRIGGERS` is the one table: it lists the events (`--help`, the error for an unknown one)
//! and holds each one's API calls.

use clap::Args;
use hyper::Method;
use serde_json::Value;

use super::{error_message, Api, Remote};

#[derive(Debug, Args)]
#[command(after_help = help())]
pub struct Trigger {
    /// The event to cause (one of those listed below).
    event: String,
    /// The API version to call with (`Stripe-Version`); the account's default otherwise.
    #[arg(long)]
    stripe_version: Option<String>,
    #[command(flatten)]
    remote: Remote,
}

/// An event and the calls that cause it, in order.
struct Fixture {
    event: &'static str,
    steps: &'static [Step],
    /// What the customer then does in the browser, done through the same calls.
    customer: Customer,
}

/// The customer's part of a flow, after the API calls.
#[derive(Clone, Copy, PartialEq)]
enum Customer {
    Nothing,
    /// Pays the latest `checkout_session` on its hosted page with a Visa card.
    PaysOnCheckoutPage,
}

/// One API call. `{name}` in its path or in a parameter's value is the id of the object made by
/// the latest earlier step of that name (the Stripe CLI's `${name:id}`).
struct Step {
    /// The object it makes or acts on, for the output and for later steps.
    name: &'static str,
    /// What the call does to it, as the output says it ("Created", "Canceled", ...).
    done: &'static str,
    /// DELETE rather than POST.
    delete: bool,
    path: &'static str,
    /// Groups of parameters, sent one after the other (they are shared between steps).
    params: &'static [Params],
    /// A card decline (402) is the flow that causes the event; the object made is then the
    /// error's `name` field (`error.payment_intent`, `error.setup_intent`), as on Stripe.
    declines: bool,
}

type Params = &'static [(&'static str, &'static str)];

const fn create(name: &'static str, path: &'static str, params: &'static [Params]) -> Step {
    then("Created", name, path, params)
}

/// A POST that acts on an object (cancel, capture, update, attach), said as `done`.
const fn then(
    done: &'static str,
    name: &'static str,
    path: &'static str,
    params: &'static [Params],
) -> Step {
    Step {
        name,
        done,
        delete: false,
        path,
        params,
        declines: false,
    }
}

const fn declined(name: &'static str, path: &'static str, params: &'static [Params]) -> Step {
    Step {
        declines: true,
        ..create(name, path, params)
    }
}

const PAYMENT_INTENTS: &str = "/v1/payment_intents";
const SETUP_INTENTS: &str = "/v1/setup_intents";

const USD_2000: Params = &[("amount", "2000"), ("currency", "usd")];
const AUTOMATIC: Params = &[("automatic_payment_methods[enabled]", "true")];
/// Cards only, so that a confirmation needs no `return_url`.
const NO_REDIRECTS: Params = &[
    ("automatic_payment_methods[enabled]", "true"),
    ("automatic_payment_methods[allow_redirects]", "never"),
];
const VISA: Params = &[("payment_method", "pm_card_visa"), ("confirm", "true")];
const DECLINING_CARD: Params = &[
    ("payment_method", "pm_card_chargeDeclined"),
    ("confirm", "true"),
];
/// 3-D Secure: the intent waits on the hosted page, which returns here.
const CARD_3DS: Params = &[
    ("payment_method", "pm_card_authenticationRequired"),
    ("confirm", "true"),
    ("return_url", "https://example.com/return"),
];
const MANUAL: Params = &[("capture_method", "manual")];

const PAYMENT: Step = create(
    "payment_intent",
    PAYMENT_INTENTS,
    &[USD_2000, NO_REDIRECTS, VISA],
);
const DECLINED_PAYMENT: Step = declined(
    "payment_intent",
    PAYMENT_INTENTS,
    &[USD_2000, NO_REDIRECTS, DECLINING_CARD],
);
const AUTHORIZATION: Step = create(
    "payment_intent",
    PAYMENT_INTENTS,
    &[USD_2000, NO_REDIRECTS, VISA, MANUAL],
);
const CAPTURE: Step = then(
    "Captured",
    "payment_intent",
    "/v1/payment_intents/{payment_intent}/capture",
    &[],
);
const REFUND: Step = create(
    "refund",
    "/v1/refunds",
    &[&[("payment_intent", "{payment_intent}")]],
);
const CUSTOMER: Step = create(
    "customer",
    "/v1/customers",
    &[&[("description", "made by pasarela trigger")]],
);
const SETUP: Step = create("setup_intent", SETUP_INTENTS, &[NO_REDIRECTS, VISA]);
const PRODUCT: Step = create(
    "product",
    "/v1/products",
    &[&[("name", "made by pasarela trigger")]],
);
const PRICE: Step = create(
    "price",
    "/v1/prices",
    &[&[
        ("product", "{product}"),
        ("currency", "usd"),
        ("unit_amount", "1500"),
    ]],
);

const TRIGGERS: &[Fixture] = &[
    Fixture {
        event: "product.created",
        steps: &[PRODUCT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "product.updated",
        steps: &[
            PRODUCT,
            then(
                "Updated",
                "product",
                "/v1/products/{product}",
                &[&[("metadata[triggered]", "product.updated")]],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "product.deleted",
        steps: &[
            PRODUCT,
            Step {
                delete: true,
                ..then("Deleted", "product", "/v1/products/{product}", &[])
            },
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "price.created",
        steps: &[PRODUCT, PRICE],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "price.updated",
        steps: &[
            PRODUCT,
            PRICE,
            then(
                "Updated",
                "price",
                "/v1/prices/{price}",
                &[&[("metadata[triggered]", "price.updated")]],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.created",
        steps: &[PAYMENT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.succeeded",
        steps: &[PAYMENT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.payment_failed",
        steps: &[DECLINED_PAYMENT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.requires_action",
        steps: &[create(
            "payment_intent",
            PAYMENT_INTENTS,
            &[USD_2000, AUTOMATIC, CARD_3DS],
        )],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.canceled",
        steps: &[
            create("payment_intent", PAYMENT_INTENTS, &[USD_2000, AUTOMATIC]),
            then(
                "Canceled",
                "payment_intent",
                "/v1/payment_intents/{payment_intent}/cancel",
                &[],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_intent.amount_capturable_updated",
        steps: &[AUTHORIZATION],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "charge.succeeded",
        steps: &[PAYMENT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "charge.failed",
        steps: &[DECLINED_PAYMENT],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "charge.captured",
        steps: &[AUTHORIZATION, CAPTURE],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "charge.refunded",
        steps: &[PAYMENT, REFUND],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "refund.created",
        steps: &[PAYMENT, REFUND],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "customer.created",
        steps: &[CUSTOMER],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "customer.updated",
        steps: &[
            CUSTOMER,
            then(
                "Updated",
                "customer",
                "/v1/customers/{customer}",
                &[&[("metadata[triggered]", "customer.updated")]],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "customer.deleted",
        steps: &[
            CUSTOMER,
            Step {
                delete: true,
                ..then("Deleted", "customer", "/v1/customers/{customer}", &[])
            },
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "payment_method.attached",
        steps: &[
            CUSTOMER,
            then(
                "Attached",
                "payment_method",
                "/v1/payment_methods/pm_card_visa/attach",
                &[&[("customer", "{customer}")]],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "setup_intent.created",
        steps: &[SETUP],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "setup_intent.succeeded",
        steps: &[SETUP],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "setup_intent.setup_failed",
        steps: &[declined(
            "setup_intent",
            SETUP_INTENTS,
            &[NO_REDIRECTS, DECLINING_CARD],
        )],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "setup_intent.requires_action",
        steps: &[create(
            "setup_intent",
            SETUP_INTENTS,
            &[AUTOMATIC, CARD_3DS],
        )],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "setup_intent.canceled",
        steps: &[
            create("setup_intent", SETUP_INTENTS, &[AUTOMATIC]),
            then(
                "Canceled",
                "setup_intent",
                "/v1/setup_intents/{setup_intent}/cancel",
                &[],
            ),
        ],
        customer: Customer::Nothing,
    },
    Fixture {
        event: "checkout.session.completed",
        steps: &[create(
            "checkout_session",
            "/v1/checkout/sessions",
            &[&[
                ("mode", "payment"),
                ("success_url", "https://example.com/success"),
                ("line_items[0][price_data][currency]", "usd"),
                ("line_items[0][price_data][unit_amount]", "3000"),
                ("line_items[0][price_data][product_data][name]", "T-shirt"),
                ("line_items[0][quantity]", "1"),
            ]],
        )],
        customer: Customer::PaysOnCheckoutPage,
    },
];

/// Events the Stripe CLI triggers that need something Pasarela does not have yet, and what.
const NOT_YET: &[(&str, &str)] = &[(
    "checkout.session.async_payment_succeeded",
    "no payment method Pasarela serves settles later",
)];

/// The list of events, for `--help` and for the error about an unknown one.
fn supported() -> String {
    TRIGGERS
        .iter()
        .map(|f| format!("  {}\n", f.event))
        .collect()
}

fn help() -> String {
    let not_yet: Vec<String> = NOT_YET
        .iter()
        .map(|(event, why)| format!("{event} ({why})"))
        .collect();
    format!(
        "Supported events:\n{}\nNot yet: {}.",
        supported(),
        not_yet.join(", ")
    )
}

/// Runs `pasarela trigger`; the exit code.
pub async fn trigger(args: Trigger) -> i32 {
    let Some(fixture) = TRIGGERS.iter().find(|f| f.event == args.event) else {
        match NOT_YET.iter().find(|(event, _)| *event == args.event) {
            Some((event, why)) => eprintln!("pasarela: {event} cannot be triggered yet: {why}"),
            None => eprintln!(
                "pasarela: {} cannot be triggered; supported events:\n{}",
                args.event,
                supported().trim_end_matches('\n')
            ),
        }
        return 1;
    };
    let api = Api::new(args.remote, args.stripe_version);
    match run(&api, fixture).await {
        Ok(()) => {
            println!("Trigger succeeded! Check the events with GET /v1/events.");
            0
        }
        Err(e) => {
            eprintln!("pasarela: {e}");
            1
        }
    }
}

async fn run(api: &Api, fixture: &Fixture) -> Result<(), String> {
    let mut made: Vec<(&str, String)> = Vec::new();
    for step in fixture.steps {
        println!("Setting up fixture for: {}", step.name);
        let path = fill(step.path, &made)?;
        let form = step
            .params
            .iter()
            .flat_map(|group| group.iter())
            .map(|(key, value)| Ok((*key, fill(value, &made)?)))
            .collect::<Result<Vec<_>, String>>()?;
        println!("Running fixture for: {}", step.name);
        let method = if step.delete {
            Method::DELETE
        } else {
            Method::POST
        };
        let (status, answer) = api.call(method, &path, &form).await?;
        let declined = &answer["error"][step.name];
        let (object, note) = match (status, step.declines) {
            (200, false) => (&answer, String::new()),
            (402, true) if declined.is_object() => (
                declined,
                format!(", declined as this event needs: {}", error_message(&answer)),
            ),
            (200, true) => {
                return Err(format!(
                    "the server accepted the {} that should have been declined",
                    step.name
                ))
            }
            _ => {
                return Err(format!(
                    "the server answered {status}: {}",
                    error_message(&answer)
                ))
            }
        };
        let Some(id) = object["id"].as_str() else {
            return Err(format!("the server's {} has no id: {object}", step.name));
        };
        println!("{}{note}", describe(step, id, object));
        made.push((step.name, id.to_string()));
    }
    if fixture.customer == Customer::PaysOnCheckoutPage {
        pay_on_checkout_page(api, &fill("{checkout_session}", &made)?).await?;
    }
    Ok(())
}

/// What the hosted Checkout page does when the customer pays: it asks for the session's
/// PaymentIntent, confirms it with a Visa card, and comes back to `/return`, which completes
/// the session (`checkout.session.completed`) and sends the customer to `success_url`.
async fn pay_on_checkout_page(api: &Api, session: &str) -> Result<(), String> {
    println!("Paying checkout_session {session} on its hosted page");
    let page = format!("/c/pay/{session}");
    let no_params: &[(&str, &str)] = &[];
    let (status, made) = api
        .call(Method::POST, &format!("{page}/intent"), no_params)
        .await?;
    let Some(intent) = made["client_secret"]
        .as_str()
        .and_then(|s| s.split("_secret_").next())
    else {
        return Err(format!(
            "the hosted page answered {status} with no intent for {session}"
        ));
    };
    let (status, paid) = api
        .call(
            Method::POST,
            &format!("/v1/payment_intents/{intent}/confirm"),
            &[("payment_method", "pm_card_visa")],
        )
        .await?;
    if status != 200 {
        return Err(format!(
            "the server answered {status}: {}",
            error_message(&paid)
        ));
    }
    let (status, _) = api
        .send(Method::GET, &format!("{page}/return"), no_params)
        .await?;
    if status != 303 {
        return Err(format!(
            "the hosted page's return answered {status}, not a redirect"
        ));
    }
    println!("Completed checkout_session {session} (payment_intent {intent})");
    Ok(())
}

/// `Created payment_intent pi_... (status succeeded, charge ch_...)`: the ids a user looks for
/// next (the charge is what `charge.*` events are about).
fn describe(step: &Step, id: &str, object: &Value) -> String {
    let mut details = Vec::new();
    if let Some(status) = object["status"].as_str() {
        details.push(format!("status {status}"));
    }
    if let Some(charge) = object["latest_charge"].as_str() {
        details.push(format!("charge {charge}"));
    }
    if let Some(charge) = object["charge"].as_str() {
        details.push(format!("charge {charge}"));
    }
    if let Some(customer) = object["customer"].as_str() {
        details.push(format!("customer {customer}"));
    }
    let kind = object["object"].as_str().unwrap_or(step.name);
    let mut line = format!("{} {kind} {id}", step.done);
    if !details.is_empty() {
        line.push_str(&format!(" ({})", details.join(", ")));
    }
    line
}

/// `template` with each `{name}` replaced by the id of the latest object of that name.
fn fill(template: &str, made: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        let Some((_, id)) = made.iter().rev().find(|(made, _)| *made == name) else {
            return Err(format!("no {name} made before it is used"));
        };
        out.push_str(&rest[..start]);
        out.push_str(id);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `{name}` in the table names an object made by an earlier step of its fixture.
    #[test]
    fn every_reference_is_made_before_it_is_used() {
        for fixture in TRIGGERS {
            let mut made: Vec<(&str, String)> = Vec::new();
            for step in fixture.steps {
                let values = step.params.iter().flat_map(|g| g.iter()).map(|(_, v)| *v);
                for template in std::iter::once(step.path).chain(values) {
                    let filled =
                        fill(template, &made).unwrap_or_else(|e| panic!("{}: {e}", fixture.event));
                    assert!(!filled.contains('{'), "{}: {filled}", fixture.event);
                }
                made.push((step.name, format!("{}_1", step.name)));
            }
        }
    }

    #[test]
    fn fill_replaces_the_latest_object_of_that_name() {
        let made = vec![
            ("customer", "cus_1".to_string()),
            ("customer", "cus_2".to_string()),
        ];
        assert_eq!(
            fill("/v1/customers/{customer}/x", &made).unwrap(),
            "/v1/customers/cus_2/x"
        );
        assert_eq!(fill("usd", &made).unwrap(), "usd");
        assert!(fill("{refund}", &made).is_err());
    }

    #[test]
    fn each_event_is_listed_once_and_in_the_help() {
        let help = help();
        for (i, fixture) in TRIGGERS.iter().enumerate() {
            assert!(help.contains(&format!("  {}\n", fixture.event)));
            assert!(!fixture.steps.is_empty(), "{}", fixture.event);
            let again = TRIGGERS[i + 1..].iter().any(|f| f.event == fixture.event);
            let not_yet = NOT_YET.iter().any(|(event, _)| *event == fixture.event);
            assert!(!again && !not_yet, "{} is listed twice", fixture.event);
        }
    }
}
