//! Hosted pages served by Pasarela itself (the test authorization page).

pub mod authorize;
