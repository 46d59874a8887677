//! The directory as a server stream (`ListUsers`): rows appear as they arrive; Stop cancels.

use leptos::prelude::*;
use proto::demo::v1::{ListUsersRequest, UserResponse, UserServiceClient};

use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::Tasks;

#[derive(Clone, PartialEq)]
enum ListState {
    Idle,
    Streaming,
    Done,
    Stopped,
    Failed(Failure),
}

#[component]
pub fn Directory(tasks: Tasks) -> impl IntoView {
    let api = expect_context::<Api>();
    let (filter, set_filter) = signal(String::new());
    let (delay, set_delay) = signal(150u32);
    let (rows, set_rows) = signal(Vec::<UserResponse>::new());
    let (state, set_state) = signal(ListState::Idle);

    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_rows.set(Vec::new());
        set_state.set(ListState::Streaming);
        let request = ListUsersRequest {
            name_contains: filter.get_untracked(),
            delay_ms: delay.get_untracked(),
            ..Default::default()
        };
        let call = api.call(&request, true);
        tasks.spawn("list", async move {
            let stream = UserServiceClient::new(call.client())
                .list_users(request)
                .await;
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(status) => return set_state.set(ListState::Failed(Failure::of(&status))),
            };
            call.headers(stream.headers());
            loop {
                match stream.message().await {
                    Ok(Some(user)) => {
                        call.message(&user);
                        set_rows.update(|rows| rows.push(user));
                    }
                    Ok(None) => return set_state.set(ListState::Done),
                    Err(status) => return set_state.set(ListState::Failed(Failure::of(&status))),
                }
            }
        });
    };
    let stop = move |_| {
        tasks.stop("list");
        set_state.set(ListState::Stopped);
    };
    let streaming = move || state.get() == ListState::Streaming;

    view! {
        <article class="card" aria-labelledby="list-title">
            <div class="card-head">
                <div>
                    <h2 id="list-title">"Directory"</h2>
                    <p class="muted small">
                        "Server stream "<code>"ListUsers"</code>": one message per user, shown as it arrives."
                    </p>
                </div>
            </div>
            <form class="row wrap" on:submit=start>
                <label class="field grow">
                    <span>"Name contains"</span>
                    <input id="list-filter" type="search" placeholder="any" prop:value=filter
                        on:input=move |ev| set_filter.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>"Pause per user"</span>
                    <select id="list-delay" on:change=move |ev| {
                        set_delay.set(event_target_value(&ev).parse().unwrap_or(0))
                    }>
                        <option value="0">"none"</option>
                        <option value="150" selected>"150 ms"</option>
                        <option value="500">"500 ms"</option>
                    </select>
                </label>
                <button id="list" class="btn btn-primary" type="submit" disabled=streaming>"Stream users"</button>
                <button id="list-stop" class="btn" type="button" disabled=move || !streaming() on:click=stop>
                    "Stop"
                </button>
            </form>
            <p id="list-status" class="status-line" aria-live="polite">
                {move || {
                    let n = rows.with(Vec::len);
                    match state.get() {
                        ListState::Idle => "Press “Stream users”.".to_string(),
                        ListState::Streaming => format!("Streaming… {n} received"),
                        ListState::Done => format!("{n} users, stream complete (OK)"),
                        ListState::Stopped => format!("Stopped after {n}: the call was cancelled"),
                        ListState::Failed(_) => format!("Failed after {n}"),
                    }
                }}
            </p>
            {move || match state.get() {
                ListState::Failed(failure) => Some(view! { <ErrorPanel failure /> }),
                _ => None,
            }}
            <div class="table-wrap">
                <table class="users" id="user-rows">
                    <thead><tr><th scope="col">"id"</th><th scope="col">"name"</th><th scope="col">"email"</th></tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=|u| u.user_id let:user>
                            <tr class="appear">
                                <td>{user.user_id}</td>
                                <td>{user.name}</td>
                                <td class="muted">{user.email}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </article>
    }
}
