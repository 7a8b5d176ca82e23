//! The baseline: a bare axum server on the same runtime as `serve`, one route that parses
//! the form body (or query) and answers a PaymentIntent's JSON from memory. What it
//! reaches is what the HTTP stack allows on this machine; Pasarela's figures are read
//! as shares of it.

/// A PaymentIntent as `POST /v1/payment_intents` answers it at the default version (1.2 KB).
const BODY: &str = include_str!("payment_intent.json");

pub async fn serve() -> i32 {
    let router = axum::Router::new().fallback(
        |axum::Form(form): axum::Form<Vec<(String, String)>>| async move {
            // Read what was parsed, so the parse is not optimised away.
            let h = [("content-type", "application/json")];
            std::hint::black_box(form.len());
            (h, BODY)
        },
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("baseline: {e}");
            return 1;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("Baseline listening on http://{addr}"),
        Err(e) => {
            eprintln!("baseline: {e}");
            return 1;
        }
    }
    // As `serve` does: answers leave at once, not after Nagle's delay.
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    match axum::serve(listener, router).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("baseline: {e}");
            1
        }
    }
}
