"""Sandboxed Jinja2: packaged templates/ (fr, en) plus the user's overrides, StrictUndefined.

A user template of the same name (in `templates_dir`, per language or not) wins over the
packaged one. Templates run sandboxed: they can format what rse gives them, nothing else.
Every template error names the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rse_cli.errors import InputError

PACKAGED = Path(__file__).parent / "templates"
SUFFIXES = ("", ".md.j2", ".txt.j2", ".html.j2", ".j2")


class Templates:
    def __init__(self, user_dir: Path | None = None, lang: str = "fr") -> None:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.lang = lang
        self.roots = [p for p in (user_dir, PACKAGED) if p is not None]
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                        lstrip_blocks=True, keep_trailing_newline=False)
        self.env.filters["first_name"] = lambda name: (name or "").split(" ")[0]

    def find(self, name: str, lang: str | None = None) -> Path:
        lang = lang or self.lang
        candidates = [f"{lang}/{name}{sfx}" for sfx in SUFFIXES] + [f"{name}{sfx}" for sfx in SUFFIXES]
        for root in self.roots:
            for rel in candidates:
                path = root / rel
                if path.is_file():
                    return path
        known = sorted({p.name.split(".")[0] for r in self.roots for p in (r / lang).glob("*.j2")} if self.roots else set())
        raise InputError(f"no template named {name!r} for language {lang!r}", hint=f"available: {', '.join(known) or 'none'}")

    def _compile(self, path: Path):
        from jinja2 import TemplateSyntaxError

        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None
        try:
            return self.env.from_string(source)
        except TemplateSyntaxError as exc:
            raise InputError(f"{path}:{exc.lineno}: template error: {exc.message}") from None

    def check(self, name: str, lang: str | None = None) -> Path:
        """Find and compile a template, so errors surface before anything is sent."""
        path = self.find(name, lang)
        self._compile(path)
        return path

    def render(self, name: str, context: dict[str, Any], lang: str | None = None) -> str:
        from jinja2 import TemplateError, UndefinedError
        from jinja2.sandbox import SecurityError

        path = self.find(name, lang)
        template = self._compile(path)
        try:
            return template.render(**context).strip() + "\n"
        except UndefinedError as exc:
            raise InputError(f"{path}:{_line(exc)}: {exc.message}", hint=f"variables available: {', '.join(sorted(context))}") from None
        except SecurityError as exc:
            raise InputError(f"{path}:{_line(exc)}: not allowed in a template: {exc}") from None
        except TemplateError as exc:
            raise InputError(f"{path}:{_line(exc)}: template error: {exc}") from None


def _line(exc: BaseException) -> str:
    """The template line of a render-time error, read from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line
