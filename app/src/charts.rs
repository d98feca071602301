//! Charts drawn on the server with plotters into SVG (text stays text, no
//! fonts or C libraries needed). plotters escapes the text it writes, so a
//! unit called `<script>` is shown, not run (the test below holds it to that).

use plotters::prelude::*;

/// A horizontal bar chart: one bar per label.
pub fn bar_chart(title: &str, labels: &[String], values: &[i64]) -> String {
    let mut svg = String::new();
    let rows = labels.len().max(1) as i32;
    let height = 60 + rows as u32 * 34;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (640, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(130)
            .build_cartesian_2d(0i64..(max + max / 5 + 1), (0..rows).into_segmented());
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
                .x_label_formatter(&|v| v.to_string())
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
        }
        let _ = root.present();
    }
    svg
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
}
