//! A case's result (办结结果): the result code of the national convention for completion
//! records, the certificate (证照) an approval issues, and the fees charged. Sources:
//! `docs/research/results.md`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Outcome;
use crate::ValidationErrors;

/// How a case was concluded (办结结果代码), after the code list the provincial government
/// service platforms exchange completion records with (0 出证办结 … 6 办结).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultCode {
    /// 出证办结 (0): approved, and a certificate or written approval issued.
    CertificateIssued,
    /// 退回办结 (1): the application returned or rejected.
    Returned,
    /// 作废办结 (2): the application void in substance (e.g. the applicant gave it up).
    Voided,
    /// 转报办结 (4): referred to another or a higher authority that decides it.
    Referred,
    /// 补正不来办结 (5): a 补正 was asked for and the applicant never brought the materials.
    SupplementNeverCame,
    /// 办结 (6): concluded otherwise, without a certificate.
    Concluded,
}

impl ResultCode {
    /// Every code, in the convention's order.
    pub const ALL: [ResultCode; 6] = [
        Self::CertificateIssued,
        Self::Returned,
        Self::Voided,
        Self::Referred,
        Self::SupplementNeverCame,
        Self::Concluded,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CertificateIssued => "certificate_issued",
            Self::Returned => "returned",
            Self::Voided => "voided",
            Self::Referred => "referred",
            Self::SupplementNeverCame => "supplement_never_came",
            Self::Concluded => "concluded",
        }
    }

    /// The code with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The convention's one-digit code (办结结果代码).
    pub fn code(self) -> &'static str {
        match self {
            Self::CertificateIssued => "0",
            Self::Returned => "1",
            Self::Voided => "2",
            Self::Referred => "4",
            Self::SupplementNeverCame => "5",
            Self::Concluded => "6",
        }
    }

    /// The result as the public reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::CertificateIssued => "出证办结",
            Self::Returned => "退回办结",
            Self::Voided => "作废办结",
            Self::Referred => "转报办结",
            Self::SupplementNeverCame => "补正不来办结",
            Self::Concluded => "办结",
        }
    }

    /// The code a completion records when the clerk names none: an approval with a
    /// certificate issued it, any other approval concluded, a denial returned the application.
    pub fn default_for(outcome: Outcome, certificate: bool) -> Self {
        match (outcome, certificate) {
            (Outcome::Approved, true) => Self::CertificateIssued,
            (Outcome::Approved, false) => Self::Concluded,
            (Outcome::Denied, _) => Self::Returned,
        }
    }
}

/// The certificate (证照) an approval issued: a licence, a permit, a registration
/// certificate, a written approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Its name, e.g. 社会团体法人登记证书.
    pub name: String,
    /// Its number. Shown to staff, never at the kiosk.
    pub number: String,
    /// The first day it is valid.
    pub valid_from: NaiveDate,
    /// The last day it is valid; `null` for a certificate valid without limit (长期有效).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// The body that issued and sealed it (发证机关).
    pub issued_by: String,
}

/// One fee charged (收费), in fen (分, 1/100 yuan) as an integer so that no amount is ever
/// rounded, with the document that allows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What was charged for, e.g. 工本费.
    pub name: String,
    /// The amount in fen: 1000 is 10.00 yuan.
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000_000_000_u64))]
    pub amount_fen: u64,
    /// The fee's legal basis (收费依据), e.g. the price bureau's document.
    pub basis: String,
}

/// The largest fee accepted, in fen (100 million yuan): nothing at a window comes near it.
pub const MAX_FEE_FEN: u64 = 10_000_000_000;

/// The most fees one completion may record.
pub const MAX_FEES: usize = 20;

/// Checks a completion's result against its outcome: a certificate only with an approval
/// and with the code `certificate_issued`, which needs one; a returned application or one
/// whose 补正 never came is a denial; the certificate's dates in order; the fees well formed.
pub fn validate_result(
    errors: &mut ValidationErrors,
    outcome: Outcome,
    code: Option<ResultCode>,
    certificate: Option<&Certificate>,
    fees: &[Fee],
) {
    match (code, certificate) {
        (Some(ResultCode::CertificateIssued), None) => errors.add(
            "certificate",
            "the result `certificate_issued` needs the certificate issued",
        ),
        (Some(code), Some(_)) if code != ResultCode::CertificateIssued => errors.add(
            "certificate",
            format!(
                "a certificate is recorded with the result `certificate_issued`, not `{}`",
                code.as_str()
            ),
        ),
        _ => {}
    }
    if outcome == Outcome::Denied && certificate.is_some() {
        errors.add("certificate", "a denied case issues no certificate");
    }
    match (outcome, code) {
        (Outcome::Denied, Some(ResultCode::CertificateIssued)) => errors.add(
            "result_code",
            "a denied case issues no certificate: `certificate_issued` is for approvals",
        ),
        (
            Outcome::Approved,
            Some(code @ (ResultCode::Returned | ResultCode::SupplementNeverCame)),
        ) => errors.add(
            "result_code",
            format!(
                "`{}` concludes a denied case, not an approved one",
                code.as_str()
            ),
        ),
        _ => {}
    }
    if let Some(certificate) = certificate {
        errors.name("certificate.name", &certificate.name, 200);
        errors.name("certificate.number", &certificate.number, 100);
        errors.name("certificate.issued_by", &certificate.issued_by, 200);
        errors.date("certificate.valid_from", Some(certificate.valid_from));
        errors.date("certificate.valid_until", certificate.valid_until);
        if certificate
            .valid_until
            .is_some_and(|until| until <= certificate.valid_from)
        {
            errors.add("certificate.valid_until", "must be after valid_from");
        }
    }
    if fees.len() > MAX_FEES {
        errors.add("fees", format!("must list at most {MAX_FEES} fees"));
    }
    for (i, fee) in fees.iter().enumerate() {
        errors.name(&format!("fees[{i}].name"), &fee.name, 200);
        errors.text(&format!("fees[{i}].basis"), &fee.basis, 500);
        if fee.amount_fen > MAX_FEE_FEN {
            errors.add(
                &format!("fees[{i}].amount_fen"),
                format!("must be at most {MAX_FEE_FEN}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(from: &str, until: Option<&str>) -> Certificate {
        Certificate {
            name: "社会团体法人登记证书".into(),
            number: "宁民社证字第0001号".into(),
            valid_from: from.parse().expect("date"),
            valid_until: until.map(|u| u.parse().expect("date")),
            issued_by: "西夏区民政局".into(),
        }
    }

    fn fields(
        outcome: Outcome,
        code: Option<ResultCode>,
        certificate: Option<&Certificate>,
    ) -> Vec<String> {
        let mut errors = ValidationErrors::default();
        validate_result(&mut errors, outcome, code, certificate, &[]);
        errors.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_certificate_goes_with_an_approval_and_the_code_certificate_issued() {
        let valid = certificate("2026-11-27", Some("2031-11-26"));
        assert!(fields(Outcome::Approved, None, Some(&valid)).is_empty());
        assert!(
            fields(
                Outcome::Approved,
                Some(ResultCode::CertificateIssued),
                Some(&valid)
            )
            .is_empty()
        );
        assert_eq!(fields(Outcome::Denied, None, Some(&valid)), ["certificate"]);
        assert_eq!(
            fields(Outcome::Approved, Some(ResultCode::CertificateIssued), None),
            ["certificate"]
        );
        assert_eq!(
            fields(Outcome::Approved, Some(ResultCode::Referred), Some(&valid)),
            ["certificate"]
        );
        assert_eq!(
            fields(
                Outcome::Approved,
                Some(ResultCode::SupplementNeverCame),
                None
            ),
            ["result_code"]
        );
        assert!(fields(Outcome::Denied, Some(ResultCode::SupplementNeverCame), None).is_empty());
    }

    #[test]
    fn a_certificate_ends_after_it_begins_or_never() {
        let long_term = certificate("2026-11-27", None);
        assert!(fields(Outcome::Approved, None, Some(&long_term)).is_empty());
        let backwards = certificate("2026-11-27", Some("2026-11-27"));
        assert_eq!(
            fields(Outcome::Approved, None, Some(&backwards)),
            ["certificate.valid_until"]
        );
    }

    #[test]
    fn the_default_code_follows_the_outcome_and_codes_round_trip() {
        assert_eq!(
            ResultCode::default_for(Outcome::Approved, true),
            ResultCode::CertificateIssued
        );
        assert_eq!(
            ResultCode::default_for(Outcome::Approved, false),
            ResultCode::Concluded
        );
        assert_eq!(
            ResultCode::default_for(Outcome::Denied, false),
            ResultCode::Returned
        );
        for code in ResultCode::ALL {
            assert_eq!(ResultCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn fees_are_in_fen_with_a_basis() {
        let mut errors = ValidationErrors::default();
        let fees = [
            Fee {
                name: "工本费".into(),
                amount_fen: 1000,
                basis: "宁价费发〔2012〕1号".into(),
            },
            Fee {
                name: "登记费".into(),
                amount_fen: MAX_FEE_FEN + 1,
                basis: String::new(),
            },
        ];
        validate_result(&mut errors, Outcome::Approved, None, None, &fees);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["fees[1].basis", "fees[1].amount_fen"]);
    }
}
