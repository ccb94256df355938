//! Users: the accounts of the current tenant, local and provisioned over SCIM (read-only here),
//! each linking to its page; `+ Add local user` creates a local account.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::directory::list_users;
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::domain::account::AccountSource;
use crate::domain::directory::UserRow;
use crate::domain::time::format_utc;

pub fn source_badge(source: AccountSource) -> impl IntoView {
    let tone = match source {
        AccountSource::Scim => Tone::Info,
        AccountSource::Sso => Tone::Success,
        AccountSource::Local => Tone::Neutral,
    };
    view! { <Badge text=source.label() tone=tone/> }
}

pub fn status_badge(active: bool, deleted_at: Option<i64>) -> impl IntoView {
    match (active, deleted_at) {
        (_, Some(_)) => {
            view! { <Badge text="Deleted in the identity provider" tone=Tone::Warning/> }
        }
        (true, None) => view! { <Badge text="Active" tone=Tone::Success/> },
        (false, None) => view! { <Badge text="Deactivated" tone=Tone::Warning/> },
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let may_manage = crate::components::access::can(crate::domain::permission::Permission::Users);
    let search = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let sort = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let users = Resource::new(
        move || {
            (
                search.get(),
                source.get(),
                status.get(),
                sort.get(),
                page.get(),
            )
        },
        |(search, source, status, sort, page)| list_users(search, source, status, Some(sort), page),
    );
    let filtering =
        move || !search.get().is_empty() || !source.get().is_empty() || !status.get().is_empty();
    view! {
        <PageHeader
            title="Users"
            description="People of this tenant. Accounts provisioned from your identity provider (Account Source SCIM) are read-only here: change them in the identity provider."
        >
            <Show when=move || may_manage>
                <A href="/users/new" attr:class="btn-primary">"+ Add local user"</A>
            </Show>
        </PageHeader>
        <div class="mb-3 flex flex-col gap-2 sm:flex-row">
            <label for="user-search" class="sr-only">"Search users"</label>
            <input id="user-search" type="search" class="input sm:max-w-sm" placeholder="Username, name or e-mail starts with…"
                on:change=move |ev| { search.set(event_target_value(&ev)); page.set(1); }/>
            <label for="user-source" class="sr-only">"Account Source"</label>
            <select id="user-source" class="input sm:w-44" on:change=move |ev| { source.set(event_target_value(&ev)); page.set(1); }>
                <option value="">"All sources"</option>
                <option value="scim">"SCIM"</option>
                <option value="local">"Local"</option>
            </select>
            <label for="user-status" class="sr-only">"Status"</label>
            <select id="user-status" class="input sm:w-44" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(1); }>
                <option value="">"All statuses"</option>
                <option value="active">"Active"</option>
                <option value="deactivated">"Deactivated"</option>
            </select>
            <label for="user-sort" class="sr-only">"Sort by"</label>
            <select id="user-sort" class="input sm:w-52" on:change=move |ev| { sort.set(event_target_value(&ev)); page.set(1); }>
                <option value="username">"Sort: username"</option>
                <option value="display_name">"Sort: display name"</option>
                <option value="last_change">"Sort: last change (newest)"</option>
            </select>
        </div>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(p) if p.total == 0 && !filtering() => view! {
                        <EmptyState
                            title="No users yet"
                            body="Configure SCIM provisioning in Entra with this tenant's Tenant URL and a provisioning token, and provisioned users will appear here."
                        >
                            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => {
                        let (range, total, has_next) = (p.range(), p.total, p.has_next());
                        view! {
                            <div class="card overflow-x-auto p-0">
                                <table class="min-w-full text-left text-sm" data-testid="users-table">
                                    <thead class="sticky top-0 border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">"Username"</th>
                                            <th scope="col" class="px-4 py-3">"Display name"</th>
                                            <th scope="col" class="px-4 py-3">"Work e-mail"</th>
                                            <th scope="col" class="px-4 py-3">"Mobile"</th>
                                            <th scope="col" class="px-4 py-3">"Account Source"</th>
                                            <th scope="col" class="px-4 py-3">"Status"</th>
                                            <th scope="col" class="px-4 py-3">"Last change"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {p.items.into_iter().map(|u| view! { <UserLine user=u/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager range=range total=total has_next=has_next page=page/>
                        }.into_any()
                    }
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserLine(user: UserRow) -> impl IntoView {
    let row_name = user.username.clone();
    view! {
        <tr data-testid="user-row" data-username=row_name>
            <td class="px-4 py-3 font-medium">
                <A href=format!("/users/{}", user.id) attr:class="text-indigo-700 hover:underline">{user.username}</A>
            </td>
            <td class="px-4 py-3">{user.display_name}</td>
            <td class="px-4 py-3">{user.work_email.unwrap_or_default()}</td>
            <td class="px-4 py-3 whitespace-nowrap">{user.mobile.unwrap_or_default()}</td>
            <td class="px-4 py-3">{source_badge(user.source)}</td>
            <td class="px-4 py-3">{status_badge(user.active, user.deleted_at)}</td>
            <td class="px-4 py-3 whitespace-nowrap">{format_utc(user.updated_at)}</td>
        </tr>
    }
}
