"""Sandboxed, bounded Jinja2: packaged templates/ (fr, en) plus the user's overrides, StrictUndefined.

A user template of the same name (in `templates_dir`, per language or not) wins over the
packaged one. Templates run sandboxed (they can format what rse gives them, nothing else) and
bounded: a time limit, an output-size limit, capped ranges, loops and repetitions, so that a
careless or hostile template fails in a second with its file and line instead of eating the
machine's memory. Every template error is an InputError naming the file and the line.

Values are text, not Markdown: every `{{ value }}` is Markdown-escaped on output, so a display
name, a CSV field, a post excerpt or a --var can never become a link or a heading; only the
template's own Markdown renders (textformat.render turns the escapes back into plain text).
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from rse_cli.errors import InputError
from rse_cli.i18n import _, ngettext

PACKAGED = Path(__file__).parent / "templates"
SUFFIXES = ("", ".md.j2", ".txt.j2", ".html.j2", ".j2")

# Limits of one rendering. A message is at most a few kilobytes (Matrix refuses events over
# 64 KiB); the packaged templates stay far below every limit.
TIME_LIMIT = 2.0  # seconds
MAX_OUTPUT = 100_000  # characters of rendered text
MAX_SIZE = 100_000  # characters or items one operation may build
MAX_RANGE = 10_000  # items of range()
MAX_STEPS = 200_000  # loop iterations, calls and operations together
MAX_POWER_BITS = 4096  # size of an integer `**` may build


class TemplateLimitError(TemplateError):
    """A template went over one of the limits above."""


class _Budget:
    """What is left of one rendering's time and steps (one per render, per thread)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.steps = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(f"too many steps (over {MAX_STEPS:,} loop iterations and operations)")
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering took more than {self.seconds:g} s")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("rse_template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def _sized(value: Any, what: str = "value") -> Any:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) and len(value) > MAX_SIZE:
        raise TemplateLimitError(f"{what} too large ({len(value):,} > {MAX_SIZE:,} characters or items)")
    return value


def _big_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE


def _check_args(args: Iterable[Any], what: str) -> None:
    if any(_big_int(a) for a in args):
        raise TemplateLimitError(f"{what}: a number over {MAX_SIZE:,} as a size or count")


_PERCENT_SPEC = re.compile(r"%[#0\- +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*\}")


def _too_wide(numbers: Iterable[str]) -> bool:
    return any(n and (len(n) > 6 or int(n) > MAX_SIZE) for n in numbers)


def _check_format(spec: str, what: str) -> None:
    """`'%1000000000d' % 1` or `'{:>1000000000}'.format(1)` would allocate before any check."""
    widths = [n for m in _PERCENT_SPEC.finditer(spec) for n in m.groups(default="")]
    widths += [n for m in _BRACE_SPEC.finditer(spec) for n in re.findall(r"\d+", m.group())]
    if _too_wide(widths):
        raise TemplateLimitError(f"{what}: a width over {MAX_SIZE:,}")


def _times(left: Any, right: Any) -> Any:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int):
            if len(seq) * max(n, 0) > MAX_SIZE:
                raise TemplateLimitError(f"repetition too large ({len(seq):,} × {n:,} > {MAX_SIZE:,})")
    return left * right


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if left.bit_length() * right > MAX_POWER_BITS:
            raise TemplateLimitError(f"number too large ({left} ** {right})")
    return left**right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left, "% formatting")
        _check_args(right if isinstance(right, tuple) else (right,), "% formatting")
    return left % right


def _replace_size(text: str, old: str, new: str, count: int = -1) -> None:
    hits = len(text) + 1 if old == "" else text.count(old)
    hits = hits if count is None or count < 0 else min(hits, count)
    if len(text) + hits * len(new) > MAX_SIZE:
        raise TemplateLimitError(f"replace result too large (over {MAX_SIZE:,} characters)")


def _bounded_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateLimitError(f"range of {len(rng):,} items (at most {MAX_RANGE:,})")
    return rng


def _steps(iterable: Any) -> Iterator[Any]:
    """Every `{% for %}` iterates through this (see BoundedEnvironment._parse)."""
    for item in iterable:
        _tick()
        yield item


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    from jinja2.utils import _PassArg

    skip = 0 if _PassArg.from_obj(func) is None else 1  # the context/environment Jinja passes first

    @functools.wraps(func)  # keeps jinja_pass_arg
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        # the filtered value is data; the filter's arguments are sizes, widths, counts
        values = args[skip:]
        _check_args([*values[1:], *kwargs.values()], f"filter {name}")
        if name == "replace" and len(values) >= 3 and all(isinstance(v, str) for v in values[:3]):
            _replace_size(values[0], values[1], values[2], values[3] if len(values) > 3 and isinstance(values[3], int) else -1)
        if name == "format" and values and isinstance(values[0], str):
            _check_format(values[0], "filter format")
        return _sized(func(*args, **kwargs), f"result of filter {name}")

    return guarded


# what can make Markdown markup anywhere in a line: links, emphasis, code, autolinks, raw HTML,
# images, entities, headings; and what does so only at the start of a line (lists, rules, setext)
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]()<>&])")
_MARKDOWN_LINE_START = re.compile(r"(^|\n)([ \t]*)([-+=#~]|\d+[.)])")


def markdown_escape(value: Any) -> str:
    """The value as literal text in Markdown. CommonMark reads a backslash-escaped punctuation
    character as itself everywhere, link destinations included, so an rse link still works
    where the template puts it in `(…)`; textformat.plain removes the escapes for plain text.
    (Inside a code span escapes show as typed: templates put values outside backticks.)"""
    if value is None:
        return ""
    text = _MARKDOWN_INLINE.sub(r"\\\1", str(value))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + m.group(2) + m.group(3)[:-1] + "\\" + m.group(3)[-1], text)


class _Bound(NodeTransformer):
    """Every loop iterates through `rse_steps`; every `~` result goes through `rse_sized`
    (neither passes through the sandbox's call or binop hooks)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "rse_steps", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "rse_sized", [], [], None, None, lineno=node.lineno)


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, plus limits on what one rendering may cost."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//", "/"})
    _binops: dict[str, Callable[[Any, Any], Any]] = {"*": _times, "**": _power, "%": _modulo}

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)  # lipsum(n=10**9): text out of nothing
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["rse_steps"] = _steps
        self.filters["rse_sized"] = lambda value: _sized(value, "result of '~'")

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree: nodes.Template = _Bound().visit(super()._parse(source, name, filename))
        return tree

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        _tick()
        op = self._binops.get(operator_) or self.binop_table[operator_]
        return _sized(op(left, right), f"result of {operator_!r}")

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return _sized(super().getattr(obj, attribute), f"attribute {attribute}")

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return _sized(super().getitem(obj, argument), "item")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format(value.__self__, "format")

        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_args([*args, *kwargs.values()], "format")
            result: str = _sized(wrapped(*args, **kwargs), "result of format")
            return result

        return bounded

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple)):  # 'x'.center(10**9), 'x'.zfill(…), big.join(…)
            name = getattr(__obj, "__name__", "")
            _check_args([*args, *kwargs.values()], f"{name}()")
            if name == "replace" and len(args) >= 2 and isinstance(owner, str):
                _replace_size(owner, str(args[0]), str(args[1]), args[2] if len(args) > 2 else -1)
            if name == "join" and isinstance(owner, str) and args and isinstance(args[0], (list, tuple)):
                if len(owner) * len(args[0]) > MAX_SIZE:
                    raise TemplateLimitError(f"join result too large (over {MAX_SIZE:,} characters)")
        return _sized(super().call(__context, __obj, *args, **kwargs), "result of a call")


class Templates:
    def __init__(self, user_dir: Path | None = None, lang: str = "fr", *, time_limit: float = TIME_LIMIT) -> None:
        from jinja2 import StrictUndefined

        self.lang = lang
        self.time_limit = time_limit
        self.roots = [p for p in (user_dir, PACKAGED) if p is not None]
        self.env = BoundedEnvironment(
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            finalize=markdown_escape,
        )
        self.env.filters["first_name"] = _guard_filter("first_name", lambda name: (name or "").split(" ")[0])
        self._compiled: dict[tuple[Path, int], Any] = {}

    def find(self, name: str, lang: str | None = None) -> Path:
        lang = lang or self.lang
        candidates = [f"{lang}/{name}{sfx}" for sfx in SUFFIXES] + [f"{name}{sfx}" for sfx in SUFFIXES]
        for root in self.roots:
            for rel in candidates:
                path = root / rel
                try:
                    if path.is_file():
                        return path
                except (OSError, ValueError):  # a name with a NUL byte or too long for the file system
                    break
        known = sorted({p.name.split(".")[0] for r in self.roots for p in (r / lang).glob("*.j2")} if self.roots else set())
        raise InputError(
            _("no template named '{name}' for language '{lang}'").format(name=name, lang=lang),
            hint=_("available: {names}").format(names=", ".join(known) or _("none")),
        )

    def _compile(self, path: Path) -> Any:
        from jinja2 import TemplateSyntaxError

        try:
            stamp = path.stat().st_mtime_ns
            if (path, stamp) in self._compiled:
                return self._compiled[(path, stamp)]
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(_("{path}: not UTF-8 text (byte {byte})").format(path=path, byte=exc.start)) from None
        except OSError as exc:
            raise InputError(_("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror or exc)) from None
        try:
            template = self.env.from_string(source)
        except TemplateSyntaxError as exc:
            raise InputError(
                _("{path}:{line}: template error: {message}").format(path=path, line=exc.lineno, message=exc.message)
            ) from None
        except (RecursionError, MemoryError, ValueError, OverflowError):  # pathological nesting
            raise InputError(_("{path}: template error: too deeply nested to compile").format(path=path)) from None
        self._compiled[(path, stamp)] = template  # compiled once per run (precheck, then each message)
        return template

    def check(self, name: str, lang: str | None = None) -> Path:
        """Find and compile a template, so errors surface before anything is sent."""
        path = self.find(name, lang)
        self._compile(path)
        return path

    def render(self, name: str, context: Mapping[str, Any], lang: str | None = None) -> str:
        """Render within the limits; every failure is an InputError `file:line: message`."""
        from jinja2.exceptions import SecurityError, UndefinedError

        path = self.find(name, lang)
        template = self._compile(path)
        token = _budget.set(_Budget(self.time_limit))
        try:
            size = 0
            parts = []
            for chunk in template.generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise TemplateLimitError(f"output too long (over {MAX_OUTPUT:,} characters)")
                parts.append(chunk)
            return "".join(parts).strip() + "\n"
        except UndefinedError as exc:
            raise InputError(
                f"{path}:{_line(exc)}: {exc.message}",
                hint=_("variables available: {names}").format(names=", ".join(sorted(context))),
            ) from None
        except SecurityError as exc:
            raise InputError(
                _("{path}:{line}: not allowed in a template: {what}").format(path=path, line=_line(exc), what=exc)
            ) from None
        except TemplateLimitError as exc:
            raise InputError(
                _("{path}:{line}: template over its limits: {what}").format(path=path, line=_line(exc), what=exc.message),
                hint=_("a message template formats a few values; loops and repetitions stay small"),
            ) from None
        except RecursionError as exc:
            raise InputError(_("{path}:{line}: template error: recursion too deep").format(path=path, line=_line(exc))) from None
        except Exception as exc:  # anything a template expression raises (TypeError, ZeroDivisionError, OverflowError…)
            raise InputError(
                _("{path}:{line}: template error: {what}").format(
                    path=path, line=_line(exc), what=f"{type(exc).__name__}: {_short(exc)}"
                )
            ) from None
        finally:
            _budget.reset(token)

    def precheck(self, jobs: Iterable[tuple[str, Mapping[str, Any], str | None]]) -> None:
        """Render every (template, context, lang) a job will use, before its first write.

        Raises one InputError listing every distinct problem (`file:line: message`); a template
        that failed once is not rendered again. Contexts should hold representative values: each
        list the template loops over with at least one item."""
        problems: list[str] = []
        hints: list[str] = []
        failed: set[tuple[str, str | None]] = set()
        for name, context, lang in jobs:
            if (name, lang) in failed:
                continue
            try:
                self.render(name, context, lang)
            except InputError as exc:
                failed.add((name, lang))
                if exc.message not in problems:
                    problems.append(exc.message)
                    if exc.hint and exc.hint not in hints:
                        hints.append(exc.hint)
        if len(problems) == 1:
            raise InputError(problems[0], hint="; ".join(hints) or None)
        if problems:
            listing = "\n".join(f"  {p}" for p in problems)
            raise InputError(
                ngettext(
                    "{n} template problem, nothing was sent:", "{n} template problems, nothing was sent:", len(problems)
                ).format(n=len(problems))
                + "\n"
                + listing,
                hint="; ".join(hints) or None,
            )


def _short(exc: BaseException, n: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= n else text[: n - 1] + "…"


def _line(exc: BaseException) -> str:
    """The template line of a render-time error, read from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line
