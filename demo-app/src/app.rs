//! The single page: a user id field, a button, and the reply or the error status.

use grpc_web_wasm::Client;
use leptos::prelude::*;
use leptos::task::spawn_local;
use proto::demo::v1::{UserRequest, UserResponse};

#[derive(Clone)]
enum Outcome {
    Idle,
    Pending,
    Found(UserResponse),
    Failed { code: String, message: String },
}

/// The page, calling the gRPC-Web server at `server` (a base URL).
#[component]
pub fn App(server: String) -> impl IntoView {
    let client = Client::new(server);
    let (user_id, set_user_id) = signal(String::from("1"));
    let (outcome, set_outcome) = signal(Outcome::Idle);

    let lookup = move || {
        let id = user_id.get_untracked();
        let Ok(id) = id.trim().parse::<i32>() else {
            set_outcome.set(Outcome::Failed {
                code: "INVALID_INPUT".into(),
                message: format!("{id:?} is not a number"),
            });
            return;
        };
        set_outcome.set(Outcome::Pending);
        let client = client.clone();
        spawn_local(async move {
            let result = client
                .unary::<_, UserResponse>(
                    "/demo.v1.UserService/GetUser",
                    UserRequest { user_id: id },
                )
                .await;
            set_outcome.set(match result {
                Ok(reply) => Outcome::Found(reply.into_inner()),
                Err(status) => Outcome::Failed {
                    code: status.code().to_string(),
                    message: status.message().to_string(),
                },
            });
        });
    };

    view! {
        <main>
            <h1 id="title">"grpc-web-wasm demo"</h1>
            <p>"A Rust/WebAssembly gRPC-Web client calling "<code>"demo.v1.UserService/GetUser"</code>"."</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                lookup();
            }>
                <label>"User id " <input id="user-id" type="number" prop:value=user_id
                    on:input=move |ev| set_user_id.set(event_target_value(&ev)) /></label>
                <button id="lookup" type="submit">"Get user"</button>
            </form>
            <section id="result">
                {move || match outcome.get() {
                    Outcome::Idle => view! { <p>"Try ids 1, 2, 3, or an unknown one."</p> }.into_any(),
                    Outcome::Pending => view! { <p>"Calling…"</p> }.into_any(),
                    Outcome::Found(user) => view! {
                        <dl class="user">
                            <dt>"id"</dt><dd>{user.user_id}</dd>
                            <dt>"name"</dt><dd id="user-name">{user.name}</dd>
                            <dt>"email"</dt><dd>{user.email}</dd>
                        </dl>
                    }.into_any(),
                    Outcome::Failed { code, message } => view! {
                        <p class="error"><strong id="status-code">{code}</strong>": "{message}</p>
                    }.into_any(),
                }}
            </section>
        </main>
    }
}
