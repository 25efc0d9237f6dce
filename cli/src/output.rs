//! Printing results: text for people, JSON for scripts, one line on stderr for failures.

use std::process::ExitCode;

use sellerkit_core::app::AppError;
use sellerkit_core::locale::Language;
use serde::Serialize;

/// Exit status of a command that ran fine but whose answer is "no": a coupon refused.
/// Distinct from 1 (the command failed) and 2 (clap's usage errors).
pub const EXIT_REFUSED: u8 = 3;

/// Returned by a command that printed a refusal verdict: `main` exits with
/// [`EXIT_REFUSED`] and prints nothing more.
#[derive(Debug, thiserror::Error)]
#[error("refused: {code}")]
pub struct Refused {
    /// The verdict's reason code.
    pub code: &'static str,
}

/// How results are printed.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// `--json` was given.
    pub json: bool,
    /// The seller's language for messages.
    pub language: Language,
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
    ///
    /// A failure of the core service reads in the seller's language, with its stable
    /// `code` in the JSON (`{"error":{"code":"not_activated","message":...}}`); its English
    /// technical detail goes to the log (`-v`).
    pub fn fail(&self, error: &anyhow::Error) -> ExitCode {
        if let Some(app) = error.chain().find_map(|e| e.downcast_ref::<AppError>()) {
            tracing::info!(error = %app, code = app.code().as_str(), "failed");
            let line = app.message(self.language).replace('\n', " ");
            if self.json {
                let mut body = serde_json::json!({
                    "error": { "code": app.code(), "message": line }
                });
                if let Some(detail) = app.detail_code() {
                    body["error"]["detail_code"] = detail.into();
                }
                println!("{body}");
            }
            eprintln!("{} {line}", self.language.pick("错误：", "error:"));
            return ExitCode::FAILURE;
        }
        // One line: the chain joined, so the cause is visible without a backtrace; a cause
        // that its parent's message already quotes is not repeated.
        let mut line = String::new();
        for cause in error.chain() {
            let text = cause.to_string();
            if line.contains(&text) {
                continue;
            }
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        let line = line.replace('\n', " ");
        if self.json {
            let body = serde_json::json!({ "error": { "message": line } });
            println!("{body}");
        }
        eprintln!("{} {line}", self.language.pick("错误：", "error:"));
        ExitCode::FAILURE
    }
}
