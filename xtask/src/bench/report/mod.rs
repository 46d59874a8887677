//! Statistics over the page's rows and the three outputs: `report.md` (tables),
//! `report.json` (every sample) and `chart.svg` (speed relative to the floor).
//!
//! A figure's headline value is the median of its per-round values, except for latency
//! percentiles: the page sends every call's latency ([`CALL_METRIC`]), and p50 and p99 are
//! taken over the calls of all measured rounds pooled, because one round's p99 (the 3rd-worst
//! of 300 calls) swings with a single stall. The per-round percentiles remain, as the spread.

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

mod json;
mod markdown;
mod svg;
#[cfg(test)]
mod tests;
