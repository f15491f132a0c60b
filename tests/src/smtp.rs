//! A real SMTP server on 127.0.0.1 for tests: it speaks enough of RFC 5321 (EHLO, MAIL, RCPT,
//! DATA, RSET, NOOP, QUIT) for any client, keeps every message, and can be stopped and started
//! again on the same port to play an SMTP server that is down for a while.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message (headers and body), dot-unstuffed.
    pub data: Vec<u8>,
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
}

impl SmtpSink {
    /// Starts on a free port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mail = Arc::new(Mutex::new(Vec::new()));
        let task = Some(tokio::spawn(serve(listener, mail.clone())));
        SmtpSink { addr, mail, task }
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
        }
    }

    /// Starts listening (again) on this server's port.
    pub async fn up(&mut self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the same port");
        self.task = Some(tokio::spawn(serve(listener, self.mail.clone())));
    }

    /// `TANDEM_SMTP_URL` for this server (plain SMTP).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
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

async fn serve(listener: TcpListener, mail: Arc<Mutex<Vec<Mail>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let mail = mail.clone();
        tokio::spawn(async move {
            let _ = session(stream, mail).await;
        });
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    mail: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "HELO" => write.write_all(b"250 sink\r\n").await?,
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
                        return Ok(());
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
                });
                write.write_all(b"250 OK queued\r\n").await?;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}

/// The address in `MAIL FROM:<a>` or `RCPT TO:<a>`.
fn address(command: &str) -> String {
    match (command.find('<'), command.find('>')) {
        (Some(open), Some(close)) if open < close => command[open + 1..close].to_owned(),
        _ => String::new(),
    }
}
