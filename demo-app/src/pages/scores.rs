//! Live scores: `WatchScores`, a server stream of match updates, with start and stop.
//! Stopping drops the stream, which aborts the fetch; the server sees the client go.

use std::collections::VecDeque;

use leptos::prelude::*;
use proto::demo::v1::{ScoreServiceClient, ScoreUpdate, WatchScoresRequest};

use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::Tasks;

/// How many events the ticker keeps.
const TICKER: usize = 8;

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Connecting,
    Live,
    Finished,
    Stopped,
    Failed(Failure),
}

/// The Live scores page.
#[component]
pub fn ScoresPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let tasks = Tasks::new();
    let (state, set_state) = signal(State::Idle);
    let (interval, set_interval) = signal(400u32);
    // The latest update per match, in the order the matches first appeared.
    let (matches, set_matches) = signal(Vec::<ScoreUpdate>::new());
    let (ticker, set_ticker) = signal(VecDeque::<ScoreUpdate>::new());
    let (updates, set_updates) = signal(0u64);

    let start = move |_| {
        set_state.set(State::Connecting);
        set_matches.set(Vec::new());
        set_ticker.set(VecDeque::new());
        set_updates.set(0);
        let request = WatchScoresRequest {
            interval_ms: interval.get_untracked(),
            ..Default::default()
        };
        let call = api.call(&request, true);
        tasks.spawn("watch", async move {
            let stream = ScoreServiceClient::new(call.client())
                .watch_scores(request)
                .await;
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(status) => return set_state.set(State::Failed(Failure::of(&status))),
            };
            call.headers(stream.headers());
            set_state.set(State::Live);
            loop {
                match stream.message().await {
                    Ok(Some(update)) => {
                        call.message(&update);
                        set_updates.set(update.sequence);
                        if !update.event.is_empty() {
                            set_ticker.update(|t| {
                                t.push_front(update.clone());
                                t.truncate(TICKER);
                            });
                        }
                        set_matches.update(|all| {
                            match all.iter_mut().find(|m| m.match_id == update.match_id) {
                                Some(m) => *m = update,
                                None => all.push(update),
                            }
                        });
                    }
                    Ok(None) => return set_state.set(State::Finished),
                    Err(status) => return set_state.set(State::Failed(Failure::of(&status))),
                }
            }
        });
    };
    let stop = move |_| {
        tasks.stop("watch");
        set_state.set(State::Stopped);
    };
    let running = move || matches!(state.get(), State::Connecting | State::Live);

    view! {
        <section class="page" aria-labelledby="scores-title">
            <header class="page-head">
                <h1 id="scores-title">"Live scores"</h1>
                <p class="lede">
                    "Server stream "<code>"demo.v1.ScoreService/WatchScores"</code>
                    ": simulated matches, one message per update. Stop cancels the call."
                </p>
            </header>
            <div class="card">
                <div class="row wrap">
                    <button id="scores-start" class="btn btn-primary" type="button"
                        disabled=running on:click=start>"Start"</button>
                    <button id="scores-stop" class="btn" type="button"
                        disabled=move || !running() on:click=stop>"Stop"</button>
                    <label class="field inline">
                        <span>"Update every"</span>
                        <select id="scores-interval" disabled=running on:change=move |ev| {
                            set_interval.set(event_target_value(&ev).parse().unwrap_or(400))
                        }>
                            <option value="100">"0.1 s"</option>
                            <option value="400" selected>"0.4 s"</option>
                            <option value="1000">"1 s"</option>
                        </select>
                    </label>
                    <span id="scores-status" class="status-line" aria-live="polite">
                        {move || match state.get() {
                            State::Idle => view! { "Not watching." }.into_any(),
                            State::Connecting => view! {
                                <span class="loading"><span class="spinner" aria-hidden="true"></span>"Connecting…"</span>
                            }.into_any(),
                            State::Live => view! {
                                <span class="live-dot" aria-hidden="true"></span>
                                {move || format!("Live · {} updates", updates.get())}
                            }.into_any(),
                            State::Finished => view! { {format!("Full time everywhere · {} updates (OK)", updates.get_untracked())} }.into_any(),
                            State::Stopped => view! { {format!("Stopped after {} updates: the call was cancelled", updates.get_untracked())} }.into_any(),
                            State::Failed(_) => view! { "The stream failed." }.into_any(),
                        }}
                    </span>
                </div>
                {move || match state.get() {
                    State::Failed(failure) => Some(view! { <ErrorPanel failure /> }),
                    _ => None,
                }}
            </div>
            <div class="scoreboard" id="scoreboard">
                <For each=move || matches.get() key=|m| m.match_id.clone() let:m>
                    <MatchCard id=m.match_id.clone() matches />
                </For>
                {move || matches.with(Vec::is_empty).then(|| view! {
                    <p class="muted empty">"Press Start to watch the matches."</p>
                })}
            </div>
            <div class="card">
                <h2>"Events"</h2>
                <ol class="ticker" id="ticker" aria-live="off">
                    <For each=move || ticker.get() key=|u| u.sequence let:u>
                        <li class="appear">
                            <span class="minute">{format!("{}'", u.minute)}</span>
                            <span class="event">{u.event.clone()}</span>
                            <span class="muted">{format!("{} {}–{} {}", u.home_team, u.home_score, u.away_score, u.away_team)}</span>
                        </li>
                    </For>
                </ol>
            </div>
        </section>
    }
}

/// One match's card, following its latest update.
#[component]
fn MatchCard(id: String, matches: ReadSignal<Vec<ScoreUpdate>>) -> impl IntoView {
    let latest =
        Memo::new(move |_| matches.with(|all| all.iter().find(|m| m.match_id == id).cloned()));
    move || {
        latest.get().map(|m| {
            let label = format!(
                "{} {}, {} {}, minute {}",
                m.home_team, m.home_score, m.away_team, m.away_score, m.minute
            );
            view! {
                <article class="match card" class:finished=m.finished aria-label=label>
                    <div class="match-clock">
                        {if m.finished { "FT".to_string() } else { format!("{}'", m.minute) }}
                    </div>
                    <div class="match-teams">
                        <span class="team">{m.home_team.clone()}</span>
                        <span class="score">{m.home_score}" – "{m.away_score}</span>
                        <span class="team away">{m.away_team.clone()}</span>
                    </div>
                    <div class="match-event muted small">{m.event.clone()}</div>
                </article>
            }
        })
    }
}
