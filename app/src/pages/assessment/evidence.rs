//! Where a figure came from, as the assessment pages show it: a metric
//! value's origin (computed, entered, an override with its reason and the
//! computed value beside it), the records it counted, and the changes that
//! moved a unit's figures, each naming its cause and record.

use crate::domain::evidence::{Origin, source_ref};
use crate::domain::local_time;
use crate::i18n::Lang;
use crate::model::{ChangeRow, Evidence, MetricRow};
use leptos::prelude::*;

/// The record a source names, linked when it has a page.
pub fn source_view(source: &str, lang: Lang) -> AnyView {
    let r = source_ref(source);
    let text = if r.id.is_empty() {
        lang.t(r.kind).to_string()
    } else {
        format!("{} {}", lang.t(r.kind), r.id)
    };
    match r.href {
        Some(href) => view! { <a href=href>{text}</a> }.into_any(),
        None => view! { <span>{text}</span> }.into_any(),
    }
}

/// One line on where a metric value came from.
pub fn provenance(m: &MetricRow, lang: Lang) -> impl IntoView + use<> {
    let when = local_time(m.updated_at);
    let line = match m.origin {
        Origin::Computed => lang.tf(
            "provenance.computed",
            &[&local_time(m.computed_at.unwrap_or(m.updated_at))],
        ),
        Origin::Entered => lang.tf("provenance.entered", &[&m.updated_by, &when]),
        Origin::Override => lang.tf("provenance.override", &[&m.updated_by, &when, &m.reason]),
    };
    let beside = (m.origin == Origin::Override).then(|| match m.computed {
        Some((n, d)) => lang.tf(
            "provenance.computed_beside",
            &[&n.to_string(), &d.to_string()],
        ),
        None => lang.t("provenance.never_computed").to_string(),
    });
    let badge = match m.origin {
        Origin::Computed => "badge ok",
        Origin::Entered => "badge",
        Origin::Override => "badge warn",
    };
    let origin = lang.t(&format!("origin.{}", m.origin.code())).to_string();
    let source = (!m.source.is_empty()).then(|| {
        let s = m.source.clone();
        view! { " · " {lang.t("provenance.source")} " " {source_view(&s, lang)} }
    });
    view! {
        <div class="provenance" data-test="provenance" data-origin=m.origin.code()>
            <span class=badge>{origin}</span>
            " " {line} {source}
            {beside.map(|b| view! { <br /><span class="muted" data-test="computed-beside">{b}</span> })}
        </div>
    }
}

/// The records a computed value counted, folded away.
pub fn evidence_list(list: &[Evidence], lang: Lang) -> impl IntoView + use<> {
    let counted = list.iter().filter(|e| e.counts).count();
    let items = list
        .iter()
        .map(|e| {
            let class = if e.counts { "" } else { "against" };
            let kind = lang.t(&format!("evidence.{}", e.kind)).to_string();
            view! {
                <li class=class>
                    {kind} ": " <a href=e.href.clone()>{e.label.clone()}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="evidence" data-test="evidence">
            <summary>{lang.tf("evidence.summary", &[&counted.to_string(), &list.len().to_string()])}</summary>
            <ul class="plain">{items}</ul>
        </details>
    }
}

/// A scheme's indicator names by code, for the change lines that name a
/// score.
pub fn indicator_names(
    s: &crate::domain::assessment::Scheme,
) -> impl Fn(&str) -> Option<String> + Clone + 'static {
    let names: Vec<(String, String)> = s
        .indicators
        .iter()
        .map(|i| (i.code.clone(), i.name.clone()))
        .collect();
    move |code| {
        names
            .iter()
            .find(|(k, _)| k == code)
            .map(|(_, n)| n.clone())
    }
}

/// What a change item names (`metric:plan_coverage`, `score:duty`,
/// `event:late_report`, `bonus`, `veto`), in words.
pub fn item_label(
    item: &str,
    lang: Lang,
    indicator_name: impl Fn(&str) -> Option<String>,
) -> String {
    let (kind, code) = item.split_once(':').unwrap_or((item, ""));
    match kind {
        "metric" => super::sheet::metric_name(lang, code),
        "score" => indicator_name(code).unwrap_or_else(|| code.to_string()),
        "event" => super::sheet::event_label(lang, code),
        "bonus" => lang.t("change.bonus").to_string(),
        "veto" => lang.t("change.veto").to_string(),
        _ => item.to_string(),
    }
}

/// One change: when, what, from what to what, why, by whom.
pub fn change_item(
    c: &ChangeRow,
    lang: Lang,
    indicator_name: impl Fn(&str) -> Option<String>,
) -> AnyView {
    let what = item_label(&c.item, lang, indicator_name);
    let shown = |v: &str| match v {
        "" => "—".to_string(),
        "confirmed" | "revoked" => lang.t(&format!("veto.status_{v}")).to_string(),
        v => v.to_string(),
    };
    let line = lang.tf(
        &format!("change.{}", c.cause),
        &[&what, &shown(&c.before), &shown(&c.after)],
    );
    let source = (!c.source.is_empty()).then(|| {
        let s = c.source.clone();
        view! { " · " {source_view(&s, lang)} }
    });
    view! {
        <li data-test="change">
            <span class="muted">{local_time(c.at)}</span> " " {line} {source}
            " · " {crate::components::actor_label(&c.actor, lang)}
        </li>
    }
    .into_any()
}
