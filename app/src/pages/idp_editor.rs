//! The identity provider wizard (guide Step 2): Identity Provider Type, Name, Description, then the
//! guide's "Required" and "Additional" OAuth 2.0 fields with their exact labels, each with help.
//! `Save Identity Provider` → "Identity Provider saved"; `Activate` → the guide's confirmation,
//! which says whether a `Test sign-in` of the saved configuration succeeded.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::identity_providers::{
    get_identity_provider, get_identity_provider_audit, get_redirect_url, ActivateIdentityProvider,
    CheckIdentityProvider, ImportDiscovery, SaveIdentityProvider,
};
use crate::components::access::{can, error_view};
use crate::components::badge::{Badge, Tone};
use crate::components::binding_result::BindingResult;
use crate::components::copy_button::CopyButton;
use crate::components::dialog::Dialog;
use crate::components::field::{BoundField, Switch};
use crate::components::hydration::use_hydrated;
use crate::components::page_header::PageHeader;
use crate::components::toast::use_toast;
use crate::domain::entra_setup::entra_advice;
use crate::domain::error::AppError;
use crate::domain::identity_binding::IdentityBinding;
use crate::domain::idp::{entra_endpoints, AuthMethod, IdpAuditEntry, IdpForm, IdpView};
use crate::domain::permission::Permission;
use crate::domain::sso::{TestOutcome, TestSignIn};
use crate::domain::time::{format_utc, format_utc_seconds, now_unix};
use crate::pages::identity_providers::ACTIVATE_QUESTION;

/// `/identity-providers/new` and `/identity-providers/{id}`.
#[component]
pub fn IdpEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").filter(|i| i != "new");
    let loaded = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_identity_provider(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(Some(view)) => view! { <IdpEditor initial=Some(view)/> }.into_any(),
                    Ok(None) => crate::components::access::denied_unless(Permission::IdentityProviders)
                        .unwrap_or_else(|| view! { <IdpEditor initial=None/> }.into_any()),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
    }
}

/// Every field of the form as a signal.
#[derive(Clone, Copy)]
struct FormState {
    name: RwSignal<String>,
    description: RwSignal<String>,
    auth_method: RwSignal<AuthMethod>,
    client_id: RwSignal<String>,
    client_secret: RwSignal<String>,
    authorization_url: RwSignal<String>,
    token_url: RwSignal<String>,
    jwks_url: RwSignal<String>,
    username_attribute: RwSignal<String>,
    issuer_uri: RwSignal<String>,
    userinfo_url: RwSignal<String>,
    secure_jwks: RwSignal<bool>,
    logout_url: RwSignal<String>,
    resource: RwSignal<String>,
    audience: RwSignal<String>,
    display_name_attribute: RwSignal<String>,
    grant_type: RwSignal<String>,
    scopes: RwSignal<String>,
    provider_display_name: RwSignal<String>,
    pkce_enabled: RwSignal<bool>,
    refresh_tokens_enabled: RwSignal<bool>,
    create_users: RwSignal<bool>,
    allowed_tenant_ids: RwSignal<String>,
    client_secret_expires: RwSignal<String>,
}

impl FormState {
    fn new(f: IdpForm) -> Self {
        Self {
            name: RwSignal::new(f.name),
            description: RwSignal::new(f.description),
            auth_method: RwSignal::new(f.auth_method),
            client_id: RwSignal::new(f.client_id),
            client_secret: RwSignal::new(String::new()),
            authorization_url: RwSignal::new(f.authorization_url),
            token_url: RwSignal::new(f.token_url),
            jwks_url: RwSignal::new(f.jwks_url),
            username_attribute: RwSignal::new(f.username_attribute),
            issuer_uri: RwSignal::new(f.issuer_uri),
            userinfo_url: RwSignal::new(f.userinfo_url),
            secure_jwks: RwSignal::new(f.secure_jwks),
            logout_url: RwSignal::new(f.logout_url),
            resource: RwSignal::new(f.resource),
            audience: RwSignal::new(f.audience),
            display_name_attribute: RwSignal::new(f.display_name_attribute),
            grant_type: RwSignal::new(f.grant_type),
            scopes: RwSignal::new(f.scopes),
            provider_display_name: RwSignal::new(f.provider_display_name),
            pkce_enabled: RwSignal::new(f.pkce_enabled),
            refresh_tokens_enabled: RwSignal::new(f.refresh_tokens_enabled),
            create_users: RwSignal::new(f.create_users),
            allowed_tenant_ids: RwSignal::new(f.allowed_tenant_ids),
            client_secret_expires: RwSignal::new(f.client_secret_expires),
        }
    }

    fn form(&self) -> IdpForm {
        IdpForm {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            auth_method: self.auth_method.get_untracked(),
            client_id: self.client_id.get_untracked(),
            client_secret: self.client_secret.get_untracked(),
            authorization_url: self.authorization_url.get_untracked(),
            token_url: self.token_url.get_untracked(),
            jwks_url: self.jwks_url.get_untracked(),
            username_attribute: self.username_attribute.get_untracked(),
            issuer_uri: self.issuer_uri.get_untracked(),
            userinfo_url: self.userinfo_url.get_untracked(),
            secure_jwks: self.secure_jwks.get_untracked(),
            logout_url: self.logout_url.get_untracked(),
            resource: self.resource.get_untracked(),
            audience: self.audience.get_untracked(),
            display_name_attribute: self.display_name_attribute.get_untracked(),
            grant_type: self.grant_type.get_untracked(),
            scopes: self.scopes.get_untracked(),
            provider_display_name: self.provider_display_name.get_untracked(),
            pkce_enabled: self.pkce_enabled.get_untracked(),
            refresh_tokens_enabled: self.refresh_tokens_enabled.get_untracked(),
            create_users: self.create_users.get_untracked(),
            allowed_tenant_ids: self.allowed_tenant_ids.get_untracked(),
            client_secret_expires: self.client_secret_expires.get_untracked(),
        }
    }
}

#[component]
fn IdpEditor(initial: Option<IdpView>) -> impl IntoView {
    let may_audit = can(Permission::Audit);
    let audit_for = initial.as_ref().map(|v| v.id.clone());
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let is_new = initial.is_none();
    let f = FormState::new(
        initial
            .as_ref()
            .map(|v| v.form.clone())
            .unwrap_or_else(IdpForm::defaults),
    );
    let saved_id = RwSignal::new(initial.as_ref().map(|v| v.id.clone()));
    let has_secret = RwSignal::new(initial.as_ref().is_some_and(|v| v.has_secret));
    let active = RwSignal::new(initial.as_ref().is_some_and(|v| v.active));
    let last_test = RwSignal::new(initial.as_ref().and_then(|v| v.last_test.clone()));
    let binding = RwSignal::new(initial.as_ref().and_then(|v| v.binding.clone()));
    let save = ServerAction::<SaveIdentityProvider>::new();
    let activate = ServerAction::<ActivateIdentityProvider>::new();
    let redirect = Resource::new(|| (), |_| get_redirect_url());
    let error: Signal<Option<AppError>> =
        Signal::derive(move || save.value().get().and_then(Result::err));
    let (saved_dialog, set_saved_dialog) = signal(false);
    let (activate_dialog, set_activate_dialog) = signal(false);

    let toast = use_toast();
    let summary = NodeRef::<leptos::html::Div>::new();
    // After a save: remember the id, drop the typed secret, say so. A new provider moves to its
    // own address (`/identity-providers/{id}`), where the dialog opens, so a reload shows it.
    let after_save = navigate.clone();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(view)) => {
            saved_id.set(Some(view.id.clone()));
            has_secret.set(view.has_secret);
            active.set(view.active);
            last_test.set(view.last_test.clone());
            binding.set(view.binding.clone());
            f.client_secret.set(String::new());
            toast.set(Some(Ok(format!("{} saved.", view.form.name))));
            if is_new {
                after_save(
                    &format!("/identity-providers/{}?saved=1", view.id),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            } else {
                set_saved_dialog.set(true);
            }
        }
        // Nothing was saved: the summary at the top lists what to correct and takes the focus.
        Some(Err(_)) => {
            if let Some(el) = summary.get_untracked() {
                el.scroll_into_view();
                let _ = el.focus();
            }
        }
        None => {}
    });
    let after_activation = navigate.clone();
    Effect::new(move |_| match activate.value().get() {
        Some(Ok(())) => {
            active.set(true);
            toast.set(Some(Ok(format!(
                "{} activated. People of this tenant now sign in with it.",
                f.name.get_untracked()
            ))));
            after_activation("/identity-providers", Default::default());
        }
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    // Back from saving a new provider: open its "saved" dialog here.
    let query = use_query_map();
    Effect::new(move |_| {
        if query.with_untracked(|q| q.get("saved").is_some()) {
            set_saved_dialog.set(true);
        }
    });
    let close_saved = navigate.clone();

    // Import from discovery.
    let import = ServerAction::<ImportDiscovery>::new();
    let (discovery_url, set_discovery_url) = signal(String::new());
    Effect::new(move |_| {
        if let Some(Ok(d)) = import.value().get() {
            f.issuer_uri.set(d.issuer);
            f.authorization_url.set(d.authorization_url);
            f.token_url.set(d.token_url);
            f.jwks_url.set(d.jwks_url);
            if !d.userinfo_url.is_empty() {
                f.userinfo_url.set(d.userinfo_url);
            }
            if !d.logout_url.is_empty() {
                f.logout_url.set(d.logout_url);
            }
        }
    });
    // Check configuration; the last outcome is shown in the activation dialog.
    let check = ServerAction::<CheckIdentityProvider>::new();
    let last_check = RwSignal::new(initial.as_ref().and_then(|v| v.last_check));
    Effect::new(move |_| {
        if let Some(Ok(items)) = check.value().get() {
            if saved_id.get_untracked().is_some() {
                last_check.set(Some((now_unix(), items.iter().all(|i| i.passed))));
            }
        }
    });

    let (directory, set_directory) = signal(String::new());
    let (fill_message, set_fill_message) = signal(None::<Result<String, String>>);
    let quick_fill = move |_| match entra_endpoints(&directory.get_untracked()) {
        Ok(e) => {
            f.authorization_url.set(e.authorization_url);
            f.token_url.set(e.token_url);
            f.jwks_url.set(e.jwks_url);
            f.issuer_uri.set(e.issuer_uri);
            f.logout_url.set(e.logout_url);
            set_fill_message.set(Some(Ok("Filled the Authentication URL, Access Token URL, JSON Web Key Set URL, Issuer URI and Logout URL with Entra's v2.0 endpoints.".into())));
        }
        Err(m) => set_fill_message.set(Some(Err(m))),
    };

    let title = if is_new {
        "Add Identity Provider".to_owned()
    } else {
        format!("Identity provider: {}", f.name.get_untracked())
    };
    let status = move || {
        if active.get() {
            view! { <Badge text="Active" tone=Tone::Success/> }
        } else {
            view! { <Badge text="Inactive" tone=Tone::Neutral/> }
        }
    };
    view! {
        <PageHeader title=title description="Enter the values from your identity provider's app registration. In Microsoft Entra ID: App registrations → your application → Overview → Endpoints.">
            <A href="/identity-providers" attr:class="btn-secondary px-4 py-2 text-sm">"Back to Identity Providers"</A>
        </PageHeader>
        <form class="space-y-6" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveIdentityProvider { id: saved_id.get_untracked(), form: f.form() });
        }>
            <div node_ref=summary tabindex="-1" class="outline-none" data-testid="error-summary-anchor">
                {move || error.get().map(|e| view! { <ErrorSummary error=e/> })}
            </div>
            <section class="card space-y-4" aria-labelledby="idp-basics">
                <div class="flex items-center gap-2">
                    <h2 id="idp-basics" class="font-semibold">"Identity provider"</h2>
                    {status}
                </div>
                <div>
                    <label for="field-kind" class="block text-sm font-medium text-slate-800">"Identity Provider Type"</label>
                    <select id="field-kind" class="input mt-1 sm:w-64" aria-describedby="field-kind-help">
                        <option value="oauth2" selected>"OAuth2"</option>
                        <option value="saml" disabled>"SAML 2.0 (not yet available)"</option>
                    </select>
                    <p id="field-kind-help" class="mt-1 text-xs text-slate-600">"Select OAuth2 for Microsoft Entra ID and other OpenID Connect providers."</p>
                </div>
                <div class="grid gap-4 sm:grid-cols-2">
                    <BoundField name="name" label="Name" value=f.name required=true error=error help="Shown in this console, e.g. “Microsoft Entra ID”."/>
                    <BoundField name="description" label="Description" value=f.description error=error help="Optional: what this provider is for."/>
                </div>
            </section>

            <section class="card space-y-3" aria-labelledby="entra-fill">
                <h2 id="entra-fill" class="font-semibold">"Microsoft Entra ID quick fill"</h2>
                <p class="text-sm text-slate-600">"Enter your Directory (tenant) ID from Entra → Overview to fill in Entra's v2.0 endpoints."</p>
                <div class="flex flex-col gap-2 sm:flex-row">
                    <label for="entra-directory" class="sr-only">"Directory (tenant) ID"</label>
                    <input id="entra-directory" class="input sm:max-w-md" placeholder="Directory (tenant) ID"
                        prop:value=move || directory.get() on:input=move |ev| set_directory.set(event_target_value(&ev))/>
                    <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled=move || !hydrated.get() on:click=quick_fill>"Fill Entra endpoints"</button>
                </div>
                {move || fill_message.get().map(|m| match m {
                    Ok(t) => view! { <p role="status" class="text-sm text-emerald-800">{t}</p> }.into_any(),
                    Err(t) => view! { <p role="alert" class="text-sm text-red-700">{t}</p> }.into_any(),
                })}
            </section>

            <section class="card space-y-3" aria-labelledby="discovery-import">
                <h2 id="discovery-import" class="font-semibold">"Import from discovery"</h2>
                <p class="text-sm text-slate-600">"Enter the provider's issuer or its .well-known/openid-configuration URL to fill in the endpoints from its metadata."</p>
                <div class="flex flex-col gap-2 sm:flex-row">
                    <label for="discovery-url" class="sr-only">"Issuer or discovery URL"</label>
                    <input id="discovery-url" class="input sm:max-w-xl" placeholder="Issuer or discovery URL"
                        prop:value=move || discovery_url.get() on:input=move |ev| set_discovery_url.set(event_target_value(&ev))/>
                    <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled=move || !hydrated.get() || import.pending().get()
                        on:click=move |_| { import.dispatch(ImportDiscovery { url: discovery_url.get_untracked() }); }>
                        {move || if import.pending().get() { "Importing…" } else { "Import" }}
                    </button>
                </div>
                {move || import.value().get().map(|r| match r {
                    Ok(_) => view! { <p role="status" class="text-sm text-emerald-800">"Filled the endpoints from the provider's discovery document."</p> }.into_any(),
                    Err(e) => error_view(e),
                })}
            </section>

            <section class="card space-y-4" aria-labelledby="idp-required">
                <h2 id="idp-required" class="font-semibold">"Required OAuth 2.0 fields"</h2>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="field-auth_method" class="block text-sm font-medium text-slate-800">"Authentication Method"</label>
                        <select id="field-auth_method" class="input mt-1" aria-describedby="field-auth_method-help" on:change=move |ev| if let Some(m) = AuthMethod::parse(&event_target_value(&ev)) { f.auth_method.set(m) }>
                            {AuthMethod::ALL.into_iter().map(|m| view! { <option value=m.as_str() selected=move || f.auth_method.get() == m>{m.as_str()}</option> }).collect_view()}
                        </select>
                        <p id="field-auth_method-help" class="mt-1 text-xs text-slate-600">"How Cantara sends the client secret to the Access Token URL. Entra accepts both; defaults to client_secret_post."</p>
                    </div>
                    <BoundField name="client_id" label="Client ID" value=f.client_id required=true error=error help="Entra → App registrations → your app → Overview → Application (client) ID."/>
                    <BoundField name="client_secret" label="Client Secret" value=f.client_secret input_type="password" required=is_new error=error
                        placeholder=if has_secret.get_untracked() { "A secret is set — leave empty to keep it" } else { "" }
                        help="Entra → Certificates & secrets → the secret's Value (shown once in Entra). Stored encrypted; never shown again."/>
                    <BoundField name="client_secret_expires" label="Client Secret Expires" value=f.client_secret_expires input_type="date" error=error
                        help="Optional. The secret's Expires date in Entra → Certificates & secrets: Cantara reminds you 30, 7 and 1 days before."/>
                    <BoundField name="authorization_url" label="Authentication URL" value=f.authorization_url required=true error=error help="Entra → Overview → Endpoints → OAuth 2.0 authorization endpoint (v2)."/>
                    <BoundField name="token_url" label="Access Token URL" value=f.token_url required=true error=error help="Entra → Overview → Endpoints → OAuth 2.0 token endpoint (v2)."/>
                    <div>
                        <label for="field-redirect_url" class="block text-sm font-medium text-slate-800">"Redirect URL"</label>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let url = redirect.await.unwrap_or_default();
                                view! {
                                    <div class="mt-1 flex gap-2">
                                        <input id="field-redirect_url" class="input bg-slate-50 font-mono text-xs" readonly value=url.clone() aria-describedby="field-redirect_url-help"/>
                                        <CopyButton value=url what="Redirect URL"/>
                                    </div>
                                }
                            })}
                        </Transition>
                        <p id="field-redirect_url-help" class="mt-1 text-xs text-slate-600">"Paste this into Entra → your app → Authentication → Redirect URI (Web)."</p>
                    </div>
                    <BoundField name="jwks_url" label="JSON Web Key Set URL" value=f.jwks_url required=true error=error help="Entra → Overview → Endpoints → OpenID Connect metadata document → jwks_uri."/>
                    <BoundField name="username_attribute" label="Username Attribute" value=f.username_attribute required=true error=error list="username-claims"
                        help="The ID token claim matched against Cantara usernames: preferred_username or email."/>
                    <datalist id="username-claims"><option value="preferred_username"/><option value="email"/><option value="upn"/></datalist>
                </div>
            </section>

            <section class="card space-y-4" aria-labelledby="idp-additional">
                <h2 id="idp-additional" class="font-semibold">"Additional OAuth 2.0 fields"</h2>
                <div class="grid gap-4 sm:grid-cols-2">
                    <BoundField name="issuer_uri" label="Issuer URI" value=f.issuer_uri error=error help="https://login.microsoftonline.com/{tenant}/v2.0 — use {tenantid} for multi-tenant apps, and list the tenants below."/>
                    <BoundField name="allowed_tenant_ids" label="Allowed Tenant IDs" value=f.allowed_tenant_ids error=error
                        help="Required with {tenantid} in the Issuer URI: the Directory (tenant) IDs (Entra → Overview) whose people may sign in, separated by commas. Tokens of any other tenant are refused."/>
                    <BoundField name="userinfo_url" label="User Info URL" value=f.userinfo_url error=error help="Optional. Only needed when the ID token lacks the username or display name claim."/>
                    <BoundField name="logout_url" label="Logout URL" value=f.logout_url error=error help="Entra → Overview → Endpoints → the v2.0 logout endpoint. People are sent there when they sign out."/>
                    <BoundField name="resource" label="Resource" value=f.resource error=error help="Optional. Sent as the resource parameter when your IdP requires one."/>
                    <BoundField name="audience" label="Audience" value=f.audience error=error help="Optional. The aud expected in tokens; defaults to the Client ID."/>
                    <BoundField name="display_name_attribute" label="Display Name Attribute" value=f.display_name_attribute error=error help="The claim used as the person's display name, usually name."/>
                    <div>
                        <label for="field-grant_type" class="block text-sm font-medium text-slate-800">"Authorisation Grant Type"</label>
                        <select id="field-grant_type" class="input mt-1" on:change=move |ev| f.grant_type.set(event_target_value(&ev))
                            aria-invalid=move || error.get().and_then(|e| e.message_for("grant_type")).is_some().to_string()
                            aria-describedby=move || if error.get().and_then(|e| e.message_for("grant_type")).is_some() { "field-grant_type-help field-grant_type-error" } else { "field-grant_type-help" }>
                            <option value="authorization_code" selected>"authorization_code"</option>
                        </select>
                        <p id="field-grant_type-help" class="mt-1 text-xs text-slate-600">"People sign in interactively, so Cantara uses the authorization code flow (with PKCE when enabled)."</p>
                        {move || error.get().and_then(|e| e.message_for("grant_type")).map(|m| view! { <p id="field-grant_type-error" class="mt-1 text-sm text-red-700">{m}</p> })}
                    </div>
                    <BoundField name="scopes" label="Scopes (spaces or comma separated)" value=f.scopes error=error help="openid is always included. Add offline_access only with refresh tokens."/>
                    <BoundField name="provider_display_name" label="Provider Display Name" value=f.provider_display_name error=error help="Shown on the sign-in button: “Sign in with …”. Defaults to the Name."/>
                </div>
                <div class="grid gap-3 sm:grid-cols-2">
                    <Switch name="secure_jwks" label="Secure JWKS URL" value=f.secure_jwks help="Fetch the key set only over HTTPS with a verified certificate. Turn off only for test providers (localhost is always allowed)."/>
                    <Switch name="pkce_enabled" label="PKCE Enabled" value=f.pkce_enabled help="Proof Key for Code Exchange (S256). Recommended for Entra."/>
                    <Switch name="refresh_tokens_enabled" label="Enable Refresh Tokens" value=f.refresh_tokens_enabled help="Requests offline_access; enable refresh tokens in your IdP application too."/>
                    <Switch name="create_users" label="Create accounts at first sign-in" value=f.create_users help="Unknown people who sign in get an account; off means only existing accounts may sign in."/>
                </div>
            </section>

            <div class="sticky bottom-0 z-20 -mx-4 flex flex-wrap gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur sm:mx-0 sm:rounded-lg sm:border" data-testid="action-bar">
                <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || save.pending().get()>"Save Identity Provider"</button>
                <button type="button" class="btn-secondary px-4 py-2 text-sm"
                    disabled=move || !hydrated.get() || saved_id.get().is_none() || active.get()
                    on:click=move |_| set_activate_dialog.set(true)>"Activate"</button>
                <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled=move || !hydrated.get() || check.pending().get()
                    on:click=move |_| { check.dispatch(CheckIdentityProvider { id: saved_id.get_untracked(), form: f.form() }); }>
                    {move || if check.pending().get() { "Checking…" } else { "Check configuration" }}
                </button>
                {move || saved_id.get().map(|id| view! {
                    // A plain link: the server sends the browser to the provider and back.
                    <a href=format!("/oauth/test/{id}") rel="external" class="btn-secondary px-4 py-2 text-sm"
                        title="Signs you in at the provider with the saved configuration; no session is started">"Test sign-in"</a>
                })}
            </div>
            {move || last_test.get().map(|t| view! { <TestResult test=t binding=binding.get()/> })}
            {move || check.value().get().map(|r| match r {
                Ok(items) => view! {
                    <ul class="card space-y-2 text-sm" data-testid="check-results" aria-label="Configuration check">
                        {items.into_iter().map(|i| view! {
                            <li class="flex gap-2">
                                {if i.passed { view! { <Badge text="Passed" tone=Tone::Success/> } } else { view! { <Badge text="Failed" tone=Tone::Warning/> } }}
                                <span><span class="font-medium">{i.name}</span>": " {i.detail}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => error_view(e),
            })}
        </form>
        {audit_for.map(|id| view! {
            <Show when=move || may_audit>
                <AuditTrail id=id.clone()/>
            </Show>
        })}
        <Dialog open=saved_dialog title="Identity Provider saved" confirm="OK"
            on_confirm=Callback::new(move |_| {
                set_saved_dialog.set(false);
                if query.with_untracked(|q| q.get("saved").is_some()) {
                    if let Some(id) = saved_id.get_untracked() {
                        close_saved(&format!("/identity-providers/{id}"), NavigateOptions { replace: true, scroll: false, ..Default::default() });
                    }
                }
            })>
            <p>"Identity Provider saved"</p>
            <p class="mt-2 text-slate-600">"It is not active yet. Click Activate when you are ready; local administrators can always sign in with their password."</p>
        </Dialog>
        <Dialog open=activate_dialog title="Activate identity provider" confirm="Yes" cancel="Cancel"
            on_confirm=Callback::new(move |_| {
                if let Some(id) = saved_id.get_untracked() {
                    activate.dispatch(ActivateIdentityProvider { id });
                }
                set_activate_dialog.set(false);
            })
            on_cancel=Callback::new(move |_| set_activate_dialog.set(false))>
            <p>{ACTIVATE_QUESTION}</p>
            <p class="mt-3 text-slate-600" data-testid="last-check">
                {move || match last_check.get() {
                    Some((at, true)) => format!("Last configuration check: passed ({}).", format_utc(at)),
                    Some((at, false)) => format!("Last configuration check: failed ({}). Review it before activating.", format_utc(at)),
                    None => "No configuration check has been run for this identity provider.".to_owned(),
                }}
            </p>
            <p class="mt-2 text-slate-600" data-testid="last-test">
                {move || match last_test.get() {
                    Some(TestSignIn { at, outcome: TestOutcome::Succeeded { username, .. }, .. }) =>
                        format!("Test sign-in: succeeded as {username} ({}).", format_utc(at)),
                    Some(TestSignIn { at, outcome: TestOutcome::Failed { failure }, .. }) =>
                        format!("Test sign-in: failed ({}): {}", format_utc(at), failure.message()),
                    None => "No test sign-in since the configuration was last saved. Use Test sign-in first to avoid a lockout.".to_owned(),
                }}
            </p>
        </Dialog>
    }
}

/// Labels of the form's fields, for the error summary's links.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("client_id", "Client ID"),
    ("client_secret", "Client Secret"),
    ("client_secret_expires", "Client Secret Expires"),
    ("authorization_url", "Authentication URL"),
    ("token_url", "Access Token URL"),
    ("jwks_url", "JSON Web Key Set URL"),
    ("username_attribute", "Username Attribute"),
    ("issuer_uri", "Issuer URI"),
    ("allowed_tenant_ids", "Allowed Tenant IDs"),
    ("userinfo_url", "User Info URL"),
    ("logout_url", "Logout URL"),
    ("resource", "Resource"),
    ("audience", "Audience"),
    ("display_name_attribute", "Display Name Attribute"),
    ("grant_type", "Authorisation Grant Type"),
    ("scopes", "Scopes"),
    ("provider_display_name", "Provider Display Name"),
];

/// At the top of a form that was not saved: what went wrong, with a link to each field.
#[component]
fn ErrorSummary(error: AppError) -> impl IntoView {
    let items: Vec<(String, String)> = match &error {
        AppError::InvalidForm(list) => list
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect(),
        other => other
            .field()
            .map(|f| vec![(f.to_owned(), other.to_string())])
            .unwrap_or_default(),
    };
    let headline = if items.is_empty() {
        error.to_string()
    } else {
        "Nothing was saved: correct the fields below.".to_owned()
    };
    view! {
        <div role="alert" class="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800" data-testid="error-summary">
            <p class="font-semibold">{headline}</p>
            {(!items.is_empty()).then(|| view! {
                <ul class="mt-2 list-disc space-y-1 pl-5">
                    {items.into_iter().map(|(field, message)| {
                        let label = FIELD_LABELS.iter().find(|(f, _)| *f == field).map(|(_, l)| *l).unwrap_or("Field");
                        let target = format!("field-{field}");
                        view! {
                            <li>
                                <a href=format!("#{target}") class="font-medium underline"
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        focus_by_id(&target);
                                    }>{label}</a>
                                ": " {message}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// Moves focus to the element with this id and scrolls it into view (browser only).
fn focus_by_id(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.scroll_into_view_with_bool(false);
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// What the last test sign-in found: the person and every claim, or what went wrong.
/// Back from `Test sign-in` (`?tested=1`): the result scrolls into view and takes the focus.
#[component]
fn TestResult(test: TestSignIn, binding: Option<IdentityBinding>) -> impl IntoView {
    let query = use_query_map();
    let anchor = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = anchor.get() {
            if query.with_untracked(|q| q.get("tested").is_some()) {
                el.scroll_into_view();
                let _ = el.focus();
            }
        }
    });
    view! {
        <div node_ref=anchor id="test-result" tabindex="-1" class="scroll-mt-20 outline-none">
            <TestOutcomeView test=test binding=binding/>
        </div>
    }
}

/// Claims that are moments (seconds since 1970), shown as dates.
const TIME_CLAIMS: &[&str] = &["iat", "exp", "nbf", "auth_time", "updated_at"];

fn claim_value(name: &str, value: String) -> String {
    match value.parse::<i64>() {
        Ok(secs) if TIME_CLAIMS.contains(&name) => {
            format!("{} ({value})", format_utc_seconds(secs))
        }
        _ => value,
    }
}

#[component]
fn TestOutcomeView(test: TestSignIn, binding: Option<IdentityBinding>) -> impl IntoView {
    let when = format!("{} by {}", format_utc(test.at), test.by);
    match test.outcome {
        TestOutcome::Succeeded { username, display_name, claims } => view! {
            <section class="card space-y-3 text-sm" data-testid="test-result" aria-label="Test sign-in">
                <div class="flex items-center gap-2">
                    <Badge text="Test sign-in succeeded" tone=Tone::Success/>
                    <span class="text-slate-500">{when}</span>
                </div>
                <dl class="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                    <dt class="font-medium">"Username"</dt><dd data-testid="test-username">{username}</dd>
                    <dt class="font-medium">"Display name"</dt><dd data-testid="test-display-name">{display_name}</dd>
                </dl>
                {binding.map(|b| view! { <BindingResult binding=b/> })}
                <details>
                    <summary class="cursor-pointer text-indigo-700">{format!("Claims ({})", claims.len())}</summary>
                    <table class="mt-2 w-full text-left text-xs">
                        <tbody>
                            {claims.into_iter().map(|(k, v)| view! {
                                <tr class="border-t border-slate-100"><th scope="row" class="py-1 pr-3 font-mono font-medium">{k.clone()}</th><td class="break-all py-1 font-mono">{claim_value(&k, v)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            </section>
        }.into_any(),
        TestOutcome::Failed { failure } => view! {
            <section class="card space-y-2 text-sm" data-testid="test-result" aria-label="Test sign-in">
                <div class="flex items-center gap-2">
                    <Badge text="Test sign-in failed" tone=Tone::Warning/>
                    <span class="text-slate-500">{when}</span>
                </div>
                <p>{failure.message()}</p>
                {
                    let advice = entra_advice(&failure, "");
                    (advice != failure.message()).then(|| view! { <p class="text-slate-700" data-testid="entra-advice">{format!("In Microsoft Entra ID: {advice}")}</p> })
                }
            </section>
        }.into_any(),
    }
}

/// The provider's audit trail, for holders of `Audit Viewer`.
#[component]
fn AuditTrail(id: String) -> impl IntoView {
    let entries = Resource::new(move || id.clone(), get_identity_provider_audit);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                entries.await.ok().filter(|e| !e.is_empty()).map(|entries| view! { <AuditList entries=entries/> })
            })}
        </Transition>
    }
}

#[component]
fn AuditList(entries: Vec<IdpAuditEntry>) -> impl IntoView {
    view! {
        <section class="card mt-6" aria-labelledby="idp-audit">
            <h2 id="idp-audit" class="font-semibold">"Changes"</h2>
            <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="idp-audit">
                {entries.into_iter().map(|e| view! {
                    <li class="py-2">
                        <span class="font-medium">{e.action}</span>
                        " by " {e.actor} " · " <span class="text-slate-500">{format_utc(e.at)}</span>
                        {(!e.changes.is_empty()).then(|| view! { <p class="mt-1 break-words text-xs text-slate-600">{e.changes}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
