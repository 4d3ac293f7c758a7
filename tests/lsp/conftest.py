"""Shared set-up of the end-to-end tests of `hegui lsp` (pytest-lsp drives the real binary)."""

import asyncio
import os
import pathlib
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEGUI = os.environ.get("HEGUI_BIN", str(ROOT / "target" / "debug" / "hegui"))
TODAY = "2026-11-22"
SERVER = [HEGUI, "lsp", "--lang", "en", "--today", TODAY, "--debounce-ms", "30"]


def hegui(*args: str) -> str:
    """Runs the CLI (for expectations taken from the rules themselves, not hard-coded)."""
    return subprocess.run(
        [HEGUI, *args], capture_output=True, text=True, check=False, cwd=ROOT
    ).stdout


def fixture_text(rel: str) -> str:
    return (ROOT / "fixtures" / rel).read_text(encoding="utf-8")


def record_publishes(client: LanguageClient) -> None:
    """Keeps every publishDiagnostics (with its version) on `client.published`."""
    client.published = []

    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_publish


async def start(client: LanguageClient, encodings: list[str] | None):
    record_publishes(client)
    general = (
        types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
        )
        if encodings
        else None
    )
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=general,
                text_document=types.TextDocumentClientCapabilities(
                    hover=types.HoverClientCapabilities(
                        content_format=[types.MarkupKind.Markdown]
                    ),
                    completion=types.CompletionClientCapabilities(
                        completion_item=types.ClientCompletionItemOptions(
                            documentation_format=[types.MarkupKind.Markdown]
                        )
                    ),
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                        related_information=True,
                        tag_support=types.ClientDiagnosticsTagOptions(
                            value_set=[types.DiagnosticTag.Unnecessary]
                        ),
                        code_description_support=True,
                        version_support=True,
                    ),
                ),
            ),
            root_uri=ROOT.as_uri(),
        )
    )
    client.encoding = result.capabilities.position_encoding
    return result


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    """A client that offers no position encoding (so UTF-16, the protocol's default)."""
    await start(lsp_client, None)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client8(lsp_client: LanguageClient):
    """A client that offers UTF-8 and UTF-16."""
    await start(lsp_client, ["utf-8", "utf-16"])
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, after: int = 0, version=None, timeout=10.0):
    """The first publish for `uri` (and `version`, when given) from index `after` on."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for p in client.published[after:]:
            if p.uri == uri and (version is None or p.version == version):
                return p
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no diagnostics published for {uri} (version {version})")
        await asyncio.sleep(0.02)


def open_doc(client: LanguageClient, path: pathlib.Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="toml", version=version, text=text
            )
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, edits) -> None:
    """Sends ranged edits: [((line, char), (line, char), text)], or a whole text."""
    if isinstance(edits, str):
        changes = [types.TextDocumentContentChangeWholeDocument(text=edits)]
    else:
        changes = [
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(*s), types.Position(*e)), text=t
            )
            for s, e, t in edits
        ]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )


def column(line: str, index: int, encoding: str) -> int:
    """The LSP column of a string index of a line in an encoding."""
    prefix = line[:index]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    return len(prefix.encode("utf-16-le")) // 2


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A folder that is a repository root (it bounds `hegui.toml` discovery and `text_file`)."""
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[HEGUI, "lsp", "--lang", "zh", "--today", TODAY, "--debounce-ms", "30"]
    )
)
async def client_zh(lsp_client: LanguageClient):
    """A client of a server that speaks Chinese (the default language)."""
    await start(lsp_client, None)
    yield
    await lsp_client.shutdown_session()
