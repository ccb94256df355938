//! Security Topics (guide: "Setting Up User Permissions"): the tenant's topics with their
//! permissions and the groups holding each, a topic's page to assign and remove groups, custom
//! topics, and the security audit trail.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::security_topics::{
    get_security_topic, list_security_audit, list_security_topics, AssignSecurityTopic,
    CreateSecurityTopic, DeleteSecurityTopic, RemoveSecurityTopic, UpdateSecurityTopic,
};
use crate::components::access::{can, denied_unless, error_view};
use crate::components::badge::{Badge, Tone};
use crate::components::dialog::Dialog;
use crate::components::field::BoundField;
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::components::toast::{use_toast, ToastMessage};
use crate::domain::error::AppError;
use crate::domain::permission::{Permission, PermissionSet};
use crate::domain::security_topic::{SecurityAuditEntry, TopicForm, TopicSummary};
use crate::domain::time::format_utc;

fn permission_list(set: PermissionSet) -> impl IntoView {
    view! {
        <ul class="space-y-1 text-sm text-slate-700" data-testid="topic-permissions">
            {set.iter().map(|p| view! {
                <li class="flex items-start gap-2">
                    <span class="mt-1.5 h-1.5 w-1.5 shrink-0 rounded-full bg-indigo-500" aria-hidden="true"></span>
                    <span>{p.label()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn SecurityTopicsPage() -> impl IntoView {
    let topics = Resource::new(|| (), |_| list_security_topics());
    let may_audit = can(Permission::Audit);
    view! {
        <PageHeader
            title="Security Topics"
            description="A Security Topic is a set of permissions. People hold the topics assigned to the groups they belong to — the security groups Entra ID provisions, or local groups."
        >
            <A href="/security-topics/new" attr:class="btn-primary">"+ Add custom topic"</A>
        </PageHeader>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading topics…"</p> }>
            {move || Suspend::new(async move {
                match topics.await {
                    Ok(list) => view! {
                        <ul class="grid gap-4 md:grid-cols-2" data-testid="topic-list">
                            {list.into_iter().map(|t| view! { <TopicCard topic=t/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
        <Show when=move || may_audit>
            <SecurityAudit/>
        </Show>
    }
}

#[component]
fn TopicCard(topic: TopicSummary) -> impl IntoView {
    let href = format!("/security-topics/{}", topic.id);
    let name = topic.name.clone();
    view! {
        <li class="card flex flex-col gap-3" data-testid="topic-card" data-topic-name=name>
            <div class="flex flex-wrap items-center gap-2">
                <h2 class="text-base font-semibold">
                    <A href=href attr:class="text-indigo-700 hover:underline">{topic.name}</A>
                </h2>
                {if topic.builtin {
                    view! { <Badge text="Built-in" tone=Tone::Neutral/> }.into_any()
                } else {
                    view! { <Badge text="Custom" tone=Tone::Info/> }.into_any()
                }}
            </div>
            <p class="text-sm text-slate-600">{topic.description}</p>
            {permission_list(topic.permissions)}
            <div class="text-sm" data-testid="topic-groups">
                <span class="font-medium text-slate-700">"Held by: "</span>
                {if topic.groups.is_empty() {
                    view! { <span class="text-slate-500">"no group yet"</span> }.into_any()
                } else {
                    topic.groups.into_iter().enumerate().map(|(i, g)| view! {
                        {(i > 0).then_some(", ")}
                        <A href=format!("/security-groups/{}", g.id) attr:class="text-indigo-700 hover:underline">{g.name}</A>
                    }).collect_view().into_any()
                }}
            </div>
        </li>
    }
}

/// The security audit trail: topic changes and assignments, refusals, sign-ins.
#[component]
fn SecurityAudit() -> impl IntoView {
    let entries = Resource::new(|| (), |_| list_security_audit());
    view! {
        <section class="card mt-6" aria-labelledby="security-audit-title">
            <h2 id="security-audit-title" class="font-semibold">"Security audit"</h2>
            <p class="mt-1 text-sm text-slate-600">"Who changed which topic or assignment, who was refused what, and who signed in. Repeated refusals are counted on one line."</p>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => view! { <p class="mt-3 text-sm text-slate-600">"Nothing recorded yet."</p> }.into_any(),
                        Ok(list) => view! { <AuditRows entries=list/> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditRows(entries: Vec<SecurityAuditEntry>) -> impl IntoView {
    view! {
        <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="security-audit">
            {entries.into_iter().map(|e| view! {
                <li class="flex flex-col gap-1 py-2 sm:flex-row sm:items-baseline sm:gap-3">
                    <span class="shrink-0 text-xs text-slate-500 sm:w-40">{format_utc(e.at)}</span>
                    <span class="font-medium">{e.action}</span>
                    <span class="min-w-0 break-words text-slate-700">{e.detail}</span>
                    <span class="text-slate-500 sm:ml-auto">
                        {format!("by {}", e.actor)}
                        {(e.repeats > 1).then(|| format!(" · {} times, last {}", e.repeats, format_utc(e.last_at)))}
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// `/security-topics/new` and `/security-topics/{id}`.
#[component]
pub fn SecurityTopicPage() -> impl IntoView {
    let params = use_params_map();
    let version = RwSignal::new(0u32);
    let toast = use_toast();
    let id = move || params.read().get("id").unwrap_or_default();
    let topic = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            if id == "new" {
                Ok(None)
            } else {
                get_security_topic(id).await.map(Some)
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match topic.await {
                    Ok(Some(t)) => view! { <TopicView topic=t version=version toast=toast/> }.into_any(),
                    Ok(None) => denied_unless(Permission::SecurityTopics)
                        .unwrap_or_else(|| view! { <NewTopic/> }.into_any()),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn NewTopic() -> impl IntoView {
    let navigate = use_navigate();
    let create = ServerAction::<CreateSecurityTopic>::new();
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            toast.set(Some(Ok("Topic created.".into())));
            navigate(&format!("/security-topics/{id}"), Default::default());
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <PageHeader title="Add custom topic" description="A name, a description and the permissions it grants. You can only grant permissions you hold yourself.">
            <A href="/security-topics" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Security Topics"</A>
        </PageHeader>
        <TopicEditor initial=TopicForm::default() submit="Create topic" error=error pending=create.pending().into()
            on_submit=Callback::new(move |form| { create.dispatch(CreateSecurityTopic { form }); })/>
    }
}

/// The fields of a custom topic; every error next to its field.
#[component]
fn TopicEditor(
    initial: TopicForm,
    submit: &'static str,
    error: Signal<Option<AppError>>,
    pending: Signal<bool>,
    on_submit: Callback<TopicForm>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let name = RwSignal::new(initial.name);
    let description = RwSignal::new(initial.description);
    let chosen = RwSignal::new(initial.permissions.into_iter().collect::<PermissionSet>());
    let permissions_error = move || error.get().and_then(|e| e.message_for("permissions"));
    let other_error = move || {
        error.get().filter(|e| {
            !matches!(e, AppError::InvalidForm(_)) && e.field().is_none_or(str::is_empty)
        })
    };
    view! {
        <form class="card space-y-4" on:submit=move |ev| {
            ev.prevent_default();
            on_submit.run(TopicForm {
                name: name.get_untracked(),
                description: description.get_untracked(),
                permissions: chosen.get_untracked().iter().collect(),
            });
        }>
            <BoundField name="name" label="Name" value=name required=true error=error/>
            <BoundField name="description" label="Description" value=description error=error/>
            <fieldset aria-describedby="field-permissions-error">
                <legend class="text-sm font-medium text-slate-800">"Permissions"</legend>
                <div class="mt-2 space-y-2">
                    {Permission::ALL.into_iter().map(|p| {
                        let id = format!("permission-{}", p.slug());
                        view! {
                            <div class="flex items-start gap-3">
                                <input id=id.clone() type="checkbox" class="mt-1 h-4 w-4 rounded border-slate-300 text-indigo-600"
                                    prop:checked=move || chosen.get().contains(p)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|set| {
                                            *set = if on { set.union(PermissionSet::only(p)) } else { set.iter().filter(|q| *q != p).collect() };
                                        });
                                    }/>
                                <label for=id class="text-sm text-slate-800">{p.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
                {move || permissions_error().map(|m| view! { <p id="field-permissions-error" class="mt-1 text-sm text-red-700">{m}</p> })}
            </fieldset>
            {move || other_error().map(|e| view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> })}
            <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || pending.get()>{submit}</button>
        </form>
    }
}

#[component]
fn TopicView(
    topic: TopicSummary,
    version: RwSignal<u32>,
    toast: RwSignal<ToastMessage>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let topic_id = StoredValue::new(topic.id.clone());
    let topic_name = StoredValue::new(topic.name.clone());
    let assign = ServerAction::<AssignSecurityTopic>::new();
    let remove = ServerAction::<RemoveSecurityTopic>::new();
    let update = ServerAction::<UpdateSecurityTopic>::new();
    let delete = ServerAction::<DeleteSecurityTopic>::new();
    let (assign_open, set_assign_open) = signal(false);
    let (confirm_delete, set_confirm_delete) = signal(false);
    let group_name = RwSignal::new(String::new());
    Effect::new(move |_| match assign.value().get() {
        Some(Ok(())) => {
            set_assign_open.set(false);
            group_name.set(String::new());
            toast.set(Some(Ok("Group assigned.".into())));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok("Group removed from the topic.".into())));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match update.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok("Topic saved.".into())));
            version.update(|v| *v += 1);
        }
        Some(Err(AppError::InvalidForm(_))) | None => {}
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok(format!(
                "Topic {} deleted.",
                topic_name.get_value()
            ))));
            navigate("/security-topics", Default::default());
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    let assign_error = move || assign.value().get().and_then(Result::err);
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let form = TopicForm {
        name: topic.name.clone(),
        description: topic.description.clone(),
        permissions: topic.permissions.iter().collect(),
    };
    view! {
        <PageHeader title=topic.name.clone() description=topic.description.clone()>
            <A href="/security-topics" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Security Topics"</A>
            {(!topic.builtin).then(|| view! {
                <button type="button" class="btn-secondary px-4 py-2 text-sm text-red-700" disabled=move || !hydrated.get()
                    on:click=move |_| set_confirm_delete.set(true)>"Delete topic"</button>
            })}
        </PageHeader>
        <div class="mb-4 flex items-center gap-2">
            {if topic.builtin {
                view! { <Badge text="Built-in" tone=Tone::Neutral/> <span class="text-sm text-slate-600">"Built-in topics cannot be changed or deleted."</span> }.into_any()
            } else {
                view! { <Badge text="Custom" tone=Tone::Info/> }.into_any()
            }}
        </div>
        <div class="grid gap-4 lg:grid-cols-2">
            <section class="card" aria-labelledby="topic-permissions-title">
                <h2 id="topic-permissions-title" class="mb-3 font-semibold">"Permissions"</h2>
                {permission_list(topic.permissions)}
            </section>
            <section class="card" aria-labelledby="topic-groups-title">
                <div class="mb-3 flex items-center gap-2">
                    <h2 id="topic-groups-title" class="font-semibold">"Groups"</h2>
                    <button type="button" class="btn-primary ml-auto px-3 py-1.5 text-sm" disabled=move || !hydrated.get()
                        on:click=move |_| set_assign_open.set(true)>"+ Assign group"</button>
                </div>
                {if topic.groups.is_empty() {
                    view! { <p class="text-sm text-slate-600" data-testid="topic-group-list">"No group holds this topic yet. Everyone in a group you assign gets its permissions at their next request."</p> }.into_any()
                } else {
                    view! {
                        <ul class="divide-y divide-slate-100" data-testid="topic-group-list">
                            {topic.groups.iter().cloned().map(|g| {
                                let group_id = g.id.clone();
                                let label = format!("Remove {} from this topic", g.name);
                                view! {
                                    <li class="flex items-center gap-3 py-2 text-sm">
                                        <A href=format!("/security-groups/{}", g.id) attr:class="font-medium text-indigo-700 hover:underline">{g.name}</A>
                                        <button type="button" class="btn-secondary ml-auto px-3 py-1 text-xs" aria-label=label
                                            disabled=move || !hydrated.get() || remove.pending().get()
                                            on:click=move |_| { remove.dispatch(RemoveSecurityTopic { topic_id: topic_id.get_value(), group_id: group_id.clone() }); }>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
        {(!topic.builtin).then(|| view! {
            <section class="mt-6" aria-labelledby="edit-topic-title">
                <h2 id="edit-topic-title" class="mb-3 font-semibold">"Edit topic"</h2>
                <TopicEditor initial=form submit="Save topic" error=update_error pending=update.pending().into()
                    on_submit=Callback::new(move |form| { update.dispatch(UpdateSecurityTopic { id: topic_id.get_value(), form }); })/>
            </section>
        })}
        <Dialog open=assign_open title=format!("Assign a group to {}", topic_name.get_value()) confirm="Assign" cancel="Cancel"
            on_confirm=Callback::new(move |_| {
                assign.dispatch(AssignSecurityTopic { topic_id: topic_id.get_value(), group_id: None, group_name: Some(group_name.get_untracked()) });
            })
            on_cancel=Callback::new(move |_| set_assign_open.set(false))>
            <label for="assign-group-name" class="block text-sm font-medium text-slate-800">"Group name"</label>
            <input id="assign-group-name" class="input mt-1" aria-describedby="assign-group-help"
                prop:value=move || group_name.get() on:input=move |ev| group_name.set(event_target_value(&ev))/>
            <p id="assign-group-help" class="mt-1 text-xs text-slate-500">"The name of a security group of this tenant, as on the Security Groups page."</p>
            {move || assign_error().map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> })}
        </Dialog>
        <Dialog open=confirm_delete title=format!("Delete the topic {}?", topic_name.get_value()) confirm="Delete" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| { delete.dispatch(DeleteSecurityTopic { id: topic_id.get_value() }); set_confirm_delete.set(false); })
            on_cancel=Callback::new(move |_| set_confirm_delete.set(false))>
            <p>"The topic is removed from every group that holds it; their members lose its permissions at once."</p>
        </Dialog>
    }
}
