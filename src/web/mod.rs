//! What Pasarela serves to browsers: the hosted test authorization page and Stripe.js.

pub mod authorize;
pub mod checkout;
pub mod stripe_js;
