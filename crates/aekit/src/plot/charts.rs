//! Charts drawn with plotters: loss curves, line charts, the latent scatter by class,
//! histograms. Each is a [`Figure`] (SVG or PNG); their inputs are checked and copied when
//! the figure is made, so drawing later cannot fail on them.

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use tch::{Kind, Tensor};

use super::figure::{Draw, Figure, Format};
use super::{draw_error, FONT};
use crate::data::Dataset;
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

/// Matplotlib's "tab20" light companions of [`PALETTE`], for classes 10 to 19.
const PALETTE_LIGHT: [RGBColor; 10] = [
    RGBColor(174, 199, 232),
    RGBColor(255, 187, 120),
    RGBColor(152, 223, 138),
    RGBColor(255, 152, 150),
    RGBColor(197, 176, 213),
    RGBColor(196, 156, 148),
    RGBColor(247, 182, 210),
    RGBColor(199, 199, 199),
    RGBColor(219, 219, 141),
    RGBColor(158, 218, 229),
];

/// The colour of class `i`: tab10, then tab20's light shades, then hues a golden angle apart.
pub fn class_color(i: usize) -> RGBColor {
    match i {
        0..=9 => PALETTE[i],
        10..=19 => PALETTE_LIGHT[i - 10],
        _ => {
            let (r, g, b) = HSLColor((i as f64 * 0.618_034).fract(), 0.65, 0.5).rgb();
            RGBColor(r, g, b)
        }
    }
}

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
    let chart = Lines {
        title: "Loss per epoch".into(),
        axes: ("epoch".into(), y_label),
        series,
        log_x: false,
        log_y,
        dots: true,
        colors: vec![],
    };
    Ok(Figure::new(chart.checked()?, (640, 400), Format::Svg))
}

/// Lines through `(x, y)` points, one per named series, with dots at the points; `log_x`
/// spaces the x axis logarithmically (for sizes in bytes, label counts...).
pub fn line_chart(title: &str, axes: (&str, &str), series: &[(&str, Vec<(f64, f64)>)], log_x: bool) -> Result<Figure> {
    let series = series.iter().map(|(name, points)| (name.to_string(), points.clone())).collect();
    let chart = Lines {
        title: title.into(),
        axes: (axes.0.into(), axes.1.into()),
        series,
        log_x,
        log_y: false,
        dots: true,
        colors: vec![],
    };
    Ok(Figure::new(chart.checked()?, (640, 400), Format::Svg))
}

/// Time series as lines over their steps, one per name: each tensor one series of one channel
/// (`[L]`, `[1, L]` or `[1, 1, L]`, as a [`Dataset`] of series holds them), on any device.
pub fn series_chart(title: &str, series: &[(&str, &Tensor)]) -> Result<Figure> {
    Ok(Figure::new(series_lines(title, series)?, (640, 400), Format::Svg))
}

fn series_lines(title: &str, series: &[(&str, &Tensor)]) -> Result<Lines> {
    let mut lines = Vec::with_capacity(series.len());
    for (name, values) in series {
        let size = values.size();
        if size.iter().rev().skip(1).any(|&s| s != 1) || values.numel() < 2 {
            return Err(Error::input(
                "series_chart",
                format!("{name:?} has shape {size:?}: give one series of one channel ([L] or [1, 1, L]) per line"),
            ));
        }
        let ys = Vec::<f64>::try_from(values.to_kind(Kind::Double).to_device(tch::Device::Cpu).flatten(0, -1))?;
        lines.push((name.to_string(), ys.into_iter().enumerate().map(|(t, y)| (t as f64, y)).collect()));
    }
    let axes = ("time step".into(), "value".into());
    Lines { title: title.into(), axes, series: lines, log_x: false, log_y: false, dots: false, colors: vec![] }
        .checked()
}

/// For series data: the first `originals` (up to 4) and their reconstructions, one colour per
/// series, its reconstruction in the light shade of the same colour.
pub fn series_reconstructions(originals: &Dataset, reconstructions: &Tensor) -> Result<Figure> {
    let n = originals.len().min(4) as i64;
    let names = if originals.is_labeled() { Some(originals.class_names()?) } else { None };
    let mut owned = Vec::new();
    for i in 0..n {
        let label = match &names {
            Some(names) => format!("#{i} ({})", names[i as usize]),
            None => format!("#{i}"),
        };
        owned.push((format!("{label} original"), originals.samples.get(i)));
        owned.push((format!("{label} reconstructed"), reconstructions.get(i)));
    }
    let series: Vec<(&str, &Tensor)> = owned.iter().map(|(name, t)| (name.as_str(), t)).collect();
    let mut chart = series_lines("Series and their reconstructions", &series)?;
    chart.colors = (0..n as usize).flat_map(|i| [class_color(i), class_color(i + 10)]).collect();
    Ok(Figure::new(chart, (640, 400), Format::Svg))
}

/// Named series of points, as lines with dots.
struct Lines {
    title: String,
    axes: (String, String),
    series: Vec<(String, Vec<(f64, f64)>)>,
    log_x: bool,
    log_y: bool,
    /// A dot at each point (off for long series).
    dots: bool,
    /// The colour of each series; [`PALETTE`] in turn when empty.
    colors: Vec<RGBColor>,
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
            let color = self.colors.get(i).copied().unwrap_or(PALETTE[i % PALETTE.len()]);
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            if self.dots {
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(draw_error)?;
            }
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

/// 2-D points `[N, 2]`, the codes (or projections) of `data`'s samples in order, coloured by
/// class with a legend of `data`'s class names (one colour when it is unlabeled). `axes` names
/// the two coordinates. Shown as SVG up to 1,000 points, as PNG beyond.
pub fn latent_scatter(title: &str, points: &Tensor, data: &Dataset, axes: (&str, &str)) -> Result<Figure> {
    if points.dim() != 2 || points.size()[1] != 2 || points.size()[0] == 0 || points.size()[0] != data.len() as i64 {
        return Err(Error::input(
            "latent_scatter",
            format!(
                "expected points [N, 2] for the data's {} samples, got {:?} (project wider codes with Pca first)",
                data.len(),
                points.size(),
            ),
        ));
    }
    let xy = Vec::<f64>::try_from(points.to_kind(Kind::Double).to_device(tch::Device::Cpu).flatten(0, -1))?;
    let labels = Vec::<i64>::try_from(data.labels.to_device(tch::Device::Cpu))?;
    let format = if labels.len() > SCATTER_SVG_POINTS { Format::Png } else { Format::Svg };
    let scatter = Scatter {
        title: title.into(),
        axes: (axes.0.into(), axes.1.into()),
        xy,
        labels: labels.into_iter().map(|l| l as usize).collect(),
        classes: data.classes().to_vec(),
    };
    Ok(Figure::new(scatter, (720, 520), format))
}

struct Scatter {
    title: String,
    axes: (String, String),
    xy: Vec<f64>,
    labels: Vec<usize>,
    classes: Vec<String>,
}

/// Classes listed in a scatter's legend; the rest are summed up in one line.
const LEGEND_CLASSES: usize = 20;

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
            .zip(&self.labels)
            .map(|(p, &c)| Circle::new((p[0], p[1]), 2, class_color(c).mix(0.6).filled()));
        chart.draw_series(dots).map_err(draw_error)?;
        let shown = self.classes.len().min(LEGEND_CLASSES);
        let (top, step) = if shown > 10 { (40, 20) } else { (60, 24) };
        for (i, name) in self.classes.iter().take(shown).enumerate() {
            let y = top + i as i32 * step;
            legend.draw(&Circle::new((14, y), 5, class_color(i).filled())).map_err(draw_error)?;
            legend.draw(&Text::new(name.as_str(), (26, y - 7), (FONT, 13))).map_err(draw_error)?;
        }
        if self.classes.len() > shown {
            let more = format!("and {} more classes", self.classes.len() - shown);
            legend.draw(&Text::new(more, (8, top + shown as i32 * step - 7), (FONT, 13))).map_err(draw_error)?;
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
