"""How the renderer is laid out (issue 14, item 5): the runtime sandbox knows nothing of authoring an office's
template, the documents split by output behind one package, and the draft drawer is an object, not closures kept in
the runtime's state."""

from __future__ import annotations

import ast
import secrets
from pathlib import Path

from services.renderer import authoring, documents, templating
from services.renderer.handlers import DraftDrawer, make_handlers
from services.renderer.main import create_app
from shared.config import Settings
from tests.support.databases import fresh_database_url

RENDERER = Path(templating.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }


def test_the_runtime_sandbox_holds_no_authoring_vocabulary() -> None:
    for name in ("REQUIRED_FIELDS", "FIELDS", "ATTRIBUTES", "check_docx_template", "template_problems"):
        assert not hasattr(templating, name), name
        assert hasattr(authoring, name), name
    assert "services.renderer.authoring" not in _imports(RENDERER / "templating.py")


def test_each_output_is_its_own_module_and_the_package_keeps_the_old_names() -> None:
    for output in ("charts", "docx", "pdf", "xlsx"):
        assert (RENDERER / "documents" / f"{output}.py").is_file(), output
    assert not (RENDERER / "documents.py").exists()
    for name in ("render_all", "render_docx", "render_pdf", "render_xlsx", "render_disposisi", "REQUIRED_FIELDS"):
        assert hasattr(documents, name), name
    for output in ("charts", "pdf", "xlsx"):  # a format's module does not reach into another format's
        others = {f"services.renderer.documents.{o}" for o in ("docx", "pdf", "xlsx") if o != output}
        assert not _imports(RENDERER / "documents" / f"{output}.py") & others, output


def test_the_draft_drawer_is_an_object_not_closures_in_the_state(tmp_path: Path) -> None:
    with fresh_database_url() as url:
        settings = Settings(data_dir=tmp_path, secret_key=secrets.token_urlsafe(16), database_url=url)
        rt = create_app(settings).state.rt
        make_handlers(rt)
        assert "drafts" not in rt.state
        assert not any(callable(v) or isinstance(v, tuple) for v in rt.state.values())
        assert DraftDrawer(rt).draw_pending() == []  # nothing pending: nothing drawn, nothing given up
