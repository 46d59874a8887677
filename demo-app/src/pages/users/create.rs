//! Creating a user: the server validates, and its `google.rpc.BadRequest` field violations
//! are shown beside the fields they name.

use leptos::prelude::*;
use proto::demo::v1::{CreateUserRequest, UserResponse, UserServiceClient};

use crate::api::Api;
use crate::failure::{ErrorPanel, Failure};
use crate::tasks::Tasks;

#[derive(Clone, PartialEq)]
enum CreateState {
    Idle,
    Saving,
    Created(UserResponse),
    Failed(Failure),
}

#[component]
pub fn Create(tasks: Tasks) -> impl IntoView {
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
