//! Users: the accounts of the current tenant, local and provisioned over SCIM (read-only here),
//! each linking to its page; `+ Add local user` creates a local account.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::directory::list_users;
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::empty_state::EmptyState;
use crate::components::local_time::LocalTime;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::components::table::{DataTable, NoMatch, TableLoading};
use crate::components::url_state::{debounced, use_url_state};
use crate::domain::account::AccountSource;
use crate::domain::directory::UserRow;

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
    let url = use_url_state();
    let users = Resource::new(
        move || {
            (
                url.get("q"),
                url.get("source"),
                url.get("status"),
                url.get("sort"),
                url.page(),
                url.get("sign_in"),
            )
        },
        |(search, source, status, sort, page, sign_in)| {
            list_users(search, source, status, Some(sort), page, Some(sign_in))
        },
    );
    let filtering = move || {
        ["q", "source", "status", "sign_in"]
            .iter()
            .any(|k| !url.get(k).is_empty())
    };
    let search_input = NodeRef::<leptos::html::Input>::new();
    let clear = Callback::new(move |_| {
        if let Some(input) = search_input.get_untracked() {
            input.set_value("");
        }
        url.set(&[
            ("q", String::new()),
            ("source", String::new()),
            ("status", String::new()),
            ("sign_in", String::new()),
        ]);
    });
    let search = debounced(250, move |q: String| url.set(&[("q", q.trim().to_owned())]));
    let selected = move |key: &'static str, value: &'static str| move || url.get(key) == value;
    view! {
        <PageHeader
            title="Users"
            description="People of this tenant. Accounts provisioned from your identity provider (Account Source SCIM) are read-only here: change them in the identity provider."
        >
            <Show when=move || may_manage>
                <A href="/users/new" attr:class="btn-primary">"+ Add local user"</A>
            </Show>
        </PageHeader>
        <div class="mb-3 flex flex-col gap-2 sm:flex-row sm:flex-wrap" role="search">
            <label for="user-search" class="sr-only">"Search users"</label>
            <input id="user-search" type="search" class="input sm:max-w-sm" placeholder="Username, e-mail or any word of the name…"
                node_ref=search_input value=url.get("q") autocomplete="off"
                on:input=move |ev| search(event_target_value(&ev))/>
            <label for="user-source" class="sr-only">"Account Source"</label>
            <select id="user-source" class="input sm:w-44" on:change=move |ev| url.set(&[("source", event_target_value(&ev))])>
                <option value="" selected=selected("source", "")>"All sources"</option>
                <option value="scim" selected=selected("source", "scim")>"SCIM"</option>
                <option value="local" selected=selected("source", "local")>"Local"</option>
                <option value="sso" selected=selected("source", "sso")>"SSO"</option>
            </select>
            <label for="user-status" class="sr-only">"Status"</label>
            <select id="user-status" class="input sm:w-44" on:change=move |ev| url.set(&[("status", event_target_value(&ev))])>
                <option value="" selected=selected("status", "")>"All statuses"</option>
                <option value="active" selected=selected("status", "active")>"Active"</option>
                <option value="deactivated" selected=selected("status", "deactivated")>"Deactivated"</option>
            </select>
            <label for="user-sign-in" class="sr-only">"Sign-in"</label>
            <select id="user-sign-in" class="input sm:w-72" on:change=move |ev| url.set(&[("sign_in", event_target_value(&ev))])>
                <option value="" selected=selected("sign_in", "")>"Any sign-in"</option>
                <option value="sso_not_provisioned" selected=selected("sign_in", "sso_not_provisioned")>"Signed in with SSO but not provisioned"</option>
                <option value="never_signed_in" selected=selected("sign_in", "never_signed_in")>"Provisioned but never signed in"</option>
            </select>
            <label for="user-sort" class="sr-only">"Sort by"</label>
            <select id="user-sort" class="input sm:w-52" on:change=move |ev| url.set(&[("sort", event_target_value(&ev))])>
                <option value="username" selected=selected("sort", "username")>"Sort: username"</option>
                <option value="display_name" selected=selected("sort", "display_name")>"Sort: display name"</option>
                <option value="last_change" selected=selected("sort", "last_change")>"Sort: last change (newest)"</option>
            </select>
        </div>
        <Transition fallback=|| view! { <TableLoading what="users"/> }>
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
                    Ok(p) if p.total == 0 => view! { <NoMatch what="users" on_clear=clear/> }.into_any(),
                    Ok(p) => {
                        let info = p.info();
                        view! {
                            <DataTable label="Users" testid="users-table"
                                headers=&["User", "Work e-mail", "Account Source", "Status", "Last change"]>
                                {p.items.into_iter().map(|u| view! { <UserLine user=u/> }).collect_view()}
                            </DataTable>
                            <Pager info=info on_page=Callback::new(move |n| url.set_page(n))/>
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
            <td data-label="User">
                <span class="min-w-0">
                    <A href=format!("/users/{}", user.id) attr:class="break-all font-medium text-indigo-700 hover:underline">{user.username}</A>
                    <span class="block text-xs text-slate-600">{user.display_name}</span>
                </span>
            </td>
            <td data-label="Work e-mail" class="break-all">{user.work_email.unwrap_or_default()}</td>
            <td data-label="Account Source">{source_badge(user.source)}</td>
            <td data-label="Status">{status_badge(user.active, user.deleted_at)}</td>
            <td data-label="Last change"><LocalTime at=user.updated_at/></td>
        </tr>
    }
}
