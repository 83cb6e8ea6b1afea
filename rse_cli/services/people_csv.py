"""Reading an HR export: UTF-8 with or without BOM, `,` or `;`, column names mappable.

Every problem is collected with its file and line (never the first one only), so the user
fixes the file once. A row is identified by its Matrix ID when it has one, else its e-mail.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

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


def read_people(path: Path, columns: dict[str, str] | None = None) -> PeopleFile:
    """Parse the CSV; `columns` maps rse fields to this file's column names."""
    mapping = {**DEFAULT_COLUMNS, **(columns or {})}
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return PeopleFile(path, [], [], [Problem(name, None, "no such file", skippable=False)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return PeopleFile(path, [], [], [Problem(name, line, "not UTF-8 text (save the export as UTF-8)", skippable=False)])
    if not text.strip():
        return PeopleFile(path, [], [], [Problem(name, 1, "the file is empty", skippable=False)])
    delimiter = sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    problems: list[Problem] = []
    for fld in ("matrix_id", "email"):
        if fld in (columns or {}) and mapping[fld] not in header:
            problems.append(Problem(name, 1, f"unknown column {mapping[fld]!r} (mapped to {fld}); columns: {', '.join(header)}", skippable=False))
    for fld, col in (columns or {}).items():
        if fld not in DEFAULT_COLUMNS:
            problems.append(Problem(name, 1, f"unknown field {fld!r} in the column mapping; fields: {', '.join(DEFAULT_COLUMNS)}", skippable=False))
        elif col not in header and fld not in ("matrix_id", "email"):
            problems.append(Problem(name, 1, f"unknown column {col!r} (mapped to {fld}); columns: {', '.join(header)}", skippable=False))
    if mapping["matrix_id"] not in header and mapping["email"] not in header:
        problems.append(Problem(name, 1, f"no identifier column: need {mapping['matrix_id']!r} or {mapping['email']!r}; columns: {', '.join(header)}", skippable=False))
    rows: list[PersonRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, line, f"malformed line: {len(cells)} fields, the header has {len(header)}"))
            continue
        values = {h: c.strip() for h, c in zip(header, cells)}
        fields = {f: values.get(col, "") for f, col in mapping.items() if col in values}
        ref = fields.get("matrix_id") or fields.get("email") or ""
        if not ref:
            problems.append(Problem(name, line, "no Matrix ID and no e-mail on this line"))
            continue
        if ref.startswith("@") and ":" not in ref:
            problems.append(Problem(name, line, f"malformed Matrix ID {ref!r} (expected @name:server)"))
            continue
        if not ref.startswith("@") and "@" not in ref:
            problems.append(Problem(name, line, f"malformed e-mail {ref!r}"))
            continue
        key = ref.casefold()
        if key in seen:
            problems.append(Problem(name, line, f"duplicate person {ref} (already on line {seen[key]})"))
            continue
        seen[key] = line
        rows.append(PersonRow(ref=ref, file=name, line=line, values=values, fields=fields))
    return PeopleFile(path, header, rows, problems)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows in the same shape as the export, so the file can be fed back to rse."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
