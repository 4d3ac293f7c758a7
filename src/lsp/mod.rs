//! `hegui lsp`: a language server over stdio, built on `lsp-server` and `lsp-types` as ruff's
//! server is. It is an adapter over the library's check of one in-memory document: buffers
//! are checked on open and, debounced, on every change; findings become diagnostics in the
//! client's position encoding; hover, code actions and completion read the last check and the
//! vocabulary.
//!
//! The loop is single-threaded: a change only marks its document due; when no message has
//! arrived for the debounce interval, every due document is checked and its diagnostics
//! published. A request about a due document checks it first, so answers never lag edits.

mod actions;
mod completion;
mod diagnostics;
mod document;
mod encoding;
mod hover;
mod outline;
mod workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, HoverRequest, RegisterCapability, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, PublishDiagnosticsParams,
    Registration, RegistrationParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};

use document::{Checked, Documents};
use encoding::Encoding;
pub use workspace::Settings;
use workspace::{BufferChecker, Workspace};

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::lsp))]
pub enum ServeError {
    /// The client broke the protocol (or went away during the handshake).
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The `initialize` request's parameters are not what the protocol says.
    #[error("invalid initialize parameters: {0}")]
    Params(#[from] serde_json::Error),
    /// The connection to the client closed while a message was being sent.
    #[error("the client closed the connection")]
    Closed,
}

/// Serves one client on `connection` until it asks to shut down (or closes the connection).
/// `debounce` is how long a changed buffer waits for further changes before it is checked.
pub fn serve(
    connection: &Connection,
    settings: Settings,
    debounce: Duration,
) -> Result<(), ServeError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let capabilities = ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["\"", "[", ","].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let result = lsp_types::InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "hegui".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        connection,
        encoding,
        debounce,
        documents: Documents::default(),
        workspace: Workspace::new(settings),
        due: BTreeMap::new(),
        published: BTreeMap::new(),
    };
    if watch {
        server.watch_rule_files()?;
    }
    server.run()
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    debounce: Duration,
    documents: Documents,
    workspace: Workspace,
    /// Documents to check, with when.
    due: BTreeMap<Url, Instant>,
    /// Per checked document, the other files it published diagnostics into (notice texts,
    /// rule and configuration files), to clear them when they no longer apply.
    published: BTreeMap<Url, BTreeSet<Url>>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), ServeError> {
        loop {
            let next = self.due.values().min().copied();
            let message = match next {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(e) if e.is_timeout() => None,
                        Err(_) => return Ok(()),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Some(Message::Request(request)) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let id = request.id.clone();
                    match self.request(request) {
                        // Parameters that are not what the protocol says: an error answer,
                        // and the server goes on.
                        Err(ServeError::Params(e)) => {
                            self.send(Message::Response(Response::new_err(
                                id,
                                lsp_server::ErrorCode::InvalidParams as i32,
                                e.to_string(),
                            )))?
                        }
                        other => other?,
                    }
                }
                Some(Message::Notification(notification)) => {
                    // A malformed notification is dropped; the server goes on.
                    match self.notification(notification) {
                        Err(ServeError::Params(_)) => {}
                        other => other?,
                    }
                }
                Some(Message::Response(_)) => {}
                None => {}
            }
            let now = Instant::now();
            let ready: Vec<Url> = self
                .due
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(u, _)| u.clone())
                .collect();
            for uri in ready {
                self.due.remove(&uri);
                self.check(&uri)?;
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), ServeError> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| ServeError::Closed)
    }

    /// Asks the client to tell us when any `.toml` file changes on disk (configurations and
    /// rule packs; plans and notice texts are watched through their buffers).
    fn watch_rule_files(&self) -> Result<(), ServeError> {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.toml".into()),
                kind: None,
            }],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "hegui-rule-files".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(serde_json::to_value(options)?),
            }],
        };
        self.send(Message::Request(Request::new(
            RequestId::from("hegui-watch".to_owned()),
            RegisterCapability::METHOD.into(),
            params,
        )))
    }

    /// Whether a buffer is a manifest (by the file suffix of the vocabulary in force for it).
    fn is_manifest(&mut self, uri: &Url) -> bool {
        let Some(path) = self.documents.get(uri).and_then(|d| d.path.clone()) else {
            return false;
        };
        self.workspace.is_manifest(&path)
    }

    fn schedule_all_manifests(&mut self, delay: Duration) {
        let at = Instant::now() + delay;
        for uri in self.documents.uris() {
            if self.is_manifest(&uri) {
                self.due.insert(uri, at);
            }
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), ServeError> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                self.documents
                    .open(uri.clone(), p.text_document.text, p.text_document.version);
                if self.is_manifest(&uri) {
                    self.due.remove(&uri);
                    self.check(&uri)?;
                } else {
                    // A notice text a manifest reads may now come from this buffer.
                    self.schedule_all_manifests(Duration::ZERO);
                }
            }
            DidChangeTextDocument::METHOD => {
                let p: DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let Some(doc) = self.documents.get_mut(&uri) else {
                    return Ok(());
                };
                doc.apply(p.content_changes, p.text_document.version, self.encoding);
                if self.is_manifest(&uri) {
                    self.due.insert(uri, Instant::now() + self.debounce);
                } else {
                    self.schedule_all_manifests(self.debounce);
                }
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                if !self.is_manifest(&p.text_document.uri) {
                    // A configuration or rule file may have changed.
                    self.workspace.invalidate();
                    self.schedule_all_manifests(Duration::ZERO);
                }
            }
            DidCloseTextDocument::METHOD => {
                let p: DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let manifest = self.is_manifest(&uri);
                self.documents.close(&uri);
                self.due.remove(&uri);
                if manifest {
                    let mut clear: BTreeSet<Url> = self.published.remove(&uri).unwrap_or_default();
                    clear.insert(uri);
                    for u in clear {
                        self.publish(u, Vec::new(), None)?;
                    }
                } else {
                    self.schedule_all_manifests(Duration::ZERO);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                self.workspace.invalidate();
                self.schedule_all_manifests(Duration::ZERO);
            }
            _ => {}
        }
        Ok(())
    }

    fn publish(
        &self,
        uri: Url,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), ServeError> {
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.into(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        )))
    }

    /// Checks a manifest's buffer and publishes its diagnostics (and those it puts into other
    /// files), clearing what it published before and no longer applies.
    fn check(&mut self, uri: &Url) -> Result<(), ServeError> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let Some(path) = doc.path.clone() else {
            return Ok(());
        };
        let version = doc.version;
        let source = diagnostics::buffer_source(&path, &doc.text);
        let lang = self.workspace.lang();
        let (_, loaded) = self.workspace.for_manifest(&path);
        let excluded = loaded.config.as_ref().is_some_and(|c| c.excludes(&path));
        let (by_uri, checked) = match (&loaded.outcome, excluded) {
            (_, true) => (BTreeMap::from([(uri.clone(), Vec::new())]), None),
            (Err(failure), false) => (
                diagnostics::load_failure(failure, uri, self.encoding, lang),
                None,
            ),
            (Ok(engine), false) => {
                let documents = &self.documents;
                let open = |p: &std::path::Path| documents.text_at(p);
                let findings = engine.check_buffer(&source, &path, &open);
                let by_uri = diagnostics::diagnostics(&findings, uri, &source.name, self.encoding);
                (
                    by_uri,
                    Some(Checked {
                        findings,
                        engine: engine.clone(),
                    }),
                )
            }
        };
        if let Some(doc) = self.documents.get_mut(uri) {
            doc.checked = checked;
        }
        let others: BTreeSet<Url> = by_uri.keys().filter(|u| *u != uri).cloned().collect();
        let before = self.published.insert(uri.clone(), others.clone());
        for stale in before.unwrap_or_default().difference(&others) {
            self.publish(stale.clone(), Vec::new(), None)?;
        }
        for (u, list) in by_uri {
            let v = (u == *uri).then_some(version);
            self.publish(u, list, v)?;
        }
        Ok(())
    }

    /// Checks a document now if a check of it is due (so answers never lag the buffer).
    fn settle(&mut self, uri: &Url) -> Result<(), ServeError> {
        if self.due.remove(uri).is_some() {
            self.check(uri)?;
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<(), ServeError> {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => {
                let p: HoverParams = serde_json::from_value(request.params)?;
                let uri = p.text_document_position_params.text_document.uri;
                self.settle(&uri)?;
                serde_json::to_value(self.hover(&uri, p.text_document_position_params.position))?
            }
            Completion::METHOD => {
                let p: CompletionParams = serde_json::from_value(request.params)?;
                let uri = p.text_document_position.text_document.uri;
                self.settle(&uri)?;
                serde_json::to_value(self.complete(&uri, p.text_document_position.position))?
            }
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = serde_json::from_value(request.params)?;
                let uri = p.text_document.uri.clone();
                self.settle(&uri)?;
                serde_json::to_value(self.code_actions(&p))?
            }
            _ => {
                return self.send(Message::Response(Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("unsupported request {}", request.method),
                )));
            }
        };
        self.send(Message::Response(Response::new_ok(id, result)))
    }

    fn hover(&mut self, uri: &Url, position: lsp_types::Position) -> Option<Hover> {
        let doc = self.documents.get(uri)?;
        let checked = doc.checked.as_ref()?;
        let offset = doc.index.offset(&doc.text, position, self.encoding);
        let line = position.line as usize;
        let (line_start, _) = doc.index.line(&doc.text, line);
        let name = crate::disk::files::display_path(doc.path.as_deref()?);
        let value = hover::hover(
            &checked.engine,
            &checked.findings,
            &name,
            &doc.text,
            line,
            line_start,
            offset,
        )?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
    }

    fn complete(
        &mut self,
        uri: &Url,
        position: lsp_types::Position,
    ) -> Option<Vec<lsp_types::CompletionItem>> {
        let doc = self.documents.get(uri)?;
        let engine = doc.checked.as_ref()?.engine.clone();
        Some(completion::complete(
            &engine,
            &doc.text,
            &doc.index,
            position,
            self.encoding,
        ))
    }

    fn code_actions(&mut self, p: &CodeActionParams) -> Option<Vec<lsp_types::CodeAction>> {
        let uri = &p.text_document.uri;
        let doc = self.documents.get(uri)?;
        let checked = doc.checked.as_ref()?;
        let name = crate::disk::files::display_path(doc.path.as_deref()?);
        let start = doc.index.offset(&doc.text, p.range.start, self.encoding);
        let end = doc.index.offset(&doc.text, p.range.end, self.encoding);
        let own: Vec<&crate::finding::Finding> = checked
            .findings
            .iter()
            .filter(|f| f.source.name == name)
            .collect();
        let at: Vec<(&crate::finding::Finding, lsp_types::Diagnostic)> = own
            .iter()
            .filter(|f| f.span.start <= end && start <= f.span.end)
            .map(|f| {
                (
                    *f,
                    diagnostics::diagnostic(f, uri, &doc.index, self.encoding),
                )
            })
            .collect();
        Some(actions::actions(
            &checked.engine,
            &at,
            &own,
            uri,
            &doc.text,
            &doc.index,
            self.encoding,
            p.context.only.as_deref(),
        ))
    }
}
