//! Charts drawn with plotters as SVG: latent scatter by class, histograms, line charts.

use plotters::prelude::*;
use tch::{Kind, Tensor};

use super::{draw_error, register_font, Svg, FONT};
use crate::data::CLASS_NAMES;
use crate::display::{Content, Show};
use crate::{files, Error, Result};

/// Matplotlib's "tab10" colours: class `i` is drawn in `PALETTE[i]`.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Several figures in one row, as HTML (for "this beside that" in a notebook).
#[derive(Debug, Clone)]
pub struct Html {
    /// The HTML fragment.
    pub text: String,
}

impl Html {
    /// Writes the HTML page (atomically).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        files::write_atomic(path, self.text.as_bytes())
    }
}

impl Show for Html {
    fn content(&self) -> Content {
        Content::Html(self.text.clone())
    }
}

/// Lays SVG figures side by side.
pub fn side_by_side(figures: &[Svg]) -> Html {
    let cells: String =
        figures.iter().map(|f| format!("<div style=\"flex:1 1 0;min-width:320px\">{}</div>", f.text)).collect();
    Html { text: format!("<div style=\"display:flex;flex-wrap:wrap;gap:8px\">{cells}</div>") }
}

/// One named series: a line with a dot at each point, entered in the legend.
pub(super) fn line_with_dots<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    name: &str,
    points: &[(f64, f64)],
    color: RGBColor,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(LineSeries::new(points.to_vec(), color.stroke_width(2)))
        .map_err(draw_error)?
        .label(name)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(draw_error)?;
    Ok(())
}

/// The legend box every chart uses.
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<()> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .draw()
        .map_err(draw_error)
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

/// 2-D points `[N, 2]` coloured by class (`labels` `[N]`, 0–9), with a legend of the
/// Fashion-MNIST class names. `axes` names the two coordinates.
pub fn latent_scatter(title: &str, points: &Tensor, labels: &Tensor, axes: (&str, &str)) -> Result<Svg> {
    if points.dim() != 2 || points.size()[1] != 2 || points.size()[0] == 0 || labels.size() != [points.size()[0]] {
        return Err(Error::input(
            "latent_scatter",
            format!(
                "expected points [N, 2] and labels [N], got {:?} and {:?} (project wider codes with Pca first)",
                points.size(),
                labels.size()
            ),
        ));
    }
    let xy = Vec::<f64>::try_from(points.to_kind(Kind::Double).to_device(tch::Device::Cpu).flatten(0, -1))?;
    let classes = Vec::<i64>::try_from(labels.to_kind(Kind::Int64).to_device(tch::Device::Cpu))?;
    if let Some(c) = classes.iter().find(|&&c| !(0..10).contains(&c)) {
        return Err(Error::input("latent_scatter", format!("label {c} is not a class 0–9")));
    }
    register_font();
    let (x0, x1) = range(xy.iter().step_by(2).copied());
    let (y0, y1) = range(xy.iter().skip(1).step_by(2).copied());
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (720, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (plot, legend) = root.split_horizontally(560);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(axes.0)
            .y_desc(axes.1)
            .label_style((FONT, 12))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .draw()
            .map_err(draw_error)?;
        let dots = xy
            .chunks(2)
            .zip(&classes)
            .map(|(p, &c)| Circle::new((p[0], p[1]), 2, PALETTE[c as usize].mix(0.6).filled()));
        chart.draw_series(dots).map_err(draw_error)?;
        for (i, name) in CLASS_NAMES.iter().enumerate() {
            let y = 60 + i as i32 * 24;
            legend.draw(&Circle::new((14, y), 5, PALETTE[i].filled())).map_err(draw_error)?;
            legend.draw(&Text::new(*name, (26, y - 7), (FONT, 13))).map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(Svg { text })
}

/// Overlaid histograms (densities, so series of different sizes compare) of 1-D tensors over
/// `bins` equal bins spanning all the values.
pub fn histogram(title: &str, x_desc: &str, series: &[(&str, &Tensor)], bins: usize) -> Result<Svg> {
    if series.is_empty() || bins == 0 || series.iter().any(|(_, t)| t.numel() == 0) {
        return Err(Error::input("histogram", "needs at least one non-empty series and one bin"));
    }
    let values: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, t)| Vec::<f64>::try_from(t.to_kind(Kind::Double).to_device(tch::Device::Cpu).flatten(0, -1)))
        .collect::<std::result::Result<_, _>>()?;
    if values.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::input("histogram", "values must be finite"));
    }
    let (lo, hi) = range(values.iter().flatten().copied());
    let width = (hi - lo) / bins as f64;
    let densities: Vec<Vec<f64>> = values
        .iter()
        .map(|v| {
            let mut counts = vec![0.0; bins];
            for &x in v {
                counts[(((x - lo) / width) as usize).min(bins - 1)] += 1.0;
            }
            counts.iter().map(|c| c / (v.len() as f64 * width)).collect()
        })
        .collect();
    let top = densities.iter().flatten().fold(0.0f64, |m, &d| m.max(d)) * 1.08;
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, 0.0..top.max(1e-12))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("density")
            .label_style((FONT, 12))
            .x_label_formatter(&|v| format!("{v:.3}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .draw()
            .map_err(draw_error)?;
        for (i, ((name, _), density)) in series.iter().zip(&densities).enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let bars = density.iter().enumerate().map(move |(b, &d)| {
                let x = lo + b as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, d)], color.mix(0.45).filled())
            });
            chart
                .draw_series(bars)
                .map_err(draw_error)?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.6).filled()));
        }
        draw_legend(&mut chart)?;
        root.present().map_err(draw_error)?;
    }
    Ok(Svg { text })
}

/// Lines through `(x, y)` points, one per named series, with dots at the points; `log_x`
/// spaces the x axis logarithmically (for sizes in bytes, label counts...).
pub fn line_chart(title: &str, axes: (&str, &str), series: &[(&str, Vec<(f64, f64)>)], log_x: bool) -> Result<Svg> {
    let all: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    if all.is_empty() || all.iter().any(|(x, y)| !x.is_finite() || !y.is_finite() || (log_x && *x <= 0.0)) {
        return Err(Error::input("line_chart", "needs finite points (and x > 0 for a log axis)"));
    }
    register_font();
    let (y0, y1) = range(all.iter().map(|p| p.1));
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut builder = ChartBuilder::on(&root);
        builder.caption(title, (FONT, 18)).margin(12).x_label_area_size(40).y_label_area_size(60);
        let style = |p: usize| PALETTE[p % PALETTE.len()];
        macro_rules! draw {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .x_desc(axes.0)
                    .y_desc(axes.1)
                    .label_style((FONT, 12))
                    .y_label_formatter(&|v| format!("{v:.3}"))
                    .draw()
                    .map_err(draw_error)?;
                for (i, (name, points)) in series.iter().enumerate() {
                    line_with_dots(&mut chart, name, points, style(i))?;
                }
                draw_legend(&mut chart)?;
            }};
        }
        if log_x {
            let (lo, hi) = all.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
            draw!(builder.build_cartesian_2d((lo / 1.2..hi * 1.2).log_scale(), y0..y1).map_err(draw_error)?);
        } else {
            let (x0, x1) = range(all.iter().map(|p| p.0));
            draw!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(draw_error)?);
        }
        root.present().map_err(draw_error)?;
    }
    Ok(Svg { text })
}
