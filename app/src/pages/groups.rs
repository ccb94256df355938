//! Security Groups: the tenant's groups with their members (guide: "Verify Group in Cantara").

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::directory::{get_group, list_groups};
use crate::components::empty_state::EmptyState;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::domain::account::AccountSource;
use crate::pages::users::source_badge;

#[component]
pub fn SecurityGroupsPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let groups = Resource::new(
        move || (search.get(), page.get()),
        |(s, p)| list_groups(s, p),
    );
    view! {
        <PageHeader
            title="Security Groups"
            description="Groups of this tenant and their members. Groups provisioned from Entra ID keep the memberships configured there."
        />
        <div class="mb-3">
            <label for="group-search" class="sr-only">"Search groups"</label>
            <input id="group-search" type="search" class="input sm:max-w-sm" placeholder="Search groups"
                on:change=move |ev| { search.set(event_target_value(&ev)); page.set(1); }/>
        </div>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading groups…"</p> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(p) if p.total == 0 && search.get_untracked().is_empty() => view! {
                        <EmptyState
                            title="No security groups yet"
                            body="Assign a group to the provisioning application in Entra and start provisioning; the group appears here with its members."
                        >
                            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => {
                        let (range, total, has_next) = (p.range(), p.total, p.has_next());
                        view! {
                            <div class="card overflow-x-auto p-0">
                                <table class="min-w-full text-left text-sm" data-testid="groups-table">
                                    <thead class="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">"Name"</th>
                                            <th scope="col" class="px-4 py-3">"Source"</th>
                                            <th scope="col" class="px-4 py-3">"Members"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {p.items.into_iter().map(|g| {
                                            let (row_name, href) = (g.name.clone(), format!("/security-groups/{}", g.id));
                                            view! {
                                            <tr data-testid="group-row" data-group-name=row_name>
                                                <td class="px-4 py-3"><A href=href attr:class="font-medium text-indigo-700 hover:underline">{g.name}</A></td>
                                                <td class="px-4 py-3">{source_badge(g.source)}</td>
                                                <td class="px-4 py-3" data-testid="member-count">{g.members}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager range=range total=total has_next=has_next page=page/>
                        }.into_any()
                    }
                    Err(e) => view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/security-groups/{id}`: the group and its members.
#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_group,
    );
    view! {
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let scim = d.group.source == AccountSource::Scim;
                        view! {
                            <PageHeader title=d.group.name.clone() description=format!("{} members", d.group.members)>
                                <A href="/security-groups" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Security Groups"</A>
                            </PageHeader>
                            {scim.then(|| view! {
                                <p class="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900 ring-1 ring-inset ring-sky-200" role="note">
                                    "Managed by SCIM — change it in your identity provider."
                                </p>
                            })}
                            <ul class="card divide-y divide-slate-100 p-0" data-testid="group-members">
                                {d.members.into_iter().map(|m| view! {
                                    <li class="px-4 py-3 text-sm">
                                        {match m.username {
                                            Some(u) => view! { <span class="font-medium">{u}</span>" " <span class="text-slate-500">{m.display_name.unwrap_or_default()}</span> }.into_any(),
                                            None => view! { <span class="text-slate-500">{format!("{} (not a user of this tenant)", m.id)}</span> }.into_any(),
                                        }}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(e) => view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
