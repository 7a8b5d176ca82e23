//! A database of a million PaymentIntents (issue 20): filled through the store's bulk
//! path, then served. Lists, search and events must answer from indexes with the
//! right objects. `PASARELA_SCALE_INTENTS` sets how many (default 1,000,000); the
//! PostgreSQL variant is in `postgres.rs`.

mod common;

use common::*;

#[test]
fn a_million_intents_are_listed_and_searched_through_indexes() {
    let dir = temp_dir();
    let filled = fill(
        &format!("sqlite:{}", dir.join("p.db").display()),
        scale_intents(1_000_000),
    );
    let app = TestApp::spawn_in(dir, &["--secret-key", SK, "--publishable-key", PK]);
    check_filled(&app, &filled);
}
