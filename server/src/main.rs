//! The `yingji` binary: serve the platform (default), or run one of the
//! administrative commands.

use app::areas::accounts::password::PasswordHash;
use app::domain::account::{Role, check_new_password, parse_username};
use app::platform::Actor;
use app::platform::db::Db;
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use server::config::Config;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "yingji",
    version,
    about = "应急训考 Yingji: training, drills, assistants and the annual emergency-management assessment"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default)
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Build the demo district; on a demo database, print fresh demo passwords
    SeedDemo {
        /// Only seed when the database has no units yet
        #[arg(long)]
        if_empty: bool,
    },
    /// Evaluate an assessment sheet file and print the results as CSV (no database)
    Assess {
        /// The sheet: scheme, units, scores, ratios, events, bonuses, vetoes (JSON)
        sheet: std::path::PathBuf,
    },
    /// Place a rotation plan's trainees into its batches and print the roster as JSON (no database)
    Schedule {
        /// The plan: batches, units (staff, min_on_duty), trainees with unavailable days (JSON)
        plan: std::path::PathBuf,
    },
    /// Fill a duty roster (值班表) for a period and print it as JSON (no database)
    Roster {
        /// The period, holidays, staff and leaders per day, rest days, people with unavailable days (JSON)
        roster: std::path::PathBuf,
    },
    /// Load a file into the database, all or nothing
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Send the reminders due today (certificates nearing expiry, corrective
    /// actions and rectification orders nearing or past their deadline,
    /// plans due for revision), each once, and exit: for cron beside or
    /// instead of the server's hourly check
    Remind,
    /// Create an administrator account (password from YINGJI_ADMIN_PASSWORD or standard input)
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "管理员")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// An assessment sheet file (the format `assess` reads): the scheme, missing
    /// units, scores, ratios, events, bonuses and (confirmed) vetoes
    Assessment { sheet: std::path::PathBuf },
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("yingji: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Assess { sheet }) = &cli.command {
        return assess(sheet);
    }
    if let Some(Command::Schedule { plan }) = &cli.command {
        return schedule(plan);
    }
    if let Some(Command::Roster { roster: file }) = &cli.command {
        return roster(file);
    }
    // A sheet to import is read and checked before the database is opened.
    let sheet = match &cli.command {
        Some(Command::Import {
            what: ImportWhat::Assessment { sheet },
        }) => match read_sheet(sheet) {
            Ok(file) => Some(file),
            Err(code) => return code,
        },
        _ => None,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(format!("configuration: {e}")),
    };
    let db = match open_database(&config).await {
        Ok(db) => db,
        Err(message) => return fail(message),
    };
    let now = chrono::Utc::now().timestamp();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(db, config).await,
        Command::Migrate => {
            println!("数据库已是最新 / database is up to date");
            ExitCode::SUCCESS
        }
        Command::SeedDemo { if_empty } => seed_demo(&db, if_empty, now).await,
        Command::CreateAdmin { username, name } => create_admin(&db, &username, &name, now).await,
        Command::Remind => match send_reminders(&db, now).await {
            Ok(n) => {
                println!("已发送 {n} 条提醒 / {n} reminders sent");
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("reminders: {e:?}")),
        },
        Command::Import {
            what: ImportWhat::Assessment { sheet: path },
        } => match sheet {
            Some(file) => import_assessment(&db, &path, &file, now).await,
            None => unreachable!("read before the database is opened"),
        },
        Command::Assess { .. } | Command::Schedule { .. } | Command::Roster { .. } => {
            unreachable!("handled before the database is opened")
        }
    }
}

/// Opens, migrates and writes once, so that a start that cannot work stops
/// within seconds and says what to fix (the variable, the path, the disk).
async fn open_database(config: &Config) -> Result<Db, String> {
    use sqlx::Connection;
    let url = &config.database_url;
    if let Some(file) = app::platform::db::sqlite_file(url) {
        app::platform::db::check_sqlite_place(&file)?;
    }
    // One attempt first: the pool would retry for half a minute.
    app::platform::db::Db::install_drivers();
    let first = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sqlx::AnyConnection::connect(url),
    )
    .await;
    match first {
        Err(_) => return Err("DATABASE_URL: no answer from the database within 5 s".into()),
        Ok(Err(e)) => return Err(format!("DATABASE_URL: cannot open the database: {e}")),
        Ok(Ok(c)) => {
            let _ = c.close().await;
        }
    }
    let db = Db::connect(url, config.max_connections)
        .await
        .map_err(|e| format!("DATABASE_URL: cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    db.check_writable().await?;
    app::areas::assessment::service::backfill_snapshots(&db, chrono::Utc::now().timestamp())
        .await
        .map_err(|e| format!("snapshots of published years: {e:?}"))?;
    Ok(db)
}

/// `yingji assess SHEET.json`: the results CSV on stdout, or (exit 2,
/// nothing on stdout) the first problem with where it is.
fn assess(path: &std::path::Path) -> ExitCode {
    match read_sheet(path) {
        Ok(file) => {
            print!("{}", app::domain::scoring_sheet::results_csv(&file));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `yingji schedule PLAN.json`: the roster as JSON on stdout, or (exit 2,
/// nothing on stdout) the first problem with where it is.
fn schedule(path: &std::path::Path) -> ExitCode {
    let text = match read_bounded(path, app::domain::plan_file::limits::MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match app::domain::plan_file::print(&text) {
        Ok(roster) => {
            println!("{roster}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{}: {e}", path.display())),
    }
}

/// `yingji roster ROSTER.json`: the duty roster as JSON on stdout, or
/// (exit 2, nothing on stdout) the first problem with where it is.
fn roster(path: &std::path::Path) -> ExitCode {
    let text = match read_bounded(path, app::domain::roster_file::limits::MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match app::domain::roster_file::print(&text) {
        Ok(roster) => {
            println!("{roster}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{}: {e}", path.display())),
    }
}

/// Reads a whole input file, refusing one over `max` bytes before reading.
fn read_bounded(path: &std::path::Path, max: u64) -> Result<String, ExitCode> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| fail(format!("{}: cannot read: {e}", path.display())))?;
    let mut text = String::new();
    file.take(max + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("{}: cannot read: {e}", path.display())))?;
    if text.len() as u64 > max {
        return Err(fail(format!(
            "{}: larger than the limit of {} MB",
            path.display(),
            max / 1024 / 1024
        )));
    }
    Ok(text)
}

/// Reads and checks a sheet file; on a problem, says where and exits 2.
fn read_sheet(path: &std::path::Path) -> Result<app::domain::scoring_sheet::SheetFile, ExitCode> {
    let text = read_bounded(path, app::domain::scoring_sheet::limits::MAX_FILE_BYTES)?;
    app::domain::scoring_sheet::parse(&text).map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// `yingji import assessment SHEET.json`: everything in one transaction,
/// or nothing.
async fn import_assessment(
    db: &Db,
    path: &std::path::Path,
    file: &app::domain::scoring_sheet::SheetFile,
    now: i64,
) -> ExitCode {
    let mut w = match app::platform::Write::begin(db, Actor::system("import-assessment"), now).await
    {
        Ok(w) => w,
        Err(e) => return fail(e),
    };
    match app::areas::assessment::service::import_sheet(&mut w, file).await {
        Ok(done) => {
            if let Err(e) = w.commit().await {
                return fail(e);
            }
            println!(
                "考核表已导入 / sheet imported: scheme {} (id {}), {} units created, {} scores, {} ratios, {} events, {} bonuses, {} vetoes",
                file.code,
                done.scheme_id,
                done.units_created,
                done.scores,
                done.ratios,
                done.events,
                done.bonuses,
                done.vetoes
            );
            ExitCode::SUCCESS
        }
        Err(problem) => fail(format!(
            "{}: {problem}; nothing was imported",
            path.display()
        )),
    }
}

/// The reminders due on the district's today, through the in-app channel.
async fn send_reminders(db: &Db, now: i64) -> Result<usize, app::error::AppError> {
    let today = app::platform::today_at(now)?;
    app::areas::reminders::service::send_due(db, &app::areas::reminders::service::InApp, today, now)
        .await
}

/// How often the server looks for reminders due.
const REMINDER_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often the server settles the days past their daily-report
/// deadline.
const SETTLE_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

async fn serve(db: Db, config: Config) -> ExitCode {
    let state_pool = db.pool.clone();
    // Reminders go out hourly (a minute after start first); each one once,
    // also with several instances (the sent record's unique key decides).
    let reminder_db = db.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        loop {
            match send_reminders(&reminder_db, chrono::Utc::now().timestamp()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "reminders sent"),
                Err(e) => tracing::warn!(error = ?e, "reminders not sent"),
            }
            tokio::time::sleep(REMINDER_EVERY).await;
        }
    });
    let state = server::state_with(db, &config);
    // Days past their daily-report deadline, and 核报 requests past theirs,
    // are settled at start and every few minutes after, on the server's
    // clock (which browser tests move).
    let (settle_db, clock) = (state.db.clone(), state.clock.clone());
    tokio::spawn(async move {
        loop {
            server::settle_duty(&settle_db, clock.now_secs()).await;
            tokio::time::sleep(SETTLE_EVERY).await;
        }
    });
    let app = server::router(state);
    let listener = match tokio::net::TcpListener::bind(config.site_addr).await {
        // Small responses go out at once instead of waiting on delayed ACKs
        // (measured: 40 ms per request without it).
        Ok(l) => l.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        }),
        Err(e) => {
            return fail(format!(
                "LEPTOS_SITE_ADDR: cannot listen on {}: {e}",
                config.site_addr
            ));
        }
    };
    tracing::info!("应急训考 listening on http://{}", config.site_addr);
    let pool = state_pool.clone();
    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        stop_signal().await;
        tracing::info!("stopping: no new connections, finishing requests in flight");
        let _ = stopping_tx.send(true);
    };
    // Client addresses reach the certificate check's rate limit.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(shutdown);
    let deadline = async move {
        let mut rx = stopping_rx;
        let _ = rx.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let code = tokio::select! {
        r = serving => match r {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        },
        () = deadline => {
            tracing::warn!("requests still running after {} s: stopped", SHUTDOWN_GRACE.as_secs());
            ExitCode::SUCCESS
        }
    };
    // Connections still out after the grace period are not waited for.
    if tokio::time::timeout(std::time::Duration::from_secs(5), pool.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
    code
}

/// How long requests in flight may take to finish after a stop signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Ctrl-C or SIGTERM (what a service manager sends), whichever comes first.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

fn print_passwords(passwords: &[(String, String)]) {
    println!("演示账号 / demo accounts:");
    for (user, password) in passwords {
        println!("  {user:<10} {password}");
    }
}

async fn seed_demo(db: &Db, if_empty: bool, now: i64) -> ExitCode {
    let empty = match db.is_empty().await {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    if empty {
        return match server::seed::seed_demo(db, now).await {
            Ok(s) => {
                println!(
                    "演示区已建立 / demo district built: {} units, {} people",
                    s.units, s.people
                );
                print_passwords(&s.passwords);
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("seed-demo failed: {e:?}")),
        };
    }
    match db.meta("demo").await {
        Ok(Some(_)) => match server::seed::reset_demo_passwords(db, now).await {
            Ok(p) => {
                println!(
                    "演示区已存在,已重设演示账号密码 / demo district exists; demo passwords reset"
                );
                print_passwords(&p);
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("seed-demo failed: {e:?}")),
        },
        Ok(None) if if_empty => {
            println!("数据库已有数据,未建演示区 / database has data; no demo seeded");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            fail("the database already holds units that are not a demo district; refusing to seed")
        }
        Err(e) => fail(e),
    }
}

async fn create_admin(db: &Db, username: &str, name: &str, now: i64) -> ExitCode {
    let username = match parse_username(username) {
        Ok(u) => u,
        Err(p) => return fail(format!("--username: {}", app::i18n::Lang::En.problem(&p))),
    };
    let password = match std::env::var("YINGJI_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password for {username}:");
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                return fail("could not read the password");
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if let Err(p) = check_new_password(&username, &password) {
        return fail(format!("password: {}", app::i18n::Lang::En.problem(&p)));
    }
    let hash = PasswordHash::new_blocking(password).await;
    let result = async {
        let mut tx = db.write().await?;
        app::areas::accounts::store::accounts::create(
            &mut app::platform::Write::within(&mut tx, &Actor::system("create-admin"), now),
            app::areas::accounts::store::accounts::NewAccount {
                username: &username,
                display_name: name,
                hash: &hash,
                grants: &[(Role::Admin, None)],
                person_id: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok::<(), app::error::AppError>(())
    }
    .await;
    match result {
        Ok(()) => {
            println!("管理员账号已创建 / admin account created: {username}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.message(app::i18n::Lang::En)),
    }
}
