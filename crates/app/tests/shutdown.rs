//! An application that is dropped leaves no threads behind: its pool's threads and, on SQLite,
//! its writer and checkpointer end with it. A server stopped in-process (tests restart them)
//! must not leave threads running, nor may a process that exits while they still run (a test
//! binary once ended with 1,274 such threads alive). SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` is set. One test in this binary, so no other test's threads are counted.

#![cfg(target_os = "linux")]

#[allow(dead_code)]
mod support;

use std::time::Duration;

/// The names of this process's threads that start with one of `prefixes` (Linux keeps the first
/// 15 bytes of a thread's name).
fn threads_named(prefixes: &[&str]) -> Vec<String> {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .filter(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)))
        .collect()
}

#[test]
fn dropping_the_app_ends_its_pool_writer_and_checkpointer_threads() {
    let support::World { app, db, .. } = support::world();
    let ours = ["r2d2-worker", "tandem-writer", "tandem-checkpoi"];
    let expected: &[&str] = if db.url.starts_with("postgres") {
        &["r2d2-worker"]
    } else {
        &["r2d2-worker", "tandem-writer", "tandem-checkpoi"]
    };
    // A new thread names itself once it first runs, so on a busy machine its name can lag its
    // spawn: wait for every expected thread to show up before counting on it.
    let mut running = threads_named(&ours);
    for _ in 0..100 {
        if expected
            .iter()
            .all(|prefix| running.iter().any(|name| name.starts_with(prefix)))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        running = threads_named(&ours);
    }
    assert!(
        running.iter().any(|name| name.starts_with("r2d2-worker")),
        "the pool's threads run: {running:?}"
    );
    if db.url.starts_with("postgres") {
        assert!(!running.iter().any(|name| name.starts_with("tandem-")));
    } else {
        for thread in ["tandem-writer", "tandem-checkpoi"] {
            assert!(
                running.iter().any(|name| name == thread),
                "{thread} runs: {running:?}"
            );
        }
    }

    drop(app);
    // Well under r2d2's 30 s reaping interval, which its default thread pool waited for.
    for _ in 0..100 {
        if threads_named(&ours).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "still running 5 s after the app was dropped: {:?}",
        threads_named(&ours)
    );
}
