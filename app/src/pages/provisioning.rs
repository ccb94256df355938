//! Provisioning: what Entra's provisioning service sent to this tenant and how it went, so an
//! admin can see failures without reading server logs.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::provisioning::{get_provisioning_summary, list_provisioning_activity};
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::domain::time::format_utc;

#[component]
pub fn ProvisioningPage() -> impl IntoView {
    let failures_only = RwSignal::new(false);
    let refresh = RwSignal::new(0u32);
    let summary = Resource::new(move || refresh.get(), |_| get_provisioning_summary());
    let events = Resource::new(
        move || (failures_only.get(), refresh.get()),
        |(f, _)| list_provisioning_activity(f, 200),
    );
    view! {
        <PageHeader title="Provisioning" description="Requests from your identity provider's provisioning service to this tenant's SCIM Tenant URL, newest first.">
            <button type="button" class="btn-secondary px-4 py-2 text-sm" on:click=move |_| refresh.update(|r| *r += 1)>"Refresh"</button>
        </PageHeader>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                summary.await.ok().map(|s| view! {
                    <dl class="mb-6 grid gap-4 sm:grid-cols-3" data-testid="provisioning-summary">
                        <div class="card"><dt class="text-xs uppercase text-slate-500">"Last call"</dt>
                            <dd class="mt-1 font-semibold">{s.last_call_at.map(format_utc).unwrap_or_else(|| "Never".into())}</dd></div>
                        <div class="card"><dt class="text-xs uppercase text-slate-500">"Provisioned users"</dt><dd class="mt-1 font-semibold">{s.users}</dd></div>
                        <div class="card"><dt class="text-xs uppercase text-slate-500">"Provisioned groups"</dt><dd class="mt-1 font-semibold">{s.groups}</dd></div>
                    </dl>
                })
            })}
        </Transition>
        <div class="mb-3 flex items-center gap-2">
            <input id="failures-only" type="checkbox" class="h-4 w-4" on:change=move |ev| failures_only.set(event_target_checked(&ev))/>
            <label for="failures-only" class="text-sm">"Failures only"</label>
        </div>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading activity…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No provisioning requests yet"
                            body="Once Entra's provisioning connects with this tenant's SCIM Tenant URL and a token, every request appears here.">
                            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="card overflow-x-auto p-0">
                            <table class="min-w-full text-left text-sm" data-testid="activity-table">
                                <thead class="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                                    <tr>
                                        <th scope="col" class="px-4 py-3">"Time"</th>
                                        <th scope="col" class="px-4 py-3">"Operation"</th>
                                        <th scope="col" class="px-4 py-3">"Resource"</th>
                                        <th scope="col" class="px-4 py-3">"Result"</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|e| {
                                        let ok = e.status < 400;
                                        view! {
                                            <tr data-testid="activity-row">
                                                <td class="px-4 py-3 whitespace-nowrap">{format_utc(e.at)}</td>
                                                <td class="px-4 py-3 font-mono text-xs">{format!("{} {}", e.method, e.path)}</td>
                                                <td class="px-4 py-3 font-mono text-xs">{e.resource_id.unwrap_or_default()}</td>
                                                <td class="px-4 py-3">
                                                    {if ok { view! { <Badge text=e.status.to_string() tone=Tone::Success/> } } else { view! { <Badge text=e.status.to_string() tone=Tone::Warning/> } }}
                                                    {e.detail.map(|d| view! { <p class="mt-1 max-w-md text-xs text-red-800">{d}</p> })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}
