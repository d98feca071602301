//! Importing units, people, metrics and the registry: choose a file, preview it with every
//! row-level problem, confirm.

use crate::areas::imports::api::{ConfirmImport, preview_import};
use crate::components::ActForm;
use crate::components::act;
use crate::components::{action_error, gated, query_problem, use_lang, when_ready};
use crate::domain::import::ImportKind;
use crate::i18n::Lang;
use crate::model::ImportPreview;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let problem = query_problem();
    gated(None, move |me| {
        let kinds: Vec<ImportKind> = ImportKind::ALL
            .into_iter()
            .filter(|k| me.may(k.action()))
            .collect();
        if kinds.is_empty() {
            return view! { <crate::components::ErrorPanel error=crate::error::AppError::Forbidden /> }.into_any();
        }
        let message = move || {
            problem
                .get()
                .filter(|p| p.key.starts_with("problem.") || p.key.starts_with("error."))
                .map(|p| {
                    let text = lang.problem(&p);
                    view! { <p class="error" role="alert">{lang.t("import.unreadable")} " " {text}</p> }
                })
        };
        view! {
            <h1>{lang.t("import.title")}</h1>
            <p class="muted">{lang.t("import.intro")}</p>
            {message}
            <div class="cards">{kinds.into_iter().map(|k| upload_card(lang, k)).collect_view()}</div>
        }
        .into_any()
    })
}

fn upload_card(lang: Lang, kind: ImportKind) -> impl IntoView {
    let columns = kind
        .columns()
        .iter()
        .map(|(name, aliases, required)| {
            let tag = if *required {
                lang.t("import.required")
            } else {
                lang.t("import.optional")
            };
            // Files may use either header; the page names the one of its
            // language first and, in Chinese, the code beside it.
            match lang {
                Lang::Zh => view! {
                    <li>
                        <code>{*name}</code> " / " <code>{aliases[0]}</code> " · " {tag}
                    </li>
                }
                .into_any(),
                Lang::En => view! {
                    <li>
                        <code>{aliases[0]}</code> " · " {tag}
                    </li>
                }
                .into_any(),
            }
        })
        .collect_view();
    let (title, help) = match kind {
        ImportKind::Units => ("import.units", "import.units_help"),
        ImportKind::People => ("import.people", "import.people_help"),
        ImportKind::Metrics => ("import.metrics", "import.metrics_help"),
        ImportKind::Registry => ("import.registry", "import.registry_help"),
    };
    view! {
        <section class="card" data-test=format!("upload-{}", kind.code())>
            <h2>{lang.t(title)}</h2>
            <p class="muted">{lang.t(help)}</p>
            <ul class="columns">{columns}</ul>
            <form method="post" action="/import/upload" enctype="multipart/form-data">
                <input type="hidden" name="kind" value=kind.code() />
                <input type="file" name="file" accept=".csv,.xlsx,text/csv" required />
                <button type="submit" class="primary">{lang.t("import.preview")}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let confirm = act::<ConfirmImport>();
    gated(None, move |_| {
        // Back from a plain form post that imported: the staged file is
        // gone, the count is what there is to show.
        if let Some(Ok(n)) = confirm.value().get_untracked() {
            return view! {
                <h1>{lang.t("import.preview_title")}</h1>
                <section class="card">
                    <p class="ok" role="status" data-test="import-done">{lang.tf("import.done", &[&n.to_string()])}</p>
                    <a class="button" href="/import">{lang.t("import.again")}</a>
                </section>
            }
            .into_any();
        }
        let preview = Resource::new(token, preview_import);
        view! {
            <h1>{lang.t("import.preview_title")}</h1>
            <Suspense fallback=|| ()>{move || when_ready(preview, lang, move |p| preview_view(lang, p, confirm))}</Suspense>
        }
        .into_any()
    })
}

fn preview_view(
    lang: Lang,
    p: ImportPreview,
    confirm: ServerAction<ConfirmImport>,
) -> impl IntoView {
    let ok = p.errors.is_empty();
    let list_href = p.kind.list_href();
    let errors = (!ok).then(|| {
        view! {
            <section class="card problems" data-test="import-errors">
                <h2>{lang.tf("import.problems", &[&p.errors.len().to_string()])}</h2>
                <p>{lang.t("import.nothing_imported")}</p>
                <div class="table-wrap">
                    <table class="data">
                        <thead>
                            <tr>
                                <th>{lang.t("import.row")}</th>
                                <th>{lang.t("import.column")}</th>
                                <th>{lang.t("import.reason")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {p.errors
                                .iter()
                                .map(|e| view! {
                                    <tr>
                                        <td data-label=lang.t("import.row")>{e.row}</td>
                                        <td data-label=lang.t("import.column")>{e.column.clone()}</td>
                                        <td data-label=lang.t("import.reason")>{lang.problem(&e.problem)}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <a class="button" href="/import">{lang.t("import.again")}</a>
            </section>
        }
    });
    let token = p.token.clone();
    let actions = ok.then(move || {
        view! {
            <section class="card">
                {move || {
                    let token = token.clone();
                    match confirm.value().get() {
                    Some(Ok(n)) => view! {
                        <p class="ok" role="status" data-test="import-done">{lang.tf("import.done", &[&n.to_string()])}</p>
                        <a class="button" href=list_href>{lang.t("import.see_list")}</a>
                    }
                        .into_any(),
                    _ => view! {
                        <p>{lang.t("import.ready")}</p>
                        <ActForm action=confirm shows_result=true>
                            <input type="hidden" name="token" value=token />
                            {action_error(confirm)}
                            <button type="submit" class="primary" data-test="import-confirm" disabled=move || confirm.pending().get()>
                                {lang.t("import.confirm")}
                            </button>
                        </ActForm>
                    }
                        .into_any(),
                }}}
            </section>
        }
    });
    view! {
        <p>{lang.tf("import.file_summary", &[&p.file_name, &p.total_rows.to_string()])}</p>
        {errors}
        {actions}
        <section class="card">
            <h2>{lang.t("import.sample")}</h2>
            <div class="table-wrap">
                <table class="data" data-test="import-sample">
                    <thead>
                        <tr>
                            <th>{lang.t("import.row")}</th>
                            {p.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {p.sample
                            .into_iter()
                            .map(|(n, cells)| view! {
                                <tr>
                                    <td>{n}</td>
                                    {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
