//! A webhook receiver on 127.0.0.1 for tests: records every request and answers with scripted
//! statuses (then a default), so tests can watch deliveries, retries and failures.

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub answered: u16,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("delivery body is JSON")
    }

    /// A header's value (panics if absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("header {name} missing"))
    }

    /// Whether `Tandem-Signature` is the HMAC-SHA256 of `timestamp.body` under `secret`, as the
    /// contract tells receivers to check it.
    pub fn signed_with(&self, secret: &str) -> bool {
        let timestamp = self.header("Tandem-Webhook-Timestamp");
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(&self.body);
        let expected = format!(
            "t={timestamp},v1={}",
            hex::encode(mac.finalize().into_bytes())
        );
        self.header("Tandem-Signature") == expected
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    script: VecDeque<u16>,
    default_status: u16,
}

/// A running receiver.
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    /// Stopped and joined when the receiver is dropped.
    _server: crate::ServerThread,
}

async fn record(
    req: HttpRequest,
    body: web::Bytes,
    shared: web::Data<Mutex<Shared>>,
) -> HttpResponse {
    let mut shared = shared.lock().expect("receiver lock");
    let status = shared.script.pop_front().unwrap_or(shared.default_status);
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    shared.received.push(Received {
        headers,
        body: body.to_vec(),
        answered: status,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).finish()
}

impl Receiver {
    /// Starts a receiver that answers the `script` statuses in turn, then `default_status`.
    pub fn start(default_status: u16, script: &[u16]) -> Receiver {
        let shared = Arc::new(Mutex::new(Shared {
            received: Vec::new(),
            script: script.iter().copied().collect(),
            default_status,
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let data = web::Data::from(shared.clone());
        // On a thread and runtime of its own (see `crate::ServerThread`).
        let (ready, started) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("test-receiver".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = HttpServer::new(move || {
                        App::new()
                            .app_data(data.clone())
                            .default_service(web::to(record))
                    })
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .expect("listen")
                    .run();
                    let _ = ready.send(server.handle());
                    let _ = server.await;
                })
            })
            .expect("a thread for the receiver");
        let handle = started.recv().expect("the receiver starts");
        Receiver {
            url,
            shared,
            _server: crate::ServerThread::new(handle, thread),
        }
    }

    /// From now on, answer `status` (after what is left of the script).
    pub fn answer(&self, status: u16) {
        self.shared.lock().expect("receiver lock").default_status = status;
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("receiver lock").received.clone()
    }

    /// Waits (up to 20 s) until at least `n` requests have arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {}", self.received().len());
    }
}
