//! The classifier's life on the screen: it starts in the background (the
//! local model learns from recent tickets off the UI's path), then serves the
//! form through the latest-wins [`Pipeline`]. Requests made while it starts
//! wait for it (the latest one counts); its answers and its health go to the
//! app's inbox as messages.

use crate::store::Location;
use std::sync::{Arc, PoisonError};

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::model::ClassifierStatus;
use super::msg::Msg;
use crate::classify::chain::Chain;
use crate::classify::pipeline::{Pipeline, Reply};
use crate::config::{ClassifierMode, Config};
use crate::domain::Ticket;

/// The driver's handle: requests go to the classifier's own task.
pub struct Classifier {
    requests: Option<UnboundedSender<Request>>,
}

enum Request {
    Classify { generation: u64, text: String },
    Cancel,
    Learn(Box<Ticket>),
}

impl Classifier {
    /// Starts the chain the config asks for, in the background. With
    /// suggestions off, nothing starts and every request is dropped.
    pub fn start(config: &Config, location: &Location, inbox: UnboundedSender<Msg>) -> Classifier {
        if config.classifier == ClassifierMode::Off {
            return Classifier { requests: None };
        }
        let (requests, queue) = mpsc::unbounded_channel();
        let (config, location) = (config.clone(), location.clone());
        tokio::spawn(async move {
            let chain = tokio::task::spawn_blocking(move || {
                let busy_timeout = crate::store::DEFAULT_BUSY_TIMEOUT;
                let mut store = crate::store::Store::open_at(&location, busy_timeout)
                    .inspect_err(|e| tracing::warn!(error = %e, "the classifier could not open the desk"))
                    .ok();
                crate::commands::build_chain(&config, store.as_mut()).ok().flatten()
            })
            .await
            .ok()
            .flatten();
            match chain {
                Some(chain) => serve(Arc::new(chain), queue, inbox).await,
                None => {
                    let _ = inbox.send(Msg::ClassifierHealth(ClassifierStatus::Off));
                }
            }
        });
        Classifier { requests: Some(requests) }
    }

    /// Classify the text now (latest wins).
    pub fn classify(&self, generation: u64, text: String) {
        self.send(Request::Classify { generation, text });
    }

    /// Abort the classification in flight.
    pub fn cancel(&self) {
        self.send(Request::Cancel);
    }

    /// Teach the offline model a ticket the agent just filed.
    pub fn learn(&self, ticket: Ticket) {
        self.send(Request::Learn(Box::new(ticket)));
    }

    fn send(&self, request: Request) {
        if let Some(requests) = &self.requests {
            // Fails only once the classifier has stopped (it was off after all).
            let _ = requests.send(request);
        }
    }
}

/// Runs the pipeline for the chain until the app ends.
async fn serve(chain: Arc<Chain>, mut queue: UnboundedReceiver<Request>, inbox: UnboundedSender<Msg>) {
    let (pipeline, mut replies) = Pipeline::spawn(Arc::clone(&chain));
    let health = |chain: &Chain| Msg::ClassifierHealth(ClassifierStatus::On(chain.health()));
    if inbox.send(health(&chain)).is_err() {
        return;
    }
    // What was asked while the model learned: the latest request counts; a
    // ticket filed meanwhile was already among those it learned from.
    while let Ok(request) = queue.try_recv() {
        if !matches!(request, Request::Learn(_)) {
            ask(&pipeline, &chain, request);
        }
    }
    loop {
        tokio::select! {
            request = queue.recv() => match request {
                Some(request) => ask(&pipeline, &chain, request),
                None => return,
            },
            reply = replies.recv() => {
                let Some(Reply { generation, suggestion }) = reply else { return };
                let msg = match suggestion {
                    Ok(suggestion) => Msg::Suggested { generation, suggestion },
                    Err(panic) => Msg::Fatal(format!("internal error: {panic}")),
                };
                if inbox.send(health(&chain)).is_err() || inbox.send(msg).is_err() {
                    return;
                }
            }
        }
    }
}

fn ask(pipeline: &Pipeline, chain: &Chain, request: Request) {
    match request {
        Request::Classify { generation, text } => pipeline.classify(generation, text),
        Request::Cancel => pipeline.cancel(),
        Request::Learn(ticket) => {
            let model = chain.local_model();
            let mut model = model.write().unwrap_or_else(PoisonError::into_inner);
            model.learn_team((&ticket.title, &ticket.description, ticket.category, ticket.priority));
        }
    }
}
