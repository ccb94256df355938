//! Security Groups: the tenant's groups with their members (guide: "Verify Group in Cantara").
//! SCIM groups are read-only; local groups can be created, their members added and removed.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::directory::{
    get_group, list_groups, AddGroupMember, CreateLocalGroup, DeleteGroup, RemoveGroupMember,
};
use crate::api::security_topics::{
    get_group_topics, list_security_topics, AssignSecurityTopic, RemoveSecurityTopic,
};
use crate::components::access::{can, error_view};
use crate::components::dialog::Dialog;
use crate::components::empty_state::EmptyState;
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::components::pager::Pager;
use crate::components::table::{DataTable, NoMatch, TableLoading};
use crate::components::toast::{use_toast, ToastMessage};
use crate::components::url_state::{debounced, use_url_state};
use crate::domain::account::AccountSource;
use crate::domain::directory::GroupDetail;
use crate::domain::permission::Permission;
use crate::pages::users::source_badge;

#[component]
pub fn SecurityGroupsPage() -> impl IntoView {
    let may_manage = can(Permission::Users);
    let url = use_url_state();
    let groups = Resource::new(
        move || (url.get("q"), url.page()),
        |(s, p)| list_groups(s, p),
    );
    let search_input = NodeRef::<leptos::html::Input>::new();
    let clear = Callback::new(move |_| {
        if let Some(input) = search_input.get_untracked() {
            input.set_value("");
        }
        url.set(&[("q", String::new())]);
    });
    let search = debounced(250, move |q: String| url.set(&[("q", q.trim().to_owned())]));
    view! {
        <PageHeader
            title="Security Groups"
            description="Groups of this tenant and their members. Groups provisioned from Entra ID keep the memberships configured there."
        >
            <Show when=move || may_manage>
                <NewGroupButton/>
            </Show>
        </PageHeader>
        <div class="mb-3" role="search">
            <label for="group-search" class="sr-only">"Search groups"</label>
            <input id="group-search" type="search" class="input sm:max-w-sm" placeholder="Search groups" autocomplete="off"
                node_ref=search_input value=url.get("q") on:input=move |ev| search(event_target_value(&ev))/>
        </div>
        <Transition fallback=|| view! { <TableLoading what="groups"/> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(p) if p.total == 0 && url.get("q").is_empty() => view! {
                        <EmptyState
                            title="No security groups yet"
                            body="Assign a group to the provisioning application in Entra and start provisioning; the group appears here with its members."
                        >
                            <A href="/tenants" attr:class="btn-primary">"Open Tenants"</A>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) if p.total == 0 => view! { <NoMatch what="groups" on_clear=clear/> }.into_any(),
                    Ok(p) => {
                        let info = p.info();
                        view! {
                            <DataTable label="Security Groups" testid="groups-table" headers=&["Name", "Source", "Members"]>
                                {p.items.into_iter().map(|g| {
                                    let (row_name, href) = (g.name.clone(), format!("/security-groups/{}", g.id));
                                    view! {
                                        <tr data-testid="group-row" data-group-name=row_name>
                                            <td data-label="Name"><A href=href attr:class="font-medium text-indigo-700 hover:underline">{g.name}</A></td>
                                            <td data-label="Source">{source_badge(g.source)}</td>
                                            <td data-label="Members" data-testid="member-count">{g.members}</td>
                                        </tr>
                                    }
                                }).collect_view()}
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

/// `+ Add local group`: asks for a name, creates the group and opens it.
#[component]
fn NewGroupButton() -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let create = ServerAction::<CreateLocalGroup>::new();
    let (open, set_open) = signal(false);
    let name = RwSignal::new(String::new());
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            toast.set(Some(Ok(format!("Group {} created.", name.get_untracked()))));
            navigate(&format!("/security-groups/{id}"), Default::default());
        }
    });
    view! {
        <button type="button" class="btn-primary" disabled=move || !hydrated.get() on:click=move |_| set_open.set(true)>"+ Add local group"</button>
        <Dialog open=open title="Add local group" confirm="Create group" cancel="Cancel"
            on_confirm=Callback::new(move |_| { create.dispatch(CreateLocalGroup { name: name.get_untracked() }); })
            on_cancel=Callback::new(move |_| set_open.set(false))>
            <label for="new-group-name" class="block text-sm font-medium text-slate-800">"Group name"</label>
            <input id="new-group-name" class="input mt-1" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> })}
        </Dialog>
    }
}

/// `/security-groups/{id}`: the group and its members (paginated, linking to users).
#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let toast = use_toast();
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                page.get(),
                version.get(),
            )
        },
        |(id, page, _)| get_group(id, page),
    );
    view! {
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <GroupView detail=d page=page version=version toast=toast/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn GroupView(
    detail: GroupDetail,
    page: RwSignal<i64>,
    version: RwSignal<u32>,
    toast: RwSignal<ToastMessage>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let d = detail;
    // SCIM groups are read-only whatever one holds; local ones need User Administration.
    let scim = d.group.source == AccountSource::Scim || !can(Permission::Users);
    let group_id = StoredValue::new(d.group.id.clone());
    let add = ServerAction::<AddGroupMember>::new();
    let remove = ServerAction::<RemoveGroupMember>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let new_member = RwSignal::new(String::new());
    let (confirm_delete, set_confirm_delete) = signal(false);
    let group_name = StoredValue::new(d.group.name.clone());
    Effect::new(move |_| match add.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok("Member added.".into())));
            new_member.set(String::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok("Member removed.".into())));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok(format!(
                "Group {} deleted.",
                group_name.get_value()
            ))));
            navigate("/security-groups", Default::default());
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    let info = d.members.info();
    view! {
        <PageHeader title=d.group.name.clone() description=format!("{} members", d.group.members)>
            <A href="/security-groups" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Security Groups"</A>
            {(!scim).then(|| view! {
                <button type="button" class="btn-secondary px-4 py-2 text-sm text-red-700" disabled=move || !hydrated.get()
                    on:click=move |_| set_confirm_delete.set(true)>"Delete group"</button>
            })}
        </PageHeader>
        <div class="mb-4 flex items-center gap-2">{source_badge(d.group.source)}</div>
        <GroupTopics group_id=d.group.id.clone() version=version toast=toast/>
        {(d.group.source == AccountSource::Scim).then(|| view! {
            <p class="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900 ring-1 ring-inset ring-sky-200" role="note">
                "Managed by SCIM — change it in your identity provider."
            </p>
        })}
        {(!scim).then(|| view! {
            <form class="mb-4 flex flex-col gap-2 sm:flex-row" on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(AddGroupMember { group_id: group_id.get_value(), username: new_member.get_untracked() });
            }>
                <label for="add-member" class="sr-only">"Username to add"</label>
                <input id="add-member" class="input sm:max-w-sm" placeholder="Username to add" required
                    prop:value=move || new_member.get() on:input=move |ev| new_member.set(event_target_value(&ev))/>
                <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || add.pending().get()>"Add member"</button>
            </form>
        })}
        {if d.members.items.is_empty() {
            view! { <p class="card text-sm text-slate-600" data-testid="group-members">"No members yet."</p> }.into_any()
        } else {
            view! {
                <ul class="card divide-y divide-slate-100 p-0" data-testid="group-members">
                    {d.members.items.into_iter().map(|m| {
                        let account = m.id.clone();
                        let remove_label = format!("Remove {} from {}", m.username.clone().unwrap_or_else(|| m.id.clone()), group_name.get_value());
                        view! {
                            <li class="flex items-center gap-3 px-4 py-3 text-sm">
                                {match m.username {
                                    Some(u) => view! {
                                        <A href=format!("/users/{}", m.id) attr:class="font-medium text-indigo-700 hover:underline">{u}</A>
                                        <span class="text-slate-500">{m.display_name.unwrap_or_default()}</span>
                                    }.into_any(),
                                    None => view! { <span class="text-slate-500">{format!("{} (not a user of this tenant)", m.id)}</span> }.into_any(),
                                }}
                                {(!scim).then(|| view! {
                                    <button type="button" class="btn-secondary ml-auto px-3 py-1 text-xs" disabled=move || !hydrated.get() aria-label=remove_label.clone()
                                        on:click=move |_| { remove.dispatch(RemoveGroupMember { group_id: group_id.get_value(), account_id: account.clone() }); }>"Remove"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Pager info=info on_page=Callback::new(move |n| page.set(n))/>
            }.into_any()
        }}
        <Dialog open=confirm_delete title=format!("Delete the group {}?", group_name.get_value()) confirm="Delete" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| { delete.dispatch(DeleteGroup { id: group_id.get_value() }); set_confirm_delete.set(false); })
            on_cancel=Callback::new(move |_| set_confirm_delete.set(false))>
            <p>"The group and its memberships are removed. The users stay."</p>
        </Dialog>
    }
}

/// The Security Topics a group holds; holders of Security Topic Administration assign and
/// remove them here.
#[component]
fn GroupTopics(
    group_id: String,
    version: RwSignal<u32>,
    toast: RwSignal<ToastMessage>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let may_assign = can(Permission::SecurityTopics);
    let group = StoredValue::new(group_id);
    let topics = Resource::new(
        move || (group.get_value(), version.get()),
        |(id, _)| get_group_topics(id),
    );
    let assign = ServerAction::<AssignSecurityTopic>::new();
    let remove = ServerAction::<RemoveSecurityTopic>::new();
    let choice = RwSignal::new(String::new());
    for (action, done) in [
        (assign.value(), "Security Topic assigned."),
        (remove.value(), "Security Topic removed."),
    ] {
        Effect::new(move |_| match action.get() {
            Some(Ok(())) => {
                toast.set(Some(Ok(done.into())));
                version.update(|v| *v += 1);
            }
            Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
            None => {}
        });
    }
    view! {
        <section class="card mb-4" aria-labelledby="group-topics-title" data-testid="group-topics">
            <h2 id="group-topics-title" class="font-semibold">"Security Topics"</h2>
            <p class="mt-1 text-sm text-slate-600">"Every member of this group holds the permissions of these topics."</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match topics.await {
                        Ok(list) if list.is_empty() => view! { <p class="mt-3 text-sm text-slate-600">"No Security Topic yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-3 flex flex-wrap gap-2">
                                {list.into_iter().map(|t| {
                                    let topic_id = t.id.clone();
                                    let label = format!("Remove {} from this group", t.name);
                                    view! {
                                        <li class="inline-flex items-center gap-2 rounded-md bg-indigo-50 px-2 py-1 text-sm text-indigo-900 ring-1 ring-inset ring-indigo-200">
                                            <span>{t.name}</span>
                                            <Show when=move || may_assign>
                                                <button type="button" class="font-semibold text-indigo-700" aria-label=label.clone()
                                                    disabled=move || !hydrated.get()
                                                    on:click={
                                                        let topic_id = topic_id.clone();
                                                        move |_| { remove.dispatch(RemoveSecurityTopic { topic_id: topic_id.clone(), group_id: group.get_value() }); }
                                                    }>"×"</button>
                                            </Show>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Transition>
            <Show when=move || may_assign>
                <TopicChooser choice=choice on_assign=Callback::new(move |topic_id: String| {
                    assign.dispatch(AssignSecurityTopic { topic_id, group_id: Some(group.get_value()), group_name: None });
                })/>
            </Show>
        </section>
    }
}

#[component]
fn TopicChooser(choice: RwSignal<String>, on_assign: Callback<String>) -> impl IntoView {
    let hydrated = use_hydrated();
    let all = Resource::new(|| (), |_| list_security_topics());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                all.await.ok().map(|list| view! {
                    <form class="mt-3 flex flex-col gap-2 sm:flex-row" on:submit=move |ev| {
                        ev.prevent_default();
                        let c = choice.get_untracked();
                        if !c.is_empty() { on_assign.run(c); }
                    }>
                        <label for="assign-topic" class="sr-only">"Security Topic to assign"</label>
                        <select id="assign-topic" class="input sm:max-w-sm" on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"Choose a Security Topic…"</option>
                            {list.into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="btn-primary" disabled=move || !hydrated.get()>"Assign topic"</button>
                    </form>
                })
            })}
        </Transition>
    }
}
