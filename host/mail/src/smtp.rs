//! Handing a mail to the operator's SMTP server, and what its answer means for the delivery.

use std::error::Error as _;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};

use crate::message::Mail;

/// How long a connection, a read or a write may take when the operator does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `none`: plain text throughout (a relay on the same host or a trusted network only).
    None,
    /// `starttls`: plain text upgraded with STARTTLS, which the server must offer (the mail is
    /// never sent in plain text); port 587 by default.
    StartTls,
    /// `tls`: TLS from the first byte (implicit TLS, "SMTPS"); port 465 by default.
    Tls,
}

impl TlsMode {
    /// The usual port of the mode: 25, 587 or 465.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        }
    }
}

impl FromStr for TlsMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" => Ok(TlsMode::Tls),
            _ => Err(format!(
                "unknown TLS mode `{s}` (expected none, starttls or tls)"
            )),
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsMode::None => "none",
            TlsMode::StartTls => "starttls",
            TlsMode::Tls => "tls",
        })
    }
}

/// The user name and password Portico authenticates with (PLAIN or LOGIN, as the server offers).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    /// The user name.
    pub username: String,
    /// The password; never shown by `Debug`.
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The operator's SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The server's host name (also the name its TLS certificate must carry) or IP address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: TlsMode,
    /// The credentials, if the server wants them.
    pub credentials: Option<SmtpCredentials>,
    /// The longest a connection, a read or a write may take.
    pub timeout: Duration,
    /// The name Portico gives in EHLO; the machine's host name when `None`.
    pub hello_name: Option<String>,
}

impl SmtpSettings {
    /// `host` in `tls` mode on the mode's usual port, without credentials, with
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(host: impl Into<String>, tls: TlsMode) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port: tls.default_port(),
            tls,
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
            hello_name: None,
        }
    }
}

/// The SMTP settings cannot make a transport.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SMTP settings: {0}")]
pub struct ConfigError(pub String);

/// Whether a failed delivery may succeed later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Try again later: the server could not be reached, timed out, broke off, answered 4xx,
    /// refused the TLS handshake or the credentials (settings the operator can fix).
    Temporary,
    /// Do not try again: the server refused the message with a 5xx answer.
    Permanent,
}

/// A mail the SMTP server did not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} failure: {answer}", match kind { FailureKind::Temporary => "temporary", FailureKind::Permanent => "permanent" })]
pub struct SendError {
    /// Whether to try again.
    pub kind: FailureKind,
    /// The server's reply code (`451`, `550`), when it answered.
    pub code: Option<u16>,
    /// The server's answer (`550 5.1.1 no such user`), or what went wrong on the way to it.
    pub answer: String,
}

impl SendError {
    /// Whether the delivery is failed for good.
    pub fn is_permanent(&self) -> bool {
        self.kind == FailureKind::Permanent
    }
}

/// A client of the operator's SMTP server. Sending blocks the calling thread (lettre's blocking
/// transport): the delivery worker calls it on threads of its own, never on an async runtime's
/// worker. Each `send` opens a connection, sends one mail and closes it.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// A client of the server `settings` describe. Nothing is connected yet.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, ConfigError> {
        let host = settings.host.trim();
        if host.is_empty() {
            return Err(ConfigError("the host is empty".into()));
        }
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(settings.port)
            .tls(tls(settings.tls, host)?)
            .timeout(Some(settings.timeout));
        if let Some(c) = &settings.credentials {
            builder = builder.credentials(Credentials::new(c.username.clone(), c.password.clone()));
        }
        if let Some(name) = &settings.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
        })
    }

    /// Hands `mail` to the server: `Ok` once it accepted the message (250 after DATA).
    pub fn send(&self, mail: &Mail) -> Result<(), SendError> {
        self.transport
            .send(mail.message())
            .map(drop)
            .map_err(|e| classify(&e))
    }

    /// Connects, greets the server (and authenticates, if configured) and quits: a check of
    /// the settings at start.
    pub fn check_connection(&self) -> Result<(), SendError> {
        match self.transport.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError {
                kind: FailureKind::Temporary,
                code: None,
                answer: "the server did not complete the greeting".into(),
            }),
            Err(e) => Err(classify(&e)),
        }
    }
}

fn tls(mode: TlsMode, host: &str) -> Result<Tls, ConfigError> {
    let parameters = || {
        TlsParameters::new(host.to_string())
            .map_err(|e| ConfigError(format!("TLS for `{host}`: {e}")))
    };
    Ok(match mode {
        TlsMode::None => Tls::None,
        TlsMode::StartTls => Tls::Required(parameters()?),
        TlsMode::Tls => Tls::Wrapper(parameters()?),
    })
}

/// Reply codes that refuse the operator's credentials or connection, not the message: a fix of
/// the settings makes them pass, so they are temporary.
const SETTINGS_CODES: [u16; 4] = [530, 534, 535, 538];

/// The SMTP client's error as a delivery failure: a 5xx answer is permanent (except one about
/// authentication), everything else temporary.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let code = error
        .status()
        .and_then(|c| c.to_string().parse::<u16>().ok());
    let answer = match (code, error.source()) {
        (Some(code), Some(text)) => format!("{code} {text}"),
        _ => error.to_string(),
    };
    let permanent = error.is_permanent() && !code.is_some_and(|c| SETTINGS_CODES.contains(&c));
    SendError {
        kind: match permanent {
            true => FailureKind::Permanent,
            false => FailureKind::Temporary,
        },
        code,
        answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_modes_parse_and_have_their_ports() {
        assert_eq!("none".parse(), Ok(TlsMode::None));
        assert_eq!("STARTTLS".parse(), Ok(TlsMode::StartTls));
        assert_eq!("tls".parse(), Ok(TlsMode::Tls));
        assert!("ssl"
            .parse::<TlsMode>()
            .unwrap_err()
            .contains("none, starttls or tls"));
        let ports = TlsMode::ALL_FOR_TESTS.map(TlsMode::default_port);
        assert_eq!(ports, [25, 587, 465]);
    }

    #[test]
    fn credentials_are_not_shown() {
        let mut settings = SmtpSettings::new("smtp.example.com", TlsMode::StartTls);
        settings.credentials = Some(SmtpCredentials {
            username: "portico".into(),
            password: "hunter2".into(),
        });
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("portico") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(Mailer::new(&settings).is_ok());
        settings.host = " ".into();
        assert!(Mailer::new(&settings).is_err());
    }

    impl TlsMode {
        const ALL_FOR_TESTS: [TlsMode; 3] = [TlsMode::None, TlsMode::StartTls, TlsMode::Tls];
    }
}
