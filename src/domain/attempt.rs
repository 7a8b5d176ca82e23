//! One attempt to use a payment method, whatever the intent: does the customer have to
//! act first (a redirect, 3-D Secure), and what does the (simulated) processor answer.
//! PaymentIntents decide with it today; SetupIntents plug into the same steps.

use super::payment_intent::{ActionKind, RequestThreeDSecure};
use super::payment_method::PaymentMethod;
use super::test_cards::{self, Decline, ThreeDs};

/// What the caller and the intent say about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The customer is not there (`off_session`): nobody can act.
    pub off_session: bool,
    /// Stripe.js handles the action in place (`use_stripe_sdk`).
    pub use_stripe_sdk: bool,
    /// Fail instead of asking the customer to act (`error_on_requires_action`).
    pub error_on_requires_action: bool,
    /// There is a `return_url` to come back to after a redirect.
    pub has_return_url: bool,
    /// The customer already authenticated this attempt (manual confirmation after an
    /// action): it goes straight to the processor.
    pub authenticated: bool,
    /// What the merchant asked of 3-D Secure.
    pub three_d_secure: RequestThreeDSecure,
}

/// The next step of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The customer must act first.
    Act(ActionKind),
    /// To the processor; `authenticated`: with 3-D Secure done.
    Process { authenticated: bool },
    /// Declined before the processor (authentication needed but nobody can give it).
    Decline(Decline),
}

/// The decline of an attempt that needs authentication nobody can give.
pub const AUTHENTICATION_REQUIRED: Decline = Decline {
    code: "authentication_required",
    decline_code: Some("authentication_required"),
    message: "Your card was declined. This transaction requires authentication.",
    outcome_type: "issuer_declined",
    param: None,
};

/// Decides the step of an attempt with `pm`. Redirect methods always leave for the
/// provider on-session; off-session they use what was set up earlier (the caller checks
/// there is such a setup). Cards ask for 3-D Secure as the test card (or the merchant)
/// says.
pub fn next_step(pm: &PaymentMethod, a: &Attempt) -> Step {
    if pm.kind.is_redirect() {
        return if a.off_session {
            Step::Process {
                authenticated: false,
            }
        } else {
            Step::Act(ActionKind::RedirectToUrl)
        };
    }
    let card_three_ds = test_card(pm)
        .map(|c| c.three_ds)
        .unwrap_or(ThreeDs::NotRequired);
    let requested = a.three_d_secure != RequestThreeDSecure::Automatic;
    let needs_auth = !a.authenticated
        && match card_three_ds {
            ThreeDs::NotRequired => requested && !a.off_session,
            ThreeDs::Required => true,
            ThreeDs::RequiredOnSessionOnly => !a.off_session,
            ThreeDs::RequiredUntilSetUp => !(a.off_session && pm.set_up),
        };
    if !needs_auth {
        return Step::Process {
            authenticated: a.authenticated,
        };
    }
    if a.off_session || a.error_on_requires_action {
        return Step::Decline(AUTHENTICATION_REQUIRED);
    }
    if a.use_stripe_sdk || !a.has_return_url {
        Step::Act(ActionKind::UseStripeSdk)
    } else {
        Step::Act(ActionKind::RedirectToUrl)
    }
}

/// What the processor answers for `pm`: Stripe's test cards decide; other methods are
/// approved.
pub fn process(pm: &PaymentMethod) -> Result<(), Decline> {
    match test_card(pm).map(|c| c.charge) {
        Some(test_cards::Charge::Decline(d)) => Err(d),
        _ => Ok(()),
    }
}

/// Whether `pm` can be saved for later (a SetupIntent, or an attach): test cards that
/// decline do, except the one that declines only when charged (`4000000000000341`).
pub fn verify(pm: &PaymentMethod) -> Result<(), Decline> {
    match test_card(pm) {
        Some(c) if c.number == CHARGE_CUSTOMER_FAIL => Ok(()),
        _ => process(pm),
    }
}

/// `pm_card_chargeCustomerFail`: attaches, then every charge is declined.
const CHARGE_CUSTOMER_FAIL: &str = "4000000000000341";

fn test_card(pm: &PaymentMethod) -> Option<test_cards::TestCard> {
    pm.card
        .as_ref()
        .and_then(|c| test_cards::by_number(&c.number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment_method::{CardDetails, PaymentMethodType};

    fn method(alias_or_type: &str) -> PaymentMethod {
        let (kind, card) = match test_cards::by_alias(alias_or_type) {
            Some(c) => (
                PaymentMethodType::Card,
                Some(CardDetails::from_test_card(&c, 12, 2030)),
            ),
            None => (PaymentMethodType::parse(alias_or_type).unwrap(), None),
        };
        let mut pm = PaymentMethod::new("pm_1".into(), 0, kind);
        pm.card = card;
        pm
    }

    fn on_session() -> Attempt {
        Attempt {
            off_session: false,
            use_stripe_sdk: false,
            error_on_requires_action: false,
            has_return_url: true,
            authenticated: false,
            three_d_secure: RequestThreeDSecure::Automatic,
        }
    }

    const PROCESS: Step = Step::Process {
        authenticated: false,
    };
    const REDIRECT: Step = Step::Act(ActionKind::RedirectToUrl);
    const IN_PLACE: Step = Step::Act(ActionKind::UseStripeSdk);
    const DECLINE: Step = Step::Decline(AUTHENTICATION_REQUIRED);

    #[test]
    fn steps_by_method_and_session() {
        // (method, on-session step, off-session step)
        let table = [
            ("pm_card_visa", PROCESS, PROCESS),
            ("pm_card_chargeDeclined", PROCESS, PROCESS),
            ("pm_card_authenticationRequired", REDIRECT, DECLINE),
            (
                "pm_card_authenticationRequiredSetupForOffSession",
                REDIRECT,
                PROCESS,
            ),
            ("amazon_pay", REDIRECT, PROCESS),
            ("alma", REDIRECT, PROCESS),
        ];
        for (m, on, off) in table {
            let pm = method(m);
            assert_eq!(next_step(&pm, &on_session()), on, "{m} on-session");
            let a = Attempt {
                off_session: true,
                ..on_session()
            };
            assert_eq!(next_step(&pm, &a), off, "{m} off-session");
        }
    }

    #[test]
    fn a_card_set_up_for_later_goes_through_off_session() {
        let off = Attempt {
            off_session: true,
            ..on_session()
        };
        let mut pm = method("pm_card_authenticationRequiredOnSetup");
        assert_eq!(next_step(&pm, &off), DECLINE);
        assert_eq!(next_step(&pm, &on_session()), REDIRECT);
        pm.set_up = true;
        assert_eq!(next_step(&pm, &off), PROCESS);
        assert_eq!(next_step(&pm, &on_session()), REDIRECT);
        // This one asks every time, set up or not.
        let mut always = method("pm_card_authenticationRequired");
        always.set_up = true;
        assert_eq!(next_step(&always, &off), DECLINE);
    }

    #[test]
    fn how_the_customer_acts() {
        let pm = method("pm_card_authenticationRequired");
        let no_return = Attempt {
            has_return_url: false,
            ..on_session()
        };
        assert_eq!(next_step(&pm, &no_return), IN_PLACE);
        let sdk = Attempt {
            use_stripe_sdk: true,
            ..on_session()
        };
        assert_eq!(next_step(&pm, &sdk), IN_PLACE);
        let strict = Attempt {
            error_on_requires_action: true,
            ..on_session()
        };
        assert_eq!(next_step(&pm, &strict), DECLINE);
        let done = Attempt {
            authenticated: true,
            ..on_session()
        };
        assert_eq!(
            next_step(&pm, &done),
            Step::Process {
                authenticated: true
            }
        );
        // The merchant may ask for 3-D Secure on any card, on-session only.
        let visa = method("pm_card_visa");
        for ask in [RequestThreeDSecure::Any, RequestThreeDSecure::Challenge] {
            let a = Attempt {
                three_d_secure: ask,
                ..on_session()
            };
            assert_eq!(next_step(&visa, &a), REDIRECT);
            let off = Attempt {
                off_session: true,
                ..a
            };
            assert_eq!(next_step(&visa, &off), PROCESS);
        }
    }

    #[test]
    fn every_test_card_reaches_the_processor_with_its_outcome() {
        for card in test_cards::all() {
            let pm = PaymentMethod {
                card: Some(CardDetails::from_test_card(&card, 12, 2030)),
                ..method("pm_card_visa")
            };
            let want = match card.charge {
                test_cards::Charge::Approve => Ok(()),
                test_cards::Charge::Decline(d) => Err(d),
            };
            assert_eq!(process(&pm), want, "{}", card.number);
            let step = next_step(&pm, &on_session());
            let wants_action = matches!(
                card.three_ds,
                ThreeDs::Required | ThreeDs::RequiredOnSessionOnly | ThreeDs::RequiredUntilSetUp
            );
            assert_eq!(step == REDIRECT, wants_action, "{}", card.number);
        }
        assert_eq!(process(&method("amazon_pay")), Ok(()));
        assert!(verify(&method("pm_card_chargeDeclined")).is_err());
        assert_eq!(verify(&method("pm_card_chargeCustomerFail")), Ok(()));
        assert!(process(&method("pm_card_chargeCustomerFail")).is_err());
        assert_eq!(process(&method("alma")), Ok(()));
    }
}
