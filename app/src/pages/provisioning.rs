//! Provisioning: what Entra's provisioning service sent to this tenant and how it went, so an
//! admin can troubleshoot without reading server logs: each request to the second in their own
//! time zone, a list's filter in words, the resource by name, failures in red with the status
//! word and the reason in plain words, and requests refused for their token (a failing Test
//! Connection) called out at the top.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::provisioning::{
    get_provisioning_health, get_provisioning_summary, list_provisioning_activity,
    provisioning_history,
};
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::empty_state::EmptyState;
use crate::components::health_card::HealthCard;
use crate::components::local_time::LocalTime;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::components::table::{DataTable, NoMatch, TableLoading};
use crate::components::url_state::use_url_state;
use crate::domain::directory::PageInfo;
use crate::domain::provisioning::{status_text, ActivityEntry, ActivityPage};

#[component]
pub fn ProvisioningPage() -> impl IntoView {
    let url = use_url_state();
    let failures_only = move || url.get("failures") == "1";
    let refresh = RwSignal::new(0u32);
    let summary = Resource::new(move || refresh.get(), |_| get_provisioning_summary());
    let health = Resource::new(move || refresh.get(), |_| get_provisioning_health());
    let events = Resource::new(
        move || (failures_only(), url.page(), refresh.get()),
        |(f, page, _)| list_provisioning_activity(f, page),
    );
    view! {
        <PageHeader title="Provisioning" description="Requests from your identity provider's provisioning service to this tenant's SCIM Tenant URL, newest first.">
            <A href="/provisioning/alerts" attr:class="btn-secondary px-4 py-2 text-sm">"Alerts"</A>
            <button type="button" class="btn-secondary px-4 py-2 text-sm" on:click=move |_| refresh.update(|r| *r += 1)>"Refresh"</button>
        </PageHeader>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                health.await.ok().map(|h| view! { <HealthCard health=h/> })
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                summary.await.ok().map(|s| view! {
                    <dl class="mb-6 grid gap-4 sm:grid-cols-3" data-testid="provisioning-summary">
                        <div class="card"><dt class="text-xs uppercase text-slate-600">"Last call"</dt>
                            <dd class="mt-1 font-semibold">{match s.last_call_at {
                                Some(at) => view! { <LocalTime at=at/> }.into_any(),
                                None => view! { <span>"Never"</span> }.into_any(),
                            }}</dd></div>
                        <div class="card"><dt class="text-xs uppercase text-slate-600">"Provisioned users"</dt><dd class="mt-1 font-semibold">{s.users}</dd></div>
                        <div class="card"><dt class="text-xs uppercase text-slate-600">"Provisioned groups"</dt><dd class="mt-1 font-semibold">{s.groups}</dd></div>
                    </dl>
                })
            })}
        </Transition>
        <div class="mb-3 flex items-center gap-2">
            <input id="failures-only" type="checkbox" class="h-4 w-4" prop:checked=failures_only
                on:change=move |ev| url.set(&[("failures", if event_target_checked(&ev) { "1".into() } else { String::new() })])/>
            <label for="failures-only" class="text-sm">"Failures only"</label>
        </div>
        <Transition fallback=|| view! { <TableLoading what="provisioning requests"/> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(p) if p.total == 0 && p.refused.is_none() && !failures_only() => view! {
                        <EmptyState title="No provisioning requests yet"
                            body="Once Entra's provisioning connects with this tenant's SCIM Tenant URL and a token, every request appears here.">
                            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => {
                        let refused = p.refused.clone();
                        let empty = p.total == 0;
                        view! {
                            {refused.map(|r| view! { <RefusedBanner entry=r/> })}
                            {if empty {
                                view! { <NoMatch what="requests" on_clear=Callback::new(move |_| url.set(&[("failures", String::new())]))/> }.into_any()
                            } else {
                                view! { <ActivityTable page=p on_page=Callback::new(move |n| url.set_page(n))/> }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

/// Entra is being refused for its token and nothing has succeeded since: say so first.
#[component]
fn RefusedBanner(entry: ActivityEntry) -> impl IntoView {
    let who = if entry.is_user_lookup() {
        "Entra's Test Connection was refused"
    } else {
        "Entra's requests are refused"
    };
    let why = entry
        .detail
        .clone()
        .unwrap_or_default()
        .trim_start_matches("Refused: ")
        .to_owned();
    view! {
        <div role="alert" class="mb-4 rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800" data-testid="refused-banner">
            <p class="font-semibold">{format!("{who}: {why}")}</p>
            <p class="mt-1">"Last refused " <LocalTime at=entry.at/> ". "
                <A href="/tenants" attr:class="font-medium underline">"Generate a provisioning token"</A>
                " on the Tenants page."</p>
        </div>
    }
}

/// A page of logged requests with its pager (the Provisioning page, a user's page).
#[component]
pub fn ActivityTable(page: ActivityPage, on_page: Callback<i64>) -> impl IntoView {
    let info = PageInfo {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        shown: page.entries.len() as i64,
    };
    view! {
        <DataTable label="Provisioning requests" testid="activity-table" headers=&["Time", "Request", "Resource", "Result"]>
            {page.entries.into_iter().map(|e| view! { <ActivityRow entry=e/> }).collect_view()}
        </DataTable>
        <Pager info=info on_page=on_page/>
    }
}

#[component]
fn ActivityRow(entry: ActivityEntry) -> impl IntoView {
    let failed = entry.status >= 400;
    let result = status_text(entry.status);
    view! {
        <tr data-testid="activity-row" data-status=entry.status.to_string()>
            <td data-label="Time"><LocalTime at=entry.at/></td>
            <td data-label="Request">
                <span class="min-w-0">
                    <span class="font-mono text-xs">{format!("{} {}", entry.method, entry.path)}</span>
                    {entry.filter_words.map(|w| view! { <span class="block text-xs text-slate-600" data-testid="filter-words">{format!("where {w}")}</span> })}
                </span>
            </td>
            <td data-label="Resource">
                {entry.resource.map(|r| match r.href {
                    Some(href) => view! { <A href=href attr:class="font-medium text-indigo-700 hover:underline" attr:title=r.id>{r.name}</A> }.into_any(),
                    None => view! { <span class="font-mono text-xs text-slate-600" title="No longer in this tenant">{r.name}</span> }.into_any(),
                })}
            </td>
            <td data-label="Result">
                <span class="min-w-0">
                    {if failed { view! { <Badge text=result tone=Tone::Danger/> } } else { view! { <Badge text=result tone=Tone::Success/> } }}
                    {entry.detail.map(|d| view! { <span class="mt-1 block max-w-md text-xs text-red-800">{d}</span> })}
                </span>
            </td>
        </tr>
    }
}

/// A user's or group's provisioning history, for its page.
#[component]
pub fn ResourceHistory(id: String) -> impl IntoView {
    let page = RwSignal::new(1i64);
    let id = StoredValue::new(id);
    let history = Resource::new(
        move || page.get(),
        move |p| provisioning_history(id.get_value(), p),
    );
    view! {
        <section class="mt-6" aria-labelledby="history-title">
            <h2 id="history-title" class="mb-3 font-semibold">"Provisioning history"</h2>
            <Transition fallback=|| view! { <TableLoading what="provisioning history"/> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(p) if p.total == 0 => view! { <p class="card text-sm text-slate-600" data-testid="no-history">"No provisioning request has touched this account."</p> }.into_any(),
                        Ok(p) => view! { <ActivityTable page=p on_page=Callback::new(move |n| page.set(n))/> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Transition>
        </section>
    }
}
