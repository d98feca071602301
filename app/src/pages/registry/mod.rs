//! The assistants' registry's screens: the registry with its confirmation
//! progress, registering, drives and confirmations; the reminder list of
//! expiring and expired certificates; a printable certificate with its QR
//! code; and the public verify page.

use crate::areas::registry::api::{
    ConfirmAssistant, RegisterAssistant, RegistryPage, Reminders, RevokeCertificate,
    StartConfirmationDrive, Verified, get_certificate, get_certificate_reminders, get_registry,
    verify_certificate,
};
use crate::areas::registry::api::{
    ReporterCoverageReport, SetReportersNeeded, SyncReporterMetric, get_reporter_coverage,
};
use crate::components::act;
use crate::components::nav::{Area, NavLink, Need};
use crate::components::{ActForm, Confirm};
use crate::components::{UnitSelect, action_error, gated, query_param, use_lang, when_ready};
use crate::domain::authz::Action;
use crate::domain::registry::{CertStatus, RegistryRole};
use crate::i18n::Lang;
use crate::model::{CertificateRow, RegistryRow};
use leptos::prelude::*;

/// The registry area, parent route of its pages (`nav::Area`): its links
/// along the top. A trainee sees their own part of the registry and its
/// coverage; the reminder list names people, so it asks for seeing people.
#[component]
pub fn RegistryArea() -> impl IntoView {
    const LINKS: &[NavLink] = &[
        (
            "/registry",
            "registry.title",
            Need::May(Action::ViewRegistry),
        ),
        (
            "/registry/coverage",
            "registry.coverage",
            Need::May(Action::ViewRegistry),
        ),
        (
            "/registry/reminders",
            "registry.reminders",
            Need::May(Action::ViewPeople),
        ),
    ];
    view! { <Area links=LINKS /> }
}

pub fn cert_badge(s: CertStatus, lang: Lang) -> impl IntoView {
    let class = match s {
        CertStatus::Certified => "badge done",
        CertStatus::Expiring => "badge warn",
        CertStatus::Expired | CertStatus::Revoked => "badge bad",
        CertStatus::Registered => "badge",
    };
    view! { <span class=class data-test="cert-status">{lang.t(&s.label_key()).to_string()}</span> }
}

#[derive(Clone, Copy)]
struct RegistryActions {
    register: ServerAction<RegisterAssistant>,
    confirm: ServerAction<ConfirmAssistant>,
    drive: ServerAction<StartConfirmationDrive>,
}

#[component]
pub fn RegistryListPage() -> impl IntoView {
    let lang = use_lang();
    let a = RegistryActions {
        register: act(),
        confirm: act(),
        drive: act(),
    };
    let q = query_param("q");
    let page = query_param("page");
    gated(Some(Action::ViewRegistry), move |me| {
        let data = Resource::new(
            move || {
                (
                    q.get(),
                    page.get(),
                    a.register.version().get(),
                    a.confirm.version().get(),
                    a.drive.version().get(),
                )
            },
            |(q, page, ..)| get_registry(q, page.parse().unwrap_or(1)),
        );
        view! {
            <div class="page-head">
                <h1>{lang.t("registry.title")}</h1>
                <div class="actions">
                    {me.may(Action::ManageRegistry).then(|| view! { <a class="button" href="/import" data-test="registry-import">{lang.t("import.registry")}</a> })}
                    <a class="button" href="/registry/export.csv" download>{lang.t("registry.export_csv")}</a>
                    <a class="button" href="/registry/export.xlsx" download>{lang.t("registry.export_xlsx")}</a>
                </div>
            </div>
            <p class="intro muted">{lang.t("registry.intro")}</p>
            <p class="muted">{lang.t("registry.export_audited")}</p>
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |p: RegistryPage| registry_view(p, lang, a))}
            </Transition>
        }
        .into_any()
    })
}

fn registry_view(p: RegistryPage, lang: Lang, a: RegistryActions) -> impl IntoView {
    // From a person's page: their number is filled in.
    let person = query_param("person");
    // Just registered one, or refused: the form stays open.
    let registered = a.register.value().get_untracked().is_some();
    let manage = p.may_manage;
    let subdistricts: Vec<crate::model::Unit> = p
        .units
        .iter()
        .filter(|u| u.kind == crate::domain::unit::UnitKind::Subdistrict)
        .cloned()
        .collect();
    let q = query_param("q").get_untracked();
    let base = format!("/registry?q={}", crate::domain::query_escape(&q));
    let shown = lang.tf(
        "registry.shown",
        &[
            &p.total.to_string(),
            &p.page.to_string(),
            &p.pages.to_string(),
        ],
    );
    view! {
        <form method="get" action="/registry" class="filters" role="search">
            <input type="search" name="q" value=q placeholder=lang.t("registry.search") aria-label=lang.t("registry.search") data-test="registry-search" />
            <button type="submit">{lang.t("action.filter")}</button>
            " " <span class="muted" data-test="registry-shown">{shown}</span>
        </form>
        {(!p.progress.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t("registry.progress")}</h2>
                <ul class="columns" data-test="progress">
                    {p.progress.iter().map(|g| view! {
                        <li>{format!("{}: {} / {}", g.unit_name, g.confirmed, g.total)}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {manage.then(|| view! {
            // Above the list, folded away unless a person's page sent
            // someone here to register them, or one was just registered
            // (the next is often on the same sheet of paper).
            <details class="card" id="register" open=!person.get_untracked().is_empty() || registered data-test="register-details">
            <summary><h2 class="inline">{lang.t("registry.register")}</h2></summary>
            <ActForm action=a.register shows_result=true attr:data-test="register-form">
                <p class="muted">{lang.t("registry.register_help")}</p>
                <div class="grid">
                    <label>{lang.t("field.person_code")}<input type="text" name="form[person_code]" required maxlength="32" value=person.get_untracked() /></label>
                    <label>{lang.t("field.person_name")}<input type="text" name="form[name]" maxlength="40" /></label>
                    <label>{lang.t("field.registry_role")}
                        <select name="form[role]">
                            {RegistryRole::ALL.iter().map(|r| view! { <option value=r.code()>{lang.t(r.label_key())}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="wide">{lang.t("field.unit")}
                        <UnitSelect units=p.units.clone() name="form[unit_id]" selected=None blank="common.choose" />
                    </label>
                    <label>{lang.t("field.phone")}<input type="tel" name="form[phone]" maxlength="20" /></label>
                    <label>{lang.t("field.appointed_on")}<input type="date" name="form[appointed_on]" required value=p.today.to_string() /></label>
                </div>
                {action_error(a.register)}
                <button type="submit" class="primary">{lang.t("registry.register")}</button>
            </ActForm>
            </details>
            <details class="card">
            <summary><h2 class="inline">{lang.t("registry.drive")}</h2></summary>
            <ActForm action=a.drive attr:data-test="drive-form">
                <p class="muted">{lang.t("registry.drive_help")}</p>
                <div class="grid">
                    <label class="wide">{lang.t("field.unit")}
                        <UnitSelect units=subdistricts.clone() name="unit_id" selected=None blank="common.choose" />
                    </label>
                    <label class="wide">{lang.t("field.reason")}<input type="text" name="reason" required maxlength="200" /></label>
                </div>
                {action_error(a.drive)}
                {move || a.drive.value().get().and_then(|r| r.ok()).map(|n| view! {
                    <p class="ok">{lang.tf("registry.drive_started", &[&n.to_string()])}</p>
                })}
                <button type="submit">{lang.t("registry.start_drive")}</button>
            </ActForm>
            </details>
        })}
        {registry_table(p.rows.clone(), manage, lang, a.confirm)}
        {action_error(a.confirm)}
        <crate::components::Pager page=p.page per_page=crate::areas::registry::api::REGISTRY_PAGE as i64 total=p.total base=base />
    }
}

fn registry_table(
    rows: Vec<RegistryRow>,
    manage: bool,
    lang: Lang,
    confirm: ServerAction<ConfirmAssistant>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{lang.t("registry.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="registry">
                <thead>
                    <tr>
                        <th>{lang.t("field.person_name")}</th>
                        <th>{lang.t("field.registry_role")}</th>
                        <th>{lang.t("field.unit")}</th>
                        <th>{lang.t("field.phone")}</th>
                        <th>{lang.t("field.appointed_on")}</th>
                        <th>{lang.t("registry.confirmed")}</th>
                        <th>{lang.t("registry.certificate")}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let confirmed = match (&r.confirmed_by, manage) {
                                // Which unit confirmed it, who, and when.
                                (Some(by), _) => {
                                    let unit = r.confirmed_unit.clone().unwrap_or_else(|| lang.t("registry.district_office").to_string());
                                    let at = r.confirmed_at.map(crate::domain::local_time).unwrap_or_default();
                                    view! {
                                        <span class="badge ok">{lang.t("registry.confirmed")}</span>
                                        " " <span class="muted" data-test="confirmed-by">{lang.tf("registry.confirmed_by", &[&unit, by, &at])}</span>
                                    }.into_any()
                                }
                                (None, true) => view! {
                                    <ActForm action=confirm attr:class="inline">
                                        <input type="hidden" name="id" value=r.id.to_string() />
                                        <button type="submit" data-test="confirm">{lang.t("registry.confirm")}</button>
                                    </ActForm>
                                }
                                    .into_any(),
                                (None, false) => view! { <span class="badge warn">{lang.t("registry.unconfirmed")}</span> }.into_any(),
                            };
                            view! {
                                <tr>
                                    <td data-label=lang.t("field.person_name")>{format!("{} ({})", r.person_name, r.person_code)}</td>
                                    <td data-label=lang.t("field.registry_role")>{lang.t(r.role.label_key())}</td>
                                    <td data-label=lang.t("field.unit")>{r.unit_name.clone()}</td>
                                    <td data-label=lang.t("field.phone") data-test="phone">{r.phone.clone().unwrap_or_default()}</td>
                                    <td data-label=lang.t("field.appointed_on")>{r.appointed_on.to_string()}</td>
                                    <td data-label=lang.t("registry.confirmed")>{confirmed}</td>
                                    <td data-label=lang.t("registry.certificate")>
                                        {cert_badge(r.status, lang)}
                                        {r.certificate.clone().map(|n| view! { " " <a href=format!("/registry/certificates/{n}")>{n.clone()}</a> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn RemindersPage() -> impl IntoView {
    let lang = use_lang();
    let revoke = act::<RevokeCertificate>();
    gated(Some(Action::ViewPeople), move |me| {
        let manage = me.may(Action::ManageRegistry);
        let data = Resource::new(
            move || revoke.version().get(),
            |_| get_certificate_reminders(),
        );
        view! {
            <div class="page-head"><h1>{lang.t("registry.reminders")}</h1></div>
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |r: Reminders| certificate_table(r.certificates, manage, lang, revoke))}
            </Transition>
            <ReminderLogSection />
        }
        .into_any()
    })
}

/// The reminders that went out, the lead times, and for district-wide
/// registry managers the form that changes them and the button that sends
/// what is due now.
#[component]
fn ReminderLogSection() -> impl IntoView {
    use crate::areas::reminders::api::{SendReminders, SetReminderDays, load_reminder_log};
    use crate::domain::reminders::Kind;
    let lang = use_lang();
    let set = act::<SetReminderDays>();
    let send = act::<SendReminders>();
    let log = Resource::new(
        move || (set.version().get(), send.version().get()),
        |_| load_reminder_log(),
    );
    let kind_label = move |k: Kind| lang.t(&format!("reminder.kind_{}", k.code())).to_string();
    view! {
        <section class="card" data-test="reminder-log">
            <h2>{lang.t("reminder.title")}</h2>
            <p class="muted">{lang.t("reminder.help")}</p>
            <Transition fallback=|| ()>
                {move || when_ready(log, lang, move |l: crate::model::ReminderLog| {
                    let days = l.lead_days.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                    let rows = l.sent.clone();
                    view! {
                        {if l.may_manage {
                            view! {
                                <ActForm action=set attr:class="inline">
                                    <label>{lang.t("reminder.lead_days")}
                                        <input type="text" name="days" value=days.clone() required placeholder=lang.t("reminder.lead_days_hint") data-test="lead-days" />
                                    </label>
                                    <button type="submit">{lang.t("reminder.save_days")}</button>
                                </ActForm>
                                " "
                                <ActForm action=send attr:class="inline">
                                    <button type="submit" data-test="send-reminders">{lang.t("reminder.send_now")}</button>
                                </ActForm>
                                {action_error(set)}
                                {action_error(send)}
                                {move || send.value().get().and_then(Result::ok).map(|n| view! {
                                    <p class="muted" role="status" data-test="sent-now">{lang.tf("reminder.sent_now", &[&n.to_string()])}</p>
                                })}
                            }.into_any()
                        } else {
                            view! { <p>{lang.t("reminder.lead_days")} ": " {days}</p> }.into_any()
                        }}
                        <h3>{lang.t("reminder.sent")}</h3>
                        {if rows.is_empty() {
                            view! { <p class="muted">{lang.t("reminder.none_sent")}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data" data-test="reminders-sent">
                                        <thead><tr>
                                            <th>{lang.t("reminder.sent_at")}</th>
                                            <th>{lang.t("reminder.subject")}</th>
                                            <th>{lang.t("field.unit")}</th>
                                            <th>{lang.t("reminder.due")}</th>
                                            <th>{lang.t("reminder.recipient")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {rows.into_iter().map(|r| {
                                                let lead = if r.lead_days == 0 { lang.t("reminder.passed").to_string() } else { lang.tf("reminder.lead", &[&r.lead_days.to_string()]) };
                                                let channel = lang.t(&format!("reminder.channel_{}", r.channel)).to_string();
                                                view! {
                                                    <tr>
                                                        <td data-label=lang.t("reminder.sent_at")>{crate::domain::local_time(r.sent_at)}</td>
                                                        <td data-label=lang.t("reminder.subject")>{kind_label(r.kind)} " · " {r.title.clone()}</td>
                                                        <td data-label=lang.t("field.unit")>{r.unit_name.clone()}</td>
                                                        <td data-label=lang.t("reminder.due")>{r.due_on.clone()} " · " <span class="muted">{lead}</span></td>
                                                        <td data-label=lang.t("reminder.recipient")>{r.person_name.clone()} " · " <span class="muted">{channel}</span></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    }
                })}
            </Transition>
        </section>
    }
}

pub fn certificate_table(
    list: Vec<CertificateRow>,
    manage: bool,
    lang: Lang,
    revoke: ServerAction<RevokeCertificate>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">{lang.t("registry.no_certificates")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-test="certificates">
                <thead>
                    <tr>
                        <th>{lang.t("registry.certificate")}</th>
                        <th>{lang.t("field.person_name")}</th>
                        <th>{lang.t("field.course")}</th>
                        <th>{lang.t("registry.issued_on")}</th>
                        <th>{lang.t("registry.expires_on")}</th>
                        <th>{lang.t("assessment.status")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|c| {
                            let can_revoke = manage && c.status != CertStatus::Revoked;
                            view! {
                                <tr>
                                    <td data-label=lang.t("registry.certificate")><a href=format!("/registry/certificates/{}", c.number)>{c.number.clone()}</a></td>
                                    <td data-label=lang.t("field.person_name")>{format!("{} · {}", c.person_name, c.unit_name)}</td>
                                    <td data-label=lang.t("field.course")>{c.course_title.clone()}</td>
                                    <td data-label=lang.t("registry.issued_on")>{c.issued_on.to_string()}</td>
                                    <td data-label=lang.t("registry.expires_on")>{c.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=lang.t("assessment.status")>
                                        {cert_badge(c.status, lang)}
                                        {c.revoke_reason.clone().map(|r| view! { " " <span class="muted">{reason_text(&r, lang)}</span> })}
                                        {can_revoke.then(|| view! {
                                            " "
                                            <Confirm label=lang.t("registry.revoke") consequence=lang.tf("registry.revoke_consequence", &[&c.number, &c.person_name]) test="confirm-revoke-certificate">
                                                <ActForm action=revoke attr:class="inline close-action">
                                                    <input type="hidden" name="number" value=c.number.clone() />
                                                    <input type="text" name="reason" required minlength="2" maxlength="200" placeholder=lang.t("field.reason") aria-label=lang.t("field.reason") />
                                                    <button type="submit" class="primary">{lang.t("registry.revoke")}</button>
                                                </ActForm>
                                            </Confirm>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {action_error(revoke)}
    }
    .into_any()
}

/// A certificate laid out for A4 paper, Chinese first, with a QR code
/// that leads to the public verify page.
#[component]
pub fn CertificatePage() -> impl IntoView {
    let lang = use_lang();
    let params = leptos_router::hooks::use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    gated(None, move |_| {
        let data = Resource::new(number, get_certificate);
        view! {
            <Suspense fallback=|| ()>
                {move || when_ready(data, lang, move |c: crate::areas::registry::api::CertificateView| view! {
                    <div class="toolbar no-print">
                        <crate::components::islands::PrintButton label=lang.t("action.print").to_string() />
                    </div>
                    <article class="certificate" data-test="certificate">
                        <h1>{lang.t("registry.certificate_title")}</h1>
                        <p class="cert-body">{lang.tf("registry.certificate_body", &[&c.cert.person_name, &c.cert.unit_name, &c.cert.course_title])}</p>
                        <dl class="facts">
                            <dt>{lang.t("registry.certificate")}</dt><dd data-test="cert-number">{c.cert.number.clone()}</dd>
                            <dt>{lang.t("registry.issued_on")}</dt><dd>{c.cert.issued_on.to_string()}</dd>
                            <dt>{lang.t("registry.expires_on")}</dt><dd>{c.cert.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                            <dt>{lang.t("assessment.status")}</dt><dd>{cert_badge(c.cert.status, lang)}</dd>
                        </dl>
                        <div class="qr" inner_html=c.qr_svg.clone()></div>
                        // The address may break after its last slash, never
                        // inside the certificate number.
                        {
                            let (head, number) = c.verify_url.rsplit_once('/').map(|(h, n)| (format!("{h}/"), n.to_string())).unwrap_or_default();
                            view! {
                                <p class="muted">{lang.t("registry.scan_to_verify")} " "
                                    <code class="verify-url" data-test="verify-url">{head}<wbr /><span class="nowrap">{number}</span></code>
                                </p>
                            }
                        }
                        <p class="cert-seal">"区应急管理办公室"</p>
                    </article>
                })}
            </Suspense>
        }
        .into_any()
    })
}

/// `/verify/{number}`: anyone, signed in or not, sees whether a
/// certificate is valid today, with the holder's name masked.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let lang = use_lang();
    let params = leptos_router::hooks::use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let data = Resource::new(number, verify_certificate);
    view! {
        <section class="card verify" data-test="verify">
            <h1>{lang.t("registry.verify_title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => verified(v, lang).into_any(),
                        Err(crate::error::AppError::NotFound) => view! { <p class="error" data-test="not-found">{lang.t("registry.not_found")}</p> }.into_any(),
                        Err(e) => view! { <p class="error">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn verified(v: Verified, lang: Lang) -> impl IntoView {
    let valid = v.status.is_valid();
    view! {
        <p class={if valid { "ok big" } else { "error big" }} data-test="verdict">
            {if valid { lang.t("registry.valid_today") } else { lang.t("registry.not_valid_today") }}
            // "Valid today" says it all for a certified one; otherwise why.
            {(v.status != CertStatus::Certified).then(|| format!(" · {}", lang.t(&v.status.label_key())))}
        </p>
        <dl class="facts">
            <dt>{lang.t("registry.certificate")}</dt><dd>{v.number.clone()}</dd>
            <dt>{lang.t("field.person_name")}</dt><dd data-test="masked-name">{v.masked_name.clone()}</dd>
            <dt>{lang.t("field.registry_role")}</dt><dd>{v.role.map(|r| lang.t(r.label_key()).to_string()).unwrap_or_else(|| "—".into())}</dd>
            <dt>{lang.t("field.course")}</dt><dd>{v.course_title.clone()}</dd>
            <dt>{lang.t("field.unit")}</dt><dd>{v.unit_name.clone()}</dd>
            <dt>{lang.t("registry.issued_on")}</dt><dd>{v.issued_on.to_string()}</dd>
            <dt>{lang.t("registry.expires_on")}</dt><dd>{v.expires_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <p class="muted">{lang.tf("registry.checked_on", &[&v.today.to_string()])}</p>
    }
}

/// Reporter coverage by subdistrict, the gaps, the chart, and (for the
/// district) how many reporters a village needs and writing the metric.
#[component]
pub fn ReporterCoveragePage() -> impl IntoView {
    let lang = use_lang();
    let set = act::<SetReportersNeeded>();
    let sync = act::<SyncReporterMetric>();
    gated(Some(Action::ViewRegistry), move |_| {
        let data = Resource::new(move || set.version().get(), |_| get_reporter_coverage());
        view! {
            <div class="page-head"><h1>{lang.t("registry.coverage")}</h1></div>
            <Transition fallback=|| ()>
                {move || when_ready(data, lang, move |r: ReporterCoverageReport| coverage_view(r, lang, set, sync))}
            </Transition>
        }
        .into_any()
    })
}

fn coverage_view(
    r: ReporterCoverageReport,
    lang: Lang,
    set: ServerAction<SetReportersNeeded>,
    sync: ServerAction<SyncReporterMetric>,
) -> impl IntoView {
    let gaps: usize = r.lines.iter().map(|l| l.gaps.len()).sum();
    view! {
        <p class="intro muted">{lang.tf("registry.coverage_help", &[&r.reporters_needed.to_string()])}</p>
        <p class={if gaps == 0 { "ok big" } else { "error big" }} data-test="gap-count">{lang.tf("registry.gaps_n", &[&gaps.to_string()])}</p>
        <div class="chart" inner_html=r.chart.clone()></div>
        <div class="table-wrap">
            <table class="data" data-test="coverage">
                <thead>
                    <tr>
                        <th>{lang.t("kind.subdistrict")}</th>
                        <th>{lang.t("registry.role_assistant")}</th>
                        <th class="num">{lang.t("registry.grass_roots_covered")}</th>
                        <th class="num">{lang.t("metric.reporter_coverage")}</th>
                        <th>{lang.t("registry.gaps")}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.lines
                        .into_iter()
                        .map(|l| {
                            let (n, d) = l.coverage.metric();
                            let gaps = l
                                .gaps
                                .iter()
                                .map(|g| format!("{} {}/{}", g.unit_name, g.have, g.need))
                                .collect::<Vec<_>>()
                                .join(lang.sep());
                            view! {
                                <tr class:flagged=!l.gaps.is_empty()>
                                    <td data-label=lang.t("kind.subdistrict")>{l.subdistrict.clone()}</td>
                                    <td data-label=lang.t("registry.role_assistant")>{l.coverage.assistants}</td>
                                    <td class="num" data-label=lang.t("registry.grass_roots_covered")>{format!("{} / {}", l.coverage.grass_roots_covered, l.coverage.grass_roots)}</td>
                                    <td class="num" data-label=lang.t("metric.reporter_coverage")>{format!("{n} / {d}")}</td>
                                    <td data-label=lang.t("registry.gaps")>{gaps}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {r.may_configure.then(|| view! {
            <div class="toolbar">
                <ActForm action=set attr:class="inline">
                    <label>{lang.t("field.reporters_needed")}
                        <select name="n">
                            {[1i64, 2].into_iter().map(|n| view! { <option value=n.to_string() selected=n == r.reporters_needed>{n}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">{lang.t("action.save")}</button>
                </ActForm>
                <ActForm action=sync attr:class="inline">
                    <button type="submit" data-test="sync-reporters">{lang.t("registry.sync_metric")}</button>
                </ActForm>
            </div>
            {action_error(set)}
            {action_error(sync)}
            {move || sync.value().get().and_then(|r| r.ok()).map(|(w, s)| view! {
                <p class="ok">{lang.tf("training.synced", &[&w.to_string(), &s.to_string()])}</p>
            })}
        })}
    }
}

/// A revocation's reason: typed by a person as it is; one the platform
/// gave (a key) in the page's language, as are rows from before keys
/// (both languages in one text, of which the page's half).
pub fn reason_text(reason: &str, lang: Lang) -> String {
    if reason.starts_with("registry.") {
        return lang.t(reason).to_string();
    }
    match (reason.split_once(" / "), lang) {
        (Some(("培训完成记录已撤销", _)), Lang::Zh) => "培训完成记录已撤销".to_string(),
        (Some(("培训完成记录已撤销", en)), Lang::En) => en.to_string(),
        _ => reason.to_string(),
    }
}
