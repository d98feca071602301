//! Lessons are written in Markdown and shown as HTML. Nothing an organizer
//! types can run in a trainee's browser: raw HTML in the text is shown as
//! text, and links and images may only point to http(s), mailto or this
//! site.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// May a link or image point here? Relative addresses and http(s)/mailto
/// only; the scheme is read the way a browser would (case and embedded
/// whitespace or control characters ignored).
fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path, query or fragment start is not a scheme.
            if cleaned[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&cleaned[..colon], "http" | "https" | "mailto")
        }
    }
}

fn defang(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) {
        url
    } else {
        CowStr::from("#")
    }
}

/// The lesson as HTML that is safe to insert into a page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: defang(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: defang(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render(
            "# 信息报告\n\n- **迟报**:超过时限\n- 瞒报\n\n| 级别 | 时限 |\n|---|---|\n| 较大 | 30 分钟 |\n\n[应急管理部](https://www.mem.gov.cn)",
        );
        assert!(html.contains("<h1>信息报告</h1>"), "{html}");
        assert!(html.contains("<strong>迟报</strong>"));
        assert!(html.contains("<table>"));
        assert!(html.contains("href=\"https://www.mem.gov.cn\""));
    }

    #[test]
    fn raw_html_in_a_lesson_is_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\n文字 <img src=x onerror=alert(1)> 文字");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("&lt;img"));
    }

    #[test]
    fn links_and_images_that_could_run_code_are_defanged() {
        for md in [
            "[点我](javascript:alert(1))",
            "[点我](JaVaScRiPt:alert(1))",
            "[点我](java\tscript:alert(1))",
            "[点我](<java script:alert(1)>)",
            "![图](data:text/html;base64,PHNjcmlwdD4=)",
            "[点我](vbscript:msgbox)",
        ] {
            let html = render(md);
            // Every address the page would follow is defanged to "#".
            for attr in ["href=\"", "src=\""] {
                for value in html.split(attr).skip(1) {
                    let url = value.split('"').next().unwrap_or("");
                    assert_eq!(url, "#", "{md} -> {html}");
                }
            }
        }
        assert!(render("[点我](javascript:alert(1))").contains("href=\"#\""));
        assert!(render("![图](data:text/html;base64,PHNjcmlwdD4=)").contains("src=\"#\""));
        assert!(render("[本站](/training/lessons/3)").contains("href=\"/training/lessons/3\""));
        assert!(render("[邮件](mailto:yjb@example.cn)").contains("mailto:"));
        assert!(render("[锚点](#第二节)").contains("href=\"#"));
    }

    #[test]
    fn quotes_in_an_address_cannot_break_out_of_the_attribute() {
        let html = render("[x](https://a.example/\"onmouseover=alert(1))");
        assert!(!html.contains("\" onmouseover"), "{html}");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
