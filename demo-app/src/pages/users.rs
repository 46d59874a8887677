//! Users: a unary lookup, a create form whose errors come back per field in
//! `google.rpc.BadRequest`, and the directory as a server stream, row by row.

use leptos::prelude::*;
use proto::demo::v1::{
    CreateUserRequest, ListUsersRequest, UserRequest, UserResponse, UserServiceClient,
};

use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::Tasks;

/// The Users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let tasks = Tasks::new();
    view! {
        <section class="page" aria-labelledby="users-title">
            <header class="page-head">
                <h1 id="users-title">"Users"</h1>
                <p class="lede">
                    "A directory behind "<code>"demo.v1.UserService"</code>
                    ": unary calls, rich error details, and a server stream."
                </p>
            </header>
            <div class="grid-2">
                <Lookup tasks />
                <Create tasks />
            </div>
            <Directory tasks />
        </section>
    }
}

#[derive(Clone, PartialEq)]
enum LookupState {
    Idle,
    Loading(i32),
    Found(UserResponse),
    Failed(Failure),
}

#[component]
fn Lookup(tasks: Tasks) -> impl IntoView {
    let api = expect_context::<Api>();
    let (id, set_id) = signal(String::from("2"));
    let (state, set_state) = signal(LookupState::Idle);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = id.get_untracked();
        let Ok(user_id) = text.trim().parse::<i32>() else {
            set_state.set(LookupState::Failed(Failure {
                code: "INVALID_INPUT",
                number: 0,
                message: format!(
                    "{:?} is not a whole number (checked here, nothing sent)",
                    text
                ),
                violations: Vec::new(),
                other_details: Vec::new(),
            }));
            return;
        };
        set_state.set(LookupState::Loading(user_id));
        let request = UserRequest { user_id };
        let call = api.call(&request, false);
        tasks.spawn("lookup", async move {
            let reply = UserServiceClient::new(call.client())
                .get_user(request)
                .await;
            set_state.set(match call.reply(reply) {
                Ok(user) => LookupState::Found(user),
                Err(status) => LookupState::Failed(Failure::of(&status)),
            });
        });
    };

    view! {
        <article class="card" aria-labelledby="lookup-title">
            <h2 id="lookup-title">"Look up a user"</h2>
            <p class="muted small">"Unary "<code>"GetUser"</code>". Ids 1–12 exist; try 404 for an error."</p>
            <form class="row" on:submit=submit>
                <label class="field grow">
                    <span>"User id"</span>
                    <input id="user-id" type="number" inputmode="numeric" prop:value=id
                        on:input=move |ev| set_id.set(event_target_value(&ev)) />
                </label>
                <button id="lookup" class="btn btn-primary" type="submit"
                    disabled=move || matches!(state.get(), LookupState::Loading(_))>
                    "Get user"
                </button>
            </form>
            <div id="lookup-result" class="result" aria-live="polite"
                aria-busy=move || matches!(state.get(), LookupState::Loading(_)).to_string()>
                {move || match state.get() {
                    LookupState::Idle => view! {
                        <p class="muted">"The user appears here."</p>
                    }.into_any(),
                    LookupState::Loading(id) => view! {
                        <p class="loading"><span class="spinner" aria-hidden="true"></span>
                            "Looking up user " {id} "…"</p>
                    }.into_any(),
                    LookupState::Found(user) => view! { <UserCard user /> }.into_any(),
                    LookupState::Failed(failure) => view! { <ErrorPanel failure /> }.into_any(),
                }}
            </div>
        </article>
    }
}

#[component]
fn UserCard(user: UserResponse) -> impl IntoView {
    let initials: String = user
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    view! {
        <div class="user-card">
            <span class="avatar" aria-hidden="true">{initials}</span>
            <div>
                <div class="user-name" id="user-name">{user.name}</div>
                <div class="muted"><a href=format!("mailto:{}", user.email)>{user.email.clone()}</a></div>
                <div class="muted small">"id " {user.user_id}</div>
            </div>
        </div>
    }
}

#[derive(Clone, PartialEq)]
enum CreateState {
    Idle,
    Saving,
    Created(UserResponse),
    Failed(Failure),
}

#[component]
fn Create(tasks: Tasks) -> impl IntoView {
    let api = expect_context::<Api>();
    let (name, set_name) = signal(String::new());
    let (email, set_email) = signal(String::new());
    let (state, set_state) = signal(CreateState::Idle);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_state.set(CreateState::Saving);
        let request = CreateUserRequest {
            name: name.get_untracked(),
            email: email.get_untracked(),
        };
        let call = api.call(&request, false);
        tasks.spawn("create", async move {
            let reply = UserServiceClient::new(call.client())
                .create_user(request)
                .await;
            set_state.set(match call.reply(reply) {
                Ok(user) => {
                    set_name.set(String::new());
                    set_email.set(String::new());
                    CreateState::Created(user)
                }
                Err(status) => CreateState::Failed(Failure::of(&status)),
            });
        });
    };
    let error_for = move |field: &'static str| {
        move || match state.get() {
            CreateState::Failed(f) => f.about(field),
            _ => None,
        }
    };
    let field = move |label: &'static str,
                      field: &'static str,
                      placeholder: &'static str,
                      value: ReadSignal<String>,
                      set: WriteSignal<String>| {
        let error = error_for(field);
        let input_id = format!("new-{field}");
        let error_id = format!("new-{field}-error");
        view! {
            <label class="field">
                <span>{label}</span>
                <input id=input_id type="text" placeholder=placeholder autocomplete="off"
                    prop:value=value on:input=move |ev| set.set(event_target_value(&ev))
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby=error_id.clone() />
                <span class="field-error" id=error_id>{error}</span>
            </label>
        }
    };

    view! {
        <article class="card" aria-labelledby="create-title">
            <h2 id="create-title">"Create a user"</h2>
            <p class="muted small">
                "Unary "<code>"CreateUser"</code>". The server validates; its "
                <code>"google.rpc.BadRequest"</code>" details mark the fields."
            </p>
            <form class="stack" on:submit=submit novalidate>
                {field("Name", "name", "Niklaus Wirth", name, set_name)}
                {field("Email", "email", "niklaus@example.com", email, set_email)}
                <div class="row">
                    <button id="create" class="btn btn-primary" type="submit"
                        disabled=move || state.get() == CreateState::Saving>
                        "Create user"
                    </button>
                    {move || (state.get() == CreateState::Saving).then(|| view! {
                        <span class="loading"><span class="spinner" aria-hidden="true"></span>"Saving…"</span>
                    })}
                </div>
            </form>
            <div id="create-result" class="result" aria-live="polite">
                {move || match state.get() {
                    CreateState::Created(user) => view! {
                        <p class="success" id="created">
                            "Created " <strong>{user.name}</strong> " with id " {user.user_id} "."
                        </p>
                    }.into_any(),
                    CreateState::Failed(failure) => view! { <ErrorPanel failure /> }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
        </article>
    }
}

#[derive(Clone, PartialEq)]
enum ListState {
    Idle,
    Streaming,
    Done,
    Stopped,
    Failed(Failure),
}

#[component]
fn Directory(tasks: Tasks) -> impl IntoView {
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
