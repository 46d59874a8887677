//! `chart.svg`: speed against the floor, one panel per server.

use std::fmt::Write as _;

use super::*;

impl Report {
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
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
