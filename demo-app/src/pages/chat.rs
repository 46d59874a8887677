//! Chat: one bidi call (`Converse`, over a WebSocket) per participant: its first message
//! joins the room, the next ones are what the participant says, and the reply stream brings
//! the room's messages and an answer per message sent. Open the page in two tabs and each
//! sees the other's messages as they are sent. A conversation the server or the network
//! breaks (a restart, a lost connection) is taken up again, with growing pauses.

use futures_channel::mpsc::{self, UnboundedSender};
use leptos::prelude::*;
use proto::demo::v1::chat_event::Kind as Event;
use proto::demo::v1::chat_input::Kind as Input;
use proto::demo::v1::{ChatInput, ChatMessage, ChatServiceClient, JoinRoom};

use crate::api::Api;
use crate::failure::{self, ErrorPanel, Failure};
use crate::tasks::{sleep, Tasks};

/// How many messages the page keeps.
const KEEP: usize = 200;
const ROOMS: [&str; 3] = ["lobby", "rust", "wasm"];
/// The first pause before resubscribing, doubled after each failed attempt up to the most.
const FIRST_PAUSE_MS: u32 = 500;
const MOST_PAUSE_MS: u32 = 8_000;

#[derive(Clone, PartialEq)]
enum Link {
    Connecting,
    Live,
    /// Lost, trying again: why, and in how long.
    Reconnecting {
        why: String,
        in_ms: u32,
    },
    Failed(Failure),
}

/// The way into the live conversation, while there is one.
type Outbox = StoredValue<Option<UnboundedSender<ChatInput>>>;

/// How one conversation ended.
enum Lost {
    /// Worth another try: the server went away or the connection broke.
    Transient(String),
    /// Not: the server refused (e.g. a bad room name).
    Refused(Failure),
}

/// The Chat page.
#[component]
pub fn ChatPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let tasks = Tasks::new();
    let (room, set_room) = signal(String::from("lobby"));
    let (room_field, set_room_field) = signal(String::from("lobby"));
    let guest = format!("guest-{}", (js_sys::Math::random() * 9000.0) as u32 + 1000);
    let (author, set_author) = signal(guest);
    let (text, set_text) = signal(String::new());
    let (link, set_link) = signal(Link::Connecting);
    let (messages, set_messages) = signal(Vec::<ChatMessage>::new());
    let (sent, set_sent) = signal(None::<Result<u32, Failure>>);
    let outbox: Outbox = StoredValue::new(None);

    let api_for_join = api.clone();
    let join = move |name: String| {
        outbox.set_value(None);
        set_room.set(name.clone());
        set_room_field.set(name.clone());
        set_messages.set(Vec::new());
        set_sent.set(None);
        set_link.set(Link::Connecting);
        let api = api_for_join.clone();
        tasks.spawn("converse", async move {
            let mut pause = FIRST_PAUSE_MS;
            loop {
                let who = JoinRoom {
                    room: name.clone(),
                    author: author.get_untracked(),
                };
                let page = Page {
                    set_link,
                    set_messages,
                    set_sent,
                    outbox,
                };
                let lost = converse(&api, who, page).await;
                outbox.set_value(None);
                match lost {
                    Lost::Refused(failure) => return set_link.set(Link::Failed(failure)),
                    Lost::Transient(why) => {
                        // A conversation that went live earns a quick retry again.
                        if link.get_untracked() == Link::Live {
                            pause = FIRST_PAUSE_MS;
                        }
                        set_link.set(Link::Reconnecting { why, in_ms: pause });
                        sleep(pause).await;
                        pause = (pause * 2).min(MOST_PAUSE_MS);
                        set_link.set(Link::Connecting);
                    }
                }
            }
        });
    };
    join(room.get_untracked());

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let said = ChatInput {
            kind: Some(Input::Text(body)),
        };
        let taken =
            outbox.with_value(|o| o.as_ref().is_some_and(|tx| tx.unbounded_send(said).is_ok()));
        if taken {
            set_text.set(String::new());
        } else {
            let status = grpc_web_wasm::Status::new(
                grpc_web_wasm::Code::Unavailable,
                "not connected to the room yet: try again once it is live",
            );
            set_sent.set(Some(Err(Failure::of(&status))));
        }
    };
    let join_for_form = join.clone();
    let join_as = join.clone();
    // The name travels in the join: a new one takes a new join.
    let rename = move |_| join_as(room.get_untracked());
    let switch_room = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = room_field.get_untracked().trim().to_string();
        if !name.is_empty() {
            join_for_form(name);
        }
    };

    view! {
        <section class="page" aria-labelledby="chat-title">
            <header class="page-head">
                <h1 id="chat-title">"Chat"</h1>
                <p class="lede">
                    "One bidi call per participant: "<code>"Converse"</code>
                    " sends what you say and streams the room back, over a WebSocket. Open \
                     this page in a second tab to talk to yourself."
                </p>
            </header>
            <div class="chat-layout">
                <div class="card chat-side">
                    <h2>"Room"</h2>
                    <div class="chips" role="group" aria-label="Rooms">
                        {ROOMS.into_iter().map(|r| {
                            let join = join.clone();
                            view! {
                                <button type="button" class="chip"
                                    aria-pressed=move || (room.get() == r).to_string()
                                    on:click=move |_| join(r.to_string())>{"#"}{r}</button>
                            }
                        }).collect_view()}
                    </div>
                    <form class="row" on:submit=switch_room>
                        <label class="field grow">
                            <span>"Other room"</span>
                            <input id="chat-room" type="text" maxlength="64" prop:value=room_field
                                on:input=move |ev| set_room_field.set(event_target_value(&ev)) />
                        </label>
                        <button id="chat-join" class="btn" type="submit">"Join"</button>
                    </form>
                    <label class="field">
                        <span>"Your name"</span>
                        <input id="chat-author" type="text" maxlength="64" prop:value=author
                            on:input=move |ev| set_author.set(event_target_value(&ev))
                            on:change=rename />
                    </label>
                </div>
                <div class="card chat-main">
                    <div class="chat-head">
                        <h2>{move || format!("#{}", room.get())}</h2>
                        <span id="chat-link" class="status-line" aria-live="polite">
                            {move || match link.get() {
                                Link::Connecting => view! { <span class="spinner" aria-hidden="true"></span>"Connecting…" }.into_any(),
                                Link::Live => view! { <span class="live-dot" aria-hidden="true"></span>"Live" }.into_any(),
                                Link::Reconnecting { in_ms, .. } => view! {
                                    <span class="spinner" aria-hidden="true"></span>
                                    {format!("Reconnecting in {:.1} s…", f64::from(in_ms) / 1000.0)}
                                }.into_any(),
                                Link::Failed(_) => view! { "Failed" }.into_any(),
                            }}
                        </span>
                    </div>
                    {move || match link.get() {
                        Link::Failed(failure) => Some(view! { <ErrorPanel failure /> }.into_any()),
                        Link::Reconnecting { why, .. } => Some(view! {
                            <p class="notice" id="chat-lost" role="status">{why}</p>
                        }.into_any()),
                        _ => None,
                    }}
                    <ol class="messages" id="chat-messages" aria-live="polite" aria-label="Messages">
                        <For each=move || messages.get() key=|m| (m.room.clone(), m.sequence) let:m>
                            <li class="message appear" class:mine=move || m.author == author.get()>
                                <div class="message-meta">
                                    <strong class="message-author">{m.author.clone()}</strong>
                                    <span class="muted small">{format!("#{}", m.sequence)}</span>
                                    {(m.skipped > 0).then(|| view! {
                                        <span class="tag">{format!("{} missed", m.skipped)}</span>
                                    })}
                                </div>
                                <div class="message-text">{m.text.clone()}</div>
                            </li>
                        </For>
                        {move || messages.with(Vec::is_empty).then(|| view! {
                            <li class="muted empty">"No messages since you joined."</li>
                        })}
                    </ol>
                    <form class="row composer" on:submit=send>
                        <label class="visually-hidden" for="chat-text">"Message"</label>
                        <input id="chat-text" class="grow" type="text" maxlength="4096"
                            placeholder="Say something" autocomplete="off" prop:value=text
                            on:input=move |ev| set_text.set(event_target_value(&ev)) />
                        <button id="chat-send" class="btn btn-primary" type="submit"
                            disabled=move || text.with(|t| t.trim().is_empty())>"Send"</button>
                    </form>
                    <p id="chat-sent" class="muted small" aria-live="polite">
                        {move || match sent.get() {
                            Some(Ok(n)) => format!("Delivered to {n} subscriber{}.", if n == 1 { "" } else { "s" }),
                            Some(Err(f)) => format!("Not sent: {} {}", f.code, f.message),
                            None => String::new(),
                        }}
                    </p>
                </div>
            </div>
        </section>
    }
}

/// What a conversation updates on the page.
struct Page {
    set_link: WriteSignal<Link>,
    set_messages: WriteSignal<Vec<ChatMessage>>,
    set_sent: WriteSignal<Option<Result<u32, Failure>>>,
    outbox: Outbox,
}

/// One conversation in a room, until it ends: the room's messages go to the page as they
/// arrive, and what the participant says goes out through the page's outbox.
async fn converse(api: &Api, who: JoinRoom, page: Page) -> Lost {
    let (tx, rx) = mpsc::unbounded();
    let join = ChatInput {
        kind: Some(Input::Join(who)),
    };
    let _ = tx.unbounded_send(join);
    let call = api.stream_call(true);
    let lost = |status: &grpc_web_wasm::Status, live: bool| {
        // Past the headers, any break is the connection's; before them, only UNAVAILABLE
        // says the server is not there (the others are its answer).
        let code = status.code();
        if code == grpc_web_wasm::Code::Unavailable
            || (live && !matches!(code, grpc_web_wasm::Code::InvalidArgument))
        {
            Lost::Transient(failure::connection_lost(status, api.same_origin()))
        } else {
            Lost::Refused(Failure::of(status))
        }
    };
    let mut stream = match ChatServiceClient::new(call.client())
        .converse(call.sending(rx))
        .await
    {
        Ok(stream) => stream,
        Err(status) => return lost(&status, false),
    };
    call.headers(stream.headers());
    page.outbox.set_value(Some(tx));
    page.set_link.set(Link::Live);
    loop {
        let event = match stream.message().await {
            Ok(Some(event)) => event,
            Ok(None) => return Lost::Transient("The server ended the conversation.".into()),
            Err(status) => return lost(&status, true),
        };
        call.message(&event);
        match event.kind {
            Some(Event::Message(message)) => page.set_messages.update(|all| {
                // After a reconnection the room may repeat what this page already has.
                if all.iter().any(|m| m.sequence == message.sequence) {
                    return;
                }
                all.push(message);
                if all.len() > KEEP {
                    all.remove(0);
                }
            }),
            Some(Event::Sent(reply)) => page.set_sent.set(Some(Ok(reply.delivered))),
            None => {}
        }
    }
}
