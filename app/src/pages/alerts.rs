//! Alerts (`/provisioning/alerts`): where this tenant's alerts go — e-mail over SMTP and signed
//! webhooks — with `Send test alert` for each, every delivery and its answer, what is alerted
//! now, and the mass-deprovisioning threshold. For holders of Provisioning Administration.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::alerts::{
    get_alerts_overview, AddEmailChannel, AddWebhookChannel, DeleteAlertChannel, SendTestAlert,
    SetMassThreshold,
};
use crate::components::access::error_view;
use crate::components::badge::{Badge, Tone};
use crate::components::copy_button::CopyButton;
use crate::components::dialog::Dialog;
use crate::components::field::Field;
use crate::components::hydration::use_hydrated;
use crate::components::local_time::LocalTime;
use crate::components::page_header::PageHeader;
use crate::components::table::{DataTable, TableLoading};
use crate::components::toast::use_toast;
use crate::domain::alert_channel::{
    AlertsOverview, ChannelInfo, ChannelSettings, DeliveryInfo, OpenAlert, Outcome,
};
use crate::domain::error::AppError;

#[component]
pub fn AlertsPage() -> impl IntoView {
    let add_email = ServerAction::<AddEmailChannel>::new();
    let add_webhook = ServerAction::<AddWebhookChannel>::new();
    let delete = ServerAction::<DeleteAlertChannel>::new();
    let test = ServerAction::<SendTestAlert>::new();
    let threshold = ServerAction::<SetMassThreshold>::new();
    let refresh = RwSignal::new(0u32);
    let overview = Resource::new(
        move || {
            (
                add_email.version().get(),
                add_webhook.version().get(),
                delete.version().get(),
                test.version().get(),
                threshold.version().get(),
                refresh.get(),
            )
        },
        |_| get_alerts_overview(),
    );
    let toast = use_toast();
    Effect::new(move |_| match test.value().get() {
        Some(Ok(d)) if d.outcome == Outcome::Delivered => {
            toast.set(Some(Ok(format!("Test alert delivered to {}.", d.channel))))
        }
        Some(Ok(d)) => toast.set(Some(Err(format!(
            "The test alert to {} failed: {}",
            d.channel,
            d.answer.unwrap_or_default()
        )))),
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
        None => {}
    });
    Effect::new(move |_| match threshold.value().get() {
        Some(Ok(_)) => toast.set(Some(Ok("Mass-deprovisioning notice saved.".into()))),
        Some(Err(AppError::Invalid { .. })) | None => {}
        Some(Err(e)) => toast.set(Some(Err(e.to_string()))),
    });
    view! {
        <PageHeader title="Alerts" description="Cantara tells this tenant's admins when provisioning turns Degraded, Failing or Silent, when one hour deprovisions many people, and when a client secret or provisioning token is about to expire — once when the state changes, and again when it is resolved.">
            <A href="/provisioning" attr:class="btn-secondary px-4 py-2 text-sm">"Provisioning"</A>
            <button type="button" class="btn-secondary px-4 py-2 text-sm" on:click=move |_| refresh.update(|r| *r += 1)>"Refresh"</button>
        </PageHeader>
        <Transition fallback=|| view! { <TableLoading what="alerts"/> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Overview overview=o delete=delete test=test threshold=threshold/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Transition>
        <div class="grid gap-6 lg:grid-cols-2">
            <EmailChannelForm action=add_email/>
            <WebhookForm action=add_webhook/>
        </div>
    }
}

#[component]
fn Overview(
    overview: AlertsOverview,
    delete: ServerAction<DeleteAlertChannel>,
    test: ServerAction<SendTestAlert>,
    threshold: ServerAction<SetMassThreshold>,
) -> impl IntoView {
    let AlertsOverview {
        channels,
        deliveries,
        open,
        threshold: current,
    } = overview;
    view! {
        <OpenAlerts open=open/>
        <Channels channels=channels delete=delete test=test/>
        <Deliveries deliveries=deliveries/>
        <ThresholdForm action=threshold share=current.share_percent min=current.min_people/>
    }
}

#[component]
fn OpenAlerts(open: Vec<OpenAlert>) -> impl IntoView {
    view! {
        <section class="card mb-6" aria-labelledby="open-title" data-testid="open-alerts">
            <h2 id="open-title" class="font-semibold">"Open alerts"</h2>
            {if open.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">"Nothing is alerted now."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 space-y-2 text-sm">
                        {open.into_iter().map(|a| view! {
                            <li class="flex flex-wrap items-center gap-2" data-testid="open-alert">
                                <Badge text=a.level.clone() tone=Tone::Warning/>
                                <span class="font-medium">{a.title}</span>
                                <span class="text-slate-600">"since " <LocalTime at=a.since/></span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Channels(
    channels: Vec<ChannelInfo>,
    delete: ServerAction<DeleteAlertChannel>,
    test: ServerAction<SendTestAlert>,
) -> impl IntoView {
    let asking = RwSignal::new(None::<(String, String)>);
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Err(e)) = delete.value().get() {
            toast.set(Some(Err(e.to_string())));
        }
    });
    view! {
        <section class="card mb-6" aria-labelledby="channels-title">
            <h2 id="channels-title" class="font-semibold">"Alert channels"</h2>
            {if channels.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600" data-testid="no-channels">"No alert channels yet: add an e-mail channel or a webhook below."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3">
                        <DataTable label="Alert channels" testid="channel-table" headers=&["Name", "Type", "Where", ""]>
                            {channels.into_iter().map(|c| view! { <ChannelRow channel=c asking=asking test=test/> }).collect_view()}
                        </DataTable>
                    </div>
                }.into_any()
            }}
        </section>
        <Dialog open=Signal::derive(move || asking.with(Option::is_some))
            title=Signal::derive(move || format!("Delete {}?", asking.with(|a| a.as_ref().map(|(_, n)| n.clone()).unwrap_or_default())))
            confirm="Delete channel" cancel="Cancel" danger=true
            on_confirm=Callback::new(move |_| {
                if let Some((id, _)) = asking.get_untracked() {
                    delete.dispatch(DeleteAlertChannel { channel_id: id });
                }
                asking.set(None);
            })
            on_cancel=Callback::new(move |_| asking.set(None))>
            <p>"Alerts no longer go to this channel, and its deliveries are deleted."</p>
        </Dialog>
    }
}

#[component]
fn ChannelRow(
    channel: ChannelInfo,
    asking: RwSignal<Option<(String, String)>>,
    test: ServerAction<SendTestAlert>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let kind = match channel.settings {
        ChannelSettings::Email(_) => "E-mail",
        ChannelSettings::Webhook(_) => "Webhook",
    };
    let (id, id2, name) = (channel.id.clone(), channel.id.clone(), channel.name.clone());
    let test_label = format!("Send test alert to {}", channel.name);
    let delete_label = format!("Delete {}", channel.name);
    view! {
        <tr data-testid="channel-row">
            <td data-label="Name" class="font-medium">{channel.name.clone()}</td>
            <td data-label="Type">{kind}</td>
            <td data-label="Where"><span class="break-all text-xs">{channel.settings.summary()}</span></td>
            <td class="whitespace-nowrap sm:text-right">
                <span class="flex flex-wrap gap-2 sm:justify-end">
                    <button type="button" class="btn-secondary px-2 py-1 text-xs" aria-label=test_label
                        disabled=move || !hydrated.get() || test.pending().get()
                        on:click=move |_| { test.dispatch(SendTestAlert { channel_id: id.clone() }); }>"Send test alert"</button>
                    <button type="button" class="btn-secondary px-2 py-1 text-xs" aria-label=delete_label
                        disabled=move || !hydrated.get()
                        on:click=move |_| asking.set(Some((id2.clone(), name.clone())))>"Delete"</button>
                </span>
            </td>
        </tr>
    }
}

#[component]
fn Deliveries(deliveries: Vec<DeliveryInfo>) -> impl IntoView {
    view! {
        <section class="card mb-6" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title" class="font-semibold">"Deliveries"</h2>
            <p class="mt-1 text-sm text-slate-600">"Every alert sent to each channel, with the channel's answer. A failed delivery is retried after 30 s, 2 min, 10 min, 30 min and 2 h."</p>
            {if deliveries.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600" data-testid="no-deliveries">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3">
                        <DataTable label="Deliveries" testid="delivery-table" headers=&["Time", "Channel", "Alert", "Result"]>
                            {deliveries.into_iter().map(|d| view! { <DeliveryRow delivery=d/> }).collect_view()}
                        </DataTable>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn DeliveryRow(delivery: DeliveryInfo) -> impl IntoView {
    let tone = match delivery.outcome {
        Outcome::Delivered => Tone::Success,
        Outcome::Pending => Tone::Warning,
        Outcome::Failed => Tone::Danger,
    };
    let attempts = match delivery.attempts {
        0 => "Not tried yet".to_owned(),
        1 => "1 attempt".to_owned(),
        n => format!("{n} attempts"),
    };
    view! {
        <tr data-testid="delivery-row" data-outcome=delivery.outcome.label()>
            <td data-label="Time"><LocalTime at=delivery.created_at/></td>
            <td data-label="Channel">{delivery.channel}</td>
            <td data-label="Alert"><span class="break-words">{delivery.subject}</span></td>
            <td data-label="Result">
                <span class="min-w-0">
                    <Badge text=delivery.outcome.label() tone=tone/>
                    <span class="mt-1 block text-xs text-slate-600">{attempts}
                        {delivery.next_attempt_at.filter(|_| delivery.outcome == Outcome::Pending && delivery.attempts > 0).map(|at| view! { ", next " <LocalTime at=at/> })}
                    </span>
                    {delivery.answer.map(|a| view! { <span class="mt-1 block max-w-md break-words font-mono text-xs" data-testid="delivery-answer">{a}</span> })}
                </span>
            </td>
        </tr>
    }
}

#[component]
fn ThresholdForm(action: ServerAction<SetMassThreshold>, share: i64, min: i64) -> impl IntoView {
    let hydrated = use_hydrated();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card mb-6" aria-labelledby="mass-title">
            <h2 id="mass-title" class="font-semibold">"Mass-deprovisioning notice"</h2>
            <p class="mt-1 text-sm text-slate-600">"Provisioning health shows it, with who was affected, and an alert goes out when one hour deactivates or deletes more than this share of the tenant's provisioned people and at least this many — or removes every member of a group that holds a Security Topic."</p>
            <ActionForm action=action attr:class="mt-3 grid gap-3 sm:grid-cols-[10rem_10rem_auto] sm:items-start">
                <ThresholdField name="share_percent" label="Share of people (%)" value=share error=error/>
                <ThresholdField name="min_people" label="At least (people)" value=min error=error/>
                <button type="submit" class="btn-primary sm:mt-6" disabled=move || !hydrated.get() || action.pending().get()>"Save notice"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ThresholdField(
    name: &'static str,
    label: &'static str,
    value: i64,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let message = move || error.get().and_then(|e| e.message_for(name));
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-800">{label}</label>
            <input id=id name=name type="number" class="input mt-1" value=value.to_string()
                aria-invalid=move || message().is_some().to_string()/>
            {move || message().map(|m| view! { <p role="alert" class="mt-1 text-sm text-red-700">{m}</p> })}
        </div>
    }
}

#[component]
fn EmailChannelForm(action: ServerAction<AddEmailChannel>) -> impl IntoView {
    let hydrated = use_hydrated();
    // The server names its fields ("host"); the inputs are named as parts of `form`.
    let error = Signal::derive(move || {
        action.value().get().and_then(Result::err).map(|e| match e {
            AppError::Invalid { field, message } => AppError::Invalid {
                field: format!("form[{field}]"),
                message,
            },
            e => e,
        })
    });
    let form = NodeRef::<leptos::html::Form>::new();
    let toast = use_toast();
    Effect::new(move |_| {
        if let Some(Ok(added)) = action.value().get() {
            toast.set(Some(Ok(format!(
                "E-mail channel “{}” added. Send a test alert to check it.",
                added.channel.name
            ))));
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let security_error = move || error.get().and_then(|e| e.message_for("form[security]"));
    view! {
        <section class="card mb-6" aria-labelledby="email-title">
            <h2 id="email-title" class="font-semibold">"Add an e-mail channel"</h2>
            <p class="mt-1 text-sm text-slate-600">"Alerts are sent through your SMTP server. The password is stored encrypted and never shown again."</p>
            <ActionForm action=action node_ref=form attr:class="mt-3 grid gap-3 sm:grid-cols-2">
                <Field name="form[name]" label="Name" error=error help="E.g. “Identity team”."/>
                <Field name="form[host]" label="SMTP server" error=error help="E.g. smtp.office365.com."/>
                <div>
                    <label for="field-form[security]" class="block text-sm font-medium text-slate-800">"Security"</label>
                    <select id="field-form[security]" name="form[security]" class="input mt-1">
                        <option value="starttls" selected>"STARTTLS (port 587)"</option>
                        <option value="tls">"TLS (port 465)"</option>
                        <option value="none">"None (a relay on this machine)"</option>
                    </select>
                    {move || security_error().map(|m| view! { <p role="alert" class="mt-1 text-sm text-red-700">{m}</p> })}
                </div>
                <Field name="form[port]" label="Port" input_type="number" error=error help="Empty: the port of the security chosen."/>
                <Field name="form[username]" label="Username" error=error autocomplete="off" help="Empty: the server takes mail without signing in."/>
                <Field name="form[password]" label="Password" input_type="password" error=error autocomplete="new-password"/>
                <Field name="form[from]" label="From" error=error help="The sender's address, e.g. alerts@example.com."/>
                <Field name="form[to]" label="To" error=error help="One or more addresses, separated by commas."/>
                <div class="sm:col-span-2">
                    <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || action.pending().get()>"Add e-mail channel"</button>
                </div>
            </ActionForm>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> })}
        </section>
    }
}

#[component]
fn WebhookForm(action: ServerAction<AddWebhookChannel>) -> impl IntoView {
    let hydrated = use_hydrated();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // The signing secret lives only in this signal; "Done" drops it for good.
    let (secret, set_secret) = signal(None::<String>);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(added)) = action.value().get() {
            set_secret.set(added.signing_secret);
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    view! {
        <section class="card mb-6" aria-labelledby="webhook-title">
            <h2 id="webhook-title" class="font-semibold">"Add a webhook"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "Each alert is POSTed as JSON to this HTTPS URL with the header "
                <code class="font-mono text-xs">"Cantara-Signature: t=…,v1=…"</code>
                ": v1 is the hex HMAC-SHA256 of “t.body” under the signing secret. Refuse a request whose signature differs or whose t is more than five minutes old."
            </p>
            <ActionForm action=action node_ref=form attr:class="mt-3 grid gap-3">
                <Field name="name" label="Name" error=error help="E.g. “Incident channel”."/>
                <Field name="url" label="URL" input_type="url" error=error help="https://…"/>
                <div>
                    <button type="submit" class="btn-primary" disabled=move || !hydrated.get() || action.pending().get()>"Add webhook"</button>
                </div>
            </ActionForm>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> })}
            {move || secret.get().map(|s| view! {
                <div class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4" role="status" data-testid="signing-secret">
                    <p class="text-sm font-semibold text-amber-900">"Copy this signing secret now. It will not be shown again."</p>
                    <div class="mt-2 flex items-center gap-2">
                        <code class="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200" data-testid="signing-secret-value">{s.clone()}</code>
                        <CopyButton value=s what="signing secret"/>
                    </div>
                    <button type="button" class="btn-secondary mt-3 px-3 py-1 text-sm" on:click=move |_| set_secret.set(None)>"Done"</button>
                </div>
            })}
        </section>
    }
}
