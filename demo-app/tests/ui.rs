//! The demo UI in a real browser against the real server that `cargo xtask test` starts:
//! fill in a form, press its button, read what the page shows. (demo-app/e2e drives the
//! built bundle page by page; these mount the component itself.)

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use demo_app::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn server() -> String {
    match option_env!("GRPC_WEB_TEST_SERVER") {
        Some(url) => url.to_string(),
        None => {
            panic!("GRPC_WEB_TEST_SERVER is unset: run the browser tests with `cargo xtask test`")
        }
    }
}

/// Mounts the app in a fresh container; the handle keeps it mounted.
fn mount() -> (HtmlElement, impl Drop) {
    let document = document();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let server = server();
    let handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <App server=server.clone() /> },
    );
    (root, handle)
}

fn find<T: JsCast>(root: &HtmlElement, selector: &str) -> Option<T> {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.unchecked_into())
}

/// Types `value` into the field `selector`, as a user would.
fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    let input: HtmlInputElement = find(root, selector).expect(selector);
    input.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// Types `id` into the field and submits the form.
fn look_up(root: &HtmlElement, id: &str) {
    type_into(root, "#user-id", id);
    find::<HtmlElement>(root, "#lookup")
        .expect("the button")
        .click();
}

/// The text of `selector` once it appears (polling for up to 10 s).
async fn text_of(root: &HtmlElement, selector: &str) -> String {
    for _ in 0..200 {
        if let Some(el) = find::<HtmlElement>(root, selector) {
            return el.inner_text();
        }
        sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{selector} never appeared; the page shows: {}",
        root.inner_text()
    );
}

async fn sleep(d: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, d.as_millis() as i32)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn looking_up_a_user_shows_it() {
    let (root, _mounted) = mount();
    look_up(&root, "2");
    assert_eq!(text_of(&root, "#user-name").await, "Alan Turing");
    root.remove();
}

#[wasm_bindgen_test]
async fn an_unknown_user_shows_the_status() {
    let (root, _mounted) = mount();
    look_up(&root, "404");
    assert_eq!(
        text_of(&root, "#lookup-result .status-code").await,
        "NOT_FOUND"
    );
    assert!(
        root.inner_text().contains("user 404 not found"),
        "{}",
        root.inner_text()
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn invalid_fields_show_the_servers_violations_beside_them() {
    let (root, _mounted) = mount();
    type_into(&root, "#new-name", "Ada");
    type_into(&root, "#new-email", "no-at-sign");
    find::<HtmlElement>(&root, "#create")
        .expect("the button")
        .click();
    assert_eq!(
        text_of(&root, "#create-result .status-code").await,
        "INVALID_ARGUMENT"
    );
    assert!(
        text_of(&root, "#new-email-error")
            .await
            .contains("name@example.com"),
        "{}",
        root.inner_text()
    );
    let email: HtmlInputElement = find(&root, "#new-email").unwrap();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let name: HtmlInputElement = find(&root, "#new-name").unwrap();
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("false"));
    root.remove();
}

/// The Explorer against the test server: its services listed by reflection, then `GetUser`
/// sent from the JSON template as edited, and the reply's message shown as JSON.
#[wasm_bindgen_test]
async fn the_explorer_lists_services_by_reflection_and_calls_one() {
    window().location().set_hash("#/explorer").unwrap();
    let document = document();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let server = server();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <App server=server.clone() explorer=ViewFn::from(|| view! { <demo_app::ExplorerPage /> }) />
        }
    });
    let mut listed = String::new();
    for _ in 0..200 {
        listed = text_of(&root, "#explorer-source").await;
        if listed.contains("by reflection") {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    assert!(listed.contains("by reflection"), "{listed}");
    let select: web_sys::HtmlSelectElement = find(&root, "#explorer-method").unwrap();
    select.set_value("demo.v1.UserService/GetUser");
    let init = EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    let body: web_sys::HtmlTextAreaElement = loop {
        if let Some(body) = find(&root, "#explorer-body") {
            break body;
        }
        sleep(Duration::from_millis(50)).await;
    };
    assert!(body.value().contains("\"userId\": 0"), "{}", body.value());
    body.set_value(r#"{"userId": 2}"#);
    body.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    find::<HtmlElement>(&root, "#explorer-send")
        .unwrap()
        .click();
    for _ in 0..200 {
        if text_of(&root, "#explorer-status").await == "OK" {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    let messages = text_of(&root, "#explorer-messages").await;
    assert!(messages.contains("\"name\": \"Alan Turing\""), "{messages}");
    root.remove();
    window().location().set_hash("").unwrap();
}
