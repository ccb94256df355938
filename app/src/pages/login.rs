//! `/login` and `/login/{TenantID}`: `Sign in with {Provider Display Name}` when the tenant has an
//! active identity provider, and local sign-in (administrators' break-glass path) below it.
//! With one tenant, `/login` is that tenant's page; otherwise it signs in to the default tenant.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::session::{get_login_target, get_sign_in_notice, Login, SECRET_EXPIRED_QUERY};
use crate::domain::error::AppError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let params = use_params_map();
    let tenant_param = move || params.read().get("tenant_id");
    let target = Resource::new(tenant_param, get_login_target);
    view! {
        <Title text="Sign in · Cantara"/>
        <main class="flex min-h-screen items-center justify-center bg-slate-100 px-4 py-12">
            <div class="w-full max-w-sm">
                <div class="mb-6 flex items-center justify-center gap-2 text-lg font-semibold">
                    <span class="grid h-8 w-8 place-items-center rounded-md bg-indigo-600 font-bold text-white" aria-hidden="true">"C"</span>
                    "Cantara Administration Console"
                </div>
                <div class="card">
                    <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match target.await {
                                Ok(t) => view! { <LoginForm tenant_id=t.tenant_id tenant_name=t.tenant_name sso_provider=t.sso_provider/> }.into_any(),
                                Err(_) => view! {
                                    <h1 class="text-lg font-semibold">"Unknown tenant"</h1>
                                    <p class="mt-2 text-sm text-slate-600">
                                        "There is no tenant with this ID. Check the sign-in link, or "
                                        <a class="text-indigo-700 underline" href="/login">"go to the main sign-in page"</a>"."
                                    </p>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
            </div>
        </main>
    }
}

#[component]
fn LoginForm(
    tenant_id: String,
    tenant_name: String,
    sso_provider: Option<String>,
) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // Without wasm the form is a plain post: a refusal comes back in the address (`__err`),
    // which `ServerAction` reads while the server draws this page.
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    // Where the page was drawn in the browser (reached inside the app), the sign-in answer came
    // to the wasm: load the console (or the notice) afresh, so it is drawn with this person's
    // permissions rather than the signed-out ones the app started with.
    let (key, value) = SECRET_EXPIRED_QUERY;
    let notice_page = format!("/login/{tenant_id}?{key}={value}");
    Effect::new(move |_| {
        if let Some(Ok(notice)) = login.value().get() {
            let next = if notice.is_some() {
                notice_page.as_str()
            } else {
                "/"
            };
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(next);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = next;
        }
    });
    // An administrator signed in while the client secret has expired: the sign-in sent them
    // here (`?notice=secret-expired`) to be told before the console. The notice itself comes
    // from the server, for the session just started; the address only asks for it.
    let query = use_query_map();
    let asks_notice = move || query.read().get(key).as_deref() == Some(value);
    let notice = Resource::new(asks_notice, |asks| async move {
        if asks {
            get_sign_in_notice().await.ok().flatten()
        } else {
            None
        }
    });
    let start = format!("/oauth/start/{tenant_id}");
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (tenant_id, tenant_name) = (tenant_id.clone(), tenant_name.clone());
                let (sso_provider, start) = (sso_provider.clone(), start.clone());
                Suspend::new(async move {
                    match notice.await {
                        Some(n) => view! { <SecretExpired message=n.message/> }.into_any(),
                        None => view! { <SignInForm login=login error=error tenant_id tenant_name sso_provider start/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SecretExpired(message: String) -> impl IntoView {
    view! {
        <h1 class="text-lg font-semibold">"The client secret has expired"</h1>
        <div role="alert" class="mt-3 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="login-secret-expired">
            {message}
        </div>
        <p class="mt-3 text-sm text-slate-600">"Until then, people signing in with single sign-on are refused by Entra (AADSTS7000222). You are signed in with your local account."</p>
        <div class="mt-5 flex flex-col gap-2">
            <a href="/identity-providers" class="btn-primary flex justify-center">"Open Identity Providers"</a>
            <a href="/" class="btn-secondary flex justify-center px-4 py-2">"Continue to the console"</a>
        </div>
    }
}

#[component]
fn SignInForm(
    login: ServerAction<Login>,
    error: Signal<Option<AppError>>,
    tenant_id: String,
    tenant_name: String,
    sso_provider: Option<String>,
    start: String,
) -> impl IntoView {
    view! {
        <h1 class="text-lg font-semibold">"Sign in"</h1>
        <p class="mt-1 text-sm text-slate-600">
            "Tenant " <span class="font-medium text-slate-800" data-testid="login-tenant">{tenant_name}</span>
        </p>
        {sso_provider.map(|name| view! {
            // A plain link: the server answers with the redirect to the identity provider.
            <a href=start rel="external" class="btn-primary mt-5 flex w-full justify-center">{format!("Sign in with {name}")}</a>
            <div class="mt-5 flex items-center gap-3 text-xs text-slate-500" aria-hidden="true">
                <span class="h-px flex-1 bg-slate-200"></span>"or with a local account"<span class="h-px flex-1 bg-slate-200"></span>
            </div>
        })}
        <ActionForm action=login attr:class="mt-5 space-y-4">
            <input type="hidden" name="tenant_id" value=tenant_id/>
            <div>
                <label for="username" class="block text-sm font-medium text-slate-800">"Username"</label>
                <input id="username" name="username" type="text" required autocomplete="username" class="input mt-1"/>
            </div>
            <div>
                <label for="password" class="block text-sm font-medium text-slate-800">"Password"</label>
                <input id="password" name="password" type="password" required autocomplete="current-password" class="input mt-1"/>
            </div>
            {move || error.get().map(|e| view! { <LoginError error=e/> })}
            <button type="submit" class="btn-primary w-full" disabled=move || login.pending().get()>
                {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn LoginError(error: AppError) -> impl IntoView {
    // The error may come from the address, which anyone can write: only sign-in's own
    // messages, whose words are fixed, are shown as they are.
    let text = match error {
        AppError::InvalidCredentials
        | AppError::TooManyAttempts { .. }
        | AppError::Unauthorized
        | AppError::Internal => error.to_string(),
        _ => "Sign-in did not work. Try again.".to_owned(),
    };
    view! {
        <p role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">
            {text}
        </p>
    }
}
