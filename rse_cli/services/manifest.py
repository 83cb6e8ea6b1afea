"""The onboarding manifest (TOML): communities to open and who belongs in them.

See templates/communities.example.toml for a commented example. Every problem is collected
with its file and line; nothing here touches the network.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rse_cli.domain import Picture
from rse_cli.services.people_csv import PeopleFile, PersonRow, Problem, read_people

COMMUNITY_KEYS = {"name", "alias", "topic", "avatar", "rooms", "animators", "moderators", "members", "members_where",
                  "join", "welcome_post", "welcome_dm", "lang"}
PEOPLE_KEYS = {"csv", "columns"}
ALIAS = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class CommunitySpec:
    name: str
    alias: str
    line: int
    topic: str | None = None
    avatar: Picture | None = None
    rooms: list[str] = field(default_factory=lambda: ["Général"])
    animators: list[PersonRow] = field(default_factory=list)
    moderators: list[PersonRow] = field(default_factory=list)
    members: list[PersonRow] = field(default_factory=list)
    join: bool = False
    welcome_post: str | None = None
    welcome_dm: str | None = "welcome"  # template name; None: no welcome direct message
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

    def of(self, index: int, key: str | None = None) -> int:
        start = self.tables[index] if index < len(self.tables) else 1
        if key is None:
            return start
        end = self.tables[index + 1] if index + 1 < len(self.tables) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|^\s*\[\s*community\.{re.escape(key)}\s*\]")
        for n in range(start, end):
            if pattern.match(self.lines[n - 1]):
                return n
        return start

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


def _str_list(raw, where: str, problems: list[Problem], file: str, line: int) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(Problem(file, line, f"{where} must be a list of strings", skippable=False))
        return []
    return [x.strip() for x in raw if x.strip()]


MAX_PICTURE_BYTES = 5 * 1024 * 1024
MXC = re.compile(r"^mxc://[A-Za-z0-9.:\[\]-]+/[A-Za-z0-9_-]+$")
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def _image_type(data: bytes) -> str | None:
    """The image's type from its first bytes (the file name may lie)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def _picture(raw, base: Path, problems: list[Problem], file: str, line: int) -> Picture | None:
    """`avatar`: an mxc:// URL already on the server, or an image file (relative to the manifest)."""
    import hashlib

    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        problems.append(Problem(file, line, "avatar must be an image file's path or an mxc:// URL", skippable=False))
        return None
    raw = raw.strip()
    if raw.startswith("mxc://"):
        if not MXC.match(raw):
            problems.append(Problem(file, line, f"avatar {raw!r} is not a valid mxc:// URL (mxc://server/media-id)", skippable=False))
            return None
        return Picture(source=raw, url=raw)
    where = Path(raw).expanduser()
    where = where if where.is_absolute() else base / where
    try:
        data = where.read_bytes()
    except OSError as exc:
        problems.append(Problem(file, line, f"avatar {raw!r}: cannot read {where}: {exc.strerror or exc}", skippable=False))
        return None
    kind = _image_type(data)
    if kind is None:
        problems.append(Problem(file, line, f"avatar {raw!r} is not a PNG, JPEG, GIF or WebP image", skippable=False))
        return None
    if len(data) > MAX_PICTURE_BYTES:
        problems.append(Problem(file, line, f"avatar {raw!r} weighs {len(data) / 1048576:.1f} MB; keep it under "
                                            f"{MAX_PICTURE_BYTES // 1048576} MB (a 512×512 picture is plenty)", skippable=False))
        return None
    return Picture(source=str(where), data=data, mimetype=kind, sha256=hashlib.sha256(data).hexdigest())


def load(path: Path) -> Manifest:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Manifest(path, [], None, [Problem(file, None, "no such file", skippable=False)])
    except UnicodeDecodeError:
        return Manifest(path, [], None, [Problem(file, None, "not UTF-8 text", skippable=False)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        return Manifest(path, [], None, [Problem(file, int(m.group(1)) if m else None, f"invalid TOML: {exc}", skippable=False)])
    lines = _Lines(text)
    problems: list[Problem] = []
    for key in sorted(set(data) - {"people", "community"}):
        problems.append(Problem(file, 1, f"unknown key {key!r} (expected [people] and [[community]] tables)", skippable=False))

    people: PeopleFile | None = None
    people_cfg = data.get("people") or {}
    for key in sorted(set(people_cfg) - PEOPLE_KEYS):
        problems.append(Problem(file, lines.people, f"unknown key {key!r} in [people] (expected: {', '.join(sorted(PEOPLE_KEYS))})", skippable=False))
    if people_cfg.get("csv"):
        csv_path = (path.parent / people_cfg["csv"]).resolve() if not Path(people_cfg["csv"]).is_absolute() else Path(people_cfg["csv"])
        people = read_people(csv_path, people_cfg.get("columns") or {})
        problems += people.problems
    by_ref = {r.ref.casefold(): r for r in people.rows} if people else {}

    specs: list[CommunitySpec] = []
    raw_communities = data.get("community") or []
    if not isinstance(raw_communities, list) or not raw_communities:
        problems.append(Problem(file, 1, "no [[community]] table: nothing to onboard", skippable=False))
        raw_communities = []
    aliases: dict[str, int] = {}
    for i, raw in enumerate(raw_communities):
        line = lines.of(i)
        for key in sorted(set(raw) - COMMUNITY_KEYS):
            problems.append(Problem(file, lines.of(i, key), f"unknown key {key!r} in [[community]] (expected: {', '.join(sorted(COMMUNITY_KEYS))})", skippable=False))
        name, alias = raw.get("name"), raw.get("alias")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(file, line, "a community needs a name", skippable=False))
            continue
        if not isinstance(alias, str) or not ALIAS.match(alias.lstrip("#").split(":")[0]):
            problems.append(Problem(file, lines.of(i, "alias"), f"community {name!r} needs an alias of lowercase letters, digits, '-', '.' or '_'", skippable=False))
            continue
        alias = alias.lstrip("#").split(":")[0]
        if alias in aliases:
            problems.append(Problem(file, lines.of(i, "alias"), f"duplicate alias {alias!r} (already on line {aliases[alias]})", skippable=False))
            continue
        aliases[alias] = lines.of(i, "alias")
        topic = raw.get("topic")
        if topic is not None and not isinstance(topic, str):
            problems.append(Problem(file, lines.of(i, "topic"), "topic must be a string", skippable=False))
            topic = None
        spec = CommunitySpec(name=name.strip(), alias=alias, line=line, topic=(topic or "").strip() or None,
                             avatar=_picture(raw.get("avatar"), path.parent, problems, file, lines.of(i, "avatar")),
                             join=bool(raw.get("join", False)), welcome_post=raw.get("welcome_post"),
                             welcome_dm=raw.get("welcome_dm", "welcome") or None, lang=raw.get("lang"))
        # no `rooms` key: one room, Général; `rooms = []`: the community alone (its Space)
        spec.rooms = _str_list(raw.get("rooms"), "rooms", problems, file, lines.of(i, "rooms")) if "rooms" in raw else ["Général"]

        def inline(key: str) -> list[PersonRow]:
            out, seen = [], {}
            for ref in _str_list(raw.get(key), key, problems, file, lines.of(i, key)):
                row = by_ref.get(ref.casefold())
                seen[ref] = seen.get(ref, -1) + 1
                where = lines.value(i, key, ref, seen[ref])
                out.append(PersonRow(ref=ref, file=file, line=where, values=row.values if row else {}, fields=row.fields if row else {}))
            return out

        spec.animators, spec.moderators = inline("animators"), inline("moderators")
        members = inline("members")
        where_filter = raw.get("members_where")
        if where_filter is not None:
            wline = lines.of(i, "members_where")
            if people is None:
                problems.append(Problem(file, wline, "members_where needs a people CSV: add [people] csv = \"…\"", skippable=False))
            elif not isinstance(where_filter, dict):
                problems.append(Problem(file, wline, "members_where must be a table of column = value(s)", skippable=False))
            elif people.header:  # an unreadable CSV is reported once, not once per filter
                bad = [c for c in where_filter if c not in people.header]
                for col in bad:
                    problems.append(Problem(file, wline, f"unknown column {col!r} in members_where; columns of {people.path.name}: {', '.join(people.header)}", skippable=False))
                if not bad:
                    wanted = {c: {v.casefold() for v in ([w] if isinstance(w, str) else w)} for c, w in where_filter.items()}
                    members += [r for r in people.rows if all(r.values.get(c, "").casefold() in vs for c, vs in wanted.items())]
        seen: dict[str, PersonRow] = {}
        for row in members:
            key = row.ref.casefold()
            if key in seen:
                if seen[key].file == row.file and row.file == file:
                    problems.append(Problem(file, row.line, f"duplicate person {row.ref} in {name} (already on line {seen[key].line})"))
                continue  # inline and CSV selecting the same person: one membership
            seen[key] = row
        spec.members = list(seen.values())
        specs.append(spec)
    return Manifest(path, specs, people, problems)
