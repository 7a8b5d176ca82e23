//! Stripe's rules as plain Rust, no I/O: ids, money, payment method availability,
//! test cards, and one module per object with its statuses and transitions.

pub mod account;
pub mod attempt;
pub mod availability;
pub mod balance_transaction;
pub mod catalog;
pub mod charge;
pub mod checkout_session;
pub mod customer;
pub mod customer_session;
pub mod event;
pub mod ids;
pub mod job;
pub mod mandate;
pub mod method_choice;
pub mod money;
pub mod payment_intent;
pub mod payment_method;
pub mod refund;
pub mod setup_attempt;
pub mod setup_intent;
pub mod test_cards;
pub mod webhook;
