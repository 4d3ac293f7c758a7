"""`hegui lsp` end to end: a real client (pytest-lsp) drives the real binary over stdio."""

import asyncio
import json
import re

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import (
    change,
    column,
    fixture_text,
    hegui,
    open_doc,
    published,
)

ACC001 = fixture_text("ACC001/fail.plan.toml")


def by_code(diagnostics, code):
    return [d for d in diagnostics if d.code == code]


def line_of(text: str, needle: str) -> tuple[int, str]:
    for i, line in enumerate(text.split("\n")):
        if needle in line:
            return i, line
    raise AssertionError(needle)


async def test_diagnostics_on_open(client: LanguageClient, repo):
    uri = open_doc(client, repo / "a.plan.toml", ACC001)
    p = await published(client, uri, version=1)
    [d] = by_code(p.diagnostics, "ACC001")
    n, line = line_of(ACC001, "closure_effective_on = 2026-12-15")
    start = line.index("2026-12-15")
    assert d.range == types.Range(types.Position(n, start), types.Position(n, start + 10))
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "hegui"
    assert d.code_description.href.endswith("/ACC001")
    assert "15-day cooling period" in d.message
    assert "2026-12-20" in d.message  # the help line
    [related] = d.related_information
    m, filed = line_of(ACC001, "cancellation_requested_on = 2026-12-05")
    assert related.location.uri == uri
    assert related.location.range.start == types.Position(m, filed.index("2026"))
    assert related.message == "cancellation filed"
    # The same findings as `hegui check` reports for the file on disk.
    (repo / "a.plan.toml").write_text(ACC001, encoding="utf-8")
    out = json.loads(hegui("check", str(repo / "a.plan.toml"), "--format", "json",
                           "--lang", "en", "--today", "2026-11-22"))
    assert sorted(x["rule"] for x in out["diagnostics"]) == sorted(str(d.code) for d in p.diagnostics)


# A line with CJK and an astral character (an emoji) before the blamed value.
ASTRAL = ACC001.replace(
    'channels = ["homepage", "menu", "customer-service"]',
    'channels = ["menu", "主页😀", "bogus"]',
)


async def positions_after_astral(client: LanguageClient, repo, encoding: str):
    assert client.encoding == encoding
    uri = open_doc(client, repo / "b.plan.toml", ASTRAL)
    p = await published(client, uri, version=1)
    n, line = line_of(ASTRAL, '"bogus"')
    on_line = sorted(
        (d for d in p.diagnostics if d.range.start.line == n), key=lambda d: d.range.start.character
    )
    assert len(on_line) == 2, on_line
    cjk, bogus = on_line
    s = line.index('"主页😀"')
    assert cjk.range.start.character == column(line, s, encoding)
    assert cjk.range.end.character == column(line, s + len('"主页😀"'), encoding)
    b = line.index('"bogus"')
    assert bogus.range.start.character == column(line, b, encoding)
    assert bogus.range.end.character == column(line, b + 7, encoding)
    # An incremental edit after the emoji, in the same encoding: `bogus` becomes `sms`.
    change(client, uri, 2, [((n, column(line, b + 1, encoding)), (n, column(line, b + 6, encoding)), "sms")])
    p = await published(client, uri, version=2)
    on_line = [d for d in p.diagnostics if d.range.start.line == n]
    assert [d.range.start.character for d in on_line] == [column(line, s, encoding)]
    # The server's text is the client's: hover on `sms` (past the emoji) finds no finding,
    # on the CJK value it finds the wrong-type finding.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(n, column(line, s + 2, encoding)),
        )
    )
    assert str(on_line[0].code) in hover.contents.value


async def test_positions_after_astral_utf16(client: LanguageClient, repo):
    await positions_after_astral(client, repo, "utf-16")


async def test_positions_after_astral_utf8(client8: LanguageClient, repo):
    await positions_after_astral(client8, repo, "utf-8")


async def test_changes_are_debounced(client: LanguageClient, repo):
    uri = open_doc(client, repo / "c.plan.toml", ACC001)
    await published(client, uri, version=1)
    before = len(client.published)
    n, line = line_of(ACC001, "closure_effective_on = 2026-12-15")
    at = line.index("15")
    # Ten quick edits: the day goes 15 → 16 → … → 20 (the last is compliant).
    for version, day in enumerate([16, 17, 18, 19, 20, 16, 17, 18, 19, 20], start=2):
        change(client, uri, version, [((n, at), (n, at + 2), str(day))])
    p = await published(client, uri, after=before, version=11)
    assert by_code(p.diagnostics, "ACC001") == []
    await asyncio.sleep(0.3)
    ours = [x for x in client.published[before:] if x.uri == uri]
    assert len(ours) < 10, [x.version for x in ours]


async def test_hover_shows_the_rule_the_law_and_the_parameters(client: LanguageClient, repo):
    rules = {r["id"]: r for r in json.loads(hegui("rules", "--format", "json", "--lang", "en"))}
    uri = open_doc(client, repo / "d.plan.toml", ACC001)
    await published(client, uri, version=1)
    n, line = line_of(ACC001, "closure_effective_on = 2026-12-15")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(n, line.index("2026") + 3),
        )
    )
    text = hover.contents.value
    assert "**ACC001**" in text and rules["ACC001"]["title"] in text
    assert rules["ACC001"]["basis"] in text
    assert "`cooling_days = " in text  # the parameter in force
    # A statute's words: NTC001 cites an article; its words come from the law table.
    ntc = fixture_text("NTC001/fail.plan.toml")
    uri2 = open_doc(client, repo / "e.plan.toml", ntc)
    p = await published(client, uri2, version=1)
    [d] = by_code(p.diagnostics, "NTC001")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri2), position=d.range.start)
    )
    quotes = re.findall(r"「(.+?)」", hegui("explain", "NTC001", "--lang", "en"))
    assert quotes and all(q in hover.contents.value for q in quotes)
    # On a key: the vocabulary's description.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(n, 3),
        )
    )
    assert "the day the account is gone" in hover.contents.value
    assert "ACC001" not in hover.contents.value


def apply_edit(text: str, edit: types.TextEdit) -> str:
    """Applies one edit within a line, or an insertion at a line start (the fixture's lines are
    ASCII up to the edit, so a character is a UTF-16 code unit)."""
    lines = text.split("\n")
    start, end = edit.range.start, edit.range.end
    assert start.line == end.line
    line = lines[start.line]
    lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "\n".join(lines)


async def code_actions(client: LanguageClient, uri: str, d: types.Diagnostic, only=None):
    """The code actions offered for the finding `d` (with `only`: just those kinds, for no
    finding)."""
    context = (
        types.CodeActionContext(diagnostics=[d])
        if only is None
        else types.CodeActionContext(diagnostics=[], only=only)
    )
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=d.range, context=context
        )
    )


async def test_code_action_adds_a_waiver(client: LanguageClient, repo):
    uri = open_doc(client, repo / "f.plan.toml", ACC001)
    p = await published(client, uri, version=1)
    [d] = by_code(p.diagnostics, "ACC001")
    actions = await code_actions(client, uri, d)
    [waiver] = [a for a in actions if a.title == "Add a waiver for ACC001"]
    assert waiver.kind == types.CodeActionKind.QuickFix
    [edit] = waiver.edit.changes[uri]
    assert edit.range.start == types.Position(d.range.start.line, 0)
    assert edit.range.end == edit.range.start  # an insertion at a line start
    assert edit.new_text == '# hegui:allow ACC001 reason="" approver="" until=\n'
    # The placeholders filled in, the finding is waived: shown faded, as a hint.
    filled = apply_edit(ACC001, edit).replace(
        'reason="" approver="" until=', 'reason="legal agreed" approver="li.wei" until=2027-01-31'
    )
    change(client, uri, 2, filled)
    p = await published(client, uri, version=2)
    [d] = by_code(p.diagnostics, "ACC001")
    assert d.severity == types.DiagnosticSeverity.Hint
    assert list(d.tags) == [types.DiagnosticTag.Unnecessary]
    # Left empty, the waiver is incomplete: a finding of its own, and ACC001 stays active.
    change(client, uri, 3, apply_edit(ACC001, edit))
    p = await published(client, uri, version=3)
    [d] = by_code(p.diagnostics, "ACC001")
    assert d.severity == types.DiagnosticSeverity.Error
    assert any(str(x.code).startswith("WVR") for x in p.diagnostics)
    # Asking only for "fix all" returns no quick fixes.
    only = await code_actions(client, uri, d, only=["source.fixAll.hegui"])
    assert all(a.kind == "source.fixAll.hegui" for a in only)


async def complete(client, uri, line, character):
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, character),
        )
    )
    items = result.items if hasattr(result, "items") else result
    return {i.label: i for i in items}


async def test_completion(client: LanguageClient, repo):
    text = ACC001.replace(
        "type = \"service\"\n", "type = \"service\"\n\ntype = \nactive_\n"
    ).replace('covers = ["svc-main"]', 'covers = [')
    text += '\n[[coupon_batch]]\ncard_id = "pA"\n\n[[coupon_batch]]\ncard_id = "pB"\nreplacement_card_id = "\n'
    text += "\n# hegui:allow \n[[\n"
    uri = open_doc(client, repo / "g.plan.toml", text)
    await published(client, uri, version=1)
    lines = text.split("\n")
    blank = lines.index("type = \"service\"") + 1
    keys = await complete(client, uri, blank, 0)
    assert "active_members" in keys and "closure_effective_on" not in keys and "id" not in keys
    assert keys["active_members"].text_edit.new_text == "active_members = "
    assert "members not yet departed" in keys["active_members"].documentation.value
    partial = await complete(client, uri, blank + 2, len("active_"))
    assert partial["active_members"].text_edit.range.start == types.Position(blank + 2, 0)
    enum = await complete(client, uri, blank + 1, len("type = "))
    assert {"subscription", "service", "work", "mini-program"} <= set(enum)
    assert enum["service"].text_edit.new_text == '"service"'
    covers_line = next(i for i, l in enumerate(lines) if l == "covers = [")
    ids = await complete(client, uri, covers_line, len("covers = ["))
    assert {"svc-main", "sub-news"} <= set(ids)
    rep = next(i for i, l in enumerate(lines) if l.startswith("replacement_card_id"))
    cards = await complete(client, uri, rep, len(lines[rep]))
    assert set(cards) == {"pA", "pB"} and cards["pA"].text_edit.new_text == "pA"
    waiver = lines.index("# hegui:allow ")
    ruleids = await complete(client, uri, waiver, len("# hegui:allow "))
    assert {"ACC001", "NTC001", "CPN001"} <= set(ruleids)
    header = await complete(client, uri, waiver + 1, 2)
    assert {"account", "notice", "coupon_batch"} <= set(header) and "plan" not in header


async def test_config_and_rule_packs_reload(client: LanguageClient, repo):
    uri = open_doc(client, repo / "h.plan.toml", ACC001)
    p = await published(client, uri, version=1)
    assert by_code(p.diagnostics, "ACC001")[0].severity == types.DiagnosticSeverity.Error
    config = repo / "hegui.toml"
    # A new hegui.toml, saved in the editor.
    config.write_text('[rules]\nACC001 = "warning"\n', encoding="utf-8")
    before = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
    )
    p = await published(client, uri, after=before)
    assert by_code(p.diagnostics, "ACC001")[0].severity == types.DiagnosticSeverity.Warning
    # Changed on disk, seen by the next check of the buffer (no notification needed).
    config.write_text('[rules]\nACC001 = "off"\n', encoding="utf-8")
    before = len(client.published)
    change(client, uri, 2, ACC001 + "\n")
    p = await published(client, uri, after=before, version=2)
    assert by_code(p.diagnostics, "ACC001") == []
    # A broken configuration: its problems in hegui.toml, the plan says it was not checked.
    config.write_text('[rules]\nACC999 = "off"\n', encoding="utf-8")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    p = await published(client, config.as_uri(), after=before)
    [problem] = p.diagnostics
    assert "ACC999" in problem.message and problem.range.start.line == 1
    p = await published(client, uri, after=before)
    [d] = p.diagnostics
    assert "did not check" in d.message
    # A rule pack named by hegui.toml with a broken rule file, then repaired (removed).
    (repo / "pack").mkdir()
    (repo / "pack" / "mine.toml").write_text('[[rule]]\nid = "MY001"\n', encoding="utf-8")
    config.write_text('[check]\nrules = ["pack"]\n', encoding="utf-8")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    pack_uri = (repo / "pack" / "mine.toml").as_uri()
    p = await published(client, pack_uri, after=before)
    assert p.diagnostics
    # … and the configuration's problems are gone.
    p = await published(client, config.as_uri(), after=before)
    assert list(p.diagnostics) == []
    (repo / "pack" / "mine.toml").unlink()
    before = len(client.published)
    change(client, uri, 3, ACC001)
    p = await published(client, uri, after=before, version=3)
    assert by_code(p.diagnostics, "ACC001")
    p = await published(client, pack_uri, after=before)
    assert list(p.diagnostics) == []


async def test_text_file_is_read_from_the_open_buffer(client: LanguageClient, repo):
    plan = fixture_text("SCH009/pass.plan.toml")
    (repo / "notice.txt").write_text(fixture_text("SCH009/notice.txt"), encoding="utf-8")
    (repo / "i.plan.toml").write_text(plan, encoding="utf-8")
    uri = open_doc(client, repo / "i.plan.toml", plan)
    p = await published(client, uri, version=1)
    assert not [d for d in p.diagnostics if str(d.code).startswith("TXT")]
    # The notice text, edited but not saved: a void clause after an emoji.
    unsaved = "欢迎迁移😀。本活动最终解释权归本店所有。\n"
    before = len(client.published)
    notice = open_doc(client, repo / "notice.txt", unsaved)
    p = await published(client, notice, after=before)
    [d] = by_code(p.diagnostics, "TXT002")
    s = unsaved.index("最终解释权")
    assert d.range.start == types.Position(0, column(unsaved, s, "utf-16"))
    # Cleaned in the buffer: the notice's diagnostics are cleared.
    before = len(client.published)
    change(client, notice, 2, "欢迎迁移😀。如有疑问请致电客服。\n")
    p = await published(client, notice, after=before)
    assert list(p.diagnostics) == []


async def test_chinese_throughout(client_zh: LanguageClient, repo):
    uri = open_doc(client_zh, repo / "z.plan.toml", ACC001)
    p = await published(client_zh, uri, version=1)
    [d] = by_code(p.diagnostics, "ACC001")
    assert "冷却期" in d.message and not re.search(r"[A-Za-z]{4,}", d.message.replace("svc-main", ""))
    n, line = line_of(ACC001, "closure_effective_on = 2026-12-15")
    hover = await client_zh.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(n, 3))
    )
    assert hover.contents.value == "`account.closure_effective_on`\n\n注销生效的日期"
    hover = await client_zh.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=d.range.start)
    )
    assert "**依据**" in hover.contents.value and "**参数**" in hover.contents.value
    actions = await code_actions(client_zh, uri, d)
    assert "添加豁免注释：ACC001" in [a.title for a in actions]
    # While the line is being typed the plan does not parse; completion still works.
    text = ACC001.replace('type = "service"\n', 'type = "service"\ntype = \n')
    change(client_zh, uri, 2, text)
    await published(client_zh, uri, version=2)
    t = text.split("\n").index("type = ")
    items = await complete(client_zh, uri, t, len("type = "))
    assert items["service"].detail == "服务号" and items["work"].detail == "企业微信"


def test_malformed_messages_do_not_stop_the_server(repo):
    """Raw JSON-RPC (a client library would refuse to send these)."""
    import subprocess

    from conftest import SERVER

    def frame(message):
        body = json.dumps(message).encode("utf-8")
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    uri = (repo / "m.plan.toml").as_uri()
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": 5}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"position": "nowhere"}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "toml", "version": 1, "text": ACC001}}},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None},
    ]
    done = subprocess.run(SERVER, input=b"".join(map(frame, messages)), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    replies = [json.loads(part) for part in re.split(rb"Content-Length: \d+\r\n\r\n", done.stdout) if part]
    [hover] = [r for r in replies if r.get("id") == 2]
    assert hover["error"]["code"] == -32602  # InvalidParams
    published = [r["params"] for r in replies if r.get("method") == "textDocument/publishDiagnostics"]
    assert any(p["uri"] == uri and by_code_raw(p["diagnostics"], "ACC001") for p in published)
    assert any(r.get("id") == 3 and "error" not in r for r in replies)


def by_code_raw(diagnostics, code):
    return [d for d in diagnostics if d.get("code") == code]


async def test_code_action_applies_the_findings_fix(client: LanguageClient, repo):
    uri = open_doc(client, repo / "f.plan.toml", ACC001)
    p = await published(client, uri, version=1)
    [d] = by_code(p.diagnostics, "ACC001")
    actions = await code_actions(client, uri, d)
    fixes = [a for a in actions if not a.title.startswith("Add a waiver")]
    assert fixes, [a.title for a in actions]
    [fix] = fixes[:1]
    assert fix.kind == types.CodeActionKind.QuickFix
    [edit] = fix.edit.changes[uri]
    change(client, uri, 2, apply_edit(ACC001, edit))
    p = await published(client, uri, version=2)
    assert by_code(p.diagnostics, "ACC001") == []
