//! The README's walkthrough is a specification too: its shell blocks run verbatim against a fresh
//! server, so the first thing a newcomer copies cannot rot.

use tandem_tests::spawn_app;

/// The shell blocks of the README section that starts with `heading`, in order.
fn shell_blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme.find(heading).expect("the section exists");
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + "```sh\n".len()..];
        let close = body.find("\n```").expect("a closed block");
        blocks.push(body[..close].to_owned());
        rest = &body[close + 4..];
    }
    blocks
}

#[tokio::test]
async fn the_readme_walkthrough_runs_verbatim_against_a_fresh_server() {
    let app = spawn_app().await;
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let blocks = shell_blocks(&readme, "## A first session with curl");
    assert!(
        blocks.len() >= 5,
        "the walkthrough has its steps: {}",
        blocks.len()
    );
    // Run exactly the README's text; only make every HTTP error and failed step stop the run.
    let script = format!(
        "set -euo pipefail\ncurl() {{ command curl --fail-with-body \"$@\"; }}\n{}\n",
        blocks.join("\n")
    );
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env("TANDEM_URL", base)
            .output()
    })
    .await
    .unwrap()
    .expect("bash runs (the walkthrough needs bash, curl and jq)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{stdout}\n{stderr}"
    );
    for expected in [
        "\"active\"",                      // accepted, then activated
        "\"progress\": 0.5",               // 12 -> 9.6, a reading of 10.8: halfway
        "partner_id,partner_name,goal_id", // the CSV header
        "\"Draft the weekend rota\"",
        "\"completed\"",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected} in:\n{stdout}"
        );
    }
}
