"""What a template may do while it renders. Every template the renderer fills (the bundled HTML, the bundled and
the office's own .docx) runs in Jinja2's immutable sandbox: no attribute starting with `_`, no unsafe callable,
nothing changed in place, no `**`, and the .docx templates see only the view-model (no Jinja globals such as
`cycler` or `range`). What an office's own template may contain before it is stored is authoring.py's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup


def css_string(value: Any) -> Markup:
    """A quoted CSS string (for `content:` in a <style>): HTML escaping means nothing inside <style>, where
    "&lt;" would print as such, so every character that could end the string or the element is a CSS escape."""
    out = []
    for ch in str(value):
        out.append(ch if ch.isalnum() or ch in " .,:;()/-–—%" else f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


MAX_RENDERED_CHARS = 64 * 1024 * 1024  # one template's output; the 40×300 office's LKIP body is a few MB


class OutputTooLarge(SecurityError):
    """A template wrote more than MAX_RENDERED_CHARS: stopped while it writes, not after."""


def bounded_concat(pieces: Iterable[str]) -> str:
    """`Environment.concat` with a bound: Template.render joins what the compiled template yields, piece by piece
    (loops and conditions are inline in that generator), so counting here stops a template that writes without
    end — two nested loops over a text with its name 200 times wrote 18.7 MB from a 36 KB template (outsider
    check) — before its output is in memory."""
    out: list[str] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_RENDERED_CHARS:
            raise OutputTooLarge(f"the template writes more than {MAX_RENDERED_CHARS:,} characters")
        out.append(piece)
    return "".join(out)


class Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `**` refused (`9**9**9` would keep a renderer busy for ever), its output bounded
    (`bounded_concat`) and the renderer's filters."""

    intercepted_binops = frozenset({"**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters["css_string"] = css_string
        self.concat = bounded_concat  # type: ignore[method-assign]

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            raise SecurityError("the ** operator is not allowed in a template")
        return super().call_binop(context, operator_, left, right)


def docx_env() -> Sandbox:
    """For docxtpl's `jinja_env`: autoescaped (< > & in unit data stay text), the view-model and nothing else."""
    env = Sandbox(autoescape=True)
    env.globals.clear()
    return env
