//! Charts drawn with plotters: loss curves, line charts, the latent scatter by class,
//! histograms. Each is a [`Figure`] (SVG or PNG); their inputs are checked and copied when
//! the figure is made, so drawing later cannot fail on them.

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use tch::{Kind, Tensor};

use super::figure::{Draw, Figure, Format};
use super::{draw_error, FONT};
use crate::data::CLASS_NAMES;
use crate::display::{Content, Show};
use crate::train::History;
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

/// Lays figures side by side, each in its own format (SVG inline, PNG as an image).
pub fn side_by_side(figures: &[Figure]) -> Result<Html> {
    use base64::Engine;
    let mut cells = String::new();
    for figure in figures {
        let inner = match figure.render()? {
            Content::Png(bytes) => format!(
                "<img style=\"max-width:100%\" src=\"data:image/png;base64,{}\">",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
            Content::Svg(text) | Content::Html(text) | Content::Text(text) => text,
        };
        cells.push_str(&format!("<div style=\"flex:1 1 0;min-width:320px\">{inner}</div>"));
    }
    Ok(Html { text: format!("<div style=\"display:flex;flex-wrap:wrap;gap:8px\">{cells}</div>") })
}

/// Train and validation loss per epoch.
pub fn loss_curve(history: &History, y_label: &str) -> Result<Figure> {
    curve(history, y_label, false)
}

/// [`loss_curve`] with a logarithmic loss axis: for long runs, where the late epochs' small
/// gains vanish on a linear axis, and for losses spanning several orders of magnitude.
pub fn loss_curve_log(history: &History, y_label: &str) -> Result<Figure> {
    curve(history, y_label, true)
}

fn curve(history: &History, y_label: &str, log_y: bool) -> Result<Figure> {
    if history.epochs.is_empty() {
        return Err(Error::input("loss_curve", "the history has no epochs"));
    }
    let (train, validation) = (history.train_loss(), history.val_loss());
    let lo = train.iter().chain(&validation).copied().fold(f64::MAX, f64::min);
    if log_y && lo <= 0.0 {
        return Err(Error::input("loss_curve_log", format!("a loss of {lo} has no logarithm: use loss_curve")));
    }
    let points = |ys: Vec<f64>| ys.into_iter().enumerate().map(|(i, y)| (i as f64 + 1.0, y)).collect();
    let series = vec![("train".to_string(), points(train)), ("validation".to_string(), points(validation))];
    let y_label = if log_y { format!("{y_label} (log scale)") } else { y_label.to_string() };
    let chart = Lines { title: "Loss per epoch".into(), axes: ("epoch".into(), y_label), series, log_x: false, log_y };
    Ok(Figure::new(chart.checked()?, (640, 400), Format::Svg))
}

/// Lines through `(x, y)` points, one per named series, with dots at the points; `log_x`
/// spaces the x axis logarithmically (for sizes in bytes, label counts...).
pub fn line_chart(title: &str, axes: (&str, &str), series: &[(&str, Vec<(f64, f64)>)], log_x: bool) -> Result<Figure> {
    let series = series.iter().map(|(name, points)| (name.to_string(), points.clone())).collect();
    let chart = Lines { title: title.into(), axes: (axes.0.into(), axes.1.into()), series, log_x, log_y: false };
    Ok(Figure::new(chart.checked()?, (640, 400), Format::Svg))
}

/// Named series of points, as lines with dots.
struct Lines {
    title: String,
    axes: (String, String),
    series: Vec<(String, Vec<(f64, f64)>)>,
    log_x: bool,
    log_y: bool,
}

impl Lines {
    fn checked(self) -> Result<Self> {
        let all = || self.series.iter().flat_map(|(_, p)| p.iter());
        let bad = |(x, y): &(f64, f64)| !x.is_finite() || !y.is_finite() || (self.log_x && *x <= 0.0);
        if all().next().is_none() || all().any(bad) {
            return Err(Error::input("line_chart", "needs finite points (and x > 0 for a log axis)"));
        }
        Ok(self)
    }

    /// The span of one coordinate, padded 5 % (a log axis: by a factor of 1.2).
    fn span(&self, coordinate: fn(&(f64, f64)) -> f64, log: bool) -> (f64, f64) {
        let values = self.series.iter().flat_map(|(_, p)| p.iter().map(coordinate));
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if log {
            (lo / 1.2, hi * 1.2)
        } else {
            range_of(lo, hi)
        }
    }

    fn plot<DB, X, Y>(&self, root: &DrawingArea<DB, Shift>, x: X, y: Y) -> Result<()>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x, y)
            .map_err(draw_error)?;
        mesh(&mut chart, (&self.axes.0, &self.axes.1), None, 3)?;
        for (i, (name, points)) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(draw_error)?;
        }
        draw_legend(&mut chart)
    }
}

impl Draw for Lines {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let ((x0, x1), (y0, y1)) = (self.span(|p| p.0, self.log_x), self.span(|p| p.1, self.log_y));
        match (self.log_x, self.log_y) {
            (false, false) => self.plot(root, x0..x1, y0..y1),
            (true, false) => self.plot(root, (x0..x1).log_scale(), y0..y1),
            (false, true) => self.plot(root, x0..x1, (y0..y1).log_scale()),
            (true, true) => self.plot(root, (x0..x1).log_scale(), (y0..y1).log_scale()),
        }
    }
}

/// The grid, axis names and tick labels every chart uses: y ticks with `y_decimals`
/// decimals, x ticks with `x_decimals` (or the axis' own labels, e.g. a log axis').
fn mesh<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    axes: (&str, &str),
    x_decimals: Option<usize>,
    y_decimals: usize,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let x_format = |v: &f64| format!("{v:.*}", x_decimals.unwrap_or(0));
    let y_format = |v: &f64| format!("{v:.y_decimals$}");
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.0).y_desc(axes.1).label_style((FONT, 12)).y_label_formatter(&y_format);
    if x_decimals.is_some() {
        mesh.x_label_formatter(&x_format);
    }
    mesh.draw().map_err(draw_error)
}

/// The legend box every chart uses.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(chart: &mut ChartContext<'a, DB, CT>) -> Result<()> {
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
    range_of(lo, hi)
}

fn range_of(lo: f64, hi: f64) -> (f64, f64) {
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

/// Points beyond which a scatter shows itself as a bitmap: thousands of SVG circles are
/// megabytes and slow a browser down.
const SCATTER_SVG_POINTS: usize = 1_000;

/// 2-D points `[N, 2]` coloured by class (`labels` `[N]`, 0–9), with a legend of the
/// Fashion-MNIST class names. `axes` names the two coordinates. Shown as SVG up to 1,000
/// points, as PNG beyond.
pub fn latent_scatter(title: &str, points: &Tensor, labels: &Tensor, axes: (&str, &str)) -> Result<Figure> {
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
    let format = if classes.len() > SCATTER_SVG_POINTS { Format::Png } else { Format::Svg };
    let scatter = Scatter { title: title.into(), axes: (axes.0.into(), axes.1.into()), xy, classes };
    Ok(Figure::new(scatter, (720, 520), format))
}

struct Scatter {
    title: String,
    axes: (String, String),
    xy: Vec<f64>,
    classes: Vec<i64>,
}

impl Draw for Scatter {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (x0, x1) = range(self.xy.iter().step_by(2).copied());
        let (y0, y1) = range(self.xy.iter().skip(1).step_by(2).copied());
        root.fill(&WHITE).map_err(draw_error)?;
        let (plot, legend) = root.split_horizontally(560);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, 18))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_error)?;
        mesh(&mut chart, (&self.axes.0, &self.axes.1), Some(1), 1)?;
        let dots = self
            .xy
            .chunks(2)
            .zip(&self.classes)
            .map(|(p, &c)| Circle::new((p[0], p[1]), 2, PALETTE[c as usize].mix(0.6).filled()));
        chart.draw_series(dots).map_err(draw_error)?;
        for (i, name) in CLASS_NAMES.iter().enumerate() {
            let y = 60 + i as i32 * 24;
            legend.draw(&Circle::new((14, y), 5, PALETTE[i].filled())).map_err(draw_error)?;
            legend.draw(&Text::new(*name, (26, y - 7), (FONT, 13))).map_err(draw_error)?;
        }
        Ok(())
    }
}

/// Overlaid histograms (densities, so series of different sizes compare) of 1-D tensors over
/// `bins` equal bins spanning all the values.
pub fn histogram(title: &str, x_desc: &str, series: &[(&str, &Tensor)], bins: usize) -> Result<Figure> {
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
    let densities = values
        .iter()
        .map(|v| {
            let mut counts = vec![0.0; bins];
            for &x in v {
                counts[(((x - lo) / width) as usize).min(bins - 1)] += 1.0;
            }
            counts.iter().map(|c| c / (v.len() as f64 * width)).collect()
        })
        .collect();
    let names = series.iter().map(|(name, _)| name.to_string()).collect();
    let bars = Bars { title: title.into(), x_desc: x_desc.into(), names, densities, lo, hi, width };
    Ok(Figure::new(bars, (640, 400), Format::Svg))
}

struct Bars {
    title: String,
    x_desc: String,
    names: Vec<String>,
    densities: Vec<Vec<f64>>,
    lo: f64,
    hi: f64,
    width: f64,
}

impl Draw for Bars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, width) = (self.lo, self.width);
        let top = self.densities.iter().flatten().fold(0.0f64, |m, &d| m.max(d)) * 1.08;
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..self.hi, 0.0..top.max(1e-12))
            .map_err(draw_error)?;
        mesh(&mut chart, (&self.x_desc, "density"), Some(3), 1)?;
        for (i, (name, density)) in self.names.iter().zip(&self.densities).enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let bars = density.iter().enumerate().map(move |(b, &d)| {
                let x = lo + b as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, d)], color.mix(0.45).filled())
            });
            chart
                .draw_series(bars)
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.6).filled()));
        }
        draw_legend(&mut chart)
    }
}
