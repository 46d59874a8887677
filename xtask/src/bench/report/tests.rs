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
    assert!(md.contains("| MB/s | replay | 200.0 (100.0–300.0) ×1.00 | 100.0 (90.0–400.0) ×0.50 |"));
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
    assert!(md.contains("| p99 ms | replay | 3.00 (1.00–3.00) ×1.00 | 9.00 (1.00–9.00) ×0.33 |"));
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
    assert!(r
        .json()
        .contains("\"clock\": {\"cross_origin_isolated\": true, \"timer_resolution_ms\": 0.005}"));
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
