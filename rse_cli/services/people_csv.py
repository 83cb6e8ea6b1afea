"""Reading an HR export: UTF-8 with or without BOM, `,` or `;`, column names mappable.

Every problem is collected with its file and line (never the first one only), so the user
fixes the file once. A row is identified by its Matrix ID when it has one, else its e-mail.
Values are bounded (no control character, a name of at most MAX_NAME characters, a field of at
most MAX_FIELD) and identifiers are checked by the network's own syntax (`Addressing`) before
any request; a bad row is one skippable problem among others.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rse_cli.errors import InputError
from rse_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing

MAX_FIELD = 1_000  # characters in one CSV field
MAX_NAME = 200  # characters in a first or last name
NAME_FIELDS = ("first_name", "last_name")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline aside: NUL, escape sequences…

# rse's field -> the HR export's usual column name (the sandbox's export uses exactly these)
DEFAULT_COLUMNS = {
    "matrix_id": "matrix_id",
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "department": "department",
    "site": "site",
    "manager": "manager_email",
    "start_date": "start_date",
}


@dataclass
class Problem:
    file: str
    line: int | None
    message: str
    skippable: bool = True  # a bad person row can be dropped with --skip-invalid; a bad manifest cannot

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class PersonRow:
    ref: str  # the identifier given: Matrix ID or e-mail
    file: str
    line: int
    values: dict[str, str] = field(default_factory=dict)  # raw columns
    fields: dict[str, str] = field(default_factory=dict)  # rse fields (first_name, manager, ...)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def first_name(self) -> str:
        return self.fields.get("first_name") or ""


@dataclass
class PeopleFile:
    path: Path
    header: list[str]
    rows: list[PersonRow]
    problems: list[Problem]


def sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def value_problem(value: str, *, limit: int = MAX_FIELD, single_line: bool = False) -> str | None:
    """Why a text value cannot be used as is (None when it can)."""
    if "\x00" in value:
        return _("contains a NUL byte")
    if _CONTROL.search(value) or (single_line and ("\n" in value or "\r" in value)):
        return _("contains a control character") if _CONTROL.search(value) else _("contains a line break")
    if len(value) > limit:
        from rse_cli.i18n import current
        from rse_cli.l10n import L10n

        t = L10n(current())  # 100,000 / 100 000: the reader's digits
        return _("too long ({n} characters, at most {limit})").format(n=t.num(len(value)), limit=t.num(limit))
    return None


def _ref_problem(ref: str, addressing: Addressing | None) -> str | None:
    if addressing is not None:
        return addressing.person_problem(ref)
    return _("contains a space") if any(c.isspace() for c in ref) else None


def read_people(path: Path, columns: dict[str, str] | None = None, *, addressing: Addressing | None = None) -> PeopleFile:
    """Parse the CSV; `columns` maps rse fields to this file's column names; `addressing` (the
    network's syntax) checks each identifier without a request."""
    mapping = {**DEFAULT_COLUMNS, **(columns or {})}
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return PeopleFile(path, [], [], [Problem(name, None, _("no such file"), skippable=False)])
    except OSError as exc:
        return PeopleFile(
            path, [], [], [Problem(name, None, _("cannot read: {why}").format(why=exc.strerror or exc), skippable=False)]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return PeopleFile(path, [], [], [Problem(name, line, _("not UTF-8 text (save the export as UTF-8)"), skippable=False)])
    if not text.strip():
        return PeopleFile(path, [], [], [Problem(name, 1, _("the file is empty"), skippable=False)])
    delimiter = sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        return PeopleFile(path, [], [], [Problem(name, 1, _("unreadable header: {why}").format(why=exc), skippable=False)])
    first_at: dict[str, int] = {}
    for i, col in enumerate(header, 1):
        bad = value_problem(col, limit=200, single_line=True)
        if bad:
            problems.append(Problem(name, 1, _("column {i}: {why}").format(i=i, why=bad), skippable=False))
        elif col and col in first_at:
            problems.append(
                Problem(
                    name,
                    1,
                    _("duplicate column {column} (columns {a} and {b}): rename or remove one").format(
                        column=repr(col), a=first_at[col], b=i
                    ),
                    skippable=False,
                )
            )
        first_at.setdefault(col, i)
    for fld in ("matrix_id", "email"):
        if fld in (columns or {}) and mapping[fld] not in header:
            problems.append(Problem(name, 1, _unknown_column(mapping[fld], fld, header), skippable=False))
    for fld, col in (columns or {}).items():
        if fld not in DEFAULT_COLUMNS:
            problems.append(
                Problem(
                    name,
                    1,
                    _("unknown field {field} in the column mapping; fields: {fields}").format(
                        field=repr(fld), fields=", ".join(DEFAULT_COLUMNS)
                    )
                    + _close(fld, DEFAULT_COLUMNS),
                    skippable=False,
                )
            )
        elif col not in header and fld not in ("matrix_id", "email"):
            problems.append(Problem(name, 1, _unknown_column(col, fld, header), skippable=False))
    if mapping["matrix_id"] not in header and mapping["email"] not in header:
        # a wrong header: the expected columns and the found ones, side by side
        problems.append(
            Problem(
                name,
                1,
                _("wrong header: no identifier column; expected {expected}, found {found}").format(
                    expected=_("{a} or {b}").format(a=repr(mapping["matrix_id"]), b=repr(mapping["email"])),
                    found=", ".join(repr(h) for h in header),
                )
                + _close(mapping["email"], header),
                skippable=False,
            )
        )
        return PeopleFile(path, header, [], problems)  # every row would be a problem: the header is the one
    rows: list[PersonRow] = []
    seen: dict[str, int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a field over the csv module's own limit, a stray quote…
            problems.append(Problem(name, reader.line_num, _("malformed line: {why}").format(why=exc)))
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    _("malformed line: {n} fields, the header has {expected}").format(n=len(cells), expected=len(header)),
                )
            )
            continue
        values = {h: c.strip() for h, c in zip(header, cells, strict=False)}
        bad_cells = [
            (
                h,
                value_problem(
                    v, limit=MAX_NAME if h in (mapping["first_name"], mapping["last_name"]) else MAX_FIELD, single_line=True
                ),
            )
            for h, v in values.items()
        ]
        bad_cells = [(h, why) for h, why in bad_cells if why]
        if bad_cells:
            problems.append(
                Problem(
                    name, line, "; ".join(_("column {column}: {why}").format(column=repr(h), why=why) for h, why in bad_cells)
                )
            )
            continue
        fields = {f: values.get(col, "") for f, col in mapping.items() if col in values}
        ref = fields.get("matrix_id") or fields.get("email") or ""
        if not ref:
            problems.append(
                Problem(
                    name,
                    line,
                    _("neither {a} nor {b} on this line").format(a=repr(mapping["matrix_id"]), b=repr(mapping["email"])),
                )
            )
            continue
        if not fields.get("matrix_id") and "@" not in ref:  # from the e-mail column: not an e-mail
            problems.append(Problem(name, line, _("malformed e-mail {value}").format(value=repr(ref))))
            continue
        why = _ref_problem(ref, addressing)
        if why:
            problems.append(Problem(name, line, _("malformed identifier: {why}").format(why=why)))
            continue
        key = ref.casefold()
        if key in seen:
            problems.append(
                Problem(name, line, _("duplicate person {person} (already on line {line})").format(person=ref, line=seen[key]))
            )
            continue
        seen[key] = line
        rows.append(PersonRow(ref=ref, file=name, line=line, values=values, fields=fields))
    return PeopleFile(path, header, rows, problems)


def refusal(problems: list[Problem], skip_invalid: bool, where: str) -> InputError | None:
    """Every problem at once, unless they are all droppable rows and the user said so. The
    --skip-invalid hint comes only when it would drop something (not for a missing file or a
    wrong header, and not when it was given)."""
    fatal = [p for p in problems if not p.skippable or not skip_invalid]
    if not fatal:
        return None
    lines = "\n".join(f"  {p}" for p in fatal)
    rows = sum(1 for p in fatal if p.skippable)
    if rows and not skip_invalid and rows == len(fatal):
        hint = _("fix them and re-run, or drop the bad rows with --skip-invalid")
    elif rows and not skip_invalid:
        hint = ngettext(
            "fix them and re-run; --skip-invalid would drop the {n} bad row, not fix the rest",
            "fix them and re-run; --skip-invalid would drop the {n} bad rows, not fix the rest",
            rows,
        ).format(n=rows)
    else:
        hint = _("fix them and re-run")
    return InputError(
        ngettext("{n} problem in {where}:\n{lines}", "{n} problems in {where}:\n{lines}", len(fatal)).format(
            n=len(fatal), where=where, lines=lines
        ),
        hint=hint,
    )


def _close(word: str, known: object) -> str:
    """' (did you mean `x`?)' for a close match (difflib), else ''."""
    near = (
        difflib.get_close_matches(word, [str(k) for k in known], n=1, cutoff=0.6)
        if isinstance(known, (list, dict, tuple))
        else []
    )
    return _(" (did you mean `{name}`?)").format(name=near[0]) if near else ""


def _unknown_column(column: str, fld: str, header: list[str]) -> str:
    """A mapped column the export lacks: the expected column and the found ones."""
    return _("unknown column {column} (mapped to {field}); found: {found}").format(
        column=repr(column), field=fld, found=", ".join(repr(h) for h in header)
    ) + _close(column, header)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows in the same shape as the export, so the file can be fed back to rse."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
