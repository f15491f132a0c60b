//! Sending email: claim due emails from the outbox under a lease, hand them to the SMTP server,
//! and schedule retries with backoff and jitter. An email keeps its `Message-ID` on every try, so
//! a server that saw a try whose answer was lost can tell the copy. A permanent refusal (5xx)
//! fails at once; anything else is retried.

use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::Rng;
use tandem_domain::email::EmailKind;
use tandem_store::emails::{self, Email, Outcome};

use crate::{App, AppResult, MailSettings};

/// Emails claimed per round.
pub const BATCH: i64 = 16;

/// How long one SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP transport and the sender, built once from the settings.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// Reads `TANDEM_SMTP_URL`'s value and the `From` mailbox; an error says which is wrong.
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let transport = transport(settings)?;
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("TANDEM_MAIL_FROM: {e}"))?;
        Ok(Mailer {
            transport,
            from,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
        })
    }
}

/// The SMTP transport `settings` describe. lettre reads the URL; `tls=starttls` (the name most
/// providers document) is its `tls=required`, and a CA file replaces the TLS parameters with ones
/// that also trust it, in the same mode.
fn transport(settings: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let bad = |e: &dyn std::fmt::Display| format!("TANDEM_SMTP_URL: {e}");
    let mut url = url::Url::parse(&settings.smtp_url).map_err(|e| bad(&e))?;
    let mode = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.to_ascii_lowercase());
    if mode.as_deref() == Some("starttls") {
        let rest: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "tls")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(rest)
            .append_pair("tls", "required");
    }
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str()).map_err(|e| bad(&e))?;
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("TANDEM_SMTP_CA_FILE {}: {e}", path.display()))?;
        let ca = Certificate::from_pem(&pem)
            .map_err(|e| format!("TANDEM_SMTP_CA_FILE {}: {e}", path.display()))?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let params = TlsParameters::builder(host)
            .add_root_certificate(ca)
            .build()
            .map_err(|e| format!("TANDEM_SMTP_CA_FILE: {e}"))?;
        builder = match (url.scheme(), mode.as_deref()) {
            ("smtps", _) => builder.tls(Tls::Wrapper(params)),
            (_, Some("required" | "starttls")) => builder.tls(Tls::Required(params)),
            (_, Some("opportunistic")) => builder.tls(Tls::Opportunistic(params)),
            _ => {
                return Err(
                    "TANDEM_SMTP_CA_FILE is set but TANDEM_SMTP_URL asks for no TLS".to_owned(),
                );
            }
        };
    }
    Ok(builder.timeout(Some(TIMEOUT)).build())
}

/// Sends due emails until the task is dropped.
pub async fn run(app: App, mailer: Mailer) {
    let Some(settings) = app.settings().mail.clone() else {
        return;
    };
    let poll = Duration::from_millis(settings.poll_ms.max(10));
    loop {
        match drain_once(&app, &mailer).await {
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "email round failed"),
        }
        tokio::time::sleep(poll).await;
    }
}

/// Claims a batch of due emails and sends them one after another; returns how many were claimed.
/// As with webhooks, the claim and each record go through [`App::write`] (SQLite's one writer).
pub async fn drain_once(app: &App, mailer: &Mailer) -> AppResult<usize> {
    // The lease outlives a whole batch's conversations, so only a crashed worker's lapses.
    let lease = chrono::Duration::from_std(TIMEOUT * (BATCH as u32 + 1)).unwrap_or_default();
    let claimed = super::claim_due(app, emails::any_due, emails::claim_due, lease, BATCH).await?;
    let count = claimed.len();
    for email in claimed {
        send(app, mailer, email).await;
    }
    Ok(count)
}

async fn send(app: &App, mailer: &Mailer, email: Email) {
    let attempts = email.attempts + 1;
    let result = match message(mailer, &email) {
        Ok(message) => mailer
            .transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| (e.is_permanent(), e.to_string())),
        // An address the SMTP library cannot write will never be sendable.
        Err(e) => Err((true, e)),
    };
    let settings = app.settings().mail.clone();
    let (outcome, error) = match result {
        Ok(()) => (Outcome::Sent(app.now().naive_utc()), None),
        Err((permanent, error)) => {
            let jitter = rand::rng().random::<f64>();
            let retry = settings
                .as_ref()
                .and_then(|s| s.retry_policy().next_delay(attempts as u32, jitter));
            match retry {
                Some(wait) if !permanent => (
                    Outcome::RetryAt((app.now() + wait).naive_utc()),
                    Some(error),
                ),
                _ => (Outcome::Failed, Some(error)),
            }
        }
    };
    crate::metrics::email(match outcome {
        Outcome::Sent(_) => "sent",
        Outcome::RetryAt(_) => "retrying",
        Outcome::Failed => "failed",
    });
    if let Some(error) = &error {
        tracing::warn!(email = %email.id, attempts, %error, "sending an email failed");
    }
    let id = email.id.clone();
    let recorded = app
        .write(move |tx| {
            let now = tx.now().naive_utc();
            Ok(emails::finish_attempt(
                tx.conn,
                &id,
                attempts,
                outcome,
                error.as_deref(),
                now,
            )?)
        })
        .await;
    if let Err(e) = recorded {
        tracing::warn!(email = %email.id, error = %e, "recording an email try failed");
    }
}

/// The MIME message: plain text and HTML alternatives, and for invitations a third,
/// `text/calendar` with its `method`, which is what Outlook, Google and Apple calendars look for.
fn message(mailer: &Mailer, email: &Email) -> Result<Message, String> {
    let to = email
        .to_address
        .parse::<Mailbox>()
        .map_err(|e| format!("the address {:?} cannot be written: {e}", email.to_address))?;
    let mut builder = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.clone()));
    if let Some(token) = &email.unsubscribe_token {
        // RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to the URL.
        let url = format!("{}/v1/unsubscribe/{token}", mailer.public_url);
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(email.text_body.clone());
    let html = SinglePart::builder()
        .header(ContentType::TEXT_HTML)
        .body(email.html_body.clone());
    let built = match &email.calendar {
        None => builder.multipart(MultiPart::alternative().singlepart(text).singlepart(html)),
        Some(calendar) => {
            // Only invitations and cancellations carry a calendar.
            let method = if email.kind == EmailKind::MeetingCancelled {
                "CANCEL"
            } else {
                "REQUEST"
            };
            let content_type =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| e.to_string())?;
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(html)
                    .singlepart(
                        SinglePart::builder()
                            .header(content_type)
                            .body(calendar.clone()),
                    ),
            )
        }
    };
    built.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, ca_file: Option<&str>) -> MailSettings {
        MailSettings {
            smtp_url: url.to_owned(),
            ca_file: ca_file.map(Into::into),
            from: "Tandem <tandem@example.com>".into(),
            public_url: "https://tandem.example.com".into(),
            poll_ms: 1000,
            retry_base_ms: 1000,
            max_attempts: 3,
        }
    }

    #[test]
    fn every_documented_spelling_of_the_smtp_url_is_accepted() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:secret@mail.example.com:587?tls=starttls",
            "smtp://user:secret@mail.example.com:587?tls=STARTTLS",
            "smtp://mail.example.com?tls=required",
            "smtp://mail.example.com?tls=opportunistic",
            "smtps://user:secret@mail.example.com:465",
        ] {
            assert!(transport(&settings(url, None)).is_ok(), "{url}");
        }
        let wrong = transport(&settings("smtp://mail.example.com?tls=sometimes", None));
        assert!(wrong.is_err_and(|e| e.starts_with("TANDEM_SMTP_URL")));
    }

    #[test]
    fn a_ca_file_needs_tls_and_must_be_readable_pem() {
        let missing = transport(&settings(
            "smtps://mail.example.com",
            Some("/nonexistent/ca.pem"),
        ));
        assert!(missing.is_err_and(|e| e.contains("/nonexistent/ca.pem")));
        let dir = std::env::temp_dir().join(format!("tandem-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let garbage = dir.join("garbage.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        let unreadable = transport(&settings("smtps://mail.example.com", garbage.to_str()));
        assert!(unreadable.is_err_and(|e| e.starts_with("TANDEM_SMTP_CA_FILE")));
        let plain = transport(&settings("smtp://127.0.0.1:2525", garbage.to_str()));
        assert!(plain.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
