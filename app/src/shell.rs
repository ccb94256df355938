//! The HTML document and the route table of the console.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::hydration::{provide_hydration_marker, ships_no_wasm};
use crate::pages::alerts::AlertsPage;
use crate::pages::connect_entra::ConnectEntraPage;
use crate::pages::console::ConsoleLayout;
use crate::pages::groups::{GroupDetailPage, SecurityGroupsPage};
use crate::pages::home::HomePage;
use crate::pages::identity_providers::IdentityProvidersPage;
use crate::pages::idp_editor::IdpEditorPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::provisioning::ProvisioningPage;
use crate::pages::security_topics::{SecurityTopicPage, SecurityTopicsPage};
use crate::pages::sign_in_failed::SignInFailedPage;
use crate::pages::tenants::TenantsPage;
use crate::pages::user_detail::UserDetailPage;
use crate::pages::users::UsersPage;

/// The server-rendered document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = crate::components::theme::chosen();
    // The sign-in pages are plain HTML: no wasm, no hydration scripts.
    let scripts = (!ships_no_wasm()).then(|| view! { <HydrationScripts options=options.clone()/> });
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full bg-slate-50" data-theme=theme>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options/>
                {scripts}
                <MetaTags/>
            </head>
            <body class="h-full text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let hydrated = provide_hydration_marker();
    let grants = crate::components::access::initial_grants();
    provide_context(grants);
    let grants_attr = serde_json::to_string(&grants).unwrap_or_default();
    view! {
        <Stylesheet id="leptos" href="/pkg/cantara.css"/>
        <Title text="Cantara Administration Console"/>
        <div id="app" class="min-h-full" data-hydrated=move || hydrated.get().to_string() data-grants=grants_attr>
            <Router>
                <Routes fallback=NotFound>
                    // Rendered whole before the first byte: without wasm nothing could fill in a
                    // streamed part later.
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/:tenant_id") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in-failed") view=SignInFailedPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("") view=ConsoleLayout>
                        <Route path=path!("") view=HomePage/>
                        <Route path=path!("identity-providers") view=IdentityProvidersPage/>
                        <Route path=path!("identity-providers/:id") view=IdpEditorPage/>
                        <Route path=path!("users") view=UsersPage/>
                        <Route path=path!("users/:id") view=UserDetailPage/>
                        <Route path=path!("security-groups") view=SecurityGroupsPage/>
                        <Route path=path!("security-groups/:id") view=GroupDetailPage/>
                        <Route path=path!("security-topics") view=SecurityTopicsPage/>
                        <Route path=path!("security-topics/:id") view=SecurityTopicPage/>
                        <Route path=path!("provisioning") view=ProvisioningPage/>
                        <Route path=path!("provisioning/alerts") view=AlertsPage/>
                        <Route path=path!("tenants") view=TenantsPage/>
                        <Route path=path!("connect-entra") view=ConnectEntraPage/>
                    </ParentRoute>
                </Routes>
            </Router>
        </div>
    }
}
