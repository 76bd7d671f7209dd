//! The five sockets. Heartbeat echoes; IOPub publishes from one queue; shell answers what
//! needs no engine at once (`kernel_info`, `is_complete`, `history`) and queues the rest for
//! the engine thread; control answers `kernel_info`, `interrupt` and `shutdown` even while a
//! cell runs. Every received message is verified first: one with a missing or wrong
//! signature is logged and dropped, never run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use serde_json::{json, Value};
use zeromq::{Socket, SocketRecv, SocketSend, ZmqMessage};

use crate::connection::Connection;
use crate::engine::{self, Job, Setup, Shared};
use crate::history::History;
use crate::interrupt::{self, Activity};
use crate::iopub::Iopub;
use crate::wire::{new_id, Key, Message};

pub async fn serve(connection: Connection, setup: Setup, started: Instant) -> Result<()> {
    let key = Key::new(&connection.key, &connection.signature_scheme)?;
    let session = new_id();
    let bind = |port| connection.endpoint(port);
    let mut shell = zeromq::RouterSocket::new();
    shell
        .bind(&bind(connection.shell_port))
        .await
        .with_context(|| format!("binding {}", bind(connection.shell_port)))?;
    let mut control = zeromq::RouterSocket::new();
    control.bind(&bind(connection.control_port)).await?;
    let mut stdin = zeromq::RouterSocket::new();
    stdin.bind(&bind(connection.stdin_port)).await?;
    let mut iopub_socket = zeromq::PubSocket::new();
    iopub_socket.bind(&bind(connection.iopub_port)).await?;
    let mut heartbeat = zeromq::RepSocket::new();
    heartbeat.bind(&bind(connection.hb_port)).await?;

    let (iopub_tx, mut iopub_rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let iopub = Iopub { tx: iopub_tx, session: session.clone() };
    let iopub_key = key.clone();
    tokio::spawn(async move {
        while let Some(msg) = iopub_rx.recv().await {
            if let Err(e) = iopub_socket.send(zmq(msg.encode(&iopub_key))).await {
                eprintln!("aekit-kernel: iopub: {e}");
            }
        }
    });
    tokio::spawn(async move {
        while let Ok(ping) = heartbeat.recv().await {
            if heartbeat.send(ping).await.is_err() {
                break;
            }
        }
    });
    let _stdin = stdin; // bound, as clients expect; the kernel asks no input

    let (replies_tx, mut replies_rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let activity = Arc::new(Activity::default());
    let history = Arc::new(Mutex::new(History::default()));
    let ready = Arc::new(AtomicBool::new(false));
    let jobs = engine::start(
        setup,
        Shared {
            iopub: iopub.clone(),
            replies: replies_tx,
            activity: Arc::clone(&activity),
            history: Arc::clone(&history),
            ready: Arc::clone(&ready),
            started,
        },
    );

    let shell_key = key.clone();
    let shell_session = session.clone();
    let shell_iopub = iopub.clone();
    let shell_ready = Arc::clone(&ready);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                received = shell.recv() => {
                    let Ok(frames) = received else { break };
                    let Some(msg) = verified(frames, &shell_key, "shell") else { continue };
                    shell_iopub.status(&msg.header, "busy");
                    let answer = |content: Value| msg.reply(&shell_session, content);
                    let reply = match msg.msg_type() {
                        "kernel_info_request" => {
                            eprintln!("aekit-kernel: kernel_info answered {:.3} s after start (engine ready: {})",
                                started.elapsed().as_secs_f64(), shell_ready.load(Ordering::SeqCst));
                            Some(answer(kernel_info()))
                        }
                        "is_complete_request" => {
                            let status = crate::is_complete::status(msg.content["code"].as_str().unwrap_or(""));
                            Some(answer(if status == "incomplete" { json!({"status": status, "indent": "    "}) } else { json!({"status": status}) }))
                        }
                        "history_request" => Some(answer(json!({"status": "ok", "history": history.lock().unwrap().answer(&msg.content)}))),
                        "comm_info_request" => Some(answer(json!({"status": "ok", "comms": {}}))),
                        "execute_request" | "complete_request" | "inspect_request" => {
                            if msg.msg_type() == "execute_request" && !shell_ready.load(Ordering::SeqCst) {
                                tell_if_still_starting(&shell_iopub, &msg.header, &shell_ready);
                            }
                            let job = match msg.msg_type() {
                                "execute_request" => Job::Execute(msg.clone()),
                                "complete_request" => Job::Complete(msg.clone()),
                                _ => Job::Inspect(msg.clone()),
                            };
                            if jobs.send(job).is_err() {
                                eprintln!("aekit-kernel: the engine thread is gone");
                            }
                            continue; // the engine replies, then says idle
                        }
                        other => {
                            eprintln!("aekit-kernel: {other} on the shell socket is not handled");
                            None
                        }
                    };
                    if let Some(reply) = reply {
                        if shell.send(zmq(reply.encode(&shell_key))).await.is_err() {
                            break;
                        }
                    }
                    shell_iopub.status(&msg.header, "idle");
                }
                Some(reply) = replies_rx.recv() => {
                    if shell.send(zmq(reply.encode(&shell_key))).await.is_err() {
                        break;
                    }
                }
            }
        }
    });

    // Control, on this task: when it ends (shutdown), the kernel ends.
    loop {
        let frames = control.recv().await?;
        let Some(msg) = verified(frames, &key, "control") else { continue };
        iopub.status(&msg.header, "busy");
        let (content, shutdown) = match msg.msg_type() {
            "kernel_info_request" => (kernel_info(), false),
            "interrupt_request" => {
                interrupt::request(&activity);
                (json!({"status": "ok"}), false)
            }
            "shutdown_request" => {
                (json!({"status": "ok", "restart": msg.content["restart"].as_bool().unwrap_or(false)}), true)
            }
            other => {
                eprintln!("aekit-kernel: {other} on the control socket is not handled");
                iopub.status(&msg.header, "idle");
                continue;
            }
        };
        control.send(zmq(msg.reply(&session, content).encode(&key))).await?;
        iopub.status(&msg.header, "idle");
        if shutdown {
            // SAFETY: ends our own child (the engine would wait for it otherwise).
            unsafe { libc::kill(activity.child() as i32, libc::SIGKILL) };
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Ok(());
        }
    }
}

/// The message, if its signature checks out (otherwise logged and dropped).
fn verified(frames: ZmqMessage, key: &Key, socket: &str) -> Option<Message> {
    match Message::decode(frames.into_vec(), key) {
        Ok(msg) => Some(msg),
        Err(why) => {
            eprintln!("aekit-kernel: dropped a message on the {socket} socket, not run: {why}");
            None
        }
    }
}

/// A status line in the cell if the engine is still starting a second from now.
fn tell_if_still_starting(iopub: &Iopub, parent: &Value, ready: &Arc<AtomicBool>) {
    let (iopub, parent, ready) = (iopub.clone(), parent.clone(), Arc::clone(ready));
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if !ready.load(Ordering::SeqCst) {
            let text = "The kernel is still starting (the Rust engine and aekit load in the background); this cell runs as soon as they are ready.\n";
            iopub.send(&parent, "stream", json!({"name": "stderr", "text": text}));
        }
    });
}

fn zmq(frames: Vec<Bytes>) -> ZmqMessage {
    ZmqMessage::try_from(frames).expect("a message has frames")
}

fn kernel_info() -> Value {
    json!({
        "status": "ok",
        "protocol_version": "5.3",
        "implementation": "aekit-kernel",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "Rust",
            "version": "",
            "mimetype": "text/rust",
            "file_extension": ".rs",
            "pygments_lexer": "rust",
            "codemirror_mode": "rust",
        },
        "banner": "Rust (libtorch): aekit's kernel on the evcxr engine",
        "help_links": [
            {"text": "Rust std docs", "url": "https://doc.rust-lang.org/stable/std/"},
            {"text": "tch (libtorch for Rust)", "url": "https://docs.rs/tch"},
        ],
    })
}
