//! `report.json`: every sample, for tools.

use std::fmt::Write as _;

use super::*;

impl Report {
    /// The JSON report: meta, the clock, every series with its samples and statistics (and
    /// for latency percentiles every call), sizes.
    pub fn json(&self) -> String {
        let mut j = String::from("{\n  \"meta\": {");
        let meta: Vec<String> = self
            .meta
            .iter()
            .map(|(k, v)| format!("{}: {}", q(k), q(v)))
            .collect();
        j.push_str(&meta.join(", "));
        let _ = write!(
            j,
            "}},\n  \"clock\": {{\"cross_origin_isolated\": {}, \"timer_resolution_ms\": {}}}",
            self.isolated.map_or("null".into(), |i| i.to_string()),
            self.timer_resolution_ms.map_or("null".into(), jnum)
        );
        j.push_str(",\n  \"missing\": {");
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|(k, v)| format!("{}: {}", q(k), q(v)))
            .collect();
        j.push_str(&missing.join(", "));
        j.push_str("},\n  \"results\": [\n");
        let rows: Vec<String> = self.series.iter().map(|s| self.json_series(s)).collect();
        j.push_str(&rows.join(",\n"));
        j.push_str("\n  ],\n  \"calls\": [\n");
        j.push_str(&self.json_calls());
        j.push_str("\n  ],\n  \"sizes\": [\n");
        let sizes: Vec<String> = self
            .sizes
            .iter()
            .map(|s| {
                format!(
                    "    {{\"contender\": {}, \"what\": {}, \"bytes\": {}, \"gzip_bytes\": {}}}",
                    q(&s.contender),
                    q(&s.what),
                    s.raw_bytes,
                    s.gzip_bytes
                )
            })
            .collect();
        j.push_str(&sizes.join(",\n"));
        j.push_str("\n  ]\n}\n");
        j
    }

    /// One series as JSON. `median`, `min`, `max` and `samples` keep their meaning (the
    /// per-round values); `value` is what the Markdown cell shows and `vs_raw_fetch`
    /// compares, `statistic` says how it was taken (for latency percentiles, not the median).
    fn json_series(&self, s: &Series) -> String {
        let samples: Vec<String> = s.samples.iter().map(|v| jnum(*v)).collect();
        let pooled = match s.percentile {
            Some(p) => format!(
                ", \"percentile\": {p}, \"pooled_calls\": {}",
                s.call_count()
            ),
            None => String::new(),
        };
        format!(
            "    {{\"workload\": {}, \"server\": {}, \"contender\": {}, \"metric\": {}, \"higher_is_better\": {}, \"value\": {}, \"statistic\": {}{pooled}, \"median\": {}, \"min\": {}, \"max\": {}, \"vs_raw_fetch\": {}, \"samples\": [{}]}}",
            q(&s.workload),
            q(&s.server),
            q(&s.contender),
            q(&s.metric),
            s.higher_is_better,
            jnum(s.value()),
            q(&s.statistic()),
            jnum(s.median()),
            jnum(s.min()),
            jnum(s.max()),
            self.vs_floor(s).map_or("null".into(), jnum),
            samples.join(", ")
        )
    }

    /// Every call latency the percentiles were taken from, once per workload, server and
    /// contender, by round.
    fn json_calls(&self) -> String {
        let first = PERCENTILES.first().map(|&(p, _)| p);
        let rows: Vec<String> = self
            .series
            .iter()
            .filter(|s| s.percentile.is_some() && s.percentile == first)
            .map(|s| {
                let rounds: Vec<String> = s
                    .calls
                    .iter()
                    .map(|(round, ms)| {
                        let ms: Vec<String> = ms.iter().map(|v| jnum(*v)).collect();
                        format!("{{\"round\": {round}, \"ms\": [{}]}}", ms.join(", "))
                    })
                    .collect();
                format!(
                    "    {{\"workload\": {}, \"server\": {}, \"contender\": {}, \"rounds\": [{}]}}",
                    q(&s.workload),
                    q(&s.server),
                    q(&s.contender),
                    rounds.join(", ")
                )
            })
            .collect();
        rows.join(",\n")
    }
}

fn jnum(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".into()
    }
}

/// A JSON string literal.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
