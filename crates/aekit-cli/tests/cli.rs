//! The `aekit` command, run as a user runs it (real data, tiny settings).

use std::path::Path;
use std::process::{Command, Output};

fn aekit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aekit"))
        .args(args)
        .current_dir(dir)
        .env("AEKIT_DEVICE", "cpu")
        .env_remove("AEKIT_CHECKPOINTS")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn tempdir() -> tempfile::TempDir {
    std::fs::create_dir_all(env!("CARGO_TARGET_TMPDIR")).unwrap();
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

#[test]
fn help_shows_examples_and_usage_errors_exit_2() {
    let dir = tempdir();
    let help = aekit(&["--help"], dir.path());
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help).contains("aekit train --kind conv"), "{}", text(&help));
    let bad = aekit(&["train", "--bogus"], dir.path());
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let missing = aekit(&["eval", "nothere.safetensors"], dir.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("nothere.safetensors"), "{}", text(&missing));
    let bad_loss = aekit(&["train", "--loss", "hinge", "--out", "x"], dir.path());
    assert_eq!(bad_loss.status.code(), Some(1));
    assert!(text(&bad_loss).contains("hinge"), "{}", text(&bad_loss));
}

#[test]
fn train_then_eval_reconstruct_score_and_encode() {
    let dir = tempdir();
    let train = aekit(&["train", "--latent", "16", "--epochs", "2", "--limit", "2048", "--out", "run"], dir.path());
    assert_eq!(train.status.code(), Some(0), "{}", text(&train));
    for file in ["run/model.safetensors", "run/history.csv", "run/checkpoints/checkpoint.safetensors"] {
        assert!(dir.path().join(file).is_file(), "{file} missing");
    }
    let history = std::fs::read_to_string(dir.path().join("run/history.csv")).unwrap();
    assert_eq!(history.lines().count(), 3, "{history}");

    let eval = aekit(&["eval", "run/model.safetensors"], dir.path());
    assert!(eval.status.success() && text(&eval).contains("| test BCE per pixel |"), "{}", text(&eval));
    assert!(text(&eval).contains("| test binary cross-entropy per pixel |"), "the objective, named: {}", text(&eval));
    let grid = aekit(&["reconstruct", "run/model.safetensors", "--out", "grid.png"], dir.path());
    assert!(grid.status.success(), "{}", text(&grid));
    assert!(std::fs::read(dir.path().join("grid.png")).unwrap().starts_with(b"\x89PNG"));

    let scores = aekit(&["anomaly", "run/model.safetensors", "--normal-class", "1", "--out", "s.csv"], dir.path());
    assert!(scores.status.success() && text(&scores).contains("AUROC, class 1 (Trouser)"), "{}", text(&scores));
    let csv = std::fs::read_to_string(dir.path().join("s.csv")).unwrap();
    assert_eq!((csv.lines().next(), csv.lines().count()), (Some("index,label,score"), 10_001));

    let codes = aekit(&["encode", "run/model.safetensors", "--out", "c.csv"], dir.path());
    assert!(codes.status.success(), "{}", text(&codes));
    let csv = std::fs::read_to_string(dir.path().join("c.csv")).unwrap();
    assert!(csv.starts_with("index,label,z0,") && csv.lines().next().unwrap().ends_with(",z15"));
    let parquet = aekit(&["encode", "run/model.safetensors", "--out", "c.parquet"], dir.path());
    assert!(parquet.status.success(), "{}", text(&parquet));
    let df = aekit::frame::read(dir.path().join("c.parquet")).unwrap();
    assert_eq!(df.shape(), (10_000, 18));
    assert_eq!(df.column("label").unwrap().i64().unwrap().get(0), Some(9), "the first test image is an ankle boot");
    let z15 = df.column("z15").unwrap().f64().unwrap().get(0).unwrap();
    let csv_z15: f64 = csv.lines().nth(1).unwrap().rsplit(',').next().unwrap().parse().unwrap();
    assert!((z15 - csv_z15).abs() < 1e-6, "{z15} vs {csv_z15}");

    let not_vae = aekit(&["sample", "run/model.safetensors"], dir.path());
    assert_eq!(not_vae.status.code(), Some(1));
    assert!(text(&not_vae).contains("needs a variational autoencoder"), "{}", text(&not_vae));

    let resumed =
        aekit(&["train", "--latent", "16", "--epochs", "3", "--limit", "2048", "--resume", "--out", "run"], dir.path());
    assert!(resumed.status.success() && text(&resumed).contains("resuming after epoch 2"), "{}", text(&resumed));
}

/// In a terminal (a pseudo-terminal made by util-linux `script`) training draws a progress bar;
/// in a pipe it prints one plain line per epoch.
#[test]
fn progress_bar_in_a_terminal_plain_lines_in_a_pipe() {
    let dir = tempdir();
    let args = ["train", "--latent", "8", "--epochs", "2", "--limit", "1024", "--batch-size", "128", "--out"];
    let piped = aekit(&[&args[..], &["piped"]].concat(), dir.path());
    assert!(piped.status.success(), "{}", text(&piped));
    assert!(text(&piped).contains("epoch   2/2  train") && !text(&piped).contains("batches"), "{}", text(&piped));

    let in_terminal = |term: &str, out: &str| {
        let command = format!("{} {} {out}", env!("CARGO_BIN_EXE_aekit"), args.join(" "));
        let run = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .env("AEKIT_DEVICE", "cpu")
            .env("TERM", term)
            .env_remove("AEKIT_CHECKPOINTS")
            .output()
            .expect("util-linux `script` runs the command in a pseudo-terminal");
        assert!(run.status.success(), "{}", text(&run));
        text(&run)
    };
    let out = in_terminal("xterm-256color", "tty");
    assert!(out.contains("/8 batches"), "no progress bar drawn: {out}");
    assert!(out.contains("epoch   1/2  train"), "epoch lines missing: {out}");
    // A terminal that cannot draw a bar (TERM=dumb, as in CI logs) gets the plain lines.
    let out = in_terminal("dumb", "dumb");
    assert!(!out.contains("batches") && out.contains("epoch   2/2  train"), "{out}");
}

#[test]
fn a_config_file_picks_the_model_and_a_vae_samples() {
    let dir = tempdir();
    std::fs::write(dir.path().join("vae.toml"), "kind = \"vae\"\nlatent = 2\nhidden = [128]\n").unwrap();
    let train =
        aekit(&["train", "--config", "vae.toml", "--epochs", "1", "--limit", "1024", "--out", "vae"], dir.path());
    assert!(train.status.success() && text(&train).contains("variational"), "{}", text(&train));
    let eval = aekit(&["eval", "vae/model.safetensors"], dir.path());
    assert!(text(&eval).contains("| test negative ELBO (nats per image) |"), "a VAE's objective: {}", text(&eval));
    let sample = aekit(&["sample", "vae/model.safetensors", "--count", "8", "--out", "s.png"], dir.path());
    assert!(sample.status.success(), "{}", text(&sample));
    assert!(std::fs::read(dir.path().join("s.png")).unwrap().starts_with(b"\x89PNG"));

    std::fs::write(dir.path().join("bad.toml"), "kind = \"transformer\"\n").unwrap();
    let bad = aekit(&["train", "--config", "bad.toml", "--out", "x"], dir.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("bad.toml") && text(&bad).contains("transformer"), "{}", text(&bad));
}

/// `root/<class>/<i>.png`: bright or dark squares, 12×12 RGB, 10 per class.
fn image_folder(root: &Path) {
    for (class, level) in [("bright", 220u8), ("dark", 40)] {
        std::fs::create_dir_all(root.join(class)).unwrap();
        for i in 0..10u32 {
            let image = image::RgbImage::from_fn(12, 12, |x, y| {
                let v = if (x + i) % 12 < 6 && y > 2 { level } else { 128 };
                image::Rgb([v, v / 2, 255 - v])
            });
            image.save(root.join(class).join(format!("{i}.png"))).unwrap();
        }
    }
}

#[test]
fn every_command_runs_on_a_folder_of_images_and_on_series() {
    let dir = tempdir();
    image_folder(&dir.path().join("photos"));
    let photos = ["--data", "folder:photos"];
    let train = aekit(
        &[&photos[..], &["train", "--kind", "conv", "--latent", "8", "--epochs", "2", "--out", "run"]].concat(),
        dir.path(),
    );
    assert!(train.status.success(), "{}", text(&train));
    assert!(text(&train).contains("3×12×12") && text(&train).contains("classes bright, dark"), "{}", text(&train));
    let eval = aekit(&["eval", "run/model.safetensors", "--data", "folder:photos"], dir.path());
    assert!(eval.status.success() && text(&eval).contains("| test samples | 2 |"), "{}", text(&eval));
    let grid =
        aekit(&["reconstruct", "run/model.safetensors", "--data", "folder:photos", "--out", "g.png"], dir.path());
    assert!(grid.status.success(), "{}", text(&grid));
    let png = image::open(dir.path().join("g.png")).unwrap().to_rgb8();
    assert!(png.pixels().any(|p| p[0] != p[2]), "drawn in colour");
    let scores =
        aekit(&["anomaly", "run/model.safetensors", "--data", "folder:photos", "--normal-class", "1"], dir.path());
    assert!(scores.status.success() && text(&scores).contains("class 1 (dark)"), "{}", text(&scores));
    let bad =
        aekit(&["anomaly", "run/model.safetensors", "--data", "folder:photos", "--normal-class", "5"], dir.path());
    assert!(text(&bad).contains("classes 0 to 1 (bright, dark)"), "{}", text(&bad));
    // The model and the data must fit: the error names both shapes and the fix.
    let wrong = aekit(&["eval", "run/model.safetensors"], dir.path());
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("[3, 12, 12]") && text(&wrong).contains("[1, 28, 28]"), "{}", text(&wrong));

    let gun = ["--data", "ucr:GunPoint"];
    let args = [
        "train",
        "--kind",
        "conv",
        "--latent",
        "8",
        "--loss",
        "mse",
        "--epochs",
        "3",
        "--batch-size",
        "16",
        "--out",
        "gun",
    ];
    let train = aekit(&[&gun[..], &args].concat(), dir.path());
    assert!(train.status.success() && text(&train).contains("1-D convolutional autoencoder 1×150"), "{}", text(&train));
    let chart = aekit(&[&gun[..], &["reconstruct", "gun/model.safetensors", "--out", "gun.svg"]].concat(), dir.path());
    assert!(chart.status.success(), "{}", text(&chart));
    let svg = std::fs::read_to_string(dir.path().join("gun.svg")).unwrap();
    assert!(svg.contains("#0 (1) original") && svg.contains("#1 (2) reconstructed"), "{svg}");
    let eval = aekit(&[&gun[..], &["eval", "gun/model.safetensors"]].concat(), dir.path());
    assert!(eval.status.success() && text(&eval).contains("| test samples | 150 |"), "{}", text(&eval));

    let help = aekit(&["--help"], dir.path());
    for example in ["folder:photos", "ucr:GunPoint", "csv:table.csv", "tensors:data.safetensors", "fashion-mnist"] {
        assert!(text(&help).contains(example), "--help lacks {example}");
    }
}
