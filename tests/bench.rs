//! `pasarela bench` runs end to end (issue 20), briefly and on small databases: every
//! workload gets a line with its rate, no request fails, every off-session flow ends
//! `succeeded`, and the start and memory figures are printed. Nothing here is timed;
//! the figures themselves are for people to read.

use std::process::Command;

#[test]
fn the_benchmark_prints_every_figure_with_nothing_failed() {
    let out = Command::new(env!("CARGO_BIN_EXE_pasarela"))
        .args(["bench", "--seconds", "0.3", "--connections", "4"])
        .args(["--small", "300", "--large", "3000"])
        .output()
        .expect("run pasarela bench");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = |name: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no `{name}` line in:\n{text}"));
        line[name.len()..]
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let mut workloads = vec![
        "baseline POST (bare axum, form parse)".to_string(),
        "baseline GET (bare axum)".to_string(),
        "W1 create PaymentIntent".to_string(),
        "W2 retrieve PaymentIntent".to_string(),
        "W3 off-session flow (flows; 3 requests each)".to_string(),
    ];
    for n in ["300", "3k"] {
        for q in [
            "list ten of one customer",
            "list ten newest",
            "search by customer",
            "search by metadata",
            "events?type=",
        ] {
            workloads.push(format!("W4 @{n} {q}"));
        }
    }
    for name in &workloads {
        let cols = row(name);
        // done, per s, p50 ms, p99 ms, failed[, share (target)]
        let done: usize = cols[0].parse().unwrap_or(0);
        let failed: usize = cols[4].parse().unwrap_or(usize::MAX);
        assert!(done > 0, "{name}: nothing done\n{text}");
        assert_eq!(failed, 0, "{name}: failures\n{text}");
    }
    assert!(text.contains("every flow succeeded: yes"), "{text}");
    assert_eq!(text.matches("start to ready").count(), 3, "{text}");
    assert_eq!(text.matches("server RSS").count(), 2, "{text}");
    assert!(text.contains("webhook latency"), "{text}");
}

#[test]
fn mistakes_in_the_arguments_measure_nothing_and_fail() {
    let bench = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_pasarela"))
            .arg("bench")
            .args(args)
            .output()
            .expect("run pasarela bench");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // An unknown part is named with the ones there are.
    let (code, out, err) = bench(&["--only", "w5"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("w1, w2, w3, w4, webhooks"), "{err}");
    assert!(!out.contains("baseline"), "{out}");
    // No time to measure in.
    let (code, _, err) = bench(&["--seconds", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("above 0"), "{err}");
    // A PostgreSQL nobody answers on: before any figure, not exit 0 after them.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    let (code, out, err) = bench(&["--only", "W1", "--database-url", &url]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("Connection refused"), "{err}");
    assert!(!out.contains("baseline"), "{out}");
    // The README's capitals are the same parts, and ✗ is explained in the output.
    let (code, out, err) = bench(&["--only", "W2", "--seconds", "0.2", "--connections", "2"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("W2 retrieve PaymentIntent"), "{out}");
    assert!(!out.contains("W1 create"), "{out}");
    assert!(
        out.contains("✗ marks a figure that misses its target"),
        "{out}"
    );
}
