//! A case's progress at the kiosk, and the applicant's rating of it.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use domain::case::workflow::{self, Moment};
use domain::case::{
    ActionKind, Case, CaseStatus, Certificate, Outcome, ResultCode, normalise_typed,
};
use domain::rating::{self, Rating};
use domain::repository::{
    CaseRepository, KioskAttemptRepository, KioskCase, KioskLookupRepository, RatingRepository,
    RepositoryError,
};
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::query_code::QueryCodeKey;
use crate::state::AppState;

/// The one answer for an unknown number and for a wrong code, so neither can be probed.
const NOT_FOUND: &str = "no case with this number and query code";

/// Longer than any case number (`{region}-{YYYYMMDD}-{seq}`): answered 404 at once, never
/// counted nor stored.
const MAX_CASE_NO_BYTES: usize = 64;

/// A lookup by case number and code, limited per number: see [`CaseAttempt::check`].
#[derive(Clone)]
struct CaseAttempt {
    case_no: String,
    at: chrono::DateTime<chrono::Utc>,
    since: chrono::DateTime<chrono::Utc>,
    window: chrono::Duration,
    failures: u32,
}

impl CaseAttempt {
    /// The attempt for `case_no` now; a number longer than any case's answers 404 at once.
    fn new(state: &AppState, case_no: &str) -> ApiResult<Self> {
        if case_no.len() > MAX_CASE_NO_BYTES {
            return Err(ApiError::NotFound(NOT_FOUND.into()));
        }
        let limit = state.limits.case_lookups();
        let window = chrono::Duration::from_std(limit.window)
            .map_err(|e| ApiError::Internal(format!("kiosk case window: {e}")))?;
        let at = state.now().at;
        Ok(Self {
            case_no: case_no.to_owned(),
            at,
            since: at - window,
            window,
            failures: limit.failures,
        })
    }

    /// Refuses a number that took too many wrong codes lately, from anyone, through any
    /// process: 429, even for the right code, until the wrong codes age out. Numbers that
    /// name no case count the same way, so the 429 says nothing about whether one exists.
    /// Run on the request's own connection, first: the kiosk's lookup counts them in its
    /// one statement and calls [`Self::admit`] — on a replica when the kiosk reads from one,
    /// whose lag lets a few more wrong codes through, no more.
    fn check(&self, conn: &mut AnyConnection) -> ApiResult<()> {
        let (failures, earliest) = conn.failed_lookups(&self.case_no, self.since)?;
        self.admit(failures, earliest)
    }

    /// [`Self::check`] on the wrong codes the caller counted since [`Self::since`].
    fn admit(
        &self,
        failures: u32,
        earliest: Option<chrono::DateTime<chrono::Utc>>,
    ) -> ApiResult<()> {
        if failures >= self.failures {
            let free_at = earliest.unwrap_or(self.at) + self.window;
            return Err(ApiError::RateLimited {
                retry_after: u64::try_from((free_at - self.at).num_seconds())
                    .unwrap_or(0)
                    .max(1),
            });
        }
        Ok(())
    }

    /// Records a wrong code (or unknown number) when the lookup found nothing; in a
    /// transaction of its own, so it counts even when the lookup's transaction rolled back.
    /// When the primary cannot record it, the kiosk still answers (the per-address limit
    /// still holds) and the log says so.
    async fn settle<T>(self, state: &AppState, lookup: ApiResult<T>) -> ApiResult<T> {
        if matches!(&lookup, Err(ApiError::NotFound(detail)) if detail == NOT_FOUND) {
            let Self {
                case_no, at, since, ..
            } = self;
            let recorded = state
                .write(move |conn| Ok(conn.record_failed_lookup(&case_no, at, since)?))
                .await;
            if let Err(error) = recorded {
                tracing::warn!(%error, "a wrong query code could not be recorded");
            }
        }
        lookup
    }
}

/// The query code from the receipt. Case numbers and codes are read as typed on a Chinese
/// keyboard: full-width digits, letters and hyphens as ASCII, spaces dropped, letters
/// upper-cased.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CodeQuery {
    /// The 6-digit query code printed on the receipt.
    pub code: String,
}

/// One step of the case as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Step {
    /// What happened.
    pub action: ActionKind,
    /// Its name in Chinese.
    pub label: &'static str,
    /// The local date.
    pub date: NaiveDate,
}

/// The counter handling a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicWindowRef {
    /// The centre's name.
    pub center: String,
    /// The number above the counter.
    pub number: u32,
    /// The counter's name.
    pub name: String,
}

/// The certificate of an approved case as the kiosk shows it: its name and validity, never
/// its number.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCertificate {
    /// Its name, e.g. 社会团体法人登记证书.
    pub name: String,
    /// The first day it is valid.
    pub valid_from: NaiveDate,
    /// The last day it is valid; `null` when valid without limit (长期有效).
    pub valid_until: Option<NaiveDate>,
}

impl From<Certificate> for PublicCertificate {
    fn from(certificate: Certificate) -> Self {
        Self {
            name: certificate.name,
            valid_from: certificate.valid_from,
            valid_until: certificate.valid_until,
        }
    }
}

/// A case as the kiosk shows it: no ID number, phone, clerk, note, certificate number or
/// fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCase {
    /// The case number.
    pub case_no: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// The status in Chinese.
    pub status_label: &'static str,
    /// The applicant's name, masked (张三 → 张*); an organization's in full.
    pub applicant: String,
    /// The service item's name.
    pub item: String,
    /// The window handling it.
    pub window: PublicWindowRef,
    /// The local date of receipt.
    pub received_on: NaiveDate,
    /// The deadline; `null` when refused at intake.
    pub deadline: Option<NaiveDate>,
    /// True while the deadline counts days of a year whose holiday notice is not out yet: it
    /// may still move by a day or two.
    pub deadline_provisional: bool,
    /// Working days left for an open case whose clock runs (0 = due today).
    pub days_left: Option<i64>,
    /// Working days past the deadline for an open case.
    pub days_overdue: Option<i64>,
    /// Whether the clock is stopped (waiting for papers or a special procedure).
    pub paused: bool,
    /// Every step, action and date only.
    pub timeline: Vec<Step>,
    /// The decision, once completed.
    pub outcome: Option<Outcome>,
    /// The decision in Chinese.
    pub outcome_label: Option<&'static str>,
    /// How it was concluded (办结结果), once completed.
    pub result_code: Option<ResultCode>,
    /// The result in Chinese (出证办结, 退回办结 …).
    pub result_label: Option<&'static str>,
    /// The certificate issued: name and validity only.
    pub certificate: Option<PublicCertificate>,
    /// The names of the materials still to hand in (容缺, or asked for by a 补正).
    pub missing_materials: Vec<String>,
}

/// The case behind a number and code, or the one 404 for both an unknown number and a
/// wrong code.
fn unlock(
    conn: &mut AnyConnection,
    codes: &QueryCodeKey,
    case_no: &str,
    code: &str,
) -> Result<Case, ApiError> {
    let found = conn.case_by_number(case_no)?;
    unlock_found(found, codes, case_no, code)
}

/// [`unlock`] on what the caller found by the number: a case (or what the kiosk reads of
/// one) with its query code's hash, or nothing.
fn unlock_found<T>(
    found: Option<(T, String)>,
    codes: &QueryCodeKey,
    case_no: &str,
    code: &str,
) -> Result<T, ApiError> {
    // Check a code even when the number is unknown, so both take the same time.
    let (case, hash) = match found {
        Some((case, hash)) => (Some(case), hash),
        None => (None, "00".repeat(32)),
    };
    let valid = codes.verify(case_no, code, &hash);
    match case {
        Some(case) if valid => Ok(case),
        _ => Err(ApiError::NotFound(NOT_FOUND.into())),
    }
}

/// A case's progress, by its number and the query code on the receipt (both may be typed in
/// full-width forms and with spaces).
#[utoipa::path(
    tag = "public", operation_id = "get_public_case", params(("case_no" = String, Path), CodeQuery),
    responses(
        (status = 200, body = PublicCase),
        (status = 404, description = "Unknown number or wrong code (the same answer for both)", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/cases/{case_no}")]
pub async fn get_public_case(
    state: web::Data<AppState>,
    request: HttpRequest,
    case_no: web::Path<String>,
    query: Query<CodeQuery>,
) -> ApiResult<web::Json<PublicCase>> {
    state.limits.check_public(&request)?;
    let case_no = normalise_typed(&case_no.into_inner());
    let attempt = CaseAttempt::new(&state, &case_no)?;
    let code = normalise_typed(&query.into_inner().code);
    let codes = state.query_codes.clone();
    let settings = state.settings;
    let now = state.now();
    let calendars = state.replica_calendars.clone();
    let checked = attempt.clone();
    let view = state
        .read_replica(move |conn| {
            // One statement: the wrong codes, the calendars' revision and the case with all
            // the kiosk shows of it.
            let found = conn.kiosk_lookup(&case_no, checked.since)?;
            checked.admit(found.failures, found.earliest_failure)?;
            let revision = found.calendar;
            let found = found.case.map(|mut found| {
                let hash = std::mem::take(&mut found.query_code_hash);
                (found, hash)
            });
            let KioskCase {
                case,
                item,
                window,
                center,
                steps,
                ..
            } = unlock_found(found, &codes, &case_no, &code)?;
            let item = item.unwrap_or_default();
            let (number, window) =
                window.ok_or_else(|| ApiError::Internal("case without window".into()))?;
            let center = center.unwrap_or_default();
            let calendar = calendars.at(conn, revision)?;
            let card = domain::case::warning_for(
                case.status,
                case.deadline,
                now.today,
                calendar.for_center(case.center_id),
                u32::MAX,
            )?;
            let deadline_provisional =
                case.deadline_provisional(calendar.for_center(case.center_id));
            let (days_left, days_overdue) = match card {
                Some((domain::case::Warning::Red, days)) => (None, Some(days)),
                Some((domain::case::Warning::Yellow, days)) => (Some(days), None),
                None => (None, None),
            };
            // The steps come of the public kinds only (`ActionKind::is_public`).
            let timeline = steps
                .into_iter()
                .map(|(action, at)| Step {
                    action,
                    label: action.label(),
                    date: Moment::new(at, settings.utc_offset).today,
                })
                .collect();
            Ok(PublicCase {
                status_label: case.status.label(),
                applicant: case.applicant.masked_name(),
                paused: case.clock.is_paused(),
                outcome_label: case.outcome.map(Outcome::label),
                result_label: case.result_code.map(ResultCode::label),
                missing_materials: case
                    .missing_materials()
                    .iter()
                    .map(|m| m.material.name.clone())
                    .collect(),
                case_no: case.case_no,
                status: case.status,
                item,
                window: PublicWindowRef {
                    center,
                    number,
                    name: window,
                },
                received_on: case.received_on,
                deadline_provisional,
                deadline: case.deadline,
                days_left,
                days_overdue,
                timeline,
                outcome: case.outcome,
                result_code: case.result_code,
                certificate: case.certificate.map(PublicCertificate::from),
            })
        })
        .await;
    let view = attempt.settle(&state, view).await?;
    Ok(web::Json(view))
}

/// A rating of a finished case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// The query code from the receipt.
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
    /// 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (GB/T 39734-2020).
    #[schema(minimum = 1, maximum = 5)]
    pub score: u8,
    /// What the applicant wants to say.
    #[serde(default)]
    pub comment: String,
}

/// The rating as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingReceipt {
    /// The case number.
    pub case_no: String,
    /// 1 to 5.
    pub score: u8,
    /// The level's name.
    pub level: &'static str,
}

/// Rates a completed or delivered case (好差评), once. A score of 1 or 2 opens a
/// rectification that supervisors must close within 15 working days.
#[utoipa::path(
    tag = "public", operation_id = "rate_case", params(("case_no" = String, Path)), request_body = RatingBody,
    responses(
        (status = 201, body = RatingReceipt),
        (status = 404, description = "Unknown number or wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already-rated`: rated before; `transition-not-allowed`: not completed or delivered yet; `stale-version`: the case changed meanwhile (retry)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/cases/{case_no}/rating")]
pub async fn rate_case(
    state: web::Data<AppState>,
    request: HttpRequest,
    case_no: web::Path<String>,
    body: Json<RatingBody>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public(&request)?;
    let RatingBody {
        code,
        score,
        comment,
    } = body.into_inner();
    rating::validate(score, &comment)?;
    let case_no = normalise_typed(&case_no.into_inner());
    let code = normalise_typed(&code);
    let attempt = CaseAttempt::new(&state, &case_no)?;
    let codes = state.query_codes.clone();
    let now = state.now();
    let calendars = state.calendars.clone();
    let checked = attempt.clone();
    let receipt = state
        .write(move |conn| {
            checked.check(conn)?;
            let case = unlock(conn, &codes, &case_no, &code)?;
            let rating = Rating::new(
                case.id,
                score,
                comment,
                now.at,
                now.today,
                calendars.for_write(conn)?.for_center(case.center_id),
            )?;
            let rated = case.rate(&rating).map_err(|e| match ApiError::from(e) {
                ApiError::TransitionNotAllowed(why) => ApiError::TransitionNotAllowed(format!(
                    "{why}: only a completed or delivered case can be rated"
                )),
                other => other,
            })?;
            conn.insert_rating(&case.region, &rating)
                .map_err(|e| match e {
                    RepositoryError::Conflict => ApiError::AlreadyRated,
                    other => other.into(),
                })?;
            if !conn.update_case(&rated.case, case.version)? {
                return Err(ApiError::StaleVersion(
                    "the case changed meanwhile; try again".into(),
                ));
            }
            workflow::record(conn, &rated)?;
            Ok(RatingReceipt {
                case_no: case.case_no,
                score,
                level: rating.level,
            })
        })
        .await;
    let receipt = attempt.settle(&state, receipt).await?;
    Ok(HttpResponse::Created().json(receipt))
}
