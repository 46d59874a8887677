//! The round-trip meter: one `Echo` call stays open; a ping goes out, its pong comes back,
//! and the time between is one round trip. Stop half-closes, and the call ends `OK`.

use futures_channel::mpsc;
use leptos::prelude::*;
use proto::demo::v1::{Ping, TelemetryServiceClient};

use super::now_ms;
use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::{sleep, Tasks};

/// Round trips kept for the percentiles.
const KEEP: usize = 200;
/// The pause between a pong and the next ping.
const PAUSE_MS: u32 = 50;

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Running,
    Stopped,
    Failed(Failure),
}

/// The `p`-th percentile (0 to 1) of `sorted`.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// The meter card.
#[component]
pub fn Meter() -> impl IntoView {
    let api = expect_context::<Api>();
    let tasks = Tasks::new();
    let (state, set_state) = signal(State::Idle);
    let (rtts, set_rtts) = signal(Vec::<f64>::new());
    let (count, set_count) = signal(0u64);
    let running = StoredValue::new(false);

    let start = move |_| {
        set_rtts.set(Vec::new());
        set_count.set(0);
        set_state.set(State::Running);
        running.set_value(true);
        let call = api.stream_call(true);
        tasks.spawn("echo", async move {
            let (tx, rx) = mpsc::unbounded();
            let reply = TelemetryServiceClient::new(call.client())
                .echo(call.sending(rx))
                .await;
            let mut pongs = match reply {
                Ok(pongs) => pongs,
                Err(status) => return set_state.set(State::Failed(Failure::of(&status))),
            };
            call.headers(pongs.headers());
            let mut sequence = 0u64;
            let mut tx = Some(tx);
            loop {
                if let Some(out) = &tx {
                    if running.get_value() {
                        sequence += 1;
                        let _ = out.unbounded_send(Ping {
                            sequence,
                            sent_at_ms: now_ms(),
                            ..Ping::default()
                        });
                    } else {
                        // Half-close; the server ends the call once it has answered.
                        tx = None;
                    }
                }
                match pongs.message().await {
                    Ok(Some(pong)) => {
                        call.message(&pong);
                        let rtt = now_ms() - pong.sent_at_ms;
                        set_count.update(|n| *n += 1);
                        set_rtts.update(|all| {
                            all.push(rtt);
                            if all.len() > KEEP {
                                all.remove(0);
                            }
                        });
                        sleep(PAUSE_MS).await;
                    }
                    Ok(None) => return set_state.set(State::Stopped),
                    Err(status) => return set_state.set(State::Failed(Failure::of(&status))),
                }
            }
        });
    };
    let stop = move |_| running.set_value(false);
    let stats = move || {
        let mut sorted = rtts.get();
        sorted.sort_by(f64::total_cmp);
        (
            sorted.last().copied(),
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
        )
    };

    view! {
        <div class="card telemetry-card">
            <h2>"Round trips"</h2>
            <p class="muted small">
                "A ping every "{PAUSE_MS}" ms after the last pong, on one open stream."
            </p>
            <div class="row wrap">
                <button id="echo-start" class="btn btn-primary" type="button"
                    disabled=move || state.get() == State::Running on:click=start>"Start"</button>
                <button id="echo-stop" class="btn" type="button"
                    disabled=move || state.get() != State::Running on:click=stop>"Stop"</button>
                <span id="echo-status" class="status-line" aria-live="off">
                    {move || match state.get() {
                        State::Idle => "Not measuring.".to_string(),
                        State::Running => format!("Measuring · {} round trips", count.get()),
                        State::Stopped => format!("Stopped after {} round trips (OK)", count.get()),
                        State::Failed(_) => "The stream failed.".to_string(),
                    }}
                </span>
            </div>
            <dl class="kv" id="echo-stats">
                <dt>"slowest kept"</dt><dd>{move || stats().0.map_or("–".into(), |v| format!("{v:.1} ms"))}</dd>
                <dt>"p50"</dt><dd class="echo-p50">{move || format!("{:.1} ms", stats().1)}</dd>
                <dt>"p99"</dt><dd class="echo-p99">{move || format!("{:.1} ms", stats().2)}</dd>
            </dl>
            {move || match state.get() {
                State::Failed(failure) => Some(view! { <ErrorPanel failure /> }),
                _ => None,
            }}
        </div>
    }
}
