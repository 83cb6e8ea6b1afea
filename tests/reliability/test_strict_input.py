"""Strict, typed input: wrong types, oversized or control-character values, duplicate headers and
malformed ids are problems with file, line and key, all reported at once, before any request."""

from __future__ import annotations

import pytest

from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.services.manifest import load
from rse_cli.services.people_csv import read_people, refusal
from tests.cli.test_onboard import HEADER, make_people
from tests.conftest import unique

MATRIX = MatrixAddressing(server_name="rse.test")


def manifest(tmp_path, body: str, csv: str | None = "email;first_name;department\na@x.org;A;Ventes\n"):
    if csv is not None:
        (tmp_path / "hr.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "m.toml"
    path.write_text(body, encoding="utf-8")
    return path, load(path, addressing=MATRIX)


COMMUNITY = '[[community]]\nname = "Ventes"\nalias = "ventes"\n'
WRONG = [
    ('people = "hr.csv"\n' + COMMUNITY, 1, "people: expected a [people] table (csv = \"hr.csv\"), got string 'hr.csv'"),
    (
        '[people]\ncsv = "hr.csv"\ncolumns = "email"\n\n' + COMMUNITY,
        3,
        "columns: expected a table of field = \"column name\", got string 'email'",
    ),
    ("[people]\ncsv = 5\n\n" + COMMUNITY, 2, "csv: expected a non-empty string, got integer 5"),
    ("community = [1, 2]\n", 1, "community: expected [[community]] tables, got integer 1"),
    (
        '[people]\ncsv = "hr.csv"\n\n' + COMMUNITY + "members_where = { department = 5 }\n",
        7,
        "members_where.department: expected a string or a list of strings, got integer 5",
    ),
    (COMMUNITY + "welcome_post = 5\n", 4, "welcome_post: expected a string, got integer 5"),
    (
        COMMUNITY + "welcome_dm = true\n",
        4,
        'welcome_dm: expected a template name (such as "welcome") or false for no welcome message, got true',
    ),
    (COMMUNITY + 'lang = "de"\n', 4, 'lang: expected "fr" or "en", got string \'de\''),
    (COMMUNITY + 'join = "no"\n', 4, "join: expected true or false, got string 'no'"),
    (COMMUNITY + "join = 1\n", 4, "join: expected true or false, got integer 1"),
    (COMMUNITY + "rooms = [1]\n", 4, "rooms: expected a list of strings, got integer 1"),
    (COMMUNITY + "topic = 3\n", 4, "topic: expected a string, got integer 3"),
    ('[[community]]\nname = 7\nalias = "x"\n', 2, "name: expected a non-empty string, got integer 7"),
    (COMMUNITY + 'members = ["@@:"]\n', 4, "members: '@@:' is not a Matrix ID (@name:server)"),
    (COMMUNITY + 'avatar = "mxc://bad url"\n', 4, "avatar 'mxc://bad url' is not a valid mxc:// URL (mxc://server/media-id)"),
    ('[[community]]\nname = "A\\u0000B"\nalias = "x"\n', 2, "name: contains a NUL byte"),
    ('[[community]]\nname = "' + "n" * 100_000 + '"\nalias = "x"\n', 2, "name: too long (100,000 characters, at most 200)"),
]


@pytest.mark.parametrize("body,line,message", WRONG, ids=[w[2][:40] for w in WRONG])
def test_wrong_manifest_values_are_problems_with_file_line_and_key(tmp_path, body, line, message):
    path, m = manifest(tmp_path, body)
    shown = [str(p) for p in m.problems]
    assert f"{path}:{line}: {message}" in shown, shown
    assert all(not p.skippable for p in m.problems)


def test_every_problem_at_once_and_nothing_kept_from_a_bad_community(tmp_path):
    path, m = manifest(
        tmp_path,
        COMMUNITY + 'join = "no"\nlang = "de"\nwelcome_dm = 5\n\n[[community]]\nname = "Ok"\nalias = "ok"\njoin = true\n',
    )
    assert [p.line for p in m.problems] == [4, 5, 6]
    assert [(c.alias, c.join) for c in m.communities] == [("ventes", False), ("ok", True)]
    error = refusal(m.problems, False, "m.toml")
    assert error is not None and error.exit_code == 2 and "--skip-invalid" not in (error.hint or "")


def csv_problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "hr.csv"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in read_people(path, addressing=MATRIX).problems]


def test_csv_duplicate_header_is_refused(tmp_path):
    [problem] = csv_problems(tmp_path, "email;first_name;email\na@x.org;A;b@x.org\n")
    assert problem.endswith("hr.csv:1: duplicate column 'email' (columns 1 and 3): rename or remove one")


def test_csv_values_are_bounded_and_ids_checked_row_by_row(tmp_path):
    huge = "x" * 200_000
    rows = [
        "email;matrix_id;first_name",
        "ok@x.org;;Anne",
        f"big@x.org;;{huge}",
        "nul@x.org;;A\x00B",
        "long@x.org;;" + "n" * 201,
        ";@@:;Bad",
        "esc@x.org;;\x1b[31mred",
        "fine@x.org;@fine:rse.test;Fine",
    ]
    path = tmp_path / "hr.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sheet = read_people(path, addressing=MATRIX)
    assert [r.ref for r in sheet.rows] == ["ok@x.org", "@fine:rse.test"]
    shown = {p.line: p.message for p in sheet.problems}
    assert "field larger than field limit" in shown[3] or "too long (200,000 characters" in shown[3]
    assert shown[4] == "column 'first_name': contains a NUL byte"
    assert shown[5] == "column 'first_name': too long (201 characters, at most 200)"
    assert shown[6] == "malformed identifier: '@@:' is not a Matrix ID (@name:server)"
    assert shown[7] == "column 'first_name': contains a control character"
    assert all(p.skippable for p in sheet.problems)  # bad rows: --skip-invalid drops them


def test_skip_invalid_hint_only_when_it_would_help(tmp_path):
    missing = read_people(tmp_path / "none.csv").problems
    assert "--skip-invalid" not in (refusal(missing, False, "x").hint or "")
    header = csv_problems(tmp_path, "nom;prenom\nA;B\n")
    assert header
    sheet = read_people(tmp_path / "hr.csv")
    assert "--skip-invalid" not in (refusal(sheet.problems, False, "x").hint or "")
    (tmp_path / "rows.csv").write_text("email\nbad\nok@x.org\n", encoding="utf-8")
    rows = read_people(tmp_path / "rows.csv").problems
    assert "--skip-invalid" in refusal(rows, False, "x").hint
    assert refusal(rows, True, "x") is None


def test_malformed_id_is_one_problem_and_skip_invalid_skips_it(rse, homeserver, tmp_path):
    tag = unique("st").replace("-", "")
    people = make_people(homeserver, 2, tag)
    rows = [f"{p['email']};;{p['first']};N;Ventes;Nantes;;;" for p in people] + ["bad@corp.example;@@:;Bad;N;Ventes;Nantes;;;"]
    (tmp_path / "hr.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    alias = unique("strict")
    path = tmp_path / "m.toml"
    path.write_text(
        f'[people]\ncsv = "hr.csv"\n\n[[community]]\nname = "S {alias}"\nalias = "{alias}"\n'
        f'members_where = {{ department = "Ventes" }}\nwelcome_dm = false\n',
        encoding="utf-8",
    )
    refused = rse("onboard", "apply", str(path), "--yes", ok=False)
    assert refused.exit_code == 2
    assert f"{tmp_path / 'hr.csv'}:4: malformed identifier: '@@:' is not a Matrix ID" in refused.stderr
    assert "--skip-invalid" in refused.stderr and "Traceback" not in refused.stderr
    applied = rse.json("onboard", "apply", str(path), "--yes", "--skip-invalid")
    assert applied["summary"]["invited"] == 2 and [s["line"] for s in applied["skipped"]] == [4]
