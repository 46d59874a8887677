//! Statistics over the page's rows and the three outputs: `report.md` (tables),
//! `report.json` (every sample) and `chart.svg` (speed relative to raw fetch).

use std::fmt::Write as _;
use std::path::Path;

/// The contender every figure is compared with.
pub const FLOOR: &str = "raw fetch";

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
    pub samples: Vec<f64>,
}

impl Series {
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

/// Everything a report says.
#[derive(Debug, Default)]
pub struct Report {
    /// `(name, value)` facts about the run: command, browser, rounds, servers.
    pub meta: Vec<(String, String)>,
    pub series: Vec<Series>,
    pub sizes: Vec<Size>,
    /// Contenders that could not run, with why.
    pub missing: Vec<(String, String)>,
    /// The contenders in run order.
    pub contenders: Vec<String>,
}

/// Parses the page's rows (`workload, server, contender, metric, better, round, value`) into
/// series; `meta` rows fill `meta`.
pub fn parse(rows: &str, report: &mut Report) -> crate::Result {
    for line in rows.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let [workload, server, contender, metric, better, _round, value] = f[..] else {
            return Err(format!("bad result row {line:?}"));
        };
        if workload == "meta" {
            report.meta.push((metric.into(), value.into()));
            continue;
        }
        let value: f64 = value
            .parse()
            .map_err(|_| format!("bad value in row {line:?}"))?;
        if !value.is_finite() {
            return Err(format!("non-finite figure in row {line:?}"));
        }
        match report.series.iter_mut().find(|s| {
            s.workload == workload
                && s.server == server
                && s.contender == contender
                && s.metric == metric
        }) {
            Some(s) => s.samples.push(value),
            None => report.series.push(Series {
                workload: workload.into(),
                server: server.into(),
                contender: contender.into(),
                metric: metric.into(),
                higher_is_better: better == "high",
                comparable: better != "-",
                samples: vec![value],
            }),
        }
    }
    Ok(())
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

    /// The contender's speed relative to raw fetch on the same figure: above 1 is faster
    /// (higher throughput or lower latency), below 1 slower. `None` where raw fetch has no
    /// such figure (memory).
    pub fn vs_floor(&self, s: &Series) -> Option<f64> {
        if !s.comparable {
            return None;
        }
        let floor = self
            .find(&s.workload, &s.server, FLOOR, &s.metric)?
            .median();
        let me = s.median();
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
            "\nEach cell: median over the rounds, (min–max) spread, and speed relative to raw fetch \
             against the same server (`×1.00` = as fast as raw fetch; above is faster, below slower; \
             for latencies the inverse ratio). Against **replay** (byte-identical recorded replies \
             written at once) the ratio is the client's own cost.\n",
        );
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
                                num(s.median()),
                                num(s.min()),
                                num(s.max())
                            )
                        } else {
                            format!("{}{ratio}", num(s.median()))
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

    /// The JSON report: meta, every series with its samples and statistics, sizes.
    pub fn json(&self) -> String {
        let mut j = String::from("{\n  \"meta\": {");
        let meta: Vec<String> = self
            .meta
            .iter()
            .map(|(k, v)| format!("{}: {}", q(k), q(v)))
            .collect();
        j.push_str(&meta.join(", "));
        j.push_str("},\n  \"missing\": {");
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|(k, v)| format!("{}: {}", q(k), q(v)))
            .collect();
        j.push_str(&missing.join(", "));
        j.push_str("},\n  \"results\": [\n");
        let rows: Vec<String> = self
            .series
            .iter()
            .map(|s| {
                let samples: Vec<String> = s.samples.iter().map(|v| jnum(*v)).collect();
                format!(
                    "    {{\"workload\": {}, \"server\": {}, \"contender\": {}, \"metric\": {}, \"higher_is_better\": {}, \"median\": {}, \"min\": {}, \"max\": {}, \"vs_raw_fetch\": {}, \"samples\": [{}]}}",
                    q(&s.workload),
                    q(&s.server),
                    q(&s.contender),
                    q(&s.metric),
                    s.higher_is_better,
                    jnum(s.median()),
                    jnum(s.min()),
                    jnum(s.max()),
                    self.vs_floor(s).map_or("null".into(), jnum),
                    samples.join(", ")
                )
            })
            .collect();
        j.push_str(&rows.join(",\n"));
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

    /// A bar chart of every figure's speed relative to raw fetch, one panel per server.
    pub fn svg(&self) -> String {
        const COLORS: &[&str] = &["#d9480f", "#1971c2", "#2f9e44", "#862e9c"];
        let others: Vec<&String> = self.contenders.iter().filter(|c| *c != FLOOR).collect();
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
                        s.comparable && s.contender == FLOOR && s.workload == k.0 && s.metric == k.1
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
            .filter(|s| s.contender != FLOOR)
            .filter_map(|s| self.vs_floor(s))
            .fold(1.2f64, f64::max)
            .min(3.0);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Speed relative to raw fetch (median; 1 = raw fetch; higher is better, latency inverted)</text>\n"
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
        w\treplay\traw fetch\tMB/s\thigh\t1\t100\n\
        w\treplay\traw fetch\tMB/s\thigh\t2\t200\n\
        w\treplay\traw fetch\tMB/s\thigh\t3\t300\n\
        w\treplay\tours\tMB/s\thigh\t1\t90\n\
        w\treplay\tours\tMB/s\thigh\t2\t100\n\
        w\treplay\tours\tMB/s\thigh\t3\t400\n\
        w\treplay\traw fetch\tp50 ms\tlow\t1\t2\n\
        w\treplay\tours\tp50 ms\tlow\t1\t4\n";

    fn report() -> Report {
        let mut r = Report {
            contenders: vec!["raw fetch".into(), "ours".into()],
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

    #[test]
    fn malformed_rows_are_refused() {
        let mut r = Report::default();
        assert!(parse("a\tb\n", &mut r).is_err());
        assert!(parse("w\ts\tc\tm\thigh\t1\tNaN\n", &mut r).is_err());
    }
}
