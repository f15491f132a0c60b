//! A real SMTP server on 127.0.0.1 for tests: it speaks enough of RFC 5321 (EHLO, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT) for any client, keeps every message, and can be stopped and started
//! again on the same port to play an SMTP server that is down for a while. It can also speak
//! STARTTLS (RFC 3207) or implicit TLS (RFC 8314) with a certificate from its own throwaway CA.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How the server secures its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text, as a development relay.
    Plain,
    /// Plain at first; `STARTTLS` upgrades (and mail is refused before it).
    StartTls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message (headers and body), dot-unstuffed.
    pub data: Vec<u8>,
    /// Whether it came over TLS.
    pub tls: bool,
}

impl Mail {
    /// The parsed message.
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.data).expect("a well-formed message")
    }

    /// A header of the message (first occurrence).
    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    /// The decoded body of the first part whose content type starts with `mime`.
    pub fn part(&self, mime: &str) -> Option<String> {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
            if part.ctype.mimetype.starts_with(mime) {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        find(&self.parsed(), mime)
    }

    /// The full content type of the first part whose type starts with `mime`, parameters
    /// included (`text/calendar; method=REQUEST; …`).
    pub fn part_type(
        &self,
        mime: &str,
    ) -> Option<(String, std::collections::BTreeMap<String, String>)> {
        fn find(
            part: &mailparse::ParsedMail<'_>,
            mime: &str,
        ) -> Option<(String, std::collections::BTreeMap<String, String>)> {
            if part.ctype.mimetype.starts_with(mime) {
                return Some((
                    part.ctype.mimetype.clone(),
                    part.ctype.params.clone().into_iter().collect(),
                ));
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        find(&self.parsed(), mime)
    }
}

/// The server.
pub struct SmtpSink {
    addr: SocketAddr,
    mail: Arc<Mutex<Vec<Mail>>>,
    task: Option<JoinHandle<()>>,
    security: Security,
    tls: Option<(tokio_native_tls::TlsAcceptor, tempfile::TempPath)>,
}

impl SmtpSink {
    /// Starts on a free port, plain.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_with(Security::Plain).await
    }

    /// Starts on a free port with `security`; for TLS, a new CA signs a certificate for
    /// 127.0.0.1 and [`SmtpSink::ca_file`] holds that CA.
    pub async fn start_with(security: Security) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mail = Arc::new(Mutex::new(Vec::new()));
        let tls = (security != Security::Plain).then(throwaway_tls);
        let acceptor = tls.as_ref().map(|(a, _)| a.clone());
        let task = Some(tokio::spawn(serve(
            listener,
            mail.clone(),
            security,
            acceptor,
        )));
        SmtpSink {
            addr,
            mail,
            task,
            security,
            tls,
        }
    }

    /// The PEM file of the CA this server's certificate chains to (TLS servers only).
    pub fn ca_file(&self) -> std::path::PathBuf {
        self.tls.as_ref().expect("a TLS server").1.to_path_buf()
    }

    /// A port nothing listens on yet, for a server that is down at first.
    pub async fn down() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        SmtpSink {
            addr,
            mail: Arc::new(Mutex::new(Vec::new())),
            task: None,
            security: Security::Plain,
            tls: None,
        }
    }

    /// Starts listening (again) on this server's port.
    pub async fn up(&mut self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the same port");
        let acceptor = self.tls.as_ref().map(|(a, _)| a.clone());
        self.task = Some(tokio::spawn(serve(
            listener,
            self.mail.clone(),
            self.security,
            acceptor,
        )));
    }

    /// `TANDEM_SMTP_URL` for this server.
    pub fn url(&self) -> String {
        match self.security {
            Security::Plain => format!("smtp://{}", self.addr),
            Security::StartTls => format!("smtp://{}?tls=starttls", self.addr),
            Security::Implicit => format!("smtps://{}", self.addr),
        }
    }

    /// Every message so far.
    pub fn received(&self) -> Vec<Mail> {
        self.mail.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until at least `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..400 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {}", self.received().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn serve(
    listener: TcpListener,
    mail: Arc<Mutex<Vec<Mail>>>,
    security: Security,
    tls: Option<tokio_native_tls::TlsAcceptor>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let (mail, tls) = (mail.clone(), tls.clone());
        tokio::spawn(async move {
            let _ = connection(stream, mail, security, tls).await;
        });
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    mail: Arc<Mutex<Vec<Mail>>>,
    security: Security,
    tls: Option<tokio_native_tls::TlsAcceptor>,
) -> std::io::Result<()> {
    let accept = |tls: Option<tokio_native_tls::TlsAcceptor>, stream| async move {
        tls.expect("an acceptor for a TLS server")
            .accept(stream)
            .await
            .map_err(std::io::Error::other)
    };
    match security {
        Security::Plain => session(stream, mail, Offer::Nothing, true).await.map(drop),
        Security::Implicit => {
            let secured = accept(tls, stream).await?;
            session(secured, mail, Offer::Secured, true).await.map(drop)
        }
        Security::StartTls => {
            if let Some(plain) = session(stream, mail.clone(), Offer::StartTls, true).await? {
                let secured = accept(tls, plain).await?;
                session(secured, mail, Offer::Secured, false).await?;
            }
            Ok(())
        }
    }
}

/// What a session offers, and whether its connection is already encrypted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Offer {
    Nothing,
    StartTls,
    Secured,
}

/// Runs one SMTP session until QUIT or EOF; after a `STARTTLS` it answers 220 and hands the
/// connection back to be wrapped in TLS (the client sends nothing until the handshake).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    mail: Arc<Mutex<Vec<Mail>>>,
    offer: Offer,
    greet: bool,
) -> std::io::Result<Option<S>> {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read);
    // After STARTTLS the client speaks first (EHLO again); otherwise the server greets.
    if greet {
        write.write_all(b"220 sink ESMTP ready\r\n").await?;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" if offer == Offer::StartTls => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "EHLO" => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "HELO" => write.write_all(b"250 sink\r\n").await?,
            "STARTTLS" if offer == Offer::StartTls => {
                write.write_all(b"220 go ahead\r\n").await?;
                write.flush().await?;
                return Ok(Some(lines.into_inner().unsplit(write)));
            }
            // A server that offers STARTTLS takes no mail in the clear.
            "MAIL" | "RCPT" | "DATA" if offer == Offer::StartTls => {
                write
                    .write_all(b"530 must issue STARTTLS first\r\n")
                    .await?
            }
            "MAIL" => {
                from = address(&command);
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" => {
                to.push(address(&command));
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = Vec::new();
                let mut raw = Vec::new();
                loop {
                    raw.clear();
                    if lines.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(None);
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") {
                        &raw[1..]
                    } else {
                        &raw[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                mail.lock().unwrap().push(Mail {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                    tls: offer == Offer::Secured,
                });
                write.write_all(b"250 OK queued\r\n").await?;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(None);
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}

/// A throwaway CA and a certificate it signs for 127.0.0.1, as a TLS acceptor and the CA's PEM
/// in a temporary file (for `TANDEM_SMTP_CA_FILE`).
fn throwaway_tls() -> (tokio_native_tls::TlsAcceptor, tempfile::TempPath) {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::{PKey, Private};
    use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
    use openssl::x509::{X509, X509NameBuilder};

    fn key() -> PKey<Private> {
        let ec = openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap();
        PKey::from_ec_key(ec).unwrap()
    }
    fn cert(
        name: &str,
        key: &PKey<Private>,
        issuer: Option<(&X509, &PKey<Private>)>,
        serial: u32,
    ) -> X509 {
        let mut subject = X509NameBuilder::new().unwrap();
        subject.append_entry_by_text("CN", name).unwrap();
        let subject = subject.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(&BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        b.set_subject_name(&subject).unwrap();
        b.set_pubkey(key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(2).unwrap())
            .unwrap();
        match issuer {
            None => {
                b.set_issuer_name(&subject).unwrap();
                b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                    .unwrap();
                b.append_extension(KeyUsage::new().critical().key_cert_sign().build().unwrap())
                    .unwrap();
                b.sign(key, MessageDigest::sha256()).unwrap();
            }
            Some((ca, ca_key)) => {
                b.set_issuer_name(ca.subject_name()).unwrap();
                let san = SubjectAlternativeName::new()
                    .ip("127.0.0.1")
                    .dns("localhost")
                    .build(&b.x509v3_context(Some(ca), None))
                    .unwrap();
                b.append_extension(san).unwrap();
                b.sign(ca_key, MessageDigest::sha256()).unwrap();
            }
        }
        b.build()
    }
    let (ca_key, server_key) = (key(), key());
    let ca = cert("Tandem test CA", &ca_key, None, 1);
    let server = cert("127.0.0.1", &server_key, Some((&ca, &ca_key)), 2);
    let identity = native_tls::Identity::from_pkcs8(
        &server.to_pem().unwrap(),
        &server_key.private_key_to_pem_pkcs8().unwrap(),
    )
    .expect("a TLS identity");
    let acceptor = native_tls::TlsAcceptor::new(identity).expect("a TLS acceptor");
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::io::Write::write_all(&mut file, &ca.to_pem().unwrap()).unwrap();
    (acceptor.into(), file.into_temp_path())
}

/// The address in `MAIL FROM:<a>` or `RCPT TO:<a>`.
fn address(command: &str) -> String {
    match (command.find('<'), command.find('>')) {
        (Some(open), Some(close)) if open < close => command[open + 1..close].to_owned(),
        _ => String::new(),
    }
}
