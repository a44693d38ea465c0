//! `hall`: serve the API, migrate, print the OpenAPI document, add users.

use std::io::BufRead;
use std::process::ExitCode;

use api::bootstrap;
use api::cli::{CalendarCommand, Cli, Command, DataKeyCommand, RetentionCommand, UserCommand};
use api::config::Config;
use api::problem::ApiError;
use api::routes::{calendar, imports, taken};
use api::{app, auth::password, server};
use chrono::Utc;
use domain::calendar::{Division, RegionalYear};
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::repository::{UserRepository, WindowRepository};
use domain::user::{Role, UserInput, validate_password};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli: Cli = api::config::parse();
    // An empty RUST_LOG counts as unset, as every other setting does.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|directives| !directives.trim().is_empty())
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Collectors read one JSON object a line; people read text.
    if cli.config.log_format == "json" {
        logs.json().init();
    } else {
        logs.init();
    }
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(&cli.config, demo),
        Command::Demo { seed } => demo(&cli.config, seed),
        Command::Migrate => migrate(&cli.config),
        Command::Openapi => {
            print!("{}", app::openapi_json());
            Ok(())
        }
        Command::Import { file, as_user } => import(&cli.config, &file, &as_user),
        Command::Calendar(CalendarCommand::Import {
            file,
            region,
            as_user,
        }) => import_calendar(&cli.config, &file, region.as_deref(), &as_user),
        Command::Calendar(CalendarCommand::Show { year, division }) => {
            show_calendar(&cli.config, year, division.as_deref())
        }
        Command::DataKey(DataKeyCommand::Generate) => {
            println!("{}", persistence::personal::generate_key());
            Ok(())
        }
        Command::DataKey(DataKeyCommand::Rotate { batch }) => rotate_data_key(&cli.config, batch),
        Command::Retention(RetentionCommand::Run) => run_retention(&cli.config),
        Command::User(UserCommand::Add {
            username,
            role,
            window,
            display_name,
            password_stdin,
        }) => add_user(
            &cli.config,
            username,
            role,
            window,
            display_name,
            password_stdin,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hall: {message}");
            ExitCode::FAILURE
        }
    }
}

fn demo(config: &Config, seed: u64) -> Result<(), String> {
    let (state, _) = bootstrap::prepare(config).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let report = api::demo::load(&state, seed).map_err(|e| e.to_string())?;
    println!(
        "Loaded the demo hall in {:.1} s: {} centres, {} departments, {} items, {} windows, {} cases, {} queue tickets (synthetic).",
        started.elapsed().as_secs_f64(),
        report.centers,
        report.departments,
        report.items,
        report.windows,
        report.cases,
        report.tickets
    );
    println!(
        "Accounts {} share the password `{}`.",
        report.users.join(", "),
        report.password
    );
    Ok(())
}

fn serve(config: &Config, demo: bool) -> Result<(), String> {
    let (state, generated) = bootstrap::prepare(config).map_err(|e| e.to_string())?;
    if demo {
        match api::demo::load(&state, 2012) {
            Ok(report) => println!(
                "Loaded the demo hall: {} cases; accounts share the password `{}`.",
                report.cases, report.password
            ),
            Err(ApiError::Conflict(_)) => {
                tracing::info!("the database is not empty: the demo hall is not loaded")
            }
            Err(other) => return Err(other.to_string()),
        }
    }
    if let Some(password) = generated {
        println!(
            "Created the first account: username `admin`, password `{password}` (shown once; change it)."
        );
    }
    let url = state.store.url().to_string();
    api::retention::spawn_daily(state.store.clone(), config.retention_years);
    api::calendar_watch::spawn(state.clone());
    actix_web::rt::System::new().block_on(async move {
        let (server, addrs) = server::start(state, &config.bind, config.workers)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
        for addr in &addrs {
            tracing::info!(%addr, database = %url, "serving; API docs at /docs/");
        }
        server.await.map_err(|e| e.to_string())
    })
}

fn import_calendar(
    config: &Config,
    file: &std::path::Path,
    region: Option<&str>,
    as_user: &str,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let doc: domain::calendar::YearCalendar = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a calendar year: {e}", file.display()))?;
    let region = region
        .map(|code| match Division::parse(code) {
            Ok(division) if division.is_region() => Ok(division),
            _ => Err(format!(
                "--region {code}: use a province-level code like 640000"
            )),
        })
        .transpose()?;
    let (state, _) = bootstrap::prepare(config).map_err(|e| e.to_string())?;
    let actor = actor(&state, as_user)?;
    let now = state.now();
    let (year, moved) = state
        .store
        .transaction(|conn| match region {
            None => calendar::replace_year(conn, doc, actor, now)
                .map(|c| (c.year.year, c.recomputed_cases)),
            Some(region) => {
                let doc = RegionalYear {
                    region,
                    calendar: doc,
                };
                calendar::replace_regional_year(conn, doc, actor, now)
                    .map(|c| (c.year.year, c.recomputed_cases))
            }
        })
        .map_err(|e| match e {
            ApiError::Invalid(invalid) => invalid.to_string(),
            other => other.to_string(),
        })?;
    println!("Stored {year}; {moved} open case deadline(s) recomputed.");
    Ok(())
}

fn show_calendar(config: &Config, year: i32, division: Option<&str>) -> Result<(), String> {
    let division = division
        .map(Division::parse)
        .transpose()
        .map_err(|e| format!("--division: {e}"))?;
    let store = protected_store(config)?;
    let shown = store
        .read(|conn| {
            let calendars = api::state::calendars(conn)?;
            calendar::CalendarYear::of(&calendars, year, division.as_ref())
        })
        .map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&shown).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn actor(state: &api::state::AppState, username: &str) -> Result<UserId, String> {
    Ok(state
        .store
        .read(|conn| conn.credentials(username))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user {username:?}"))?
        .user
        .id)
}

fn import(config: &Config, file: &std::path::Path, as_user: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (state, _) = bootstrap::prepare(config).map_err(|e| e.to_string())?;
    let importer = actor(&state, as_user)?;
    let result = imports::import_ndjson(&state, &text, importer);
    match result {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Err(ApiError::Invalid(invalid)) => {
            for error in &invalid.errors {
                eprintln!("{}: {}", error.field, error.message);
            }
            Err(format!(
                "nothing imported: {} error(s) in {}",
                invalid.errors.len(),
                file.display()
            ))
        }
        Err(other) => Err(other.to_string()),
    }
}

fn migrate(config: &Config) -> Result<(), String> {
    let store = bootstrap::open_store(config).map_err(|e| e.to_string())?;
    // A missing or malformed data key stops the upgrade before it changes the schema.
    bootstrap::data_keys(config, &store).map_err(|e| e.to_string())?;
    let applied = bootstrap::migrate(&store).map_err(|e| e.to_string())?;
    // Rows an older version left in plaintext are sealed as part of the upgrade.
    let store = bootstrap::protect(config, store).map_err(|e| e.to_string())?;
    bootstrap::load_shipped_calendars(&store, config.utc_offset).map_err(|e| e.to_string())?;
    println!("{} migration(s) applied to {}", applied.len(), store.url());
    Ok(())
}

/// A migrated store with the keys of personal data, plaintext sealed: what the maintenance
/// commands work on.
fn protected_store(config: &Config) -> Result<persistence::Store, String> {
    let store = bootstrap::open_store(config).map_err(|e| e.to_string())?;
    bootstrap::migrate(&store).map_err(|e| e.to_string())?;
    let store = bootstrap::protect(config, store).map_err(|e| e.to_string())?;
    bootstrap::load_shipped_calendars(&store, config.utc_offset).map_err(|e| e.to_string())?;
    Ok(store)
}

fn rotate_data_key(config: &Config, batch: u32) -> Result<(), String> {
    let store = protected_store(config)?;
    let rotated = store.rotate_data_key(batch).map_err(|e| e.to_string())?;
    let key = store
        .data_keys()
        .map(|k| k.current_id().to_owned())
        .unwrap_or_default();
    store
        .transaction(|conn| {
            api::audit::audit(
                conn,
                chrono::Utc::now(),
                None,
                domain::audit::AuditAction::DataKeyRotate,
                &key,
                None::<&()>,
                Some(&serde_json::json!({"cases": rotated})),
            )
        })
        .map_err(|e| e.to_string())?;
    println!(
        "{rotated} case(s) sealed again with data key {key}; every value now opens with it alone."
    );
    Ok(())
}

fn run_retention(config: &Config) -> Result<(), String> {
    if config.retention_years == 0 {
        println!("Retention is disabled (HALL_RETENTION_YEARS=0): nothing anonymised.");
        return Ok(());
    }
    let store = protected_store(config)?;
    let anonymised = api::retention::run(&store, config.retention_years, Utc::now())
        .map_err(|e| e.to_string())?;
    println!(
        "{anonymised} applicant(s) of cases closed more than {} year(s) ago anonymised.",
        config.retention_years
    );
    Ok(())
}

fn add_user(
    config: &Config,
    username: String,
    role: Role,
    window: Option<String>,
    display_name: String,
    password_stdin: bool,
) -> Result<(), String> {
    let window_id = window
        .map(|w| {
            w.parse()
                .map_err(|_| format!("--window {w:?} is not a window id"))
        })
        .transpose()?;
    let input = UserInput {
        username,
        display_name,
        role,
        window_id,
    };
    input.validate().map_err(|e| e.to_string())?;
    let (secret, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (password::random_password(), true)
    };
    validate_password("password", &secret).map_err(|e| e.to_string())?;
    let store = bootstrap::open_store(config).map_err(|e| e.to_string())?;
    bootstrap::migrate(&store).map_err(|e| e.to_string())?;
    let hash = password::hash(&secret)?;
    let user = input.into_user(UserId::new(), stored_moment(Utc::now()));
    store
        .transaction(|conn| {
            if let Some(window) = user.window_id
                && conn.window(window)?.is_none()
            {
                return Err(ApiError::Unprocessable(format!("no window {window}")));
            }
            conn.insert_user(&user, &hash)
                .map_err(taken("the username is taken"))
        })
        .map_err(|e| e.to_string())?;
    println!(
        "Created user {} ({}), id {}",
        user.username,
        user.role.as_str(),
        user.id
    );
    if generated {
        println!("Password (shown once): {secret}");
    }
    Ok(())
}
