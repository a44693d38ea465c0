//! Request bodies read the way the OpenAPI document describes them. JSON Schema counts any
//! number without a fractional part as an integer (`2.0` and `2e1` are integers), and JSON
//! itself does not tell `2` from `2.0`; serde does, and would refuse `{"score": 2.0}` that the
//! document allows. So a body is read as JSON first, its whole numbers are made integers, and
//! then it is read into its type.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use domain::ValidationErrors;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::problem::{ApiError, without_values};

/// A JSON request body of type `T`; see the module.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Size, media type and syntax are judged by actix's reader (`JsonConfig`).
        let value = web::Json::<Value>::from_request(request, payload);
        Box::pin(async move { Ok(Json(read(value.await?.into_inner())?)) })
    }
}

/// `value` read into `T` with its whole numbers made integers; a value of the wrong shape is
/// refused as the field `body` (422), the message naming no value the client sent.
pub fn read<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    whole_numbers(&mut value);
    serde_json::from_value(value).map_err(|error| {
        ValidationErrors::single("body", without_values(&error.to_string())).into()
    })
}

/// Makes every number without a fractional part, anywhere in `value`, an integer, where one
/// can hold it; others are left as they are (and refused where an integer belongs).
pub fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(whole) = number
                .as_f64()
                .filter(|_| number.is_f64())
                .and_then(integer)
            {
                *number = whole;
            }
        }
        Value::Array(values) => values.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// `x` as an integer, when it is whole and within `i64` or `u64`.
fn integer(x: f64) -> Option<Number> {
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;
    if x.fract() != 0.0 || !x.is_finite() {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "whole and within range, checked above"
    )]
    let whole = if (-TWO_TO_63..TWO_TO_63).contains(&x) {
        Number::from(x as i64)
    } else if (0.0..TWO_TO_64).contains(&x) {
        #[expect(clippy::cast_sign_loss, reason = "not negative, checked above")]
        Number::from(x as u64)
    } else {
        return None;
    };
    Some(whole)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn whole_numbers_are_integers_as_json_schema_has_it() {
        let mut body = json!({"score": 2.0, "days": [1e1, 3.5, -4.0], "nested": {"n": 0.0},
            "big": 1e300, "text": "2.0", "int": 7});
        whole_numbers(&mut body);
        assert_eq!(
            body,
            json!({"score": 2, "days": [10, 3.5, -4], "nested": {"n": 0},
                "big": 1e300, "text": "2.0", "int": 7})
        );
        assert!(body["score"].is_u64() || body["score"].is_i64());
    }

    #[test]
    fn a_body_is_read_into_its_type_and_a_wrong_one_names_no_value() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        struct Rating {
            score: u8,
        }
        assert_eq!(
            read::<Rating>(json!({"score": 4.0})).ok(),
            Some(Rating { score: 4 })
        );
        let refused = read::<Rating>(json!({"score": 4.5})).expect_err("not whole");
        let problem = refused.problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "body");
        assert!(!problem.errors[0].message.contains("4.5"), "{problem:?}");
    }
}
