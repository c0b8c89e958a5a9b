"""The language server as real editors start it: the exact capabilities that
VS Code, Neovim 0.11 and Emacs 29 send (snapshots shipped by pytest-lsp)."""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).parent / "workspace"
BIN = os.environ.get("FINEPRINT_BIN", str(pathlib.Path(__file__).parents[2] / "target" / "release" / "fineprint"))
GEN = (ROOT / "gen.py").as_uri()


@pytest_lsp.fixture(
    params=["visual_studio_code", "neovim@v0.11.0", "emacs"],
    config=ClientServerConfig(server_command=[BIN, "lsp", "--log-level", "warn"]),
)
async def client(request, lsp_client: LanguageClient):
    # The server registers a file watcher; the test client accepts it.
    if types.CLIENT_REGISTER_CAPABILITY not in lsp_client.protocol.fm.features:

        @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params: types.RegistrationParams) -> None:
            return None

    # The server registers a file watcher; the test client accepts it.
    if types.CLIENT_REGISTER_CAPABILITY not in lsp_client.protocol.fm.features:

        @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params: types.RegistrationParams) -> None:
            return None

    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=ROOT.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=ROOT.as_uri(), name="ws")],
        )
    )
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_flux_dev_diagnostic_hover_and_actions(client: LanguageClient):
    assert client.init_result.capabilities.position_encoding == "utf-16"
    text = (ROOT / "gen.py").read_text()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=GEN, language_id="python", version=1, text=text)))
    pull = client.init_result.capabilities.diagnostic_provider is not None
    if pull:
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=GEN)))
        diags = report.items
    else:
        for _ in range(20):  # pushes for other files may come first
            if any(d.code == "non-commercial" for d in client.diagnostics.get(GEN, [])):
                break
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        diags = client.diagnostics[GEN]
    err = next(d for d in diags if d.code == "non-commercial")
    assert err.severity == types.DiagnosticSeverity.Error
    assert (err.range.start.line, err.range.start.character, err.range.end.character) == (1, 37, 65)

    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=GEN), position=types.Position(line=1, character=50)))
    assert "FLUX.1 [dev] Non-Commercial License" in hover.contents.value

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=GEN),
            range=err.range,
            context=types.CodeActionContext(diagnostics=[err]),
        )
    )
    titles = [a.title for a in actions]
    assert any(t.startswith("Add a policy exception for FLUX.1-dev") for t in titles), titles
    # Clients that cannot create files get a command that the server carries out; the
    # others an edit, followed by a command that selects the reason to type. (lsprotocol
    # reads a code action that carries a command object as a Command whose `command` is
    # that object's text: such an action is recognised by the selection command in it.)
    exception = next(a for a in actions if a.title.startswith("Add a policy exception"))
    if isinstance(exception, types.Command) and exception.command == "fineprint.addException":
        pass
    elif isinstance(exception, types.Command):
        assert "fineprint.select" in exception.command and "fineprint.toml" in exception.command, exception
    else:
        assert exception.edit is not None, exception
    # Clients that cannot create files get a command that the server carries out; the
    # others an edit, followed by a command that selects the reason to type. (lsprotocol
    # reads a code action that carries a command object as a Command whose `command` is
    # that object's text: such an action is recognised by the selection command in it.)
    exception = next(a for a in actions if a.title.startswith("Add a policy exception"))
    if isinstance(exception, types.Command) and exception.command == "fineprint.addException":
        pass
    elif isinstance(exception, types.Command):
        assert "fineprint.select" in exception.command and "fineprint.toml" in exception.command, exception
    else:
        assert exception.edit is not None, exception
    assert any(t.startswith("Open the FLUX.1 [dev] Non-Commercial License") for t in titles), titles


NOTEBOOK = (ROOT / "explore.ipynb").as_uri()
CELLS = [
    ("markdown", "# Trying an image model\n"),
    ("python", 'from diffusers import FluxPipeline\npipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev")\n'),
]


async def until(client: LanguageClient, pred, what: str) -> None:
    """Waits (at most 20 s) for published diagnostics to satisfy `pred`."""
    async def loop():
        while not pred():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        await asyncio.wait_for(loop(), 20)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}: {client.diagnostics}") from None


def cell_uri(n: int) -> str:
    return f"vscode-notebook-cell:{NOTEBOOK[len('file://'):]}#C{n}"


@pytest.mark.asyncio
async def test_notebook_cells_get_diagnostics_hover_and_hints(client: LanguageClient):
    """LSP 3.17 notebook sync: the code cell is a document of its own, at its own positions."""
    sync = client.init_result.capabilities.notebook_document_sync
    assert sync is not None and sync.notebook_selector[0].notebook == "jupyter-notebook"
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=NOTEBOOK,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=types.NotebookCellKind.Markup if lang == "markdown" else types.NotebookCellKind.Code, document=cell_uri(i))
                    for i, (lang, _) in enumerate(CELLS)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(uri=cell_uri(i), language_id=lang, version=1, text=text) for i, (lang, text) in enumerate(CELLS)
            ],
        )
    )
    code = cell_uri(1)
    # Cells are pushed, also to clients that pull the other documents.
    await until(client, lambda: any(d.code == "non-commercial" for d in client.diagnostics.get(code, [])), "the cell's finding")
    err = next(d for d in client.diagnostics[code] if d.code == "non-commercial")
    assert (err.range.start.line, err.range.start.character, err.range.end.character) == (1, 37, 65)
    assert err.message == "non-commercial only: FLUX.1 [dev] Non-Commercial License"

    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=code), position=types.Position(line=1, character=50)))
    assert "FLUX.1 [dev] Non-Commercial License" in hover.contents.value
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=code), range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=2, character=0)))
    )
    # After the closing quote of "black-forest-labs/FLUX.1-dev".
    assert [(h.position.line, h.position.character) for h in hints] == [(1, 66)]

    # An edit in the cell: `dev` becomes `schnell` (Apache-2.0).
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=NOTEBOOK, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=code, version=2),
                            changes=[types.TextDocumentContentChangePartial(range=types.Range(start=types.Position(line=1, character=62), end=types.Position(line=1, character=65)), text="schnell")],
                        )
                    ]
                )
            ),
        )
    )
    await until(client, lambda: not any(d.code == "non-commercial" for d in client.diagnostics.get(code, [])), "the edit's effect")
    assert not any(d.code == "non-commercial" for d in client.diagnostics[code])

    answer = await client.protocol.send_request_async("fineprint/models", None)
    get = lambda o, k: o[k] if isinstance(o, dict) else getattr(o, k)  # noqa: E731
    ids = [get(m, "id") for m in get(answer, "models")]
    assert "black-forest-labs/FLUX.1-schnell" in ids, ids

    client.diagnostics.pop(code, None)  # what follows must be a new publish
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=NOTEBOOK),
            cell_text_documents=[types.TextDocumentIdentifier(uri=cell_uri(i)) for i in range(len(CELLS))],
        )
    )
    await until(client, lambda: code in client.diagnostics, "the cell's diagnostics cleared")
    assert len(client.diagnostics[code]) == 0
