//! Progress bars on stderr for the long runs (fills, benchmark runs): drawn only on a
//! terminal, so logs and CI output stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// A bar counting `total` items of `what`.
pub fn counting(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// A bar over `seconds` of a timed run named `what`, advanced by a ticker until it is
/// dropped.
pub struct Timed {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Timed {
    pub fn start(what: &str, seconds: f64) -> Timed {
        let total_ms = (seconds * 1000.0) as u64;
        let bar = ProgressBar::new(total_ms.max(1));
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        let ticking = bar.clone();
        let started = Instant::now();
        let ticker = tokio::spawn(async move {
            loop {
                ticking.set_position(started.elapsed().as_millis() as u64);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Timed { bar, ticker }
    }
}

impl Drop for Timed {
    fn drop(&mut self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}
