//! Alert channels: where a tenant's alerts go — e-mail over SMTP, or a webhook (an HTTPS POST
//! of the event's JSON, signed). What the console sends to add one is parsed here once into
//! [`ChannelSettings`]; secrets (the SMTP password, the webhook's signing secret) never come back.

use serde::{Deserialize, Serialize};

use super::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server does not offer it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine (loopback).
    None,
}

impl SmtpSecurity {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::StartTls => "STARTTLS",
            Self::Tls => "TLS",
            Self::None => "None (this machine only)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Empty: the server takes mail without signing in.
    pub username: String,
    pub from: String,
    pub to: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelSettings {
    Email(EmailSettings),
    Webhook(WebhookSettings),
}

impl ChannelSettings {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Webhook(_) => "webhook",
        }
    }

    /// One line for the channel list.
    pub fn summary(&self) -> String {
        match self {
            Self::Email(e) => format!(
                "{}:{} ({}) → {}",
                e.host,
                e.port,
                e.security.label(),
                e.to.join(", ")
            ),
            Self::Webhook(w) => w.url.clone(),
        }
    }
}

/// The e-mail channel's form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailForm {
    pub name: String,
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: String,
    pub from: String,
    pub to: String,
}

fn name(text: &str) -> Result<String, FieldError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(FieldError::new(
            "name",
            "Enter a name of at most 100 characters.",
        ));
    }
    Ok(name.to_owned())
}

/// An address as a mail header takes it: something@domain, no spaces or line breaks.
fn address(text: &str) -> Option<String> {
    let a = text.trim();
    let (local, domain) = a.rsplit_once('@')?;
    let plain = |s: &str| {
        !s.is_empty()
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
    };
    (plain(local) && plain(domain) && a.len() <= 254).then(|| a.to_owned())
}

impl EmailForm {
    /// The channel's name and settings, or the first field that is wrong.
    pub fn parse(&self) -> Result<(String, EmailSettings), FieldError> {
        let name = name(&self.name)?;
        let host = self.host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty()
            || host.len() > 253
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        {
            return Err(FieldError::new(
                "host",
                "Enter the SMTP server's host name.",
            ));
        }
        let Some(security) = SmtpSecurity::parse(self.security.trim()) else {
            return Err(FieldError::new("security", "Choose STARTTLS, TLS or None."));
        };
        let port = match self.port.trim() {
            "" => match security {
                SmtpSecurity::StartTls => 587,
                SmtpSecurity::Tls => 465,
                SmtpSecurity::None => 25,
            },
            p => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| FieldError::new("port", "Enter a port from 1 to 65535."))?,
        };
        let username = self.username.trim().to_owned();
        if username.chars().any(char::is_control) || username.len() > 254 {
            return Err(FieldError::new(
                "username",
                "Enter the user name without line breaks.",
            ));
        }
        if !username.is_empty() && self.password.is_empty() {
            return Err(FieldError::new(
                "password",
                "Enter the password of this user name.",
            ));
        }
        let from = address(&self.from).ok_or_else(|| {
            FieldError::new(
                "from",
                "Enter the sender's address, like alerts@example.com.",
            )
        })?;
        let to: Vec<String> = self
            .to
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| address(t).ok_or(t))
            .collect::<Result<_, _>>()
            .map_err(|bad| FieldError::new("to", format!("“{bad}” is not an e-mail address.")))?;
        if to.is_empty() || to.len() > 20 {
            return Err(FieldError::new(
                "to",
                "Enter one to 20 recipients, separated by commas.",
            ));
        }
        Ok((
            name,
            EmailSettings {
                host,
                port,
                security,
                username,
                from,
                to,
            },
        ))
    }
}

/// The webhook channel's form, as typed.
pub fn parse_webhook(name_text: &str, url: &str) -> Result<(String, WebhookSettings), FieldError> {
    let name = name(name_text)?;
    let url = url.trim();
    let ok = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if ok.is_none() || url.len() > 2000 {
        return Err(FieldError::new(
            "url",
            "Enter the receiver's URL, starting with https://.",
        ));
    }
    Ok((
        name,
        WebhookSettings {
            url: url.to_owned(),
        },
    ))
}

/// A channel as the console lists it (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
    pub settings: ChannelSettings,
    pub created_at: i64,
}

/// A channel just added; a webhook's signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewChannel {
    pub channel: ChannelInfo,
    pub signing_secret: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Pending,
    Delivered,
    Failed,
}

impl Outcome {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn from_db(text: &str) -> Self {
        match text {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Delivered => "Delivered",
            Self::Failed => "Failed",
        }
    }
}

/// One event sent (or being sent) to one channel, with the channel's last answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    pub id: String,
    pub channel: String,
    pub subject: String,
    pub created_at: i64,
    pub outcome: Outcome,
    pub attempts: i64,
    pub last_attempt_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
    pub answer: Option<String>,
}

/// A condition alerted and not resolved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAlert {
    pub title: String,
    pub level: String,
    pub since: i64,
}

/// The Alerts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsOverview {
    pub channels: Vec<ChannelInfo>,
    pub deliveries: Vec<DeliveryInfo>,
    pub open: Vec<OpenAlert>,
    pub threshold: super::mass_deprovisioning::MassThreshold,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EmailForm {
        EmailForm {
            name: "Ops mail".into(),
            host: "smtp.example.com".into(),
            port: String::new(),
            security: "starttls".into(),
            username: "alerts".into(),
            password: "pw".into(),
            from: "alerts@example.com".into(),
            to: "ops@example.com, it@example.com".into(),
        }
    }

    #[test]
    fn an_email_form_parses_with_the_port_of_its_security() {
        let (name, s) = form().parse().unwrap();
        assert_eq!(name, "Ops mail");
        assert_eq!(s.port, 587);
        assert_eq!(s.to, vec!["ops@example.com", "it@example.com"]);
    }

    #[test]
    fn each_wrong_field_is_named() {
        type Edit = fn(&mut EmailForm);
        let cases: [(Edit, &str); 6] = [
            (|f| f.host = "smtp example".into(), "host"),
            (|f| f.port = "70000".into(), "port"),
            (|f| f.security = "ssl".into(), "security"),
            (|f| f.password = String::new(), "password"),
            (|f| f.from = "alerts".into(), "from"),
            (|f| f.to = "ops@example.com, bob".into(), "to"),
        ];
        for (edit, field) in cases {
            let mut f = form();
            edit(&mut f);
            match f.parse() {
                Err(FieldError { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_header_cannot_be_smuggled_into_an_address() {
        assert!(address("a@b.example\r\nBcc: x@y").is_none());
        assert!(address("Bob <bob@example.com>").is_none());
    }

    #[test]
    fn webhooks_need_a_web_url() {
        assert!(parse_webhook("Hook", "https://hooks.example.com/cantara").is_ok());
        assert!(parse_webhook("Hook", "ftp://hooks.example.com").is_err());
        assert!(parse_webhook("", "https://hooks.example.com").is_err());
    }
}
