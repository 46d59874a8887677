//! The Explorer (`#/explorer`): grpcurl and Postman in the browser. It lists a server's
//! services through server reflection (or from a descriptor set file dropped on the page),
//! writes a request template from the descriptors, calls unary and server-streaming methods
//! with JSON, and shows the reply: messages, headers, trailers, status, error details,
//! timings and the bytes on the wire. Built on the client's `dynamic` module, the code the
//! npm package's `DynamicClient` runs on.

mod call;
mod connect;
mod explain;
mod reply;
mod request;
mod share;
mod source;
mod template;
mod wire;

use grpc_web_wasm::dynamic::Schema;
use grpc_web_wasm::Client;
use leptos::prelude::*;

use crate::api::Api;
use crate::tasks::Tasks;
use call::Exchange;
use connect::Source;
use reply::ReplyPanel;
use request::RequestPanel;
use share::Shared;
use source::SourcePanel;

/// A method as the picker lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodInfo {
    /// `package.Service/Method`.
    pub name: String,
    pub service: String,
    pub method: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
}

/// A server's schema, loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub url: String,
    pub schema: Schema,
    pub source: Source,
    pub methods: Vec<MethodInfo>,
}

/// Where the page is with its schema.
#[derive(Debug, Clone)]
pub enum Conn {
    Idle,
    Loading(String),
    Ready(Loaded),
    Failed(String),
}

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
pub struct State {
    pub server: RwSignal<String>,
    pub conn: RwSignal<Conn>,
    pub method: RwSignal<Option<String>>,
    pub body: RwSignal<String>,
    pub metadata: RwSignal<String>,
    pub deadline: RwSignal<String>,
    pub text_mode: RwSignal<bool>,
    /// Why the request was not sent (it does not fit the method, bad metadata...).
    pub problem: RwSignal<Option<String>>,
    pub exchange: RwSignal<Exchange>,
    pub running: RwSignal<bool>,
    pub tasks: Tasks,
}

impl State {
    /// The loaded schema, if any.
    pub fn loaded(&self) -> Option<Loaded> {
        self.conn.with(|c| match c {
            Conn::Ready(loaded) => Some(loaded.clone()),
            _ => None,
        })
    }

    /// Picks `name` (if the schema has it), with `body` or else the method's template.
    pub fn pick(&self, name: &str, body: Option<String>) {
        let Some(loaded) = self.loaded() else { return };
        let Ok(method) = loaded.schema.method(name) else {
            self.problem
                .set(Some(format!("{name} is not among the server's methods")));
            return;
        };
        self.problem.set(None);
        self.exchange.set(Exchange::default());
        let template = || {
            let one = template::template(&method.input());
            if method.is_client_streaming() {
                template::stream(&one)
            } else {
                one
            }
        };
        self.body.set(body.unwrap_or_else(template));
        self.method.set(Some(method.name()));
    }

    fn load(&self, url: String, schema: Schema, source: Source, then: Shared) {
        let methods = methods(&schema);
        self.conn.set(Conn::Ready(Loaded {
            url,
            schema,
            source,
            methods,
        }));
        self.method.set(None);
        self.exchange.set(Exchange::default());
        if let Some(name) = then.method {
            self.pick(&name, then.body);
        }
    }

    /// Loads the schema of `url` through its reflection service; then picks what `then` shares.
    pub fn connect(&self, url: String, then: Shared) {
        let state = *self;
        self.conn.set(Conn::Loading(url.clone()));
        self.tasks.spawn("connect", async move {
            match connect::reflect(&Client::new(url.clone())).await {
                Ok(schema) => state.load(url, schema, Source::Reflection, then),
                Err(why) => state.conn.set(Conn::Failed(why)),
            }
        });
    }

    /// Loads the schema from a descriptor set file, for the server in the URL field.
    pub fn open_file(&self, file: web_sys::File) {
        let state = *self;
        let url = self.server.get_untracked();
        self.tasks.spawn("connect", async move {
            let name = file.name();
            let loaded = match connect::read(&file).await {
                Ok(bytes) => connect::from_file(&name, &bytes),
                Err(why) => Err(why),
            };
            match loaded {
                Ok(schema) => state.load(url, schema, Source::File(name), Shared::default()),
                Err(why) => state.conn.set(Conn::Failed(why)),
            }
        });
    }
}

/// Every method of `schema`, by service.
fn methods(schema: &Schema) -> Vec<MethodInfo> {
    let services = schema.services();
    let mut out = Vec::new();
    for service in services.as_array().into_iter().flatten() {
        let service_name = service["name"].as_str().unwrap_or_default();
        for m in service["methods"].as_array().into_iter().flatten() {
            let method = m["name"].as_str().unwrap_or_default();
            out.push(MethodInfo {
                name: format!("{service_name}/{method}"),
                service: service_name.to_string(),
                method: method.to_string(),
                client_streaming: m["clientStreaming"].as_bool().unwrap_or(false),
                server_streaming: m["serverStreaming"].as_bool().unwrap_or(false),
            });
        }
    }
    out
}

/// The Explorer page.
#[component]
pub fn ExplorerPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let shared = share::parse(&window().location().hash().unwrap_or_default());
    let state = State {
        server: RwSignal::new(shared.server.clone().unwrap_or_else(|| api.base_url())),
        conn: RwSignal::new(Conn::Idle),
        method: RwSignal::new(None),
        body: RwSignal::new(String::new()),
        metadata: RwSignal::new(String::new()),
        deadline: RwSignal::new(String::new()),
        text_mode: RwSignal::new(false),
        problem: RwSignal::new(None),
        exchange: RwSignal::new(Exchange::default()),
        running: RwSignal::new(false),
        tasks: Tasks::new(),
    };
    // The page's own server has reflection: list it at once.
    state.connect(state.server.get_untracked(), shared);

    // The fragment follows the request, so the address bar is always a link to it.
    let own = api.base_url();
    Effect::new(move |_| {
        let shared = Shared {
            server: Some(state.server.get()).filter(|s| *s != own),
            method: state.method.get(),
            body: state.method.with(Option::is_some).then(|| state.body.get()),
        };
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&share::fragment(&shared)),
            );
        }
    });

    view! {
        <section class="page explorer" aria-labelledby="explorer-title">
            <header class="page-head">
                <h1 id="explorer-title">"Explorer"</h1>
                <p class="lede">
                    "grpcurl in the browser: list a server's methods by reflection (or from a "
                    "descriptor set), call them with JSON, and see everything that comes back."
                </p>
            </header>
            <SourcePanel state />
            <RequestPanel state api=api.clone() />
            <ReplyPanel state />
        </section>
    }
}
