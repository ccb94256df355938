//! Connect Microsoft Entra ID: the admin guide's three steps with this tenant's own values, each
//! with a status Cantara derives from what it has seen (a saved provider, its check and test
//! sign-in, Entra's Test Connection and first provisioning cycle), plus the attribute mapping and
//! identity binding checks. Step 3's progress updates by itself while Cantara waits for Entra.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::entra_setup::{get_entra_setup, get_provisioning_progress, SetClientSecretExpires};
use crate::api::provisioning::CreateProvisioningToken;
use crate::components::access::{can, error_view};
use crate::components::badge::{Badge, Tone};
use crate::components::binding_result::BindingResult;
use crate::components::copy_button::CopyButton;
use crate::components::field::BoundField;
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::components::toast::use_toast;
use crate::domain::attribute_check::AttributeCheck;
use crate::domain::entra_setup::{EntraSetup, ScimPhase, StepStatus, StepThree};
use crate::domain::permission::Permission;

/// How often Step 3's progress is asked for while it is not done.
const POLL_SECS: u64 = 3;

pub fn status_badge(status: StepStatus) -> impl IntoView {
    let tone = match status {
        StepStatus::NotStarted => Tone::Neutral,
        StepStatus::Waiting => Tone::Info,
        StepStatus::Done => Tone::Success,
        StepStatus::NeedsAttention => Tone::Warning,
    };
    view! { <Badge text=status.label() tone=tone/> }
}

#[component]
pub fn ConnectEntraPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let setup = Resource::new(move || refresh.get(), |_| get_entra_setup());
    // The token just generated lives here, above the part that is read again as Entra moves on,
    // so it stays shown (once) until the admin clicks Done.
    let create = ServerAction::<CreateProvisioningToken>::new();
    let secret = RwSignal::new(None::<String>);
    let toast = use_toast();
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => {
            toast.set(Some(Ok(
                "Token generated. Copy it now: it is shown only once.".into(),
            )));
            secret.set(Some(created.secret));
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    let token = NewTokenState { create, secret };
    view! {
        <PageHeader
            title="Connect Microsoft Entra ID"
            description="The guide's three steps with this tenant's own values. Each status comes from what Cantara has seen: your saved identity provider, its test sign-in, and the requests of Entra's provisioning service."
        />
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(s) => view! { <Assistant setup=s refresh=refresh token=token/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

/// Step 3's `Generate token` and the secret it returned (shown until Done).
#[derive(Clone, Copy)]
struct NewTokenState {
    create: ServerAction<CreateProvisioningToken>,
    secret: RwSignal<Option<String>>,
}

#[component]
fn Assistant(setup: EntraSetup, refresh: RwSignal<u32>, token: NewTokenState) -> impl IntoView {
    let overview = [
        (
            "Step 1",
            "Register an application",
            setup.step1.status,
            "step-1",
        ),
        (
            "Step 2",
            "Configure OAuth 2.0 in Cantara",
            setup.step2.status,
            "step-2",
        ),
        ("Step 3", "SCIM provisioning", setup.step3.status, "step-3"),
    ];
    view! {
        <ol class="mb-6 grid gap-3 sm:grid-cols-3" aria-label="Steps" data-testid="step-overview">
            {overview.into_iter().map(|(n, title, status, anchor)| view! {
                <li>
                    <a href=format!("#{anchor}") class="card flex items-center justify-between gap-2 py-3 hover:border-indigo-300" data-testid=format!("overview-{anchor}")>
                        <span class="min-w-0">
                            <span class="block text-xs font-semibold uppercase text-slate-600">{n}</span>
                            <span class="block text-sm font-medium">{title}</span>
                        </span>
                        {status_badge(status)}
                    </a>
                </li>
            }).collect_view()}
        </ol>
        <div class="space-y-6">
            <StepOneCard setup=setup.clone() refresh=refresh/>
            <StepTwoCard setup=setup.clone()/>
            <StepThreeCard setup=setup.clone() refresh=refresh token=token/>
            <AttributeCard check=setup.attributes.clone() provisioned=!matches!(setup.step3.phase, ScimPhase::NoToken | ScimPhase::WaitingForTestConnection | ScimPhase::WaitingForFirstCycle)/>
        </div>
    }
}

#[component]
fn StepCard(
    id: &'static str,
    title: &'static str,
    status: StepStatus,
    children: Children,
) -> impl IntoView {
    view! {
        <section id=id class="card scroll-mt-20" aria-labelledby=format!("{id}-title") data-testid=id data-status=status.label()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id=format!("{id}-title") class="font-semibold">{title}</h2>
                {status_badge(status)}
            </div>
            <div class="mt-3 space-y-3 text-sm">{children()}</div>
        </section>
    }
}

/// A value to paste into Entra, with its copy button.
#[component]
fn CopyValue(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div>
            <p class="text-xs font-medium uppercase text-slate-600">{label.clone()}</p>
            <div class="mt-1 flex items-center gap-2">
                <code class="min-w-0 flex-1 break-all rounded bg-slate-50 px-2 py-1 font-mono text-xs ring-1 ring-slate-200" data-testid=testid>{value.clone()}</code>
                <CopyButton value=value what=label/>
            </div>
        </div>
    }
}

#[component]
fn StepOneCard(setup: EntraSetup, refresh: RwSignal<u32>) -> impl IntoView {
    let step = setup.step1.clone();
    let save = ServerAction::<SetClientSecretExpires>::new();
    let expires = RwSignal::new(step.secret_expires.clone().unwrap_or_default());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toast.set(Some(Ok("Client secret expiry saved.".into())));
            refresh.update(|r| *r += 1);
        }
    });
    let hydrated = use_hydrated();
    let may_edit = can(Permission::IdentityProviders);
    // The classic AADSTS50011: the console is reached at another address than its public URL,
    // so the Redirect URI registered after what the browser shows differs from what Cantara sends.
    let reached_at = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    {
        let sent = setup.redirect_uri.clone();
        Effect::new(move |_| {
            if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
                if !sent.starts_with(&format!("{origin}/")) {
                    reached_at.set(Some(origin));
                }
            }
        });
    }
    let sent = setup.redirect_uri.clone();
    view! {
        <StepCard id="step-1" title="Step 1: Register an application in Microsoft Entra ID" status=step.status>
            <p>"In the Microsoft Entra admin center, open App registrations and click + New registration. On Register an application, enter:"</p>
            <dl class="grid gap-3 sm:grid-cols-[12rem_1fr]">
                <dt class="font-medium">"Name"</dt>
                <dd>"Any name your people recognise, for example “Cantara”. It can be changed later."</dd>
                <dt class="font-medium">"Supported account types"</dt>
                <dd>"“Accounts in this organizational directory only” (single tenant) for most organisations: the Issuer URI is then https://login.microsoftonline.com/{Directory (tenant) ID}/v2.0. Multitenant choices sign in people of other directories too; Cantara then needs their Directory (tenant) IDs as Allowed Tenant IDs."</dd>
                <dt class="font-medium">"Redirect URI"</dt>
                <dd><CopyValue label="Redirect URI" value=setup.redirect_uri.clone() testid="redirect-uri"/>
                    <p class="mt-1 text-xs text-slate-600">"Platform Web. It must match exactly, or Entra stops the sign-in with AADSTS50011."</p>
                    {move || reached_at.get().map(|origin| view! {
                        <p class="mt-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-amber-900" data-testid="origin-mismatch">
                            {format!("This browser reached the console at {origin}, but Cantara sends the Redirect URI {sent}. Register {sent} in Entra as shown; if people reach Cantara at {origin}, set CANTARA_PUBLIC_URL to it, or Entra answers AADSTS50011.")}
                        </p>
                    })}</dd>
            </dl>
            <p>"Then in Certificates & secrets, click + New client secret, choose when it expires, and click Add."</p>
            <p class="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900">
                <strong>"IMPORTANT: "</strong>"The client secret is displayed only once upon creation. Copy its Value now; you enter it as the Client Secret in Step 2."
            </p>
            {step.note.clone().map(|n| view! { <p class="text-amber-900" data-testid="step-1-note">{n}</p> })}
            <Show when=move || may_edit fallback=move || view! {
                <p class="text-slate-600">{format!("Client secret expires: {}", step.secret_expires.clone().unwrap_or_else(|| "not entered".into()))}</p>
            }>
                <form class="flex flex-col gap-2 sm:flex-row sm:items-end" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save.dispatch(SetClientSecretExpires { secret_expires: expires.get_untracked() });
                }>
                    <div class="sm:w-64">
                        <BoundField name="secret_expires" label="Client secret expires" input_type="date" value=expires error=error
                            help="The expiry you chose in Entra; Cantara reminds you before it."/>
                    </div>
                    <button type="submit" class="btn-secondary px-4 py-2 text-sm sm:mb-5" disabled=move || !hydrated.get() || save.pending().get()>"Save date"</button>
                </form>
            </Show>
        </StepCard>
    }
}

#[component]
fn StepTwoCard(setup: EntraSetup) -> impl IntoView {
    let step = setup.step2.clone();
    let query = use_query_map();
    let anchor = NodeRef::<leptos::html::Div>::new();
    // Back from a test sign-in started here: its result comes into view.
    Effect::new(move |_| {
        if let Some(el) = anchor.get() {
            if query.with_untracked(|q| q.get("tested").is_some()) {
                el.scroll_into_view();
                let _ = el.focus();
            }
        }
    });
    let may_edit = can(Permission::IdentityProviders);
    let links = match (&step.provider, may_edit) {
        (_, false) => view! { <p class="text-slate-600">"An administrator with Identity Provider Administration completes this step."</p> }.into_any(),
        (None, true) => view! {
            <div class="flex flex-wrap gap-2">
                <A href="/identity-providers/new#entra-fill" attr:class="btn-primary px-4 py-2 text-sm">"+ Add Identity Provider"</A>
            </div>
        }.into_any(),
        (Some(p), true) => view! {
            <div class="flex flex-wrap gap-2">
                <A href=format!("/identity-providers/{}", p.id) attr:class="btn-secondary px-4 py-2 text-sm">{format!("Open {}", p.name)}</A>
                // A plain link: the server sends the browser to the provider and back here.
                <a href=format!("/oauth/test/{}?return=connect", p.id) rel="external" class="btn-secondary px-4 py-2 text-sm">"Test sign-in"</a>
            </div>
        }.into_any(),
    };
    view! {
        <StepCard id="step-2" title="Step 2: Configure OAuth 2.0 in Cantara" status=step.status>
            <ol class="flex flex-col gap-2 sm:flex-row sm:flex-wrap" aria-label="Progress" data-testid="step-2-progress">
                {step.progress.iter().map(|(label, done)| view! {
                    <li class="flex items-center gap-1" data-done=done.to_string()>
                        <span aria-hidden="true" class=if *done { "text-emerald-700" } else { "text-slate-400" }>{if *done { "✓" } else { "○" }}</span>
                        <span class=if *done { "font-medium" } else { "text-slate-600" }>{label.clone()}</span>
                        <span class="sr-only">{if *done { " (done)" } else { " (not yet)" }}</span>
                    </li>
                }).collect_view()}
            </ol>
            <p data-testid="step-2-next" class=if step.status == StepStatus::NeedsAttention { "text-amber-900" } else { "" }>{step.next.clone()}</p>
            {links}
            <div node_ref=anchor tabindex="-1" class="outline-none">
                {setup.binding.clone().map(|b| view! { <BindingResult binding=b/> })}
            </div>
        </StepCard>
    }
}

#[component]
fn StepThreeCard(setup: EntraSetup, refresh: RwSignal<u32>, token: NewTokenState) -> impl IntoView {
    let initial = setup.step3.clone();
    let progress = RwSignal::new(initial.clone());
    // While Step 3 is not done, ask for its progress every few seconds; when it moves on, the
    // whole page is read again (the attribute check follows the first cycle).
    #[cfg(feature = "hydrate")]
    {
        let done = initial.status == StepStatus::Done;
        if !done {
            let known = StoredValue::new(initial.clone());
            if let Ok(handle) = set_interval_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        if let Ok(now) = get_provisioning_progress().await {
                            if now != known.get_value() {
                                known.set_value(now.clone());
                                progress.set(now);
                                refresh.update(|r| *r += 1);
                            }
                        }
                    });
                },
                std::time::Duration::from_secs(POLL_SECS),
            ) {
                on_cleanup(move || handle.clear());
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (get_provisioning_progress, POLL_SECS, refresh);
    let NewTokenState { create, secret } = token;
    let hydrated = use_hydrated();
    let may_provision = can(Permission::Provisioning);
    let status = Signal::derive(move || progress.with(|p| p.status));
    view! {
        <section id="step-3" class="card scroll-mt-20" aria-labelledby="step-3-title" data-testid="step-3" data-status=move || status.get().label()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="step-3-title" class="font-semibold">"Step 3 (Optional): Configure SCIM User Provisioning"</h2>
                {move || status_badge(status.get())}
            </div>
            <div class="mt-3 space-y-3 text-sm">
                <p>"In Entra, open Enterprise applications → + New Application → “Integrate any other application you don't find in the gallery (Non-gallery)”, then Provisioning → + New configuration with Authentication Method Bearer Authentication and:"</p>
                <CopyValue label="Tenant URL" value=setup.scim_url.clone() testid="connect-scim-url"/>
                <div>
                    <p class="text-xs font-medium uppercase text-slate-600">"Token/Secret"</p>
                    {if may_provision {
                        view! {
                            <div class="mt-1 flex flex-wrap items-center gap-2">
                                <button type="button" class="btn-primary px-4 py-2 text-sm"
                                    disabled=move || !hydrated.get() || create.pending().get()
                                    on:click=move |_| {
                                        create.dispatch(CreateProvisioningToken {
                                            description: "Microsoft Entra ID".into(),
                                            expires_days: String::new(),
                                        });
                                    }>"Generate token"</button>
                                <span class="text-xs text-slate-600">"Shown once. Other tokens: " <A href="/tenants" attr:class="text-indigo-700 underline">"Tenants"</A></span>
                            </div>
                        }.into_any()
                    } else {
                        view! { <p class="mt-1 text-slate-600">"An administrator with Provisioning Administration generates the token."</p> }.into_any()
                    }}
                    {move || secret.get().map(|s| view! {
                        <div class="mt-2 rounded-md border border-amber-300 bg-amber-50 p-3" role="status" data-testid="new-token">
                            <p class="font-semibold text-amber-900">"Copy this token now. It will not be shown again."</p>
                            <div class="mt-2 flex items-center gap-2">
                                <code class="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200" data-testid="token-secret">{s.clone()}</code>
                                <CopyButton value=s what="provisioning token"/>
                            </div>
                            <button type="button" class="btn-secondary mt-2 px-3 py-1 text-sm" on:click=move |_| secret.set(None)>"Done"</button>
                        </div>
                    })}
                </div>
                <p>"Click Test Connection in Entra, then assign users and groups and start provisioning."</p>
                <div aria-live="polite">
                    {move || progress_view(progress.get())}
                </div>
            </div>
        </section>
    }
}

/// The live line: where Entra's provisioning stands, failures linked to the Provisioning page.
fn progress_view(step: StepThree) -> AnyView {
    let failures = match step.phase {
        ScimPhase::FirstCycle { failures, .. } if failures > 0 => Some(failures),
        _ => None,
    };
    let attention = step.status == StepStatus::NeedsAttention;
    view! {
            <p data-testid="scim-progress" class=if attention { "font-medium text-amber-900" } else { "font-medium" }>
                {step.message}
            </p>
            {failures.map(|_| view! {
                <A href="/provisioning?failures=1" attr:class="text-indigo-700 hover:underline">"See the failed requests on the Provisioning page →"</A>
            })}
            {matches!(step.phase, ScimPhase::Refused(_)).then(|| view! {
                <A href="/provisioning" attr:class="text-indigo-700 hover:underline">"Open the Provisioning page →"</A>
            })}
        }
        .into_any()
}

#[component]
fn AttributeCard(check: AttributeCheck, provisioned: bool) -> impl IntoView {
    let status = if check.users_checked == 0 {
        StepStatus::NotStarted
    } else if check.passed() {
        StepStatus::Done
    } else {
        StepStatus::NeedsAttention
    };
    let body = if check.users_checked == 0 {
        view! { <p class="text-slate-600">{if provisioned { "No provisioned user to read yet." } else { "Shown once Entra has provisioned users: Cantara compares what Entra actually sent with the guide's attribute table." }}</p> }.into_any()
    } else {
        let missing = check.missing.clone();
        let removable = check.removable.clone();
        view! {
            <p class="text-slate-600">{format!("From the {} newest provisioned users.", check.users_checked)}</p>
            {if missing.is_empty() {
                view! { <p data-testid="attributes-ok">"Every required attribute of the guide's table arrived."</p> }.into_any()
            } else {
                view! {
                    <div data-testid="missing-attributes">
                        <p class="font-medium text-amber-900">"Required attributes that no provisioned user has. In Entra, open Provisioning → Attribute Mappings → Provision Microsoft Entra ID Users → Add New Mapping, and add:"</p>
                        <ul class="mt-2 space-y-2">
                            {missing.into_iter().map(|(target, source)| view! {
                                <li class="rounded-md border border-amber-300 bg-amber-50 p-2" data-target=target.clone()>
                                    <p>"Source attribute " <code class="font-mono text-xs">{source.clone()}</code> " → Target attribute " <code class="break-all font-mono text-xs">{target.clone()}</code></p>
                                    <div class="mt-1 flex flex-wrap gap-2">
                                        <CopyButton value=source what=format!("source attribute for {target}")/>
                                        <CopyButton value=target.clone() what=format!("target attribute {target}")/>
                                    </div>
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any()
            }}
            {(!removable.is_empty()).then(|| view! {
                <div data-testid="removable-attributes">
                    <p class="font-medium">"Attributes beyond the guide's table. Remove their mappings in Entra: this reduces latency when provisioning."</p>
                    <ul class="mt-1 flex flex-wrap gap-2">
                        {removable.into_iter().map(|a| view! { <li><code class="break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{a}</code></li> }).collect_view()}
                    </ul>
                </div>
            })}
            {check.groups_missing.then(|| view! {
                <p class="text-amber-900" data-testid="groups-missing">"Users arrive but no group ever has: in Entra's Attribute Mappings, make sure “Provision Microsoft Entra ID Groups” is enabled, and assign the groups to the application."</p>
            })}
        }.into_any()
    };
    view! {
        <section id="attribute-check" class="card" aria-labelledby="attribute-check-title" data-testid="attribute-check" data-status=status.label()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="attribute-check-title" class="font-semibold">"Attribute mapping check"</h2>
                {status_badge(status)}
            </div>
            <div class="mt-3 space-y-3 text-sm">{body}</div>
        </section>
    }
}
