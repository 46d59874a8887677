//! Users: a unary lookup, a create form whose errors come back per field in
//! `google.rpc.BadRequest`, and the directory as a server stream, row by row.

mod create;
mod directory;

use leptos::prelude::*;
use proto::demo::v1::{UserRequest, UserResponse, UserServiceClient};

use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::Tasks;
use create::Create;
use directory::Directory;

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
        let user_id = match parse_id(&text) {
            Ok(id) => id,
            Err(why) => {
                set_state.set(LookupState::Failed(Failure::local("INVALID INPUT", why)));
                return;
            }
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

/// A user id as typed, or why it is not one (checked here, so nothing is sent). The field
/// is a number input, so the browser already refuses fractions; it admits exponents, which
/// are refused here (parsing floats would add some 20 KB to the bundle for little).
fn parse_id(text: &str) -> Result<i32, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("type a user id first".into());
    }
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{trimmed:?} is not a whole number written in digits"
        ));
    }
    trimmed.parse::<i32>().map_err(|_| {
        format!(
            "{trimmed} is out of range: user ids are 32-bit, from {} to {}",
            i32::MIN,
            i32::MAX
        )
    })
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
