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
