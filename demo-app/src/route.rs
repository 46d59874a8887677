//! The pages and the URL fragment that selects them (`#/users`, `#/scores`, `#/chat`,
//! `#/telemetry`, `#/explorer`): fragments need nothing from the server, which serves one `index.html`.
//! A fragment may carry a query after `?` (the Explorer's shareable requests).

use leptos::prelude::*;

/// A page of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Users,
    Scores,
    Chat,
    Telemetry,
    Explorer,
    /// A fragment that names no page: said so, rather than showing another page silently.
    NotFound,
}

impl Route {
    /// Every page in the navigation, in its order.
    pub const ALL: [Route; 5] = [
        Route::Users,
        Route::Scores,
        Route::Chat,
        Route::Telemetry,
        Route::Explorer,
    ];

    /// The page a fragment names: the first page for none at all, else [`Route::NotFound`].
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split('?').next().unwrap_or_default();
        match path.trim_end_matches('/') {
            "" | "users" => Route::Users,
            "scores" => Route::Scores,
            "chat" => Route::Chat,
            "telemetry" => Route::Telemetry,
            "explorer" => Route::Explorer,
            _ => Route::NotFound,
        }
    }

    /// The link to the page.
    pub fn href(self) -> &'static str {
        match self {
            Route::Users => "#/users",
            Route::Scores => "#/scores",
            Route::Chat => "#/chat",
            Route::Telemetry => "#/telemetry",
            Route::Explorer => "#/explorer",
            Route::NotFound => "#/",
        }
    }

    /// The name in the navigation and the page title.
    pub fn title(self) -> &'static str {
        match self {
            Route::Users => "Users",
            Route::Scores => "Live scores",
            Route::Chat => "Chat",
            Route::Telemetry => "Telemetry",
            Route::Explorer => "Explorer",
            Route::NotFound => "Page not found",
        }
    }
}

/// The current page, following the fragment as it changes.
pub fn current() -> ReadSignal<Route> {
    let hash = || window().location().hash().unwrap_or_default();
    let (route, set_route) = signal(Route::from_hash(&hash()));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        // Only a change of page: the Explorer rewrites its query as the user edits.
        let next = Route::from_hash(&hash());
        if route.get_untracked() != next {
            set_route.set(next);
        }
    });
    on_cleanup(move || listener.remove());
    route
}
