//! The recorder: pointer movement over a pad, or a synthetic 60 Hz sensor, streamed as
//! `Sample`s on one `Record` call. Stop half-closes the stream; the server answers with its
//! summary.

use futures_channel::mpsc::{self, UnboundedSender};
use leptos::prelude::*;
use proto::demo::v1::{Sample, Summary, TelemetryServiceClient};

use super::now_ms;
use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::{sleep, Tasks};

/// At most one sample per frame at 60 Hz.
const PERIOD_MS: f64 = 1000.0 / 60.0;

#[derive(Clone, Copy, PartialEq)]
enum Source {
    Pointer,
    Sensor,
}

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Recording,
    /// Half-closed: waiting for the summary.
    Summing,
    Done(Summary),
    Failed(Failure),
}

/// The recorder card.
#[component]
pub fn Recorder() -> impl IntoView {
    let api = expect_context::<Api>();
    let tasks = Tasks::new();
    let (source, set_source) = signal(Source::Sensor);
    let (state, set_state) = signal(State::Idle);
    let (sent, set_sent) = signal(0u64);
    let outbox = StoredValue::new(None::<UnboundedSender<Sample>>);
    let last_ms = StoredValue::new(f64::NEG_INFINITY);

    // Hands one sample to the call, at most one per period.
    let offer = move |x: f64, y: f64| {
        let at_ms = now_ms();
        if at_ms - last_ms.get_value() < PERIOD_MS - 1.0 {
            return;
        }
        let taken = outbox.with_value(|o| {
            o.as_ref()
                .is_some_and(|tx| tx.unbounded_send(Sample { x, y, at_ms }).is_ok())
        });
        if taken {
            last_ms.set_value(at_ms);
            set_sent.update(|n| *n += 1);
        }
    };

    let start = move |_| {
        let (tx, rx) = mpsc::unbounded();
        outbox.set_value(Some(tx));
        set_sent.set(0);
        set_state.set(State::Recording);
        let call = api.stream_call(false);
        tasks.spawn("record", async move {
            let reply = TelemetryServiceClient::new(call.client())
                .record(call.sending(rx))
                .await;
            outbox.set_value(None);
            tasks.stop("sensor");
            set_state.set(match call.reply(reply) {
                Ok(summary) => State::Done(summary),
                Err(status) => State::Failed(Failure::of(&status)),
            });
        });
        if source.get_untracked() == Source::Sensor {
            tasks.spawn("sensor", async move {
                let started = now_ms();
                loop {
                    // A slow sine and cosine: a point going round a circle every 4 s.
                    let t = (now_ms() - started) / 4000.0 * std::f64::consts::TAU;
                    offer(150.0 + 100.0 * t.cos(), 100.0 + 80.0 * t.sin());
                    sleep(PERIOD_MS as u32).await;
                }
            });
        }
    };
    let stop = move |_| {
        tasks.stop("sensor");
        // Dropping the sender ends the request stream: the client half-closes.
        outbox.set_value(None);
        set_state.set(State::Summing);
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        if source.get_untracked() == Source::Pointer {
            offer(f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        }
    };
    let recording = move || matches!(state.get(), State::Recording | State::Summing);

    view! {
        <div class="card telemetry-card">
            <h2>"Record samples"</h2>
            <div class="chips" role="group" aria-label="Source">
                <button type="button" class="chip" id="telemetry-sensor" disabled=recording
                    aria-pressed=move || (source.get() == Source::Sensor).to_string()
                    on:click=move |_| set_source.set(Source::Sensor)>"Sensor at 60 Hz"</button>
                <button type="button" class="chip" id="telemetry-pointer" disabled=recording
                    aria-pressed=move || (source.get() == Source::Pointer).to_string()
                    on:click=move |_| set_source.set(Source::Pointer)>"Pointer"</button>
            </div>
            <div class="telemetry-pad" id="telemetry-pad" on:pointermove=moved
                aria-label="Move the pointer here while recording">
                {move || match source.get() {
                    Source::Pointer => "Move the pointer here",
                    Source::Sensor => "A synthetic sensor: a point going round a circle every 4 s",
                }}
            </div>
            <div class="row wrap">
                <button id="telemetry-start" class="btn btn-primary" type="button"
                    disabled=recording on:click=start>"Record"</button>
                <button id="telemetry-stop" class="btn" type="button"
                    disabled=move || state.get() != State::Recording on:click=stop>"Stop"</button>
                <span id="telemetry-sent" class="status-line" aria-live="off">
                    {move || match state.get() {
                        State::Idle => "Not recording.".to_string(),
                        State::Recording => format!("Recording · {} samples sent", sent.get()),
                        State::Summing => format!("{} samples sent · waiting for the summary…", sent.get()),
                        State::Done(_) | State::Failed(_) => format!("{} samples sent", sent.get()),
                    }}
                </span>
            </div>
            {move || match state.get() {
                State::Done(summary) => Some(view! { <SummaryView summary /> }.into_any()),
                State::Failed(failure) => Some(view! { <ErrorPanel failure /> }.into_any()),
                _ => None,
            }}
        </div>
    }
}

/// The server's summary.
#[component]
fn SummaryView(summary: Summary) -> impl IntoView {
    let s = summary;
    view! {
        <dl class="kv" id="telemetry-summary">
            <dt>"samples"</dt><dd class="summary-samples">{s.samples}</dd>
            <dt>"over"</dt><dd>{format!("{:.2} s", s.duration_ms / 1000.0)}</dd>
            <dt>"rate"</dt><dd class="summary-rate">{format!("{:.1} Hz", s.rate_hz)}</dd>
            <dt>"path"</dt><dd>{format!("{:.0} px", s.path_length)}</dd>
            <dt>"x"</dt><dd>{format!("{:.0} to {:.0}, mean {:.1}", s.min_x, s.max_x, s.mean_x)}</dd>
            <dt>"y"</dt><dd>{format!("{:.0} to {:.0}, mean {:.1}", s.min_y, s.max_y, s.mean_y)}</dd>
            <dt>"received"</dt><dd>{format!("{} B of protobuf", s.bytes)}</dd>
        </dl>
    }
}
