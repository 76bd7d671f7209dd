use aekit::display::Content;
use aekit::plot::{loss_curve, reconstruction_grid, ImageGrid};
use aekit::prelude::*;
use aekit::train::Epoch;
use base64::Engine;

use crate::common::real;

const FLOAT_CPU: (Kind, Device) = (Kind::Float, Device::Cpu);

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Png).unwrap().to_rgb8();
    (image.width(), image.height(), image.into_raw())
}

#[test]
fn reconstruction_grid_draws_both_rows_and_shows_as_png() {
    let sample = real().test.one_per_class().unwrap();
    let inverted = 1.0 - &sample.samples;
    let png = reconstruction_grid(&sample, &inverted).unwrap();
    let (w, h, rgb) = decode_png(&png.bytes);
    assert_eq!((w, h), (png.width, png.height));
    assert_eq!((w, h), (120 + 10 * 90, 26 + 2 * 90));
    // The centre of the first tile shows the first image's centre pixel; below it, its inverse.
    let at = |x: u32, y: u32| rgb[((y * w + x) * 3) as usize] as f64 / 255.0;
    let centre = sample.samples.double_value(&[0, 0, 14, 14]);
    assert!((at(120 + 42, 26 + 42) - centre).abs() < 0.01);
    assert!((at(120 + 42, 26 + 90 + 42) - (1.0 - centre)).abs() < 0.01);
    // Labels are drawn: the strip above the tiles is not blank.
    assert!((0..w).any(|x| at(x, 13) < 0.5), "class names missing");

    let block = png.content().block();
    let payload =
        block.strip_prefix("EVCXR_BEGIN_CONTENT image/png\n").unwrap().strip_suffix("\nEVCXR_END_CONTENT").unwrap();
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn grid_rejects_non_images_and_empty_grids() {
    let flat = Tensor::zeros([2, 784], (Kind::Float, Device::Cpu));
    assert!(ImageGrid::new().row("x", &flat).unwrap_err().to_string().contains("[N, C, H, W]"));
    let rgb = Tensor::zeros([2, 3, 8, 8], (Kind::Float, Device::Cpu));
    let e = ImageGrid::new().row("a", &rgb).unwrap().row("b", &flat.view([2, 1, 28, 28])).unwrap_err().to_string();
    assert!(e.contains("[1, 28, 28]") && e.contains("[3, 8, 8]"), "{e}");
    assert!(ImageGrid::new().render().is_err());
}

#[test]
fn loss_curve_is_svg_with_both_series() {
    let epoch = |i: usize, t: f64, v: f64| Epoch {
        epoch: i,
        train_loss: t,
        val_loss: v,
        terms: vec![],
        learning_rate: 1e-3,
        seconds: 1.0,
    };
    let history = History {
        epochs: vec![epoch(1, 0.35, 0.31), epoch(2, 0.30, 0.29), epoch(3, 0.29, 0.288)],
        ..Default::default()
    };
    let svg = loss_curve(&history, "binary cross-entropy").unwrap().svg().unwrap();
    assert!(svg.text.starts_with("<svg") && svg.text.contains("validation") && svg.text.contains("epoch"));
    assert!(svg.content().block().starts_with("EVCXR_BEGIN_CONTENT image/svg+xml\n<svg"));
    let Content::Html(html) = history.content() else { panic!("a history shows as HTML") };
    assert!(html.contains(">0.2880</td>"), "{html}");
    assert_eq!(history.to_table().columns, ["epoch", "train loss", "validation loss", "learning rate", "seconds"]);
    assert!(loss_curve(&History::default(), "loss").is_err());
    let log = aekit::plot::loss_curve_log(&history, "binary cross-entropy").unwrap().svg().unwrap();
    assert!(log.text.contains("(log scale)") && log.text != svg.text);
    let mut negative = history.clone();
    negative.epochs[0].train_loss = -1.0;
    let e = aekit::plot::loss_curve_log(&negative, "ELBO").unwrap_err().to_string();
    assert!(e.contains("use loss_curve"), "{e}");
}

#[test]
fn tiles_wrap_images_into_rows_without_margins() {
    let images = real().test.samples.narrow(0, 0, 7);
    let png = ImageGrid::tiles(&images, 3).unwrap().render().unwrap();
    // Three rows of up to three tiles, no title column, no label strip.
    assert_eq!((png.width, png.height), (6 + 3 * 90, 6 + 3 * 90));
    assert!(ImageGrid::tiles(&images, 0).is_err());
}

#[test]
fn charts_draw_every_point_name_and_series() {
    use aekit::plot::{histogram, latent_scatter, line_chart, side_by_side};
    let points = Tensor::from_slice(&[0.0f32, 0.0, 1.0, 2.0, -1.0, 0.5]).view([3, 2]);
    let labelled = |labels: &[i64]| Dataset::new(Tensor::zeros([3, 1], FLOAT_CPU), Tensor::from_slice(labels)).unwrap();
    let data = labelled(&[0, 4, 9]).with_classes(CLASS_NAMES).unwrap();
    let scatter = latent_scatter("codes", &points, &data, ("z1", "z2")).unwrap();
    let svg = scatter.svg().unwrap();
    assert!(svg.text.starts_with("<svg"));
    for name in CLASS_NAMES {
        assert!(svg.text.contains(name), "legend lacks {name}");
    }
    assert_eq!(svg.text.matches("<circle").count(), 3 + 10, "3 points and 10 legend dots");
    assert!(latent_scatter("codes", &points.narrow(1, 0, 1), &data, ("a", "b"))
        .unwrap_err()
        .to_string()
        .contains("Pca"));
    assert!(latent_scatter("codes", &points, &data.take(2), ("a", "b")).unwrap_err().to_string().contains("2 samples"));
    // Twenty classes, named by the data: every name in the legend, one colour each.
    let twenty = labelled(&[0, 12, 19]).with_classes((0..20).map(|i| format!("topic {i}"))).unwrap();
    let svg20 = latent_scatter("20 classes", &points, &twenty, ("a", "b")).unwrap().svg().unwrap().text;
    assert!((0..20).all(|i| svg20.contains(&format!("topic {i}\n"))), "{svg20}");
    assert_eq!(svg20.matches("<circle").count(), 3 + 20);
    let colours: std::collections::HashSet<_> = (0..20).map(aekit::plot::class_color).collect();
    assert_eq!(colours.len(), 20);
    let unlabeled = Dataset::unlabeled(Tensor::zeros([3, 1], FLOAT_CPU)).unwrap();
    let plain = latent_scatter("codes", &points, &unlabeled, ("a", "b")).unwrap().svg().unwrap().text;
    assert_eq!(plain.matches("<circle").count(), 3, "no legend without classes");

    let normal = Tensor::from_slice(&[0.1f32, 0.2, 0.2, 0.3]);
    let odd = Tensor::from_slice(&[0.5f32, 0.9]);
    let histogram_figure = histogram("errors", "MSE", &[("normal", &normal), ("anomalous", &odd)], 10).unwrap();
    let h = histogram_figure.svg().unwrap();
    assert!(h.text.contains("normal") && h.text.contains("anomalous"));
    assert!(histogram("errors", "MSE", &[], 10).is_err());

    let lines =
        line_chart("PSNR", ("σ", "dB"), &[("noisy", vec![(0.1, 20.0), (0.2, 14.0)])], false).unwrap().svg().unwrap();
    assert!(lines.text.contains("noisy"));
    assert!(line_chart("x", ("a", "b"), &[("s", vec![(0.0, 1.0)])], true).unwrap_err().to_string().contains("x > 0"));
    let both = side_by_side(&[scatter, histogram_figure]).unwrap();
    assert_eq!(both.text.matches("<svg").count(), 2);
}

#[test]
fn a_figure_renders_as_svg_or_png_and_a_big_scatter_shows_as_png() {
    use aekit::plot::{latent_scatter, side_by_side, Format};
    let zeros = |n: i64| Dataset::new(Tensor::zeros([n, 1], FLOAT_CPU), Tensor::zeros([n], (Kind::Int64, Device::Cpu)));
    let few = latent_scatter("a few", &Tensor::rand([50, 2], FLOAT_CPU), &zeros(50).unwrap(), ("x", "y")).unwrap();
    assert_eq!(few.format(), Format::Svg);
    let n = 5000;
    let points = Tensor::rand([n, 2], (Kind::Float, Device::Cpu));
    let labels = Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(10);
    let many_data = Dataset::new(Tensor::zeros([n, 1], FLOAT_CPU), labels).unwrap();
    let many = latent_scatter("many", &points, &many_data, ("x", "y")).unwrap();
    assert_eq!(many.format(), Format::Png);
    let (svg, png) = (many.svg().unwrap(), many.png().unwrap());
    // SVG grows with every point (a DOM node each, what slows a browser); the bitmap does not.
    let n4 = 4 * n;
    let more_data =
        Dataset::new(Tensor::zeros([n4, 1], FLOAT_CPU), Tensor::arange(n4, (Kind::Int64, Device::Cpu)).remainder(10));
    let more = latent_scatter("more", &Tensor::rand([n4, 2], FLOAT_CPU), &more_data.unwrap(), ("x", "y")).unwrap();
    let (svg4, png4) = (more.svg().unwrap(), more.png().unwrap());
    assert_eq!(svg.text.matches("<circle").count(), n as usize + 10);
    assert!(svg4.text.len() > 3 * svg.text.len(), "SVG {} -> {} bytes", svg.text.len(), svg4.text.len());
    assert!(png4.bytes.len() < 2 * png.bytes.len(), "PNG {} -> {} bytes", png.bytes.len(), png4.bytes.len());
    let (w, h, rgb) = decode_png(&png.bytes);
    assert_eq!((w, h), (720, 520));
    // Coloured dots were drawn, not only the white page and black axes.
    assert!(rgb.chunks(3).any(|p| p[0] != p[1] || p[1] != p[2]), "no colour in the bitmap");
    assert!(matches!(many.content(), Content::Png(_)));
    assert!(matches!(many.shown_as(Format::Svg).content(), Content::Svg(_)));
    // Saved in the format its name says; side by side, a bitmap becomes an image.
    let dir = crate::common::tempdir();
    few.save(dir.path().join("f.svg")).unwrap();
    few.save(dir.path().join("f.png")).unwrap();
    few.save(dir.path().join("f.jpg")).unwrap();
    assert!(std::fs::read_to_string(dir.path().join("f.svg")).unwrap().starts_with("<svg"));
    assert!(std::fs::read(dir.path().join("f.png")).unwrap().starts_with(b"\x89PNG"));
    assert!(std::fs::read(dir.path().join("f.jpg")).unwrap().starts_with(&[0xFF, 0xD8]));
    assert!(few.save(dir.path().join("f.tiff")).unwrap_err().to_string().contains(".png or .jpg"));
    let row = side_by_side(&[few, latent_scatter("many", &points, &many_data, ("x", "y")).unwrap()]).unwrap();
    assert!(row.text.contains("<svg") && row.text.contains("data:image/png;base64,"));
}
