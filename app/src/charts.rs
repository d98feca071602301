//! Charts drawn on the server with plotters into SVG (text stays text, no
//! fonts or C libraries needed). plotters escapes the text it writes, so a
//! unit called `<script>` is shown, not run (the test below holds it to that).

use plotters::prelude::*;

/// A QR code of `text` as SVG, made here (no network), for printed
/// certificates.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// A horizontal bar chart: one bar per label.
pub fn bar_chart(title: &str, labels: &[String], values: &[i64]) -> String {
    bars(
        title,
        labels,
        values,
        &|v| v.to_string(),
        fitted(values),
        None,
    )
}

/// A bar chart of shares in tenths of a percent, on an axis from 0 to 100
/// whatever the values (an empty year reads 0%, not 0.2).
pub fn percent_chart(title: &str, labels: &[String], permille: &[i64]) -> String {
    bars(
        title,
        labels,
        permille,
        &|v| crate::domain::assessment::Points(*v).to_string(),
        1001,
        None,
    )
}

/// A percent chart with the target drawn as a vertical line (in permille,
/// like the values).
pub fn target_chart(title: &str, labels: &[String], permille: &[i64], target: i64) -> String {
    bars(
        title,
        labels,
        permille,
        &|v| crate::domain::assessment::Points(*v).to_string(),
        1001,
        Some(target),
    )
}

/// An axis end a little past the largest value.
fn fitted(values: &[i64]) -> i64 {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    max + max / 5 + 1
}

/// A bar chart of points kept in tenths (the axis reads 12.5, not 125).
pub fn bar_chart_points(title: &str, labels: &[String], tenths: &[i64]) -> String {
    bars(
        title,
        labels,
        tenths,
        &|v| crate::domain::assessment::Points(*v).to_string(),
        fitted(tenths),
        None,
    )
}

fn bars(
    title: &str,
    labels: &[String],
    values: &[i64],
    axis: &dyn Fn(&i64) -> String,
    end: i64,
    target: Option<i64>,
) -> String {
    let mut svg = String::new();
    let rows = labels.len().max(1) as i32;
    let height = 60 + rows as u32 * 34;
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(label_area(labels))
            .build_cartesian_2d(0i64..end, (0..rows).into_segmented());
        if let Ok(mut chart) = chart {
            let _ = chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(RGBColor(0xee, 0xee, 0xee))
                .x_labels(6)
                .y_labels(rows as usize)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => {
                        labels.get(*i as usize).cloned().unwrap_or_default()
                    }
                    _ => String::new(),
                })
                .x_label_formatter(axis)
                .label_style(("sans-serif", 13))
                .draw();
            let bars = values.iter().enumerate().map(|(i, v)| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (0, SegmentValue::Exact(i)),
                        (*v, SegmentValue::Exact(i + 1)),
                    ],
                    RGBColor(0xc0, 0x39, 0x2b).filled(),
                );
                bar.set_margin(5, 5, 0, 0);
                bar
            });
            let _ = chart.draw_series(bars);
            if let Some(t) = target {
                let _ = chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, SegmentValue::Exact(0)), (t, SegmentValue::Exact(rows))],
                    RGBColor(0x1f, 0x29, 0x33).stroke_width(2),
                )));
            }
        }
        let _ = root.present();
    }
    svg
}

/// A line of totals over years; a year without a total leaves a gap.
pub fn trend_chart(
    title: &str,
    points: &[(String, Option<crate::domain::assessment::Points>)],
) -> String {
    let mut svg = String::new();
    let n = points.len().max(1) as i32;
    {
        let root = SVGBackend::with_string(&mut svg, (640, 300)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(0..n, 0i64..1050);
        if let Ok(mut chart) = chart {
            let _ = chart
                .configure_mesh()
                .light_line_style(RGBColor(0xee, 0xee, 0xee))
                .x_labels(points.len().max(1))
                .x_label_formatter(&|i| {
                    points
                        .get(*i as usize)
                        .map(|(y, _)| y.clone())
                        .unwrap_or_default()
                })
                .y_label_formatter(&|v| (v / 10).to_string())
                .label_style(("sans-serif", 13))
                .draw();
            let red = RGBColor(0xc0, 0x39, 0x2b);
            let known: Vec<(i32, i64)> = points
                .iter()
                .enumerate()
                .filter_map(|(i, (_, t))| t.map(|t| (i as i32, t.0)))
                .collect();
            let _ = chart.draw_series(LineSeries::new(known.clone(), red.stroke_width(2)));
            let _ = chart.draw_series(
                known
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 4, red.filled())),
            );
        }
        let _ = root.present();
    }
    svg
}

/// Room for the longest label at the labels' 13 px (a CJK character is
/// about 13 px wide, a Latin one about 7): "Emergency-management staff"
/// needs more than 130 px and was cut at the left edge.
fn label_area(labels: &[String]) -> u32 {
    let widest = labels
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 7 } else { 13 })
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0);
    (widest + 14).clamp(60, 320)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_holds_its_labels_escaped() {
        let svg = bar_chart(
            "人员",
            &["应急<管理>".to_string(), "专家".to_string()],
            &[3, 0],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("应急&lt;管理&gt;"), "{svg}");
        assert!(!svg.contains("<管理>"));
        assert!(svg.contains("专家"));
        assert!(
            svg.contains(">\n人员\n<") || svg.contains(">人员<"),
            "the title is drawn"
        );
    }

    #[test]
    fn a_percent_chart_runs_to_100_even_when_every_share_is_zero() {
        let svg = percent_chart("覆盖率", &["城关街道".to_string()], &[0]);
        assert!(svg.contains("\n100.0\n"), "{svg}");
        let fitted = bar_chart_points("覆盖率", &["城关街道".to_string()], &[0]);
        assert!(!fitted.contains("\n100.0\n"));
    }

    #[test]
    fn a_target_chart_draws_one_more_line_than_the_plain_one() {
        let labels = ["街道".to_string(), "全区".to_string()];
        let count = |svg: &str| svg.matches("<polyline").count();
        let plain = percent_chart("覆盖率", &labels, &[1000, 906]);
        let with = target_chart("覆盖率", &labels, &[1000, 906], 970);
        assert_eq!(count(&with), count(&plain) + 1, "{with}");
    }

    #[test]
    fn a_trend_names_its_years_and_escapes_its_title() {
        use crate::domain::assessment::Points;
        let svg = trend_chart(
            "<b>九曲街道</b>",
            &[
                ("2017".into(), Some(Points(885))),
                ("2018".into(), None),
                ("2019".into(), Some(Points(0))),
            ],
        );
        assert!(svg.contains("2017") && svg.contains("2019"));
        assert!(svg.contains("&lt;b&gt;九曲街道"), "{svg}");
        assert!(!svg.contains("<b>"));
    }
}
