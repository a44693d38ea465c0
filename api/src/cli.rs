//! The `hall` command line.

use clap::{Parser, Subcommand};
use domain::user::Role;

use crate::config::Config;

/// Service Hall: the backend of a one-stop government service hall.
#[derive(Debug, Parser)]
#[command(name = "hall", version, about)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (migrates first).
    Serve {
        /// Load the demo hall first when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo hall of the 2012 report into an empty database.
    Demo {
        /// The seed of the generated histories; the same seed gives the same data.
        #[arg(long, default_value_t = 2012)]
        seed: u64,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Import cases with their histories from an NDJSON file (as `POST /api/v1/imports/cases`):
    /// all or nothing, with an error per bad line.
    Import {
        /// The NDJSON file, one case per line.
        file: std::path::PathBuf,
        /// The account recorded as the actor where a line names none.
        #[arg(long, default_value = "admin")]
        as_user: String,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the working-day calendar.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Manage the key that seals applicants' ID numbers and phones.
    #[command(subcommand)]
    DataKey(DataKeyCommand),
    /// Apply the retention period of applicants' personal data.
    #[command(subcommand)]
    Retention(RetentionCommand),
}

/// Data key commands (docs/OPERATIONS.md, "Rotating the data key").
#[derive(Debug, Subcommand)]
pub enum DataKeyCommand {
    /// Print a new random key (64 hex digits) for HALL_DATA_KEY.
    Generate,
    /// Seal again with HALL_DATA_KEY every value sealed with a key of HALL_DATA_KEY_PREVIOUS,
    /// in batches of one transaction each; safe to run while the hall serves, and again.
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = crate::bootstrap::BATCH)]
        batch: u32,
    },
}

/// Retention commands.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise now the applicants of cases closed more than HALL_RETENTION_YEARS ago
    /// (`serve` does it daily).
    Run,
}

/// Calendar commands.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Load or replace a year from a file in the shipped format
    /// (domain/calendar/china/2012.json): the national notice, or with `--region` a region's
    /// own (domain/calendar/regions/640000/2020.json), recomputing the deadlines of open cases
    /// it moves (as `PUT /api/v1/calendar/{year}` and `…/calendar/regions/{region}/{year}`).
    Import {
        /// The year's JSON file.
        file: std::path::PathBuf,
        /// The province-level division whose own notice the file is, e.g. 640000.
        #[arg(long)]
        region: Option<String>,
        /// The account recorded as the actor of the recomputations.
        #[arg(long, default_value = "admin")]
        as_user: String,
    },
    /// Print a year as it stands (official or provisional), as `GET /api/v1/calendar/{year}`.
    Show {
        /// The year.
        year: i32,
        /// The administrative division whose calendar to show, e.g. 640105.
        #[arg(long)]
        division: Option<String>,
    },
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        /// The login name.
        #[arg(long)]
        username: String,
        /// admin, supervisor, clerk or analyst.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The window id, for clerks.
        #[arg(long)]
        window: Option<String>,
        /// The name shown in the app.
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read the password from the first line of standard input; otherwise one is generated and printed.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected admin, supervisor, clerk or analyst".to_owned())
}
