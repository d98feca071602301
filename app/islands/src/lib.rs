//! The parts of pages that run in the browser (Leptos islands); everything
//! else is HTML drawn on the server, and works without JavaScript. Each
//! island gets what it shows as props, already translated, so that the
//! translation tables and the page data stay on the server: what the
//! browser downloads is these few functions, the scoring rules the live
//! total needs and Leptos's reactive core.
//!
//! A crate of its own so that the browser build compiles only this, the
//! domain rules and Leptos, never the pages, storage or server functions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use yingji_domain::assessment::Scheme;
use yingji_domain::assessment::{Entry, Points, Sheet, evaluate, manual_points};

/// Inside every form `ActForm` draws. With JavaScript the form is posted in
/// the background: its controls are disabled meanwhile (one press), a
/// refusal is put in the form's message places (`data-act-msg`) and what
/// was typed stays; on success the browser goes where the server sent it
/// (the list, the new record, or this page drawn anew). With `keep`, a
/// success that comes back to this very page (the drill editor's clashes)
/// is shown in place too. Without JavaScript the form posts as it is.
#[island]
pub fn FormGuard(
    /// Said when the server cannot be reached.
    network_error: String,
    keep: bool,
) -> impl IntoView {
    let marker = NodeRef::<leptos::html::Span>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = marker.get() {
            browser::guard_form(&el, keep, network_error.clone());
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (keep, network_error);
    view! { <span hidden node_ref=marker></span> }
}

/// The scoring sheet's running total, recomputed as the assessor types, by
/// the same rules the server applies (`evaluate`), so that a value the
/// server would refuse is named at once instead of totalled.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveSheet {
    pub scheme: Scheme,
    /// The sheet without the manual scores (ratios, events, bonus, veto).
    pub base: Sheet,
    /// Position and code of each indicator scored by hand.
    pub manual: Vec<(usize, String)>,
    /// The translations the text needs, by key.
    pub texts: HashMap<String, String>,
}

impl LiveSheet {
    /// The line under the sheet for the typed values (`typed(code)`).
    pub fn say(&self, typed: impl Fn(&str) -> String) -> String {
        let mut sheet = self.base.clone();
        let mut wrong = Vec::new();
        for (i, code) in &self.manual {
            let ind = &self.scheme.indicators[*i];
            match manual_points(&typed(code), ind.max) {
                Ok(Some(p)) => sheet.entries[*i] = Entry::Score(p),
                Ok(None) => {}
                Err(problem) => {
                    let args: Vec<&str> = problem.args.iter().map(String::as_str).collect();
                    wrong.push(format!(
                        "{}: {}",
                        ind.name,
                        fill(&self.texts, &problem.key, &args)
                    ));
                }
            }
        }
        if !wrong.is_empty() {
            return wrong.join(self.texts.get("sep").map(String::as_str).unwrap_or("; "));
        }
        let o = evaluate(&self.scheme, &[sheet]).remove(0);
        match o.total {
            Some(t) if o.vetoed => fill(&self.texts, "assessment.live_vetoed", &[&t.to_string()]),
            Some(t) => fill(&self.texts, "assessment.live_total", &[&t.to_string()]),
            None => fill(&self.texts, "assessment.live_incomplete", &[]),
        }
    }

    /// The keys `say` may need.
    pub const KEYS: [&'static str; 6] = [
        "assessment.live_vetoed",
        "assessment.live_total",
        "assessment.live_incomplete",
        "problem.above_max",
        "problem.between",
        "problem.bad_points",
    ];
}

/// A translation's `{0}`, `{1}`… filled in; the key itself when missing.
fn fill(texts: &HashMap<String, String>, key: &str, args: &[&str]) -> String {
    let mut out = texts.get(key).cloned().unwrap_or_else(|| key.to_string());
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

#[island]
pub fn LiveTotal(sheet: LiveSheet, initial: String) -> impl IntoView {
    let text = RwSignal::new(initial);
    let marker = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = marker.get() {
            let sheet = sheet.clone();
            browser::on_form_input(&el, move |form| {
                text.set(sheet.say(|code| {
                    browser::value_of(form, &format!("input[data-indicator=\"{code}\"]"))
                }))
            });
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = sheet;
    view! { <p class="live" data-test="live-total" aria-live="polite" node_ref=marker>{move || text.get()}</p> }
}

/// The sum of the maxima typed in a scheme's indicator rows (every input
/// marked `data-max` in the form), which must come to 100.0.
#[island]
pub fn MaximaSum(
    /// The sentence, `{0}` standing for the sum.
    template: String,
    initial: i64,
) -> impl IntoView {
    let sum = RwSignal::new(initial);
    let marker = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = marker.get() {
            browser::on_form_input(&el, move |form| {
                let total: i64 = browser::values_of(form, "input[data-max]")
                    .iter()
                    .filter_map(|v| Points::parse(v))
                    .map(|p| p.0)
                    .sum();
                sum.set(total);
            });
        }
    });
    let ok = move || sum.get() == 1000;
    view! {
        <p data-test="maxima-sum" class:error=move || !ok() class:ok=ok node_ref=marker>
            {move || template.replace("{0}", &Points(sum.get()).to_string())}
        </p>
    }
}

/// "Add a row": copies the `<template id=template>` into the `<tbody
/// id=body>`, `__i__` in it becoming the next row's index and `__n__` its
/// number. Without JavaScript the form has its spare rows already.
#[island]
pub fn AddRow(
    label: String,
    template: String,
    body: String,
    next: usize,
    test: String,
) -> impl IntoView {
    let next = RwSignal::new(next);
    let add = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let i = next.get_untracked();
            browser::add_row(&template, &body, i);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&template, &body);
        next.update(|n| *n += 1);
    };
    view! { <button type="button" class="link" data-test=test on:click=add>{label}</button> }
}

/// Copies an address to the clipboard; says so.
#[island]
pub fn CopyButton(text: String, label: String, done: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <button type="button" class="link" on:click=copy>
            {move || if copied.get() { done.clone() } else { label.clone() }}
        </button>
    }
}

/// The browser's print dialog (certificates, drill reports).
#[island]
pub fn PrintButton(label: String) -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! { <button type="button" on:click=print>{label}</button> }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The DOM work of the islands.
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{Element, HtmlFormElement, HtmlInputElement};

    fn form_of(el: &Element) -> Option<HtmlFormElement> {
        el.closest("form").ok().flatten()?.dyn_into().ok()
    }

    /// Calls `f` with the form around `el` now and on every input in it.
    pub fn on_form_input(el: &Element, f: impl Fn(&HtmlFormElement) + 'static) {
        let Some(form) = form_of(el) else { return };
        f(&form);
        let target = form.clone();
        let cb = Closure::<dyn Fn(web_sys::Event)>::new(move |_| f(&target));
        let _ = form.add_event_listener_with_callback("input", cb.as_ref().unchecked_ref());
        cb.forget();
    }

    pub fn value_of(form: &HtmlFormElement, selector: &str) -> String {
        form.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    }

    pub fn values_of(form: &HtmlFormElement, selector: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(list) = form.query_selector_all(selector) {
            for i in 0..list.length() {
                if let Some(input) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
                {
                    out.push(input.value());
                }
            }
        }
        out
    }

    pub fn add_row(template: &str, body: &str, i: usize) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let (Some(t), Some(b)) = (doc.get_element_by_id(template), doc.get_element_by_id(body))
        else {
            return;
        };
        let html = t
            .inner_html()
            .replace("__i__", &i.to_string())
            .replace("__n__", &(i + 1).to_string());
        let _ = b.insert_adjacent_html("beforeend", &html);
    }

    pub fn guard_form(marker: &Element, keep: bool, network_error: String) {
        let Some(form) = form_of(marker) else { return };
        let target = form.clone();
        let cb = Closure::<dyn Fn(web_sys::SubmitEvent)>::new(move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let form = target.clone();
            let network_error = network_error.clone();
            let submitter = ev.submitter();
            leptos::task::spawn_local(async move {
                if submit(&form, submitter, keep).await.is_err() {
                    busy(&form, false);
                    say_in_form(&form, &network_error);
                }
            });
        });
        let _ = form.add_event_listener_with_callback("submit", cb.as_ref().unchecked_ref());
        cb.forget();
    }

    fn busy(form: &HtmlFormElement, on: bool) {
        if let Ok(Some(fs)) = form.query_selector("fieldset.act") {
            if on {
                let _ = fs.set_attribute("disabled", "");
            } else {
                let _ = fs.remove_attribute("disabled");
            }
            let _ = fs.set_attribute("aria-busy", if on { "true" } else { "false" });
        }
    }

    fn say_in_form(form: &HtmlFormElement, message: &str) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let (Ok(Some(slot)), Ok(p)) = (
            form.query_selector("[data-act-msg]"),
            doc.create_element("p"),
        ) {
            p.set_class_name("error");
            let _ = p.set_attribute("role", "alert");
            p.set_text_content(Some(message));
            slot.set_inner_html("");
            let _ = slot.append_child(&p);
        }
    }

    /// The form's place among the forms of its page with the same action.
    fn index_of(form: &HtmlFormElement, action: &str) -> Option<u32> {
        let doc = web_sys::window()?.document()?;
        let all = doc
            .query_selector_all(&format!("form[action=\"{action}\"]"))
            .ok()?;
        (0..all.length()).find(|i| {
            all.item(*i)
                .is_some_and(|n| n.is_same_node(Some(form.unchecked_ref::<web_sys::Node>())))
        })
    }

    /// Puts the messages of the same form in the page `html` (drawn by the
    /// server after the post) into this form's message places. False when
    /// the two pages' forms do not match.
    fn show_messages(form: &HtmlFormElement, action: &str, html: &str) -> bool {
        let Some(index) = index_of(form, action) else {
            return false;
        };
        let Ok(parser) = web_sys::DomParser::new() else {
            return false;
        };
        let Ok(page) = parser.parse_from_string(html, web_sys::SupportedType::TextHtml) else {
            return false;
        };
        let Some(there) = page
            .query_selector_all(&format!("form[action=\"{action}\"]"))
            .ok()
            .and_then(|l| l.item(index))
            .and_then(|n| n.dyn_into::<Element>().ok())
        else {
            return false;
        };
        let (Ok(here), Ok(new)) = (
            form.query_selector_all("[data-act-msg]"),
            there.query_selector_all("[data-act-msg]"),
        ) else {
            return false;
        };
        if here.length() != new.length() || here.length() == 0 {
            return false;
        }
        for i in 0..here.length() {
            let (Some(h), Some(n)) = (
                here.item(i).and_then(|n| n.dyn_into::<Element>().ok()),
                new.item(i).and_then(|n| n.dyn_into::<Element>().ok()),
            ) else {
                return false;
            };
            h.set_inner_html(&n.inner_html());
        }
        true
    }

    async fn submit(
        form: &HtmlFormElement,
        submitter: Option<web_sys::HtmlElement>,
        keep: bool,
    ) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let data = web_sys::FormData::new_with_form(form)?;
        if let Some(s) = submitter
            && let Some(name) = s.get_attribute("name")
        {
            data.append_with_str(&name, &s.get_attribute("value").unwrap_or_default())?;
        }
        let body = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)?;
        busy(form, true);
        let action = form.get_attribute("action").unwrap_or_default();
        let headers = web_sys::Headers::new()?;
        headers.append("Accept", "text/html")?;
        headers.append("Content-Type", "application/x-www-form-urlencoded")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body);
        let res: web_sys::Response =
            wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(&action, &init))
                .await?
                .dyn_into()?;
        if !res.ok() {
            // Refused before any page (too large, from another site): the
            // server's own words, in both languages.
            let text = wasm_bindgen_futures::JsFuture::from(res.text()?)
                .await?
                .as_string()
                .unwrap_or_default();
            busy(form, false);
            say_in_form(form, &text);
            return Ok(());
        }
        let url = res.url();
        let landed = web_sys::Url::new(&url)?;
        let refused = landed.search_params().get("__path").as_deref() == Some(action.as_str());
        let here = window.location().pathname()?;
        if refused || (keep && landed.pathname() == here) {
            let html = wasm_bindgen_futures::JsFuture::from(res.text()?)
                .await?
                .as_string()
                .unwrap_or_default();
            if show_messages(form, &action, &html) {
                busy(form, false);
                return Ok(());
            }
        }
        window.location().assign(&url)
    }
}

/// The browser's entry point: the pages are HTML; only the islands come
/// alive here.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A mark for the browser tests: the page is interactive now.
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_the_arguments_in_their_places() {
        let texts = HashMap::from([("k".to_string(), "{1} of {0}".to_string())]);
        assert_eq!(fill(&texts, "k", &["a", "b"]), "b of a");
        assert_eq!(fill(&texts, "missing", &[]), "missing");
    }
}
