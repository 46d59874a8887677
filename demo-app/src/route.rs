//! The pages and the URL fragment that selects them (`#/users`, `#/scores`, `#/chat`):
//! fragments need nothing from the server, which serves one `index.html`.

use leptos::prelude::*;

/// A page of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Users,
    Scores,
    Chat,
}

impl Route {
    /// Every page, in the navigation's order.
    pub const ALL: [Route; 3] = [Route::Users, Route::Scores, Route::Chat];

    /// The page a fragment names; the first page for anything else.
    pub fn from_hash(hash: &str) -> Route {
        match hash.trim_start_matches('#').trim_start_matches('/') {
            "scores" => Route::Scores,
            "chat" => Route::Chat,
            _ => Route::Users,
        }
    }

    /// The link to the page.
    pub fn href(self) -> &'static str {
        match self {
            Route::Users => "#/users",
            Route::Scores => "#/scores",
            Route::Chat => "#/chat",
        }
    }

    /// The name in the navigation and the page title.
    pub fn title(self) -> &'static str {
        match self {
            Route::Users => "Users",
            Route::Scores => "Live scores",
            Route::Chat => "Chat",
        }
    }
}

/// The current page, following the fragment as it changes.
pub fn current() -> ReadSignal<Route> {
    let hash = || window().location().hash().unwrap_or_default();
    let (route, set_route) = signal(Route::from_hash(&hash()));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::from_hash(&hash()));
    });
    on_cleanup(move || listener.remove());
    route
}
