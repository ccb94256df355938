//! `/users/{id}`: one user — every attribute Entra sent (the guide's mapping first), groups and
//! times. SCIM accounts are read-only with the badge saying where to change them; local accounts
//! can be edited, deactivated and deleted. `/users/new` creates a local account.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::directory::{
    get_user, CreateLocalUser, DeleteUser, SetUserActive, UpdateLocalUser,
};
use crate::api::security_topics::get_user_permissions;
use crate::components::access::{can, use_grants};
use crate::components::badge::{Badge, Tone};
use crate::components::dialog::Dialog;
use crate::components::field::{BoundField, Switch};
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::components::toast::{use_toast, ToastMessage};
use crate::domain::account::AccountSource;
use crate::domain::directory::{LocalUserForm, UserDetail};
use crate::domain::error::AppError;
use crate::domain::permission::Permission;
use crate::domain::time::format_utc;
use crate::pages::provisioning::ResourceHistory;
use crate::pages::users::{source_badge, status_badge};

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let toast = use_toast();
    let user = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            if id == "new" {
                Ok(None)
            } else {
                get_user(id).await.map(Some)
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading user…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(detail)) => view! { <UserView detail=detail version=version toast=toast/> }.into_any(),
                    Ok(None) => crate::components::access::denied_unless(Permission::Users)
                        .unwrap_or_else(|| view! { <NewUser/> }.into_any()),
                    Err(e @ AppError::PermissionDenied { .. }) => crate::components::access::error_view(e),
                    Err(e) => view! {
                        <PageHeader title="User" description="This user does not exist in this tenant."/>
                        <p role="alert" class="text-sm text-red-700">{e.to_string()}</p>
                        <A href="/users" attr:class="btn-secondary mt-4 inline-flex px-4 py-2 text-sm">"Back to Users"</A>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn form_signals(
    f: &LocalUserForm,
) -> (
    RwSignal<String>,
    RwSignal<String>,
    RwSignal<String>,
    RwSignal<bool>,
) {
    (
        RwSignal::new(f.username.clone()),
        RwSignal::new(f.display_name.clone()),
        RwSignal::new(String::new()),
        RwSignal::new(f.is_admin),
    )
}

/// What the Administrator switch means (only Administrators see it).
const ADMIN_HELP: &str = "An Administrator holds every permission of this tenant, whatever its groups: a break-glass account. Administrators of the Default tenant are also the operators of every tenant.";

#[component]
fn NewUser() -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let (username, display_name, password, is_admin) = form_signals(&LocalUserForm::default());
    let grants = use_grants();
    let may_grant_admin = grants.is_admin || grants.is_operator;
    let create = ServerAction::<CreateLocalUser>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || create.value().get().and_then(Result::err));
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            toast.set(Some(Ok(format!(
                "User {} created.",
                username.get_untracked()
            ))));
            navigate(&format!("/users/{id}"), Default::default());
        }
    });
    view! {
        <PageHeader title="Add local user" description="A local account signs in with its username and password. People from your identity provider arrive by SCIM or at their first single sign-on instead."/>
        <form class="card max-w-2xl space-y-4" on:submit=move |ev| {
            ev.prevent_default();
            create.dispatch(CreateLocalUser { form: LocalUserForm {
                username: username.get_untracked(), display_name: display_name.get_untracked(),
                password: password.get_untracked(), is_admin: is_admin.get_untracked(),
            }});
        }>
            <BoundField name="username" label="Username" value=username required=true error=error/>
            <BoundField name="display_name" label="Display name" value=display_name error=error/>
            <BoundField name="password" label="Password" value=password input_type="password" required=true error=error help="At least 12 characters."/>
            <Show when=move || may_grant_admin>
                <Switch name="is_admin" label="Administrator" value=is_admin help=ADMIN_HELP/>
            </Show>
            {move || error.get().filter(|e| !matches!(e, AppError::InvalidForm(_))).map(|e| view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> })}
            <div class="flex gap-2">
                <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || create.pending().get()>"Create user"</button>
                <A href="/users" attr:class="btn-secondary px-4 py-2 text-sm">"Cancel"</A>
            </div>
        </form>
    }
}

#[component]
fn UserView(
    detail: UserDetail,
    version: RwSignal<u32>,
    toast: RwSignal<ToastMessage>,
) -> impl IntoView {
    let u = detail.user.clone();
    let scim = u.source == AccountSource::Scim;
    let may_manage = can(Permission::Users);
    let title = if u.display_name.is_empty() {
        u.username.clone()
    } else {
        u.display_name.clone()
    };
    view! {
        <PageHeader title=title description=format!("Username {} · created {} · last change {}", u.username, format_utc(detail.created_at), format_utc(u.updated_at))>
            <A href="/users" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Users"</A>
        </PageHeader>
        <div class="mb-4 flex flex-wrap items-center gap-2" data-testid="user-badges">
            {source_badge(u.source)}
            {status_badge(u.active, u.deleted_at)}
            {detail.is_admin.then(|| view! { <Badge text="Administrator" tone=Tone::Neutral/> })}
            {detail.sso_linked.then(|| view! { <Badge text="Single sign-on" tone=Tone::Info/> })}
        </div>
        {u.deleted_at.map(|at| view! {
            <p class="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200" data-testid="deleted-in-idp">
                {format!("Deleted in the identity provider on {}. The account is deactivated, its sessions ended and its group memberships removed; it is removed from Cantara after the retention period.", format_utc(at))}
            </p>
        })}
        {scim.then(|| view! {
            <p class="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900 ring-1 ring-inset ring-sky-200" data-testid="scim-read-only">
                <Badge text="Managed by SCIM — change it in your identity provider" tone=Tone::Info/>
                " Every field below comes from Microsoft Entra ID and is read-only in Cantara."
            </p>
        })}
        <div class="grid gap-4 lg:grid-cols-3">
            <section class="card lg:col-span-2" aria-labelledby="attributes-title">
                <h2 id="attributes-title" class="mb-3 font-semibold">"Attributes"</h2>
                {if detail.attributes.is_empty() {
                    view! { <p class="text-sm text-slate-600">"A local account: no attributes from an identity provider."</p> }.into_any()
                } else {
                    view! {
                        <dl class="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[minmax(8rem,18rem)_1fr]" data-testid="user-attributes">
                            {detail.attributes.into_iter().map(|(k, v)| view! {
                                <dt class="break-all font-mono text-xs text-slate-500 sm:pt-0.5">{k}</dt>
                                <dd class="break-all">{v}</dd>
                            }).collect_view()}
                        </dl>
                    }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="groups-title">
                <h2 id="groups-title" class="mb-3 font-semibold">"Security Groups"</h2>
                {if detail.groups.is_empty() {
                    view! { <p class="text-sm text-slate-600">"Not a member of any group."</p> }.into_any()
                } else {
                    view! {
                        <ul class="space-y-1 text-sm" data-testid="user-groups">
                            {detail.groups.into_iter().map(|g| view! {
                                <li><A href=format!("/security-groups/{}", g.id) attr:class="text-indigo-700 underline">{g.name}</A></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
        {detail.is_admin.then(|| view! {
            <p class="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200" role="note" data-testid="break-glass">
                {if detail.is_operator {
                    "A local Administrator of the Default tenant: a break-glass account that holds every permission of this tenant whatever its groups, and the operator — it sees every tenant on the Tenants page, creates tenants and enters them."
                } else {
                    "A local Administrator: a break-glass account that holds every permission of this tenant, whatever its groups."
                }}
            </p>
        })}
        <UserPermissions id=u.id.clone()/>
        // Only Entra provisions: a local or single sign-on account has no history to show.
        {(scim && can(Permission::Provisioning)).then(|| view! { <ResourceHistory id=u.id.clone()/> })}
        {(!scim && may_manage).then(|| view! { <LocalUserEditor detail=detail.user.clone() is_admin=detail.is_admin is_you=detail.is_you version=version toast=toast/> })}
    }
}

#[component]
fn LocalUserEditor(
    detail: crate::domain::directory::UserRow,
    is_admin: bool,
    is_you: bool,
    version: RwSignal<u32>,
    toast: RwSignal<ToastMessage>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let name = StoredValue::new(if detail.display_name.is_empty() {
        detail.username.clone()
    } else {
        detail.display_name.clone()
    });
    let id = StoredValue::new(detail.id.clone());
    let (username, display_name, password, admin) = form_signals(&LocalUserForm {
        username: detail.username.clone(),
        display_name: detail.display_name.clone(),
        password: String::new(),
        is_admin,
    });
    let update = ServerAction::<UpdateLocalUser>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || update.value().get().and_then(Result::err));
    let (confirm_deactivate, set_confirm_deactivate) = signal(false);
    let (confirm_delete, set_confirm_delete) = signal(false);
    Effect::new(move |_| match update.value().get() {
        Some(Ok(())) => {
            password.set(String::new());
            toast.set(Some(Ok(format!("{} saved.", name.get_value()))));
        }
        Some(Err(AppError::InvalidForm(_))) => {}
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match set_active.value().get() {
        Some(Ok(())) => {
            let now = if !detail.active {
                "reactivated"
            } else {
                "deactivated"
            };
            toast.set(Some(Ok(format!("{} {now}.", name.get_value()))));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast.set(Some(Ok(format!("{} deleted.", name.get_value()))));
            navigate("/users", Default::default());
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    let active = detail.active;
    let sso = detail.source == AccountSource::Sso;
    let grants = use_grants();
    let may_grant_admin = grants.is_admin || grants.is_operator;
    view! {
        <form class="card mt-4 max-w-2xl space-y-4" aria-labelledby="edit-title" on:submit=move |ev| {
            ev.prevent_default();
            update.dispatch(UpdateLocalUser { id: id.get_value(), form: LocalUserForm {
                username: username.get_untracked(), display_name: display_name.get_untracked(),
                password: password.get_untracked(), is_admin: admin.get_untracked(),
            }});
        }>
            <h2 id="edit-title" class="font-semibold">{if sso { "Single sign-on account" } else { "Local account" }}</h2>
            {if sso {
                view! { <p class="text-sm text-slate-600" data-testid="sso-account-note">"This account was created at its first single sign-on. It signs in only through the identity provider: it never has a local password, cannot be an Administrator, and its name comes from the provider. When Entra provisions the same person over SCIM, this account becomes theirs."</p> }.into_any()
            } else {
                view! {
                    <BoundField name="username" label="Username" value=username required=true error=error/>
                    <BoundField name="display_name" label="Display name" value=display_name error=error/>
                    <BoundField name="password" label="New password" value=password input_type="password" error=error help="Leave empty to keep the current password. Setting one signs the user out elsewhere."/>
                    <Show when=move || may_grant_admin>
                        <Switch name="is_admin" label="Administrator" value=admin help=ADMIN_HELP/>
                    </Show>
                }.into_any()
            }}
            {move || error.get().filter(|e| !matches!(e, AppError::InvalidForm(_))).map(|e| view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> })}
            <div class="flex flex-wrap gap-2">
                {(!sso).then(|| view! { <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || update.pending().get()>"Save user"</button> })}
                {if active {
                    view! { <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled=move || is_you || !hydrated.get()
                        aria-describedby=is_you.then_some("self-note")
                        on:click=move |_| set_confirm_deactivate.set(true)>"Deactivate"</button> }.into_any()
                } else {
                    view! { <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled=move || !hydrated.get()
                        on:click=move |_| { set_active.dispatch(SetUserActive { id: id.get_value(), active: true }); }>"Reactivate"</button> }.into_any()
                }}
                <button type="button" class="btn-secondary px-4 py-2 text-sm text-red-700" disabled=move || is_you || !hydrated.get()
                    aria-describedby=is_you.then_some("self-note")
                    on:click=move |_| set_confirm_delete.set(true)>"Delete"</button>
            </div>
            {is_you.then(|| view! {
                <p id="self-note" class="text-sm text-slate-600" data-testid="self-note">"This is your own account: another administrator can deactivate or delete it."</p>
            })}
        </form>
        <Dialog open=confirm_deactivate title=format!("Deactivate {}?", name.get_value()) confirm="Deactivate" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| { set_active.dispatch(SetUserActive { id: id.get_value(), active: false }); set_confirm_deactivate.set(false); })
            on_cancel=Callback::new(move |_| set_confirm_deactivate.set(false))>
            <p>"The user is signed out and cannot sign in until reactivated."</p>
        </Dialog>
        <Dialog open=confirm_delete title=format!("Delete {}?", name.get_value()) confirm="Delete" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| { delete.dispatch(DeleteUser { id: id.get_value() }); set_confirm_delete.set(false); })
            on_cancel=Callback::new(move |_| set_confirm_delete.set(false))>
            <p>"The account, its sessions and its group memberships are removed. This cannot be undone."</p>
        </Dialog>
    }
}

/// What the person may do in this tenant, and where each permission comes from.
#[component]
fn UserPermissions(id: String) -> impl IntoView {
    let permissions = Resource::new(move || id.clone(), get_user_permissions);
    view! {
        <section class="card mt-4" aria-labelledby="permissions-title">
            <h2 id="permissions-title" class="font-semibold">"Effective permissions"</h2>
            <p class="mt-1 text-sm text-slate-600">"The union of the Security Topics assigned to this person's groups."</p>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match permissions.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="mt-3 text-sm text-slate-700" data-testid="user-permissions">"No permission: none of this person's groups holds a Security Topic, so they have no access to the console yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="user-permissions">
                                {list.into_iter().map(|p| view! {
                                    <li class="flex flex-col gap-0.5 py-2 sm:flex-row sm:gap-3">
                                        <span class="font-medium sm:w-80">{p.permission.label()}</span>
                                        <span class="text-slate-600">{p.via.iter().map(|v| v.words()).collect::<Vec<_>>().join(", ")}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => crate::components::access::error_view(e),
                    }
                })}
            </Transition>
        </section>
    }
}
