//! `report.md`: the tables, each figure against the floor.

use std::fmt::Write as _;

use super::*;

impl Report {
    /// The Markdown report.
    pub fn markdown(&self, notes: &str) -> String {
        let mut md = String::from("# grpc-web-wasm benchmarks\n\n");
        for (k, v) in &self.meta {
            let _ = writeln!(md, "- {k}: {v}");
        }
        md.push_str(
            "\nEach cell: median over the rounds, (min–max) spread of the per-round values, and speed \
             relative to the floor against the same server: the better, per figure, of two plain \
             reads of the same reply with no per-message work, a BYOB reader into one reused buffer \
             and the default reader (in text mode both also decode the base64 with the browser's \
             `setFromBase64`). `×1.00` = as fast as the floor; below is slower; for latencies the \
             inverse ratio; a client above 1 by more than the spread would mean the floor is wrong. \
             Against **replay** (byte-identical recorded replies written at once) the ratio is the \
             client's own cost. Rows over a WebSocket have no floor: compare them with the \
             unary-over-fetch rows a user would otherwise build on.\n",
        );
        md.push_str(&self.percentile_note());
        if self.isolated != Some(true) {
            md.push_str(
                "\n**Warning: the page was not cross-origin isolated**, so `performance.now()` was \
                 coarse (see the timer resolution above) and latencies lie on its grid.\n",
            );
        }
        if !self.missing.is_empty() {
            md.push_str("\nContenders not in this run:\n");
            for (c, why) in &self.missing {
                let _ = writeln!(md, "- **{c}**: {why}");
            }
        }
        let mut workload = String::new();
        for (w, metric, server) in self.figures() {
            if w != workload {
                workload = w.clone();
                let _ = write!(md, "\n## {w}\n\n| figure | server |");
                for c in &self.contenders {
                    let _ = write!(md, " {c} |");
                }
                md.push_str("\n|---|---|");
                md.push_str(&"---:|".repeat(self.contenders.len()));
                md.push('\n');
            }
            let _ = write!(md, "| {metric} | {server} |");
            for c in &self.contenders {
                let cell = match self.find(&w, &server, c, &metric) {
                    Some(s) => {
                        let ratio = self
                            .vs_floor(s)
                            .map(|r| format!(" ×{r:.2}"))
                            .unwrap_or_default();
                        if s.samples.len() > 1 {
                            format!(
                                "{} ({}–{}){ratio}",
                                num(s.value()),
                                num(s.min()),
                                num(s.max())
                            )
                        } else {
                            format!("{}{ratio}", num(s.value()))
                        }
                    }
                    None => "–".into(),
                };
                let _ = write!(md, " {cell} |");
            }
            md.push('\n');
        }
        if !self.sizes.is_empty() {
            md.push_str("\n## Size of a minimal app (one unary and one streaming call)\n\n| contender | what | bytes | gzipped |\n|---|---|---:|---:|\n");
            for s in &self.sizes {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    s.contender, s.what, s.raw_bytes, s.gzip_bytes
                );
            }
        }
        md.push_str(notes);
        md
    }

    /// What a latency percentile's cell means, with how many calls it pools (if any).
    fn percentile_note(&self) -> String {
        let counts: Vec<usize> = self
            .series
            .iter()
            .filter(|s| s.percentile.is_some())
            .map(Series::call_count)
            .collect();
        let (Some(&least), Some(&most)) = (counts.iter().min(), counts.iter().max()) else {
            return String::new();
        };
        let calls = if least == most {
            format!("{least}")
        } else {
            format!("{least}–{most}")
        };
        format!(
            "\nLatency percentiles (`p50 ms`, `p99 ms`) differ: the value is the percentile over \
             every call of all measured rounds pooled ({calls} calls per contender and server), \
             the (min–max) spread is the same percentile taken within each round, and the ratio \
             compares the pooled values.\n"
        )
    }
}
