//! Sending one event to one channel: e-mail over SMTP with lettre (STARTTLS, TLS, or plain to a
//! relay on this machine; credentials decrypted only here), or a webhook POST of the event's
//! JSON through [`Outbound`](crate::backend::outbound::Outbound) (https, no redirects, the same
//! address rules as identity providers) with `Cantara-Signature: t={unix},v1={hex}`, the
//! HMAC-SHA256 of `{t}.{body}` under the channel's signing secret. The answer comes back as
//! text for the delivery list; no secret is ever part of it.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::backend::clock::now;
use crate::backend::crypto::secrets::{decrypt, hmac_sha256_hex};
use crate::backend::outbound::is_private;
use crate::backend::Backend;
use crate::domain::alert_channel::{ChannelSettings, EmailSettings, SmtpSecurity};
use crate::domain::alerts::{signed_text, AlertEvent, SIGNATURE_HEADER};

const PLAIN_ONLY_HERE: &str =
    "without STARTTLS or TLS, Cantara sends mail only to a relay on this machine (localhost)";

/// The time an SMTP server has for the whole conversation.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

fn mailbox(text: &str, field: &str) -> Result<Mailbox, String> {
    text.parse::<Mailbox>()
        .map_err(|_| format!("the {field} address “{text}” is not valid"))
}

/// The message an e-mail channel sends for `event`.
pub(crate) fn email_message(s: &EmailSettings, event: &AlertEvent) -> Result<Message, String> {
    let mut m = Message::builder()
        .from(mailbox(&s.from, "sender")?)
        .subject(event.subject())
        .header(ContentType::TEXT_PLAIN);
    for to in &s.to {
        m = m.to(mailbox(to, "recipient")?);
    }
    m.body(event.text())
        .map_err(|e| format!("the message could not be written: {e}"))
}

impl Backend {
    /// Whether Cantara may connect to this SMTP server: not a private, loopback or link-local
    /// address unless the operator allows them, and plain SMTP only to this machine.
    pub(crate) async fn smtp_target(&self, s: &EmailSettings) -> Result<IpAddr, String> {
        let host = s.host.trim_start_matches('[').trim_end_matches(']');
        let this_machine = host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if s.security == SmtpSecurity::None && !this_machine {
            return Err(PLAIN_ONLY_HERE.into());
        }
        let found: Vec<IpAddr> = tokio::net::lookup_host((host, s.port))
            .await
            .map_err(|_| format!("the SMTP server “{}” could not be found", s.host))?
            .map(|a| a.ip())
            .collect();
        let allowed = |ip: &IpAddr| self.config.allow_private_idp_urls || !is_private(*ip);
        let Some(ip) = found.iter().copied().find(allowed) else {
            return Err(format!(
                "the SMTP server “{}” is on a private, loopback or link-local address, which Cantara does not contact (the operator can allow it with CANTARA_ALLOW_PRIVATE_IDP_URLS=true)",
                s.host
            ));
        };
        if s.security == SmtpSecurity::None && !found.iter().all(IpAddr::is_loopback) {
            return Err(PLAIN_ONLY_HERE.into());
        }
        Ok(ip)
    }

    async fn send_email(
        &self,
        s: &EmailSettings,
        password: Option<String>,
        event: &AlertEvent,
    ) -> Result<String, String> {
        let message = email_message(s, event)?;
        let ip = self.smtp_target(s).await?;
        // Connect to the address checked; the certificate is checked against the host name.
        let tls_for = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| format!("TLS could not be set up: {e}"))
        };
        let tls = match s.security {
            SmtpSecurity::StartTls => Tls::Required(tls_for(&s.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_for(&s.host)?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(ip.to_string())
            .port(s.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.clone(),
                password.unwrap_or_default(),
            ));
        }
        let transport = builder.build();
        let sent = tokio::time::timeout(SMTP_TIMEOUT, transport.send(message))
            .await
            .map_err(|_| {
                format!(
                    "the SMTP server did not answer within {} s",
                    SMTP_TIMEOUT.as_secs()
                )
            })?;
        match sent {
            Ok(r) => Ok(format!(
                "{} {}",
                r.code(),
                r.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Err(format!("SMTP: {e}")),
        }
    }

    async fn send_webhook(
        &self,
        url: &str,
        secret: &str,
        event: &AlertEvent,
    ) -> Result<String, String> {
        let body = serde_json::to_string(event).map_err(|e| e.to_string())?;
        let t = now();
        let signature = format!(
            "t={t},v1={}",
            hmac_sha256_hex(secret, &signed_text(t, &body))
        );
        let (status, text) = self
            .outbound
            .post_json(
                url,
                body,
                &[
                    (SIGNATURE_HEADER, signature),
                    ("Cantara-Event-Id", event.id.clone()),
                ],
            )
            .await
            .map_err(|e| e.to_string())?;
        let answer = if text.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {text}")
        };
        if (200..300).contains(&status) {
            Ok(answer)
        } else {
            Err(answer)
        }
    }

    /// Sends `event` to the channel stored as `settings` (JSON) and `secret_enc`.
    pub(crate) async fn send_to_channel(
        &self,
        settings: &str,
        secret_enc: Option<&str>,
        event: &AlertEvent,
    ) -> Result<String, String> {
        let settings: ChannelSettings = serde_json::from_str(settings)
            .map_err(|_| "the channel's settings cannot be read".to_owned())?;
        let secret = match secret_enc {
            Some(enc) => Some(decrypt(&self.config.secret_key, enc).map_err(|_| {
                "the channel's secret cannot be decrypted with this secret key".to_owned()
            })?),
            None => None,
        };
        match settings {
            ChannelSettings::Email(s) => self.send_email(&s, secret, event).await,
            ChannelSettings::Webhook(w) => {
                let secret =
                    secret.ok_or_else(|| "the webhook has no signing secret".to_owned())?;
                self.send_webhook(&w.url, &secret, event).await
            }
        }
    }
}
