//! Provisioning health as the home and Provisioning pages show it: the state with its reason in
//! words, the last request, the counts of the last hour and day, and the most frequent failure
//! with an example request.

use leptos::prelude::*;
use leptos_router::components::A;

use super::badge::{Badge, Tone};
use super::local_time::LocalTime;
use crate::domain::mass_deprovisioning::MassDeprovisioning;
use crate::domain::provisioning::status_text;
use crate::domain::provisioning_health::{HealthState, ProvisioningHealth};

#[component]
pub fn HealthCard(health: ProvisioningHealth, #[prop(optional)] link: bool) -> impl IntoView {
    let tone = match health.state {
        HealthState::NotConfigured => Tone::Neutral,
        HealthState::Healthy => Tone::Success,
        HealthState::Degraded | HealthState::Silent => Tone::Warning,
        HealthState::Failing => Tone::Danger,
    };
    let top = health
        .top_failure
        .clone()
        .filter(|_| matches!(health.state, HealthState::Degraded | HealthState::Failing));
    view! {
        <section class="card mb-6" aria-labelledby="health-title" data-testid="provisioning-health" data-state=health.state.label()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="health-title" class="font-semibold">"Provisioning health"</h2>
                <Badge text=health.state.label() tone=tone/>
            </div>
            <p class="mt-2 text-sm" data-testid="health-reason">{health.reason.clone()}</p>
            <dl class="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
                <div><dt class="text-xs uppercase text-slate-600">"Last request"</dt>
                    <dd class="mt-1 font-medium">{match health.last_request_at {
                        Some(at) => view! { <LocalTime at=at/> }.into_any(),
                        None => view! { <span>"Never"</span> }.into_any(),
                    }}</dd></div>
                <div><dt class="text-xs uppercase text-slate-600">"Last hour"</dt>
                    <dd class="mt-1 font-medium">{format!("{} requests, {} failed", health.hour_requests, health.hour_failures)}</dd></div>
                <div><dt class="text-xs uppercase text-slate-600">"Last day"</dt>
                    <dd class="mt-1 font-medium">{format!("{} requests, {} failed", health.day_requests, health.day_failures)}</dd></div>
            </dl>
            {top.map(|t| view! {
                <div class="mt-3 rounded-md border border-slate-200 p-3 text-sm" data-testid="top-failure">
                    <p class="font-medium">{format!("Most frequent failure ({}×): {}", t.count, status_text(t.status))}</p>
                    {(!t.detail.is_empty()).then(|| view! { <p class="mt-1 break-words">{t.detail.clone()}</p> })}
                    <p class="mt-1 text-slate-600">"Example: "
                        <code class="break-all font-mono text-xs">{format!("{} {}", t.example.method, t.example.path)}</code>
                        " at " <LocalTime at=t.example.at/></p>
                </div>
            })}
            {health.mass_deprovisioning.clone().map(|m| view! { <MassNotice notice=m/> })}
            {link.then(|| view! {
                <A href="/provisioning" attr:class="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">"Open the Provisioning page →"</A>
            })}
        </section>
    }
}

/// The last hour deprovisioned many people, or emptied a group holding Security Topics: shown
/// first thing, with who was affected.
#[component]
fn MassNotice(notice: MassDeprovisioning) -> impl IntoView {
    let more = notice.total.saturating_sub(notice.affected.len());
    view! {
        <div role="alert" class="mt-3 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="mass-deprovisioning">
            <p class="font-semibold">{format!("Mass deprovisioning: {} people affected in the last hour", notice.total)}</p>
            <p class="mt-1">{notice.reason.clone()}</p>
            <details class="mt-2">
                <summary class="cursor-pointer font-medium">"Who was affected"</summary>
                <ul class="mt-2 max-h-64 space-y-1 overflow-y-auto" data-testid="mass-affected">
                    {notice.affected.into_iter().map(|a| {
                        let what = match &a.group {
                            Some(g) => format!("{} from “{g}”", a.what.label()),
                            None => a.what.label().to_owned(),
                        };
                        view! {
                            <li class="flex flex-wrap gap-x-2">
                                <A href=format!("/users/{}", a.account_id) attr:class="font-medium underline">{a.username.clone()}</A>
                                <span>{what}</span>
                                <span class="text-red-800"><LocalTime at=a.at/></span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="mt-1">{format!("and {more} more")}</p> })}
            </details>
        </div>
    }
}
