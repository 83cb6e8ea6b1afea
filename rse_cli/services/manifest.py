"""The onboarding manifest (TOML): communities to open and who belongs in them.

See templates/communities.example.toml for a commented example. Every problem is collected
with its file and line; nothing here touches the network.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rse_cli.domain import Picture, Role
from rse_cli.i18n import N_, _, ngettext
from rse_cli.services.people_csv import MAX_FIELD, MAX_NAME, PeopleFile, PersonRow, Problem, read_people, value_problem

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing, Capabilities

COMMUNITY_KEYS = {
    "name",
    "alias",
    "topic",
    "avatar",
    "rooms",
    "animators",
    "moderators",
    "members",
    "members_where",
    "join",
    "welcome_post",
    "welcome_dm",
    "welcome_in",
    "lang",
}
WELCOME_IN = ("dm", "community")  # a private message, or a post in the community that mentions the person
PEOPLE_KEYS = {"csv", "columns"}
ALIAS = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class CommunitySpec:
    name: str
    alias: str
    line: int
    topic: str | None = None
    avatar: Picture | None = None
    rooms: list[str] = field(default_factory=list)  # load() gives ["Général"] when the key is absent on a network of rooms
    animators: list[PersonRow] = field(default_factory=list)
    moderators: list[PersonRow] = field(default_factory=list)
    members: list[PersonRow] = field(default_factory=list)
    join: bool = False
    welcome_post: str | None = None
    welcome_dm: str | None = "welcome"  # template name; None: no welcome message
    welcome_in: str = "dm"  # "dm": a private message; "community": a post in the community mentioning the person
    lang: str | None = None


@dataclass
class Manifest:
    path: Path
    communities: list[CommunitySpec]
    people: PeopleFile | None
    problems: list[Problem]


class _Lines:
    """Finds the line of a key inside the n-th [[community]] table (tomllib gives no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables = [i + 1 for i, ln in enumerate(self.lines) if re.match(r"^\s*\[\[\s*community\s*\]\]", ln)]
        self.people = next((i + 1 for i, ln in enumerate(self.lines) if re.match(r"^\s*\[\s*people\s*\]", ln)), 1)
        self.headers = [i + 1 for i, ln in enumerate(self.lines) if re.match(r"^\s*\[", ln)]

    def _key(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|^\s*\[\s*(community|people)\.{re.escape(key)}\s*\]")
        for n in range(start, min(end, len(self.lines) + 1)):
            if pattern.match(self.lines[n - 1]):
                return n
        return None

    def top(self, key: str) -> int:
        """A key outside any table (before the first header), or its own [table] header."""
        first = self.headers[0] if self.headers else len(self.lines) + 1
        found = self._key(key, 1, first)
        if found:
            return found
        header = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*\]+")
        return next((n for n, ln in enumerate(self.lines, 1) if header.match(ln)), 1)

    def in_people(self, key: str) -> int:
        end = next((h for h in self.headers if h > self.people), len(self.lines) + 1)
        return self._key(key, self.people, end) or self.people

    def of(self, index: int, key: str | None = None) -> int:
        start = self.tables[index] if index < len(self.tables) else 1
        if key is None:
            return start
        end = self.tables[index + 1] if index + 1 < len(self.tables) else len(self.lines) + 1
        return self._key(key, start, end) or start

    def value(self, index: int, key: str, value: str, nth: int = 0) -> int:
        """The line where `value` appears (the nth time) in the key's (possibly multi-line) array."""
        start = self.of(index, key)
        end = self.tables[index + 1] if index + 1 < len(self.tables) else len(self.lines) + 1
        for n in range(start, end):
            line = self.lines[n - 1]
            nth -= line.count(f'"{value}"') + line.count(f"'{value}'")
            if nth < 0:
                return n
        return start


_TOML_TYPES = (
    (bool, N_("boolean")),
    (int, N_("integer")),
    (float, N_("float")),
    (str, N_("string")),
    (list, N_("array")),
    (dict, N_("table")),
)


def _got(value: object) -> str:
    """How a wrong value is shown back: its TOML type and a short rendering of it."""
    kind = _(next((name for t, name in _TOML_TYPES if isinstance(value, t)), type(value).__name__))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return _("string {value}").format(value=repr(shown))
    if isinstance(value, list):
        return ngettext("array of {n}", "array of {n}", len(value)).format(n=len(value)) if value else _("empty array")
    if isinstance(value, dict):
        return ngettext("table of {n}", "table of {n}", len(value)).format(n=len(value)) if value else _("empty table")
    shown = repr(value)
    return f"{kind} {shown if len(shown) <= 40 else shown[:39] + '…'}"


def _expected(problems: list[Problem], file: str, line: int, key: str, what: str, value: object) -> None:
    problems.append(
        Problem(
            file, line, _("{key}: expected {what}, got {value}").format(key=key, what=what, value=_got(value)), skippable=False
        )
    )


def _text(
    raw: object,
    key: str,
    problems: list[Problem],
    file: str,
    line: int,
    *,
    limit: int,
    required: bool = False,
    single_line: bool = True,
) -> str | None:
    """A string value within its bounds, else None with a problem recorded."""
    if raw is None and not required:
        return None
    if not isinstance(raw, str) or (required and not raw.strip()):
        _expected(problems, file, line, key, _("a non-empty string") if required else _("a string"), raw)
        return None
    why = value_problem(raw, limit=limit, single_line=single_line)
    if why:
        problems.append(Problem(file, line, f"{key}: {why}", skippable=False))
        return None
    return raw


def _str_list(raw: object, where: str, problems: list[Problem], file: str, line: int, limit: int = MAX_FIELD) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        _expected(
            problems,
            file,
            line,
            where,
            _("a list of strings"),
            raw if not isinstance(raw, list) else next(x for x in raw if not isinstance(x, str)),
        )
        return []
    out = []
    for x in raw:
        why = value_problem(x, limit=limit, single_line=True)
        if why:
            problems.append(Problem(file, line, f"{where}: {why}", skippable=False))
        elif x.strip():
            out.append(x.strip())
    return out


MAX_PICTURE_BYTES = 5 * 1024 * 1024
MAX_TOPIC = 1_000
MAX_POST = 20_000  # a welcome post (Matrix refuses events over 64 KiB)
LANGS = ("fr", "en")
TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _image_type(data: bytes) -> str | None:
    """The image's type from its first bytes (the file name may lie)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def _picture(
    raw: object, base: Path, problems: list[Problem], file: str, line: int, addressing: Addressing | None
) -> Picture | None:
    """`avatar`: a picture already on the network (its own syntax, e.g. mxc://), or an image file
    (relative to the manifest)."""
    import hashlib

    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        _expected(problems, file, line, "avatar", _("an image file's path or a picture reference"), raw)
        return None
    why = value_problem(raw, limit=MAX_FIELD, single_line=True)
    if why:
        problems.append(Problem(file, line, f"avatar: {why}", skippable=False))
        return None
    raw = raw.strip()
    if addressing is not None and addressing.is_picture_ref(raw):
        why = addressing.picture_problem(raw)
        if why:
            problems.append(Problem(file, line, f"avatar {why}", skippable=False))
            return None
        return Picture(source=raw, url=raw)
    where = Path(raw).expanduser()
    where = where if where.is_absolute() else base / where
    try:
        data = where.read_bytes()
    except (OSError, ValueError) as exc:
        problems.append(
            Problem(
                file,
                line,
                _("avatar {value}: cannot read {file}: {why}").format(
                    value=repr(raw), file=where, why=getattr(exc, "strerror", None) or exc
                ),
                skippable=False,
            )
        )
        return None
    kind = _image_type(data)
    if kind is None:
        problems.append(
            Problem(
                file, line, _("avatar {value} is not a PNG, JPEG, GIF or WebP image").format(value=repr(raw)), skippable=False
            )
        )
        return None
    if len(data) > MAX_PICTURE_BYTES:
        problems.append(
            Problem(
                file,
                line,
                _("avatar {value} weighs {size} MB; keep it under {limit} MB (a 512×512 picture is plenty)").format(
                    value=repr(raw), size=f"{len(data) / 1048576:.1f}", limit=MAX_PICTURE_BYTES // 1048576
                ),
                skippable=False,
            )
        )
        return None
    return Picture(source=str(where), data=data, mimetype=kind, sha256=hashlib.sha256(data).hexdigest())


def _people(
    data: dict[str, Any], path: Path, lines: _Lines, problems: list[Problem], addressing: Addressing | None
) -> PeopleFile | None:
    """The [people] table: `csv` (a path relative to the manifest) and `columns` (field = column)."""
    file = str(path)
    cfg = data.get("people")
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        _expected(problems, file, lines.top("people"), "people", _('a [people] table (csv = "hr.csv")'), cfg)
        return None
    for key in sorted(set(cfg) - PEOPLE_KEYS):
        problems.append(
            Problem(
                file,
                lines.in_people(key),
                _("unknown key {key} in [people] (expected: {keys})").format(key=repr(key), keys=", ".join(sorted(PEOPLE_KEYS)))
                + _near(key, PEOPLE_KEYS),
                skippable=False,
            )
        )
    columns = cfg.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        bad = columns if not isinstance(columns, dict) else next(v for v in columns.values() if not isinstance(v, str))
        _expected(problems, file, lines.in_people("columns"), "columns", _('a table of field = "column name"'), bad)
        columns = {}
    csv_name = _text(cfg.get("csv"), "csv", problems, file, lines.in_people("csv"), limit=MAX_FIELD, required="csv" in cfg)
    if not csv_name:
        return None
    csv_path = Path(csv_name) if Path(csv_name).is_absolute() else (path.parent / csv_name).resolve()
    people = read_people(csv_path, columns, addressing=addressing)
    for p in people.problems:  # a file-level problem (missing, unreadable) points at the manifest's line
        problems.append(p if p.line else Problem(file, lines.in_people("csv"), f"csv: {csv_path}: {p.message}", skippable=False))
    return people


def load(path: Path, *, addressing: Addressing | None = None, capabilities: Capabilities | None = None) -> Manifest:
    """Read and check the manifest: every problem at once, with its file and line, typed strictly
    (no truthy strings for booleans, no numbers for strings). `addressing` is the network's syntax
    of ids, aliases and picture references, checked here without any request; `capabilities` what the
    network can hold (rooms, a moderator role, private messages): a key it cannot honour is a
    problem here, before any write, never an error half-way through `apply`."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Manifest(path, [], None, [Problem(file, None, _("no such file"), skippable=False)])
    except UnicodeDecodeError:
        return Manifest(path, [], None, [Problem(file, None, _("not UTF-8 text"), skippable=False)])
    except OSError as exc:
        return Manifest(
            path, [], None, [Problem(file, None, _("cannot read: {why}").format(why=exc.strerror or exc), skippable=False)]
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        return Manifest(
            path,
            [],
            None,
            [Problem(file, int(m.group(1)) if m else None, _("invalid TOML: {why}").format(why=exc), skippable=False)],
        )
    lines = _Lines(text)
    problems: list[Problem] = []
    for key in sorted(set(data) - {"people", "community"}):
        problems.append(
            Problem(
                file,
                lines.top(key),
                _("unknown key {key} (expected [people] and [[community]] tables)").format(key=repr(key)),
                skippable=False,
            )
        )

    people = _people(data, path, lines, problems, addressing)
    by_ref = {r.ref.casefold(): r for r in people.rows} if people else {}

    specs: list[CommunitySpec] = []
    raw_communities = data.get("community")
    if raw_communities is None or raw_communities == []:
        problems.append(Problem(file, 1, _("no [[community]] table: nothing to onboard"), skippable=False))
        raw_communities = []
    elif not isinstance(raw_communities, list) or not all(isinstance(r, dict) for r in raw_communities):
        bad = (
            raw_communities
            if not isinstance(raw_communities, list)
            else next(r for r in raw_communities if not isinstance(r, dict))
        )
        _expected(problems, file, lines.top("community"), "community", _("[[community]] tables"), bad)
        raw_communities = []
    aliases: dict[str, int] = {}
    for i, raw in enumerate(raw_communities):
        line = lines.of(i)
        for key in sorted(set(raw) - COMMUNITY_KEYS):
            problems.append(
                Problem(
                    file,
                    lines.of(i, key),
                    _("unknown key {key} in [[community]] (expected: {keys})").format(
                        key=repr(key), keys=", ".join(sorted(COMMUNITY_KEYS))
                    )
                    + _near(key, COMMUNITY_KEYS),
                    skippable=False,
                )
            )
        before = len(problems)
        name = _text(raw.get("name"), "name", problems, file, lines.of(i, "name"), limit=MAX_NAME, required=True)
        alias = raw.get("alias")
        if not isinstance(alias, str) or not ALIAS.match(_bare(alias, addressing)) or len(alias) > MAX_NAME:
            what = _("community {name}").format(name=repr(name)) if name else _("a community")
            message = _("alias: {what} needs an alias of lowercase letters, digits, '-', '.' or '_'").format(what=what)
            if alias is not None:
                message = _("{problem}, got {value}").format(problem=message, value=_got(alias))
            problems.append(Problem(file, lines.of(i, "alias"), message, skippable=False))
        if name is None or len(problems) > before:
            continue
        alias = _bare(alias, addressing)
        if alias in aliases:
            problems.append(
                Problem(
                    file,
                    lines.of(i, "alias"),
                    _("duplicate alias {alias} (already on line {line})").format(alias=repr(alias), line=aliases[alias]),
                    skippable=False,
                )
            )
            continue
        aliases[alias] = lines.of(i, "alias")
        topic = _text(raw.get("topic"), "topic", problems, file, lines.of(i, "topic"), limit=MAX_TOPIC, single_line=False)
        join = raw.get("join", False)
        if not isinstance(join, bool):  # "no" would be truthy: force-joining people who were only to be invited
            _expected(problems, file, lines.of(i, "join"), "join", _("true or false"), join)
            join = False
        welcome_post = _text(
            raw.get("welcome_post"),
            "welcome_post",
            problems,
            file,
            lines.of(i, "welcome_post"),
            limit=MAX_POST,
            single_line=False,
        )
        welcome_dm = raw.get("welcome_dm", "welcome")
        if welcome_dm is not False and not (isinstance(welcome_dm, str) and TEMPLATE_NAME.match(welcome_dm)):
            _expected(
                problems,
                file,
                lines.of(i, "welcome_dm"),
                "welcome_dm",
                _('a template name (such as "welcome") or false for no welcome message'),
                welcome_dm,
            )
            welcome_dm = False
        welcome_in = raw.get("welcome_in", "dm")
        if welcome_in not in WELCOME_IN:
            _expected(
                problems,
                file,
                lines.of(i, "welcome_in"),
                "welcome_in",
                _("{a} or {b}").format(a='"dm"', b='"community"'),
                welcome_in,
            )
            welcome_in = "dm"
        lang = raw.get("lang")
        if lang is not None and lang not in LANGS:
            _expected(problems, file, lines.of(i, "lang"), "lang", _("{a} or {b}").format(a='"fr"', b='"en"'), lang)
            lang = None
        spec = CommunitySpec(
            name=name.strip(),
            alias=alias,
            line=line,
            topic=(topic or "").strip() or None,
            avatar=_picture(raw.get("avatar"), path.parent, problems, file, lines.of(i, "avatar"), addressing),
            join=join,
            welcome_post=welcome_post if (welcome_post or "").strip() else None,
            welcome_dm=welcome_dm or None,
            welcome_in=welcome_in,
            lang=lang,
        )
        feed = capabilities is not None and capabilities.structure.value == "feed"
        # no `rooms` key: one room, Général (none where a community is one feed); `rooms = []`: the community alone
        spec.rooms = (
            _str_list(raw.get("rooms"), "rooms", problems, file, lines.of(i, "rooms"), limit=MAX_NAME)
            if "rooms" in raw
            else []
            if feed
            else ["Général"]
        )
        if capabilities is not None:
            _check_capabilities(spec, raw, capabilities, problems, file, lines, i)

        def inline(key: str) -> list[PersonRow]:
            out: list[PersonRow] = []
            seen: dict[str, int] = {}
            for ref in _str_list(raw.get(key), key, problems, file, lines.of(i, key)):
                seen[ref] = seen.get(ref, -1) + 1
                where = lines.value(i, key, ref, seen[ref])
                why = addressing.person_problem(ref) if addressing is not None else None
                if why:
                    problems.append(Problem(file, where, f"{key}: {why}", skippable=False))
                    continue
                row = by_ref.get(ref.casefold())
                out.append(
                    PersonRow(ref=ref, file=file, line=where, values=row.values if row else {}, fields=row.fields if row else {})
                )
            return out

        spec.animators, spec.moderators = inline("animators"), inline("moderators")
        members = inline("members")
        where_filter = raw.get("members_where")
        if where_filter is not None:
            wline = lines.of(i, "members_where")
            wanted = _filter(where_filter, problems, file, wline)
            if wanted is not None and people is None:
                problems.append(
                    Problem(file, wline, _('members_where needs a people CSV: add [people] csv = "…"'), skippable=False)
                )
            elif wanted is not None and people is not None and people.header:  # an unreadable CSV is reported once
                bad = [c for c in wanted if c not in people.header]
                for col in bad:
                    problems.append(
                        Problem(
                            file,
                            wline,
                            _("unknown column {column} in members_where; columns of {file}: {columns}").format(
                                column=repr(col), file=people.path.name, columns=", ".join(people.header)
                            )
                            + _near(col, people.header),
                            skippable=False,
                        )
                    )
                if not bad:
                    members += [r for r in people.rows if all(r.values.get(c, "").casefold() in vs for c, vs in wanted.items())]
        seen: dict[str, PersonRow] = {}
        for row in members:
            key = row.ref.casefold()
            if key in seen:
                if seen[key].file == row.file and row.file == file:
                    problems.append(
                        Problem(
                            file,
                            row.line,
                            _("duplicate person {person} in {community} (already on line {line})").format(
                                person=row.ref, community=name, line=seen[key].line
                            ),
                        )
                    )
                continue  # inline and CSV selecting the same person: one membership
            seen[key] = row
        spec.members = list(seen.values())
        specs.append(spec)
    problems.sort(key=lambda p: (p.file != file, p.file, p.line or 0))  # the manifest's own first, in file order
    return Manifest(path, specs, people, problems)


def _check_capabilities(
    spec: CommunitySpec, raw: dict[str, Any], caps: Capabilities, problems: list[Problem], file: str, lines: _Lines, i: int
) -> None:
    """What this community asks that the network cannot express, each naming its key."""
    if spec.rooms and caps.structure.value == "feed":
        problems.append(
            Problem(
                file, lines.of(i, "rooms"), _("rooms: this network has one feed per community: remove `rooms`"), skippable=False
            )
        )
        spec.rooms = []
    if raw.get("moderators") and Role.moderator not in caps.roles:
        problems.append(
            Problem(
                file,
                lines.of(i, "moderators"),
                _("moderators: this network has no moderator role: list these people under `animators`, or remove `moderators`"),
                skippable=False,
            )
        )
    if spec.welcome_dm and spec.welcome_in == "dm" and not caps.direct_messages:
        line = lines.of(i, "welcome_dm") if "welcome_dm" in raw else lines.of(i)
        problems.append(
            Problem(
                file,
                line,
                _(
                    'welcome_dm: this network has no private messages: add welcome_in = "community" '
                    "(a post in the community that mentions each newcomer), or welcome_dm = false"
                ),
                skippable=False,
            )
        )


def _near(word: str, known: Iterable[str]) -> str:
    """' (did you mean `x`?)' for a close match among the known names, else ''."""
    near = difflib.get_close_matches(word, list(known), n=1)
    return _(" (did you mean `{name}`?)").format(name=near[0]) if near else ""


def _bare(alias: str, addressing: Addressing | None) -> str:
    """The alias as rse creates it: the network removes its own syntax, if any (Matrix:
    `#ventes:server` -> `ventes`). Without a network to ask, it is taken as written."""
    return addressing.bare_alias(alias) if addressing is not None else alias


def _filter(raw: object, problems: list[Problem], file: str, line: int) -> dict[str, set[str]] | None:
    """members_where: column = "value" or ["values"], compared casefolded."""
    if not isinstance(raw, dict):
        _expected(problems, file, line, "members_where", _('a table of column = "value" or ["values"]'), raw)
        return None
    wanted: dict[str, set[str]] = {}
    for col, want in raw.items():
        values = [want] if isinstance(want, str) else want
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            _expected(problems, file, line, f"members_where.{col}", _("a string or a list of strings"), want)
            continue
        wanted[col] = {v.casefold() for v in values}
    return wanted if len(wanted) == len(raw) else None
