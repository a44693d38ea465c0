//! The HTTP edge, in front of every route: a deadline on request bodies, the headers every
//! answer carries, and a problem document for the error answers that come without a body.

use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::rt::time::{Instant, Sleep, sleep_until};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_core::Stream;

use crate::problem::{self, ApiError};

/// How the server treats connections and slow clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeSettings {
    /// How long a request's whole body may take, from the end of its head.
    pub body_timeout: Duration,
    /// How long an idle connection waits for a next request; zero closes it after each answer.
    pub keep_alive: Duration,
    /// The most connections held open at once by the process.
    pub max_connections: usize,
}

impl Default for EdgeSettings {
    /// The defaults of `HALL_BODY_TIMEOUT_SECONDS`, `HALL_KEEP_ALIVE_SECONDS` and
    /// `HALL_MAX_CONNECTIONS`.
    fn default() -> Self {
        Self {
            body_timeout: Duration::from_secs(30),
            keep_alive: Duration::ZERO,
            max_connections: 1000,
        }
    }
}

/// How long a request's head may take to arrive (actix's `client_request_timeout`, which
/// times the first request of a connection only).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a closing connection may take to shut down, and how long the rest of an unread
/// body is read and thrown away after an early answer, before the socket is dropped.
pub const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// What a request's body and its answer share: the body as the client sends it, and whether
/// its deadline passed.
struct Body {
    payload: std::cell::RefCell<Payload>,
    timed_out: Cell<bool>,
}

/// The request body, cut off at its deadline: once it passes, the next read fails, whether
/// bytes are still trickling in or not.
struct DeadlineBody {
    body: Rc<Body>,
    deadline: Instant,
    timer: Pin<Box<Sleep>>,
    /// Read to its end: the deadline no longer matters, however long the handler then takes.
    finished: bool,
}

impl Stream for DeadlineBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        if self.body.timed_out.get() || Instant::now() >= self.deadline {
            return Poll::Ready(Some(Err(self.expire())));
        }
        let next = Pin::new(&mut *self.body.payload.borrow_mut()).poll_next(cx);
        if let Poll::Ready(item) = next {
            self.finished = item.is_none();
            return Poll::Ready(item);
        }
        // Nothing yet: wake up at the deadline at the latest.
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(self.expire()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl DeadlineBody {
    fn expire(&self) -> PayloadError {
        self.body.timed_out.set(true);
        PayloadError::Io(io::Error::new(
            io::ErrorKind::TimedOut,
            "the request body did not arrive in time",
        ))
    }
}

/// Gives the request's body a deadline of `limit` from now (the head has arrived). Returns
/// what the answer must keep, see [`answer`].
pub fn body_deadline(request: &mut ServiceRequest, limit: Duration) -> Option<BodyGuard> {
    let payload = request.take_payload();
    if matches!(payload, Payload::None) {
        return None;
    }
    let body = Rc::new(Body {
        payload: std::cell::RefCell::new(payload),
        timed_out: Cell::new(false),
    });
    let deadline = Instant::now() + limit;
    let stream = DeadlineBody {
        body: body.clone(),
        deadline,
        timer: Box::pin(sleep_until(deadline)),
        finished: false,
    };
    request.set_payload(Payload::Stream {
        payload: Box::pin(stream),
    });
    Some(BodyGuard(body))
}

/// The request's body, held until its answer has been written. actix's HTTP/1 dispatcher
/// closes the connection after an answer to a body that is neither read to its end nor
/// dropped; a dropped chunked body it would instead drain for as long as the client keeps
/// trickling it. Holding the body makes every early answer (a 408, a 403 before the body,
/// a route that reads no body) end the connection.
pub struct BodyGuard(Rc<Body>);

impl std::fmt::Debug for BodyGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyGuard")
            .field("timed_out", &self.0.timed_out.get())
            .finish_non_exhaustive()
    }
}

/// An answer's body that keeps the request's body alive until it has been sent.
struct Guarded {
    body: BoxBody,
    _guard: BodyGuard,
}

impl MessageBody for Guarded {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// Settles the answer at the edge: `408` when the body's deadline passed (whatever the
/// handler made of the failed read), a problem document for an error answer that has no
/// body, and the headers every answer carries.
pub fn answer<B>(answer: ServiceResponse<B>, guard: Option<BodyGuard>) -> ServiceResponse<BoxBody>
where
    B: MessageBody + 'static,
{
    let mut answer = answer.map_into_boxed_body();
    if guard.as_ref().is_some_and(|g| g.0.timed_out.get()) {
        let response = ApiError::TimedOut.error_response();
        answer = answer.into_response(response);
        answer
            .response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    } else if is_bare_error(&answer) {
        let status = answer.status();
        answer = answer.into_response(problem::for_status(status));
    }
    secure_headers(&mut answer);
    match guard {
        None => answer,
        Some(guard) => answer.map_body(|_, body| {
            BoxBody::new(Guarded {
                body,
                _guard: guard,
            })
        }),
    }
}

/// An error answer without a body, or with one that does not say what it is (no
/// `Content-Type`): made by machinery outside the handlers, such as a resource's 405,
/// Swagger UI's 404 for an unknown file under `/docs/`, CORS's 400 to a preflight from an
/// origin not listed, or compression's 406 to a client that refuses every coding offered.
fn is_bare_error(answer: &ServiceResponse<BoxBody>) -> bool {
    let status = answer.status();
    (status.is_client_error() || status.is_server_error())
        && (matches!(
            answer.response().body().size(),
            BodySize::None | BodySize::Sized(0)
        ) || !answer.headers().contains_key(header::CONTENT_TYPE))
}

/// `nosniff` on every answer, so no browser reads a JSON answer as a script or a page; and
/// `no-store` on every API answer but those that chose their own caching (the public
/// guide's and windows' `no-cache` with an ETag): they carry personal data, or tokens, or
/// figures nobody should find later in a shared computer's cache.
fn secure_headers(answer: &mut ServiceResponse<BoxBody>) {
    let in_api = answer.request().path().starts_with("/api/v1/");
    let headers = answer.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if in_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    crate::browsers::expose_only_to_allowed(headers);
}

#[cfg(test)]
mod tests {
    use actix_web::dev::Service;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    /// A body whose client has gone quiet: it never yields.
    struct Silent;

    impl Stream for Silent {
        type Item = Result<Bytes, PayloadError>;

        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Pending
        }
    }

    async fn echo(body: web::Bytes) -> HttpResponse {
        HttpResponse::Ok().body(body)
    }

    #[actix_web::test]
    async fn a_body_that_stops_arriving_is_answered_408_and_one_read_whole_is_not() {
        let app = test::init_service(App::new().route("/echo", web::post().to(echo)).wrap_fn(
            |mut request, service| {
                let guard = body_deadline(&mut request, Duration::from_millis(200));
                let pending = service.call(request);
                async move { Ok(answer(pending.await?, guard)) }
            },
        ))
        .await;
        let whole = test::TestRequest::post()
            .uri("/echo")
            .set_payload("申请")
            .to_request();
        let whole = test::call_service(&app, whole).await;
        assert_eq!(whole.status(), 200);
        assert_eq!(test::read_body(whole).await, "申请".as_bytes());

        let mut silent = test::TestRequest::post().uri("/echo").to_request();
        *silent.payload() = Payload::Stream {
            payload: Box::pin(Silent),
        };
        let answer = test::call_service(&app, silent).await;
        assert_eq!(answer.status(), 408);
        assert_eq!(
            answer
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(problem::PROBLEM_JSON.as_bytes())
        );
        assert_eq!(
            answer
                .headers()
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
    }
}
