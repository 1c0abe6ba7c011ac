//! The latest-wins classification service the TUI's ticket form uses.
//!
//! The form asks for a classification once the agent pauses typing (the
//! pause is the form's own timer), with a generation number that grows with
//! each edit ([`Pipeline::classify`]). The service classifies it on a
//! background task and sends a [`Reply`] tagged with that generation. A newer
//! request, or [`Pipeline::cancel`], aborts whatever is in flight (the task
//! is aborted, which drops an HTTP request mid-way), so at most one
//! classification runs at a time.
//!
//! Guarantees and contracts:
//! - A generation identifies one text: send the same generation only with the
//!   same text. Requests whose generation is not newer than one already seen
//!   are ignored, so a repeated generation never classifies twice.
//! - The service never sends a reply for a generation once it has seen a newer
//!   request or a cancel. A reply already queued on the channel can still be
//!   overtaken by an edit made meanwhile, so the receiver must also drop
//!   replies whose generation is not its current one (the TUI's update does).
//! - Blank (whitespace-only) text is never classified and produces no reply;
//!   it only cancels older work.
//! - A classifier that panics does not take the service down: the panic is
//!   caught at the task boundary and reported as an `Err` [`Reply`] for that
//!   generation, and the next request classifies as usual.
//! - Dropping the [`Pipeline`] (or [`Pipeline::shutdown`]) ends the service and
//!   aborts any classification in flight. Dropping the reply receiver ends it
//!   too, at the next reply it cannot deliver.

use std::any::Any;
use std::future;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};

use super::{Classify, Suggestion};

/// Replies are rare (one per pause in typing), so a small buffer is plenty.
const REPLY_CAPACITY: usize = 16;

/// The answer for one generation of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub generation: u64,
    /// `Err` when the classifier panicked instead of answering.
    pub suggestion: Result<Suggestion, ClassifierPanic>,
}

/// A classifier panicked while classifying; carries the panic message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the classifier panicked: {message}")]
pub struct ClassifierPanic {
    pub message: String,
}

/// The sending side of a running service. Cheap to keep in the TUI's state;
/// dropping it stops the service.
#[derive(Debug)]
pub struct Pipeline {
    requests: mpsc::UnboundedSender<Request>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
enum Request {
    Classify { generation: u64, text: String },
    Cancel,
}

impl Pipeline {
    /// Starts the service on the current Tokio runtime and returns it with the
    /// receiver its replies arrive on.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, like [`tokio::spawn`].
    pub fn spawn<C: Classify>(classifier: Arc<C>) -> (Pipeline, mpsc::Receiver<Reply>) {
        let (requests, inbox) = mpsc::unbounded_channel();
        let (replies, receiver) = mpsc::channel(REPLY_CAPACITY);
        let task = tokio::spawn(run(classifier, inbox, replies));
        (Pipeline { requests, task }, receiver)
    }

    /// Classify `text` now, aborting an older classification in flight.
    pub fn classify(&self, generation: u64, text: impl Into<String>) {
        self.send(Request::Classify { generation, text: text.into() });
    }

    /// Abort the classification in flight, if any, and drop an answer not yet
    /// delivered: the text it was for has changed.
    pub fn cancel(&self) {
        self.send(Request::Cancel);
    }

    /// Stops the service and waits for it. `Err` only if the service itself
    /// panicked, which would be a bug here (classifier panics become replies).
    pub async fn shutdown(self) -> Result<(), JoinError> {
        drop(self.requests);
        self.task.await
    }

    fn send(&self, request: Request) {
        // Fails only once the service has ended; the receiver then yields
        // `None`, which is how the TUI learns of it, so nothing is lost here.
        let _ = self.requests.send(request);
    }
}

/// A classification running on its own task. Dropping it aborts the task, so
/// replacing or clearing the slot is all it takes to cancel.
struct InFlight {
    generation: u64,
    task: JoinHandle<Suggestion>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct State<C> {
    classifier: Arc<C>,
    /// The newest generation seen; replies for anything older are never sent.
    latest: Option<u64>,
    in_flight: Option<InFlight>,
    /// A finished reply waiting for room on the channel.
    outbox: Option<Reply>,
}

impl<C: Classify> State<C> {
    fn accept(&mut self, request: Request) {
        let (generation, text) = match request {
            Request::Classify { generation, text } if self.latest.is_none_or(|l| generation > l) => {
                (generation, text)
            }
            // The same text again, or an older one: nothing to do.
            Request::Classify { .. } => return,
            Request::Cancel => {
                self.in_flight = None;
                self.outbox = None;
                return;
            }
        };
        self.latest = Some(generation);
        self.outbox = None;
        self.in_flight = (!text.trim().is_empty()).then(|| {
            let classifier = Arc::clone(&self.classifier);
            let task = tokio::spawn(async move { classifier.classify(&text).await });
            InFlight { generation, task }
        });
    }
}

async fn run<C: Classify>(
    classifier: Arc<C>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    replies: mpsc::Sender<Reply>,
) {
    let mut state = State { classifier, latest: None, in_flight: None, outbox: None };
    loop {
        tokio::select! {
            // Requests first: when a newer request and an older answer are
            // ready together, the request must win so the answer is discarded.
            biased;
            request = requests.recv() => match request {
                Some(request) => state.accept(request),
                None => break,
            },
            (generation, result) = finished(&mut state.in_flight) => {
                state.in_flight = None;
                let suggestion = match result {
                    Ok(suggestion) => Ok(suggestion),
                    Err(error) if error.is_panic() => {
                        Err(ClassifierPanic { message: panic_message(error.into_panic()) })
                    }
                    // Cancelled: only when the runtime is shutting down.
                    Err(_) => continue,
                };
                state.outbox = Some(Reply { generation, suggestion });
            }
            // Waiting for room inside the select (not a plain `send().await`)
            // lets a newer request clear the outbox while the TUI is behind.
            permit = replies.reserve(), if state.outbox.is_some() => match (permit, state.outbox.take()) {
                (Ok(permit), Some(reply)) => permit.send(reply),
                (Ok(_), None) => {}
                (Err(_), _) => break, // nobody is listening any more
            },
        }
    }
    // `state` drops here, aborting any classification in flight.
}

/// Resolves when the classification in flight finishes; never without one.
async fn finished(in_flight: &mut Option<InFlight>) -> (u64, Result<Suggestion, JoinError>) {
    match in_flight {
        Some(flight) => (flight.generation, (&mut flight.task).await),
        None => future::pending().await,
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast_ref::<&str>() {
            Some(message) => (*message).to_owned(),
            None => "(no message)".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::time::{sleep, timeout};

    use super::*;
    use crate::classify::{Confidence, Source};
    use crate::domain::{Category, Priority};

    use std::time::Duration;

    /// Long enough for anything still to come to have come (paused time, so free).
    const QUIET: Duration = Duration::from_secs(60);

    /// Records what it was asked, optionally takes `delay` to answer, and
    /// echoes the text in the reason so a reply shows which text it is for.
    #[derive(Default)]
    struct Stub {
        delay: Duration,
        panic_on: Option<&'static str>,
        started: Mutex<Vec<String>>,
        finished: Mutex<Vec<String>>,
        cancelled: Mutex<Vec<String>>,
    }

    /// Records a classification as cancelled if its future is dropped early.
    struct CancelGuard<'a> {
        stub: &'a Stub,
        text: Option<String>,
    }

    impl Drop for CancelGuard<'_> {
        fn drop(&mut self) {
            if let Some(text) = self.text.take() {
                self.stub.cancelled.lock().unwrap().push(text);
            }
        }
    }

    impl Stub {
        fn slow(delay: Duration) -> Arc<Stub> {
            Arc::new(Stub { delay, ..Stub::default() })
        }

        fn started(&self) -> Vec<String> {
            self.started.lock().unwrap().clone()
        }
    }

    impl Classify for Stub {
        async fn classify(&self, text: &str) -> Suggestion {
            self.started.lock().unwrap().push(text.to_owned());
            let mut guard = CancelGuard { stub: self, text: Some(text.to_owned()) };
            sleep(self.delay).await;
            if self.panic_on == Some(text) {
                guard.text = None;
                panic!("stub exploded on {text:?}");
            }
            guard.text = None;
            self.finished.lock().unwrap().push(text.to_owned());
            suggestion(text)
        }
    }

    fn suggestion(text: &str) -> Suggestion {
        Suggestion {
            category: Category::Technical,
            priority: Priority::High,
            source: Source::Local,
            cached: false,
            confidence: Confidence::Medium,
            reason: text.to_owned(),
            fallback_reason: None,
        }
    }

    fn ok(generation: u64, text: &str) -> Reply {
        Reply { generation, suggestion: Ok(suggestion(text)) }
    }

    /// Every reply still to come, waiting until the service has been quiet.
    async fn drain(replies: &mut mpsc::Receiver<Reply>) -> Vec<Reply> {
        let mut all = Vec::new();
        while let Ok(Some(reply)) = timeout(QUIET, replies.recv()).await {
            all.push(reply);
        }
        all
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_is_classified_at_once() {
        let stub = Arc::new(Stub::default());
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        let start = tokio::time::Instant::now();
        pipeline.classify(1, "A");
        assert_eq!(timeout(QUIET, replies.recv()).await.unwrap().unwrap(), ok(1, "A"));
        assert_eq!(start.elapsed(), Duration::ZERO, "no waiting here: the pause is the caller's");
        assert_eq!(drain(&mut replies).await, []);
    }

    #[tokio::test(start_paused = true)]
    async fn a_newer_request_cancels_a_slow_classification_in_flight() {
        let stub = Stub::slow(Duration::from_secs(5));
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "A");
        sleep(Duration::from_secs(1)).await;
        assert_eq!(stub.started(), ["A"], "A is in flight");
        pipeline.classify(2, "B");
        assert_eq!(drain(&mut replies).await, [ok(2, "B")]);
        assert_eq!(stub.started(), ["A", "B"]);
        assert_eq!(*stub.cancelled.lock().unwrap(), ["A"]);
        assert_eq!(*stub.finished.lock().unwrap(), ["B"]);
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_aborts_the_classification_in_flight() {
        let stub = Stub::slow(Duration::from_secs(5));
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "A");
        sleep(Duration::from_secs(1)).await;
        pipeline.cancel();
        assert_eq!(drain(&mut replies).await, []);
        assert_eq!(*stub.cancelled.lock().unwrap(), ["A"]);
        // The service lives on.
        pipeline.classify(2, "B");
        assert_eq!(drain(&mut replies).await, [ok(2, "B")]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_ready_with_a_newer_request_is_never_sent() {
        // A's answer and B's request become ready at the same instant;
        // repeated because which of the two the runtime polls first can vary.
        let stub = Stub::slow(Duration::from_secs(1));
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        for round in 0..20 {
            let (a, b) = (2 * round + 1, 2 * round + 2);
            pipeline.classify(a, "A");
            sleep(Duration::from_secs(1)).await;
            pipeline.classify(b, "B");
            assert_eq!(drain(&mut replies).await, [ok(b, "B")], "round {round}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_waiting_for_room_is_dropped_by_a_newer_request() {
        let stub = Arc::new(Stub::default());
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        let last = REPLY_CAPACITY as u64 + 1;
        for generation in 1..=last {
            pipeline.classify(generation, format!("text {generation}"));
            sleep(Duration::from_millis(1)).await;
        }
        // The channel is full and the last answer waits for room; blank text
        // supersedes it.
        assert_eq!(stub.started().len() as u64, last);
        pipeline.classify(last + 1, "");
        let generations: Vec<u64> = drain(&mut replies).await.iter().map(|r| r.generation).collect();
        assert_eq!(generations, (1..last).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_repeated_generation_never_classifies_twice() {
        let stub = Arc::new(Stub::default());
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "A");
        assert_eq!(timeout(QUIET, replies.recv()).await.unwrap().unwrap(), ok(1, "A"));
        pipeline.classify(1, "A");
        assert_eq!(drain(&mut replies).await, []);
        assert_eq!(stub.started(), ["A"]);
    }

    #[tokio::test(start_paused = true)]
    async fn blank_text_is_never_classified_and_cancels_older_text() {
        let stub = Stub::slow(Duration::from_secs(5));
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "");
        pipeline.classify(2, " \n\t ");
        sleep(Duration::from_secs(1)).await;
        pipeline.classify(3, "A");
        sleep(Duration::from_millis(100)).await;
        pipeline.classify(4, "   ");
        assert_eq!(drain(&mut replies).await, []);
        assert_eq!(stub.started(), ["A"]);
        assert_eq!(*stub.cancelled.lock().unwrap(), ["A"]);
    }

    #[tokio::test(start_paused = true)]
    async fn older_generations_are_ignored() {
        let stub = Arc::new(Stub::default());
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(5, "new");
        pipeline.classify(4, "old");
        pipeline.classify(3, "older");
        assert_eq!(drain(&mut replies).await, [ok(5, "new")]);
        assert_eq!(stub.started(), ["new"]);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_pipeline_ends_the_service_and_cancels_work() {
        let stub = Stub::slow(Duration::from_secs(5));
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "A");
        sleep(Duration::from_secs(1)).await;
        drop(pipeline);
        // The task owned the only reply sender, so `None` means it has ended.
        assert_eq!(timeout(QUIET, replies.recv()).await, Ok(None));
        sleep(Duration::from_millis(1)).await; // let the runtime drop the aborted task
        assert_eq!(*stub.cancelled.lock().unwrap(), ["A"]);
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_waits_for_the_service() {
        let (pipeline, mut replies) = Pipeline::spawn(Arc::new(Stub::default()));
        pipeline.classify(1, "A");
        assert!(matches!(timeout(QUIET, pipeline.shutdown()).await, Ok(Ok(()))));
        assert_eq!(replies.recv().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_receiver_ends_the_service() {
        let (pipeline, replies) = Pipeline::spawn(Arc::new(Stub::default()));
        drop(replies);
        pipeline.classify(1, "A");
        sleep(Duration::from_millis(1)).await;
        assert!(pipeline.task.is_finished());
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_classifier_is_reported_and_the_service_lives_on() {
        let stub = Arc::new(Stub { panic_on: Some("boom"), ..Stub::default() });
        let (pipeline, mut replies) = Pipeline::spawn(stub.clone());
        pipeline.classify(1, "boom");
        let reply = timeout(QUIET, replies.recv()).await.unwrap().unwrap();
        assert_eq!(reply.generation, 1);
        let panic = reply.suggestion.unwrap_err();
        assert_eq!(panic.message, "stub exploded on \"boom\"");
        assert_eq!(panic.to_string(), "the classifier panicked: stub exploded on \"boom\"");
        pipeline.classify(2, "fine");
        assert_eq!(timeout(QUIET, replies.recv()).await.unwrap().unwrap(), ok(2, "fine"));
    }
}
