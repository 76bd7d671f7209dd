//! The engine thread: evcxr's `CommandContext`, started in the background as soon as the
//! kernel starts (the child, `:load_config`, aekit and its prelude), then the cells, one at a
//! time, with completions and hovers between them.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use evcxr::{CommandContext, EvalCallbacks};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::deps::Loaded;
use crate::history::History;
use crate::interrupt::{Activity, Outcome, GRACE};
use crate::iopub::Iopub;
use crate::outputs::Outputs;
use crate::runtime::{last_cell, DONE_MIME};
use crate::trace::Trace;
use crate::wire::Message;

/// What to load at start.
pub struct Setup {
    /// aekit's folder; none: a plain Rust kernel.
    pub aekit: Option<PathBuf>,
    pub features: Vec<String>,
}

/// After aekit's `:dep` line (in the same execute, as a notebook's first cell has it), the
/// prelude.
const PRELUDE: &str = "use aekit::prelude::*;";
/// Run when no cell is waiting once aekit is loaded: the first `let` makes the engine's type
/// inference load the crates' metadata (7–9 s on 2 cores), which a notebook's first `let` would
/// otherwise wait for. A cell already waiting (a notebook run headless) goes first instead, and
/// pays it only if it has a `let`.
const PRIME: &str = "let aekit_kernel_ready = true;";

pub enum Job {
    Execute(Message),
    Complete(Message),
    Inspect(Message),
}

pub struct Shared {
    pub iopub: Iopub,
    /// Replies for the shell socket.
    pub replies: UnboundedSender<Message>,
    pub activity: Arc<Activity>,
    pub history: Arc<Mutex<History>>,
    pub ready: Arc<AtomicBool>,
    pub started: Instant,
}

/// Starts the engine thread; jobs sent before its start-up is done wait for it.
pub fn start(setup: Setup, shared: Shared) -> Sender<Job> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || run(setup, shared, rx))
        .expect("spawn the engine thread");
    tx
}

fn run(setup: Setup, shared: Shared, jobs: Receiver<Job>) {
    let mut engine = match Engine::start(setup, &shared) {
        Ok(engine) => engine,
        Err(why) => {
            eprintln!("aekit-kernel: the engine did not start: {why}");
            shared.ready.store(true, Ordering::SeqCst);
            for job in jobs {
                let msg = match job {
                    Job::Execute(m) | Job::Complete(m) | Job::Inspect(m) => m,
                };
                let content = error_content("EngineError", &format!("the Rust engine did not start: {why}"), vec![]);
                let _ = shared.replies.send(msg.reply(&shared.iopub.session, content));
                shared.iopub.status(&msg.header, "idle");
            }
            return;
        }
    };
    shared.ready.store(true, Ordering::SeqCst);
    eprintln!("aekit-kernel: engine ready after {:.2} s", shared.started.elapsed().as_secs_f64());
    let waiting = match jobs.try_recv() {
        Ok(job) => Some(job),
        Err(_) if engine.loaded.is_some() => {
            if let Err(why) = engine.run_quietly(PRIME, &shared.activity) {
                eprintln!("aekit-kernel: priming the engine failed (the first cell will do it): {why}");
            }
            None
        }
        Err(_) => None,
    };
    for job in waiting.into_iter().chain(jobs) {
        let (msg, content) = match job {
            Job::Execute(m) => {
                let c = engine.execute(&m, &shared);
                (m, c)
            }
            Job::Complete(m) => {
                let c = engine.complete(&m);
                (m, c)
            }
            Job::Inspect(m) => {
                let c = engine.inspect(&m);
                (m, c)
            }
        };
        let _ = shared.replies.send(msg.reply(&shared.iopub.session, content));
        shared.iopub.status(&msg.header, "idle");
    }
}

struct Engine {
    ctx: CommandContext,
    outputs: Outputs,
    loaded: Option<Loaded>,
    count: u64,
}

impl Engine {
    fn start(setup: Setup, shared: &Shared) -> anyhow::Result<Engine> {
        let started = Instant::now();
        let (ctx, channels) = CommandContext::new().map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!("aekit-kernel: the engine and its child started in {:.2} s", started.elapsed().as_secs_f64());
        let outputs =
            Outputs::start(channels.stdout, channels.stderr, shared.iopub.clone(), Arc::clone(&shared.activity));
        let mut engine = Engine { ctx, outputs, loaded: None, count: 0 };
        engine.note_child(&shared.activity);
        engine.run_quietly(":load_config", &shared.activity)?;
        if let Some(path) = setup.aekit {
            // aekit failing to load (a build error in it) leaves a plain engine: the notebook's
            // own `:dep` line then builds it again and shows the errors in its cell.
            let loaded = path.canonicalize().map(|path| Loaded { path, features: setup.features });
            match loaded.map_err(|e| anyhow::anyhow!("aekit's folder {}: {e}", path.display())).and_then(|loaded| {
                engine.run_quietly(&format!("{}\n{PRELUDE}", loaded.line()), &shared.activity).map(|()| loaded)
            }) {
                Ok(loaded) => engine.loaded = Some(loaded),
                Err(why) => eprintln!("aekit-kernel: aekit did not load at start; cells load it themselves: {why}"),
            }
        }
        Ok(engine)
    }

    fn run_quietly(&mut self, code: &str, activity: &Arc<Activity>) -> anyhow::Result<()> {
        let started = Instant::now();
        let trace = Trace::start(activity);
        let result = self.ctx.execute(code);
        if let Some(trace) = trace {
            trace.finish(0, &[]);
        }
        result.map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
        eprintln!(
            "aekit-kernel: ran {:?} in {:.2} s",
            code.lines().next().unwrap_or(""),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    fn note_child(&self, activity: &Activity) {
        if let Ok(child) = self.ctx.process_handle().lock() {
            activity.set_child(child.id());
        }
    }

    fn execute(&mut self, msg: &Message, shared: &Shared) -> Value {
        let code = msg.content["code"].as_str().unwrap_or("").to_string();
        let silent = msg.content["silent"].as_bool().unwrap_or(false);
        let store = msg.content["store_history"].as_bool().unwrap_or(!silent);
        if store {
            self.count += 1;
        }
        let count = self.count;
        if !silent {
            shared.iopub.send(&msg.header, "execute_input", json!({ "code": code, "execution_count": count }));
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let to_run = match &mut self.loaded {
            Some(loaded) => loaded.rewrite(&code, &cwd),
            None => code.clone(),
        };
        shared.activity.begin(msg.header.clone());
        let trace = Trace::start(&shared.activity);
        let mut result = self.ctx.execute_with_callbacks(&to_run, &mut EvalCallbacks::default());
        let cell = result.as_mut().ok().and_then(|out| out.content_by_mime_type.remove(DONE_MIME));
        if let Some(trace) = trace {
            let phases =
                result.as_ref().map(|o| o.phases.iter().map(|p| (p.name.clone(), p.duration)).collect::<Vec<_>>());
            trace.finish(count, &phases.unwrap_or_default());
        }
        self.outputs.flush(cell.as_deref().and_then(last_cell));
        let interrupted = shared.activity.end();
        self.note_child(&shared.activity);

        let mut shown = None;
        let error = match result {
            Ok(out) => {
                if !out.content_by_mime_type.is_empty() && !silent {
                    let data: serde_json::Map<String, Value> = out
                        .content_by_mime_type
                        .into_iter()
                        .map(|(mime, v)| {
                            let value = if mime.contains("json") {
                                serde_json::from_str(&v).unwrap_or(Value::String(v))
                            } else {
                                Value::String(v)
                            };
                            (mime, value)
                        })
                        .collect();
                    shown = data.get("text/plain").and_then(Value::as_str).map(str::to_string);
                    shared.iopub.send(
                        &msg.header,
                        "execute_result",
                        json!({ "execution_count": count, "data": data, "metadata": {} }),
                    );
                }
                interrupted.map(|outcome| interrupted_error(outcome, None))
            }
            Err(e) => Some(match interrupted {
                Some(outcome) => interrupted_error(outcome, Some(&e)),
                None => engine_error(&e),
            }),
        };
        if store {
            shared.history.lock().unwrap().record(count, &code, shown);
        }
        match error {
            None => json!({ "status": "ok", "execution_count": count, "user_expressions": {}, "payload": [] }),
            Some(mut content) => {
                shared.iopub.send(&msg.header, "error", content.clone());
                content["status"] = json!("error");
                content["execution_count"] = json!(count);
                content
            }
        }
    }

    fn complete(&mut self, msg: &Message) -> Value {
        let code = msg.content["code"].as_str().unwrap_or("");
        let cursor = byte_offset(code, msg.content["cursor_pos"].as_u64().unwrap_or(0) as usize);
        match self.ctx.completions(code, cursor) {
            Ok(c) => json!({
                "status": "ok",
                "matches": c.completions.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
                "cursor_start": char_offset(code, c.start_offset),
                "cursor_end": char_offset(code, c.end_offset),
                "metadata": { "_jupyter_types_experimental": c.completions.iter().map(|c| json!({
                    "text": c.code, "type": c.kind, "signature": c.label,
                })).collect::<Vec<_>>() },
            }),
            Err(e) => error_content("CompletionError", &e.to_string(), vec![]),
        }
    }

    fn inspect(&mut self, msg: &Message) -> Value {
        let code = msg.content["code"].as_str().unwrap_or("");
        let cursor = byte_offset(code, msg.content["cursor_pos"].as_u64().unwrap_or(0) as usize);
        match self.ctx.hover_at(code, cursor) {
            Ok((plain, html)) if plain != "No documentation found" => json!({
                "status": "ok", "found": true, "data": { "text/plain": plain, "text/html": html }, "metadata": {},
            }),
            _ => json!({ "status": "ok", "found": false, "data": {}, "metadata": {} }),
        }
    }
}

fn interrupted_error(outcome: Outcome, error: Option<&evcxr::Error>) -> Value {
    let why = match outcome {
        Outcome::Requested => "the cell stopped when asked; every variable is kept".to_string(),
        Outcome::BuildStopped => "the cell's build was stopped; every variable is kept".to_string(),
        Outcome::Restarted => format!(
            "the cell did not stop within {} s of the interrupt (it never checks), so the kernel restarted its \
             process: every variable was lost; run the cells it needs again",
            GRACE.as_secs()
        ),
    };
    let mut traceback = vec![format!("\x1b[31mInterrupted\x1b[0m: {why}")];
    if let (Some(e), Outcome::Requested) = (error, outcome) {
        traceback.push(e.to_string());
    }
    error_content("Interrupted", &why, traceback)
}

fn engine_error(error: &evcxr::Error) -> Value {
    match error {
        evcxr::Error::CompilationErrors(errors) => {
            let mut traceback = Vec::new();
            for e in errors {
                traceback.push(format!("\x1b[1;31merror\x1b[0m: {}", e.message()));
                for spanned in e.spanned_messages() {
                    traceback.extend(spanned.lines.iter().cloned());
                    if let Some(span) = &spanned.span {
                        let width = span.end_column.saturating_sub(span.start_column).max(1);
                        traceback.push(format!(
                            "{}\x1b[31m{}\x1b[0m {}",
                            " ".repeat(span.start_column.saturating_sub(1)),
                            "^".repeat(width),
                            spanned.label
                        ));
                    } else if !spanned.label.is_empty() {
                        traceback.push(spanned.label.clone());
                    }
                }
                traceback.extend(e.help().into_iter().map(|h| format!("\x1b[1mhelp\x1b[0m: {h}")));
            }
            let summary = errors.iter().map(|e| e.message()).collect::<Vec<_>>().join("; ");
            error_content("CompilationError", &summary, traceback)
        }
        evcxr::Error::SubprocessTerminated(why) => {
            let text = format!("the kernel's process ended ({}): every variable was lost", why.trim());
            error_content("ProcessEnded", &text, vec![text.clone()])
        }
        other => {
            let text = other.to_string();
            error_content("Error", &text, vec![text.clone()])
        }
    }
}

fn error_content(ename: &str, evalue: &str, traceback: Vec<String>) -> Value {
    json!({ "status": "error", "ename": ename, "evalue": evalue, "traceback": traceback })
}

/// Jupyter counts cursor positions in Unicode code points; the engine in bytes.
fn byte_offset(code: &str, chars: usize) -> usize {
    code.char_indices().nth(chars).map_or(code.len(), |(b, _)| b)
}

fn char_offset(code: &str, bytes: usize) -> usize {
    code[..bytes.min(code.len())].chars().count()
}
