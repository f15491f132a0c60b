//! An open-loop load generator for the benchmarks (`tests/bench/bench.sh`): requests leave at a
//! fixed rate whether or not earlier ones have answered, and each latency is measured from when
//! its request was *due*, so a stall shows in the tail instead of silently slowing the sender
//! (the coordinated-omission trap of closed-loop tools such as wrk; wrk2 and oha work this way).
//!
//! Usage: `openloop URL RATE SECONDS [METHOD] [BODY_TEMPLATE]` with `AUTHORIZATION` in the
//! environment; `{n}` in the body template becomes the request's number. Prints one line:
//! `rate=.. sent=.. ok=.. errors=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..`. With
//! `OPENLOOP_TIMELINE=FILE`, also writes each answered request's due time and latency (ms, one
//! pair per line) to FILE, to see whether slow requests come together (a stall) or apart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: openloop URL RATE SECONDS [METHOD] [BODY_TEMPLATE]");
        std::process::exit(2);
    }
    let url = args[1].clone();
    let rate: f64 = args[2].parse().expect("RATE: requests per second");
    let seconds: f64 = args[3].parse().expect("SECONDS");
    let method = args.get(4).cloned().unwrap_or_else(|| "GET".into());
    let body = args.get(5).cloned();
    let auth = std::env::var("AUTHORIZATION").unwrap_or_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .no_proxy()
        .build()
        .expect("client");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("METHOD");

    let latencies = Arc::new(Mutex::new(Vec::<(f64, f64)>::new()));
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let total = (rate * seconds) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let mut request = client.request(method.clone(), &url);
        if !auth.is_empty() {
            request = request.header("authorization", &auth);
        }
        if let Some(template) = &body {
            request = request
                .header("content-type", "application/json")
                .body(template.replace("{n}", &n.to_string()));
        }
        let (latencies, errors) = (latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            match request.send().await {
                Ok(res) if res.status().is_success() => {
                    let _ = res.bytes().await;
                    latencies.lock().await.push((
                        (due - start).as_secs_f64() * 1000.0,
                        due.elapsed().as_secs_f64() * 1000.0,
                    ));
                }
                _ => {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let timeline = latencies.lock().await.clone();
    if let Some(path) = std::env::var("OPENLOOP_TIMELINE")
        .ok()
        .filter(|p| !p.is_empty())
    {
        let lines: String = timeline
            .iter()
            .map(|(due, latency)| format!("{due:.3} {latency:.3}\n"))
            .collect();
        std::fs::write(&path, lines).expect("OPENLOOP_TIMELINE: a writable file");
    }
    let mut all: Vec<f64> = timeline.iter().map(|(_, latency)| *latency).collect();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if all.is_empty() {
            f64::NAN
        } else {
            all[((all.len() as f64 * q) as usize).min(all.len() - 1)]
        }
    };
    println!(
        "rate={rate} sent={total} ok={} errors={} achieved_rps={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        all.len(),
        errors.load(std::sync::atomic::Ordering::Relaxed),
        all.len() as f64 / elapsed,
        at(0.50),
        at(0.90),
        at(0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
}
