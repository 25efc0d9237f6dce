//! Printing results: text for people, JSON for scripts, one line on stderr for failures.

use std::process::ExitCode;

use serde::Serialize;

/// How results are printed.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// `--json` was given.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON with `--json`, otherwise the text that `human` renders.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(text) => println!("{text}"),
                // Our own types always serialise; say so loudly if one ever does not.
                Err(e) => eprintln!("error: cannot print JSON: {e}"),
            }
        } else {
            print!("{}", human(value));
        }
    }

    /// Reports a failure: one line on stderr, an error object on stdout with `--json`.
    pub fn fail(&self, error: &anyhow::Error) -> ExitCode {
        // One line: the chain joined, so the cause is visible without a backtrace.
        let line = error
            .chain()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(": ");
        if self.json {
            let body = serde_json::json!({ "error": { "message": line } });
            println!("{body}");
        }
        eprintln!("error: {line}");
        ExitCode::FAILURE
    }
}
