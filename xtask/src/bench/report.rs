//! Statistics over the page's rows and the three outputs: `report.md` (tables),
//! `report.json` (every sample) and `chart.svg` (speed relative to the floor).
//!
//! A figure's headline value is the median of its per-round values, except for latency
//! percentiles: the page sends every call's latency ([`CALL_METRIC`]), and p50 and p99 are
//! taken over the calls of all measured rounds pooled, because one round's p99 (the 3rd-worst
//! of 300 calls) swings with a single stall. The per-round percentiles remain, as the spread.

use std::fmt::Write as _;
use std::path::Path;

/// The contender every figure is compared with.
pub const FLOORS: [&str; 2] = ["raw fetch (BYOB)", "raw fetch (default reader)"];

/// Whether `contender` is one of the [`FLOORS`].
pub fn is_floor(contender: &str) -> bool {
    FLOORS.contains(&contender)
}

/// The metric of a page row that carries one call's latency in ms. Such rows are not a figure
/// of their own: they become the series of [`PERCENTILES`].
pub const CALL_METRIC: &str = "call ms";

/// The latency percentiles made from [`CALL_METRIC`] rows: (percentile, metric name).
const PERCENTILES: &[(usize, &str)] = &[(50, "p50 ms"), (99, "p99 ms")];

/// One figure of one contender: every round's sample.
#[derive(Debug, Clone)]
pub struct Series {
    pub workload: String,
    pub server: String,
    pub contender: String,
    pub metric: String,
    /// Whether a higher value is better (throughput) or lower (latency, memory).
    pub higher_is_better: bool,
    /// Whether raw fetch's figure is a fair comparison (not for memory).
    pub comparable: bool,
    /// One value per measured round.
    pub samples: Vec<f64>,
    /// For a latency percentile: which one (`samples` then holds it per round).
    pub percentile: Option<usize>,
    /// For a latency percentile: every call's latency in ms, grouped by round number.
    pub calls: Vec<(u32, Vec<f64>)>,
}

impl Series {
    /// The figure reported and compared with raw fetch: the percentile over every call of
    /// every round for a latency percentile, else the median of the rounds.
    pub fn value(&self) -> f64 {
        match self.percentile {
            Some(p) => percentile(self.calls.iter().flat_map(|(_, c)| c.iter().copied()), p),
            None => self.median(),
        }
    }

    /// How [`Series::value`] was obtained, in words.
    fn statistic(&self) -> String {
        match self.percentile {
            Some(p) => format!("p{p} of {} calls pooled over the rounds", self.call_count()),
            None => "median of the rounds".into(),
        }
    }

    /// How many call latencies a percentile is taken over (0 for other figures).
    fn call_count(&self) -> usize {
        self.calls.iter().map(|(_, c)| c.len()).sum()
    }

    /// Records one call's latency, measured in `round`.
    fn push_call(&mut self, round: u32, ms: f64) {
        match self.calls.last_mut() {
            Some((r, calls)) if *r == round => calls.push(ms),
            _ => self.calls.push((round, vec![ms])),
        }
    }

    pub fn median(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        if n == 0 {
            f64::NAN
        } else if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        }
    }

    fn min(&self) -> f64 {
        self.samples.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn max(&self) -> f64 {
        self.samples
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// A size measurement of one contender's minimal app.
#[derive(Debug, Clone)]
pub struct Size {
    pub contender: String,
    /// What was measured, e.g. "wasm + JS".
    pub what: String,
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
}

/// The `p`th percentile of `values` (nearest rank, as `sorted[floor(p% of n)]`); NaN if none.
fn percentile(values: impl Iterator<Item = f64>, p: usize) -> f64 {
    let mut sorted: Vec<f64> = values.collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[(n * p / 100).min(n - 1)],
    }
}

/// Everything a report says.
#[derive(Debug, Default)]
pub struct Report {
    /// `(name, value)` facts about the run: command, browser, clock, rounds, servers.
    pub meta: Vec<(String, String)>,
    /// Whether the page was cross-origin isolated, as it reported.
    pub isolated: Option<bool>,
    /// The smallest step of `performance.now()` the page saw, in ms.
    pub timer_resolution_ms: Option<f64>,
    pub series: Vec<Series>,
    pub sizes: Vec<Size>,
    /// Contenders that could not run, with why.
    pub missing: Vec<(String, String)>,
    /// The contenders in run order.
    pub contenders: Vec<String>,
}

/// Parses the page's rows (`workload, server, contender, metric, better, round, value`) into
/// series; `meta` rows fill `meta` (and the clock's facts), [`CALL_METRIC`] rows the
/// percentile series.
pub fn parse(rows: &str, report: &mut Report) -> crate::Result {
    for line in rows.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let [workload, server, contender, metric, better, round, value] = f[..] else {
            return Err(format!("bad result row {line:?}"));
        };
        if workload == "meta" {
            meta_row(report, metric, value)?;
            continue;
        }
        let value: f64 = value
            .parse()
            .map_err(|_| format!("bad value in row {line:?}"))?;
        if !value.is_finite() {
            return Err(format!("non-finite figure in row {line:?}"));
        }
        let key = [workload, server, contender];
        if metric == CALL_METRIC {
            let round: u32 = round
                .parse()
                .map_err(|_| format!("bad round in row {line:?}"))?;
            for &(p, name) in PERCENTILES {
                series_for(report, key, name, better, Some(p)).push_call(round, value);
            }
        } else {
            series_for(report, key, metric, better, None)
                .samples
                .push(value);
        }
    }
    for s in &mut report.series {
        if let Some(p) = s.percentile {
            s.samples = s
                .calls
                .iter()
                .map(|(_, c)| percentile(c.iter().copied(), p))
                .collect();
        }
    }
    Ok(())
}

/// A `meta` row: the clock's two facts are kept typed as well, and the resolution is
/// written for people; anything else is kept as sent.
fn meta_row(report: &mut Report, name: &str, value: &str) -> crate::Result {
    match name {
        "cross-origin isolated" => report.isolated = Some(value == "true"),
        "timer resolution ms" => {
            let ms: f64 = value
                .parse()
                .map_err(|_| format!("bad timer resolution {value:?}"))?;
            report.timer_resolution_ms = Some(ms);
            report
                .meta
                .push(("timer resolution".into(), resolution_text(ms)));
            return Ok(());
        }
        _ => {}
    }
    report.meta.push((name.into(), value.into()));
    Ok(())
}

/// The timer resolution for the report's header.
fn resolution_text(ms: f64) -> String {
    if ms.is_finite() {
        format!(
            "{:.1} µs (smallest nonzero step between successive `performance.now()` readings)",
            ms * 1000.0
        )
    } else {
        "unknown (`performance.now()` never moved)".into()
    }
}

/// The series of `[workload, server, contender]` and `metric`, made if it is new.
fn series_for<'a>(
    report: &'a mut Report,
    [workload, server, contender]: [&str; 3],
    metric: &str,
    better: &str,
    percentile: Option<usize>,
) -> &'a mut Series {
    let found = report.series.iter().position(|s| {
        s.workload == workload
            && s.server == server
            && s.contender == contender
            && s.metric == metric
    });
    let i = found.unwrap_or_else(|| {
        report.series.push(Series {
            workload: workload.into(),
            server: server.into(),
            contender: contender.into(),
            metric: metric.into(),
            higher_is_better: better == "high",
            comparable: better != "-",
            samples: Vec::new(),
            percentile,
            calls: Vec::new(),
        });
        report.series.len() - 1
    });
    &mut report.series[i]
}

impl Report {
    fn find(&self, workload: &str, server: &str, contender: &str, metric: &str) -> Option<&Series> {
        self.series.iter().find(|s| {
            s.workload == workload
                && s.server == server
                && s.contender == contender
                && s.metric == metric
        })
    }

    /// The contender's speed relative to the floor on the same figure, the better of the
    /// two raw fetch readers: above 1 is faster (higher throughput or lower latency), below 1
    /// slower. `None` where no floor has such a figure (memory, WebSocket rows).
    pub fn vs_floor(&self, s: &Series) -> Option<f64> {
        if !s.comparable {
            return None;
        }
        let floor = FLOORS
            .iter()
            .filter_map(|f| self.find(&s.workload, &s.server, f, &s.metric))
            .map(Series::value)
            .reduce(|a, b| {
                if s.higher_is_better {
                    a.max(b)
                } else {
                    a.min(b)
                }
            })?;
        let me = s.value();
        Some(if s.higher_is_better {
            me / floor
        } else {
            floor / me
        })
    }

    /// `(workload, metric, server)` in first-seen order.
    fn figures(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        for s in &self.series {
            let k = (s.workload.clone(), s.metric.clone(), s.server.clone());
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }

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

    /// A bar chart of every figure's speed relative to raw fetch, one panel per server.
    pub fn svg(&self) -> String {
        const COLORS: &[&str] = &[
            "#d9480f", "#1971c2", "#2f9e44", "#862e9c", "#f08c00", "#0c8599",
        ];
        let others: Vec<&String> = self.contenders.iter().filter(|c| !is_floor(c)).collect();
        let servers: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for s in &self.series {
                if !v.contains(&s.server) {
                    v.push(s.server.clone());
                }
            }
            v
        };
        let figures: Vec<(String, String)> = {
            let mut v: Vec<(String, String)> = Vec::new();
            for (w, m, _) in self.figures() {
                let k = (w, m);
                if !v.contains(&k)
                    && self.series.iter().any(|s| {
                        s.comparable
                            && is_floor(&s.contender)
                            && s.workload == k.0
                            && s.metric == k.1
                    })
                {
                    v.push(k);
                }
            }
            v
        };
        let bar = 9.0;
        let group = bar * others.len().max(1) as f64 + 8.0;
        let label_w = 420.0;
        let panel_w = 300.0;
        let top = 60.0;
        let height = top + group * figures.len() as f64 + 30.0;
        let width = label_w + (panel_w + 30.0) * servers.len() as f64 + 20.0;
        let max = self
            .series
            .iter()
            .filter(|s| !is_floor(&s.contender))
            .filter_map(|s| self.vs_floor(s))
            .fold(1.2f64, f64::max)
            .min(3.0);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Speed relative to the floor (median of rounds; latency percentiles over all calls; 1 = the better raw fetch reader; higher is better, latency inverted)</text>\n"
        );
        for (i, c) in others.iter().enumerate() {
            let x = 10.0 + i as f64 * 170.0;
            let _ = writeln!(
                svg,
                "<rect x=\"{x}\" y=\"28\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"37\">{}</text>",
                COLORS[i % COLORS.len()],
                x + 14.0,
                esc(c)
            );
        }
        for (p, server) in servers.iter().enumerate() {
            let x0 = label_w + p as f64 * (panel_w + 30.0);
            let scale = panel_w / max;
            let _ = writeln!(
                svg,
                "<text x=\"{x0}\" y=\"{}\" font-weight=\"bold\">server: {}</text>",
                top - 6.0,
                esc(server)
            );
            let one = x0 + scale;
            let _ = writeln!(
                svg,
                "<line x1=\"{one:.1}\" y1=\"{top}\" x2=\"{one:.1}\" y2=\"{:.1}\" stroke=\"#555\" stroke-dasharray=\"3,3\"/><text x=\"{one:.1}\" y=\"{:.1}\" text-anchor=\"middle\">1.0</text>",
                height - 24.0,
                height - 12.0
            );
            for (f, (w, m)) in figures.iter().enumerate() {
                let y0 = top + f as f64 * group;
                if p == 0 {
                    let _ = writeln!(
                        svg,
                        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}: {}</text>",
                        label_w - 8.0,
                        y0 + group / 2.0,
                        esc(w),
                        esc(m)
                    );
                }
                for (i, c) in others.iter().enumerate() {
                    let Some(r) = self.find(w, server, c, m).and_then(|s| self.vs_floor(s)) else {
                        continue;
                    };
                    let len = (r.min(max) * scale).max(1.0);
                    let y = y0 + i as f64 * bar;
                    let _ = writeln!(
                        svg,
                        "<rect x=\"{x0}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {r:.2}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\">{r:.2}</text>",
                        bar - 1.0,
                        COLORS[i % COLORS.len()],
                        esc(c),
                        x0 + len + 2.0,
                        y + bar - 2.0
                    );
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }

    /// Writes report.md, report.json and chart.svg into `dir`.
    pub fn write(&self, dir: &Path, notes: &str) -> crate::Result {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, text) in [
            ("report.md", self.markdown(notes)),
            ("report.json", self.json()),
            ("chart.svg", self.svg()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// A figure with sensible precision.
fn num(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: &str = "meta\t-\t-\tuser agent\t-\t-\tChrome\n\
        w\treplay\traw fetch (BYOB)\tMB/s\thigh\t1\t100\n\
        w\treplay\traw fetch (BYOB)\tMB/s\thigh\t2\t200\n\
        w\treplay\traw fetch (BYOB)\tMB/s\thigh\t3\t300\n\
        w\treplay\tours\tMB/s\thigh\t1\t90\n\
        w\treplay\tours\tMB/s\thigh\t2\t100\n\
        w\treplay\tours\tMB/s\thigh\t3\t400\n\
        w\treplay\traw fetch (BYOB)\tp50 ms\tlow\t1\t2\n\
        w\treplay\tours\tp50 ms\tlow\t1\t4\n";

    fn report() -> Report {
        let mut r = Report {
            contenders: vec!["raw fetch (BYOB)".into(), "ours".into()],
            ..Report::default()
        };
        parse(ROWS, &mut r).unwrap();
        r
    }

    #[test]
    fn medians_and_ratios_follow_the_direction_of_better() {
        let r = report();
        let ours = r.find("w", "replay", "ours", "MB/s").unwrap();
        assert_eq!(ours.median(), 100.0);
        assert_eq!(r.vs_floor(ours), Some(0.5));
        let lat = r.find("w", "replay", "ours", "p50 ms").unwrap();
        assert_eq!(r.vs_floor(lat), Some(0.5));
        assert_eq!(r.meta, vec![("user agent".into(), "Chrome".into())]);
    }

    #[test]
    fn the_floor_is_the_better_reader_per_figure() {
        // BYOB is faster on MB/s (200 vs 150), the default reader on latency (1 vs 2 ms).
        let rows = format!(
            "{ROWS}w\treplay\traw fetch (default reader)\tMB/s\thigh\t1\t150\n\
             w\treplay\traw fetch (default reader)\tp50 ms\tlow\t1\t1\n"
        );
        let mut r = Report::default();
        parse(&rows, &mut r).unwrap();
        let ours = r.find("w", "replay", "ours", "MB/s").unwrap();
        assert_eq!(r.vs_floor(ours), Some(0.5));
        let lat = r.find("w", "replay", "ours", "p50 ms").unwrap();
        assert_eq!(r.vs_floor(lat), Some(0.25));
        let slower = r
            .find("w", "replay", "raw fetch (default reader)", "MB/s")
            .unwrap();
        assert_eq!(r.vs_floor(slower), Some(0.75));
    }

    #[test]
    fn outputs_name_every_figure() {
        let r = report();
        let md = r.markdown("");
        assert!(
            md.contains("| MB/s | replay | 200.0 (100.0–300.0) ×1.00 | 100.0 (90.0–400.0) ×0.50 |")
        );
        let json = r.json();
        assert!(json.contains("\"vs_raw_fetch\": 0.5"));
        assert!(r.svg().contains("<title>ours: 0.50</title>"));
    }

    /// Four calls a round over three rounds; the last round has one slow call.
    fn calls(contender: &str, slow: f64) -> String {
        let mut rows = String::new();
        for round in 1..=3 {
            for call in 0..4 {
                let ms = if round == 3 && call == 3 { slow } else { 1.0 };
                rows.push_str(&format!(
                    "seq\treplay\t{contender}\tcall ms\tlow\t{round}\t{ms}\n"
                ));
            }
        }
        rows
    }

    fn timed_report(isolated: bool) -> Report {
        let mut r = Report {
            contenders: vec!["raw fetch (BYOB)".into(), "ours".into()],
            ..Report::default()
        };
        let clock = format!(
            "meta\t-\t-\tcross-origin isolated\t-\t-\t{isolated}\n\
             meta\t-\t-\ttimer resolution ms\t-\t-\t0.005\n"
        );
        parse(
            &(clock + &calls("raw fetch (BYOB)", 3.0) + &calls("ours", 9.0)),
            &mut r,
        )
        .unwrap();
        r
    }

    #[test]
    fn latency_percentiles_pool_every_call_and_keep_the_rounds_as_spread() {
        let r = timed_report(true);
        let p99 = r.find("seq", "replay", "ours", "p99 ms").unwrap();
        // Per round: 1, 1, 9, so the median of the rounds would hide the slow call.
        assert_eq!(p99.samples, vec![1.0, 1.0, 9.0]);
        assert_eq!(p99.median(), 1.0);
        assert_eq!(p99.value(), 9.0);
        assert_eq!(p99.call_count(), 12);
        assert_eq!(r.vs_floor(p99), Some(3.0 / 9.0));
        let p50 = r.find("seq", "replay", "ours", "p50 ms").unwrap();
        assert_eq!((p50.value(), p50.samples.clone()), (1.0, vec![1.0; 3]));
        assert!(r.find("seq", "replay", "ours", CALL_METRIC).is_none());
        let md = r.markdown("");
        assert!(
            md.contains("| p99 ms | replay | 3.00 (1.00–3.00) ×1.00 | 9.00 (1.00–9.00) ×0.33 |")
        );
        assert!(md.contains("(12 calls per contender and server)"));
        let json = r.json();
        assert!(json.contains(
            "\"value\": 9, \"statistic\": \"p99 of 12 calls pooled over the rounds\", \"percentile\": 99, \"pooled_calls\": 12, \"median\": 1,"
        ));
        assert!(json.contains("{\"round\": 3, \"ms\": [1, 1, 1, 9]}"));
    }

    #[test]
    fn the_clock_is_reported_and_a_coarse_one_flagged() {
        let r = timed_report(true);
        assert_eq!(
            (r.isolated, r.timer_resolution_ms),
            (Some(true), Some(0.005))
        );
        let md = r.markdown("");
        assert!(md.contains("- cross-origin isolated: true\n"));
        assert!(md.contains("- timer resolution: 5.0 µs (smallest nonzero step"));
        assert!(!md.contains("Warning"));
        assert!(r.json().contains(
            "\"clock\": {\"cross_origin_isolated\": true, \"timer_resolution_ms\": 0.005}"
        ));
        assert!(timed_report(false)
            .markdown("")
            .contains("**Warning: the page was not cross-origin isolated**"));
    }

    #[test]
    fn malformed_rows_are_refused() {
        let mut r = Report::default();
        assert!(parse("a\tb\n", &mut r).is_err());
        assert!(parse("w\ts\tc\tm\thigh\t1\tNaN\n", &mut r).is_err());
        assert!(parse("w\ts\tc\tcall ms\tlow\tfirst\t1\n", &mut r).is_err());
    }
}
