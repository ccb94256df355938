//! The signed-in console: top bar (product, tenant switcher, person, sign-out), left navigation,
//! and the current page. The server redirects to `/login` before rendering when there is no
//! session; if one ends while the page is open, the next server call sends the browser there.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_location;

use crate::api::entra_setup::get_expiry_notices;
use crate::api::session::{get_viewer, SwitchTenant};
use crate::components::access::{use_grants, NoAccessYet};
use crate::components::hydration::use_hydrated;
use crate::components::theme::ThemeSwitch;
use crate::components::toast::{provide_toast, Toast};
use crate::domain::error::AppError;
use crate::domain::expiry::{Expiring, Urgency};
use crate::domain::permission::{Access, Grants, Permission, CONNECT_ENTRA};
use crate::domain::viewer::Viewer;

/// Navigation entries in the contract's order: (label, path, what shows it).
/// Operators hold every permission, so Tenants shows for them as for Provisioning holders.
const NAV: &[(&str, &str, Access)] = &[
    (
        "Identity Providers",
        "/identity-providers",
        Access::Permission(Permission::IdentityProviders),
    ),
    ("Users", "/users", Access::Permission(Permission::Directory)),
    (
        "Security Groups",
        "/security-groups",
        Access::Permission(Permission::Directory),
    ),
    (
        "Security Topics",
        "/security-topics",
        Access::Permission(Permission::SecurityTopics),
    ),
    (
        "Provisioning",
        "/provisioning",
        Access::Permission(Permission::Provisioning),
    ),
    (
        "Tenants",
        "/tenants",
        Access::Permission(Permission::Provisioning),
    ),
    (
        "Connect Microsoft Entra ID",
        "/connect-entra",
        CONNECT_ENTRA,
    ),
];

/// Sends the browser to the sign-in page (after a session ended mid-visit).
pub fn go_to_login() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href("/login");
    }
}

/// The signed-in person, shared so pages can refresh the header (e.g. after creating a tenant).
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Viewer, AppError>>);

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| get_viewer());
    provide_context(ViewerResource(viewer));
    let grants = use_grants();
    let nav = move || (!grants.has_nothing()).then(|| view! { <NavLinks grants=grants/> });
    let toast = provide_toast();
    // The phone menu closes when a page is chosen, and on Escape.
    let menu = NodeRef::<leptos::html::Details>::new();
    let summary = NodeRef::<leptos::html::Summary>::new();
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
        }
    });
    let close_menu = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            if let Some(menu) = menu.get_untracked() {
                if menu.open() {
                    menu.set_open(false);
                    if let Some(summary) = summary.get_untracked() {
                        let _ = summary.focus();
                    }
                }
            }
        }
    };
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
            "Skip to content"
        </a>
        <header class="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
            <div class="flex h-14 items-center gap-2 px-4 sm:gap-3 lg:px-6">
                <details class="relative lg:hidden" id="mobile-nav" node_ref=menu on:keydown=close_menu>
                    <summary node_ref=summary class="btn-secondary cursor-pointer list-none px-2 py-1" aria-label="Open navigation">
                        <svg class="h-5 w-5" fill="none" viewBox="0 0 24 24" stroke="currentColor" aria-hidden="true">
                            <path stroke-linecap="round" stroke-width="2" d="M4 6h16M4 12h16M4 18h16"/>
                        </svg>
                    </summary>
                    <nav aria-label="Main" on:click=move |_| {
                        // A link was chosen: the menu closes as the page changes.
                        if let Some(menu) = menu.get_untracked() {
                            menu.set_open(false);
                        }
                    } class="absolute left-0 mt-2 w-60 rounded-lg border border-slate-200 bg-white p-2 shadow-lg">
                        {nav()}
                    </nav>
                </details>
                <A href="/" attr:class="flex items-center gap-2 font-semibold text-slate-900">
                    <span class="grid h-7 w-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white" aria-hidden="true">"C"</span>
                    <span class="sr-only sm:not-sr-only">"Cantara"</span>
                </A>
                <div class="ml-auto flex min-w-0 items-center gap-2 sm:gap-3">
                    <ThemeSwitch/>
                    <Suspense fallback=|| view! { <span class="text-sm text-slate-500">"Loading…"</span> }>
                        {move || Suspend::new(async move {
                            match viewer.await {
                                Ok(v) => view! { <ViewerBar viewer=v/> }.into_any(),
                                Err(AppError::Unauthorized) => {
                                    go_to_login();
                                    view! { <span class="text-sm text-slate-500">"Signed out"</span> }.into_any()
                                }
                                Err(e) => view! { <span class="text-sm text-red-700" role="alert">{e.to_string()}</span> }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
            </div>
        </header>
        <Toast message=toast/>
        <div class="flex min-h-[calc(100vh-3.5rem)]">
            <aside class="hidden w-60 shrink-0 border-r border-slate-200 bg-white lg:block">
                <nav aria-label="Main" class="sticky top-14 p-3">
                    {nav()}
                </nav>
            </aside>
            <main id="main" class="min-w-0 flex-1 px-4 py-6 lg:px-8">
                <div class="mx-auto max-w-6xl">
                    // Someone who holds nothing sees this one page, and nothing else.
                    {if grants.has_nothing() {
                        view! { <NoAccessYet/> }.into_any()
                    } else {
                        view! { <ExpiryBanners/><Outlet/> }.into_any()
                    }}
                </div>
            </main>
        </div>
    }
}

/// Client secret and provisioning token expiry reminders, above every page of those who can act.
#[component]
fn ExpiryBanners() -> impl IntoView {
    let may = use_grants().allows(CONNECT_ENTRA);
    let notices = Resource::new(
        || (),
        move |_| async move {
            if may {
                get_expiry_notices().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                notices.await.unwrap_or_default().into_iter().map(|n| {
                    let colours = match n.urgency {
                        Urgency::Soon => "border-amber-300 bg-amber-50 text-amber-900",
                        Urgency::Week | Urgency::Day | Urgency::Expired => "border-red-300 bg-red-50 text-red-900",
                    };
                    let href = match n.what {
                        Expiring::ClientSecret => "/connect-entra#step-1",
                        Expiring::ProvisioningToken => "/tenants",
                    };
                    view! {
                        <div role="status" data-testid="expiry-banner" class=format!("mb-4 flex flex-col gap-2 rounded-md border p-3 text-sm sm:flex-row sm:items-center sm:justify-between {colours}")>
                            <p>{n.message}</p>
                            <A href=href attr:class="shrink-0 font-medium underline">"Fix it"</A>
                        </div>
                    }
                }).collect_view()
            })}
        </Transition>
    }
}

#[component]
fn NavLinks(grants: Grants) -> impl IntoView {
    view! {
        <ul class="space-y-1">
            {NAV
                .iter()
                .filter(|(_, _, needs)| grants.allows(*needs))
                .map(|(label, href, _)| {
                    view! {
                        <li>
                            <A href=*href attr:class="nav-link">{*label}</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Current tenant (a switcher when there are several), the person, and sign-out.
#[component]
fn ViewerBar(viewer: Viewer) -> impl IntoView {
    let hydrated = use_hydrated();
    let switch = ServerAction::<SwitchTenant>::new();
    Effect::new(move |_| {
        if let Some(result) = switch.value().get() {
            match result {
                Ok(()) =>
                {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(AppError::Unauthorized) => go_to_login(),
                Err(_) => {}
            }
        }
    });
    let current = viewer.tenant.id.clone();
    let tenant_control = if viewer.tenants.len() > 1 {
        view! {
            <label for="tenant-switcher" class="sr-only">"Tenant"</label>
            <select
                id="tenant-switcher"
                class="input w-auto max-w-[9rem] py-1 text-sm sm:max-w-xs"
                disabled=move || !hydrated.get() || switch.pending().get()
                on:change=move |ev| {
                    let tenant_id = event_target_value(&ev);
                    switch.dispatch(SwitchTenant { tenant_id });
                }
            >
                {viewer
                    .tenants
                    .iter()
                    .map(|t| {
                        view! { <option value=t.id.to_string() selected=t.id == current>{t.name.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! {
            <span class="text-sm text-slate-600">
                <span class="sr-only">"Tenant: "</span>
                <span data-testid="current-tenant">{viewer.tenant.name.clone()}</span>
            </span>
        }
        .into_any()
    };
    let who = if viewer.display_name.is_empty() {
        viewer.username.clone()
    } else {
        viewer.display_name.clone()
    };
    view! {
        <div class="flex items-center gap-2" data-testid="tenant-control">{tenant_control}</div>
        <span class="hidden h-6 w-px bg-slate-200 sm:block" aria-hidden="true"></span>
        <span class="hidden text-sm text-slate-700 sm:inline" data-testid="signed-in-user" title=viewer.username.clone()>
            {who}
        </span>
        <form method="post" action="/logout">
            <button type="submit" class="btn-secondary whitespace-nowrap px-3 py-1 text-sm">"Sign out"</button>
        </form>
    }
}
