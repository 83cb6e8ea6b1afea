"""The manifest and the people CSV: parsing and problems with file:line, no network."""

from __future__ import annotations

from pathlib import Path

from rse_cli.services.manifest import load
from rse_cli.services.people_csv import read_people, sniff_delimiter

HR = "email;matrix_id;first_name;last_name;department;site;job_title;manager_email;start_date\n"


def test_csv_with_bom_semicolons_and_mapping(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("\ufeffCourriel;Prénom;Service\nanne@x.org;Anne;Ventes\n\n@bob:x.org;Bob;RH\n", encoding="utf-8")
    sheet = read_people(path, {"email": "Courriel", "first_name": "Prénom", "department": "Service"})
    assert sheet.problems == []
    assert [(r.ref, r.first_name, r.fields["department"], r.line) for r in sheet.rows] == [
        ("anne@x.org", "Anne", "Ventes", 2),
        ("@bob:x.org", "Bob", "RH", 4),
    ]


def test_csv_with_commas_and_every_problem(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("email,first_name\na@x.org,A\nb@x.org\nA@X.org,Again\nnot-an-email,N\n,Empty\n", encoding="utf-8")
    sheet = read_people(path)
    assert [r.ref for r in sheet.rows] == ["a@x.org"]
    assert [(p.line, p.message.split(":")[0].split(" (")[0]) for p in sheet.problems] == [
        (3, "malformed line"),
        (4, "duplicate person A@X.org"),
        (5, "malformed e-mail 'not-an-email'"),
        (6, "neither 'matrix_id' nor 'email' on this line"),
    ]
    assert str(sheet.problems[0]).startswith(f"{path}:3: ")


def test_csv_not_utf8_and_unknown_mapped_column(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes("email;prénom\nA@x.org;Élise\n".encode("latin-1"))
    assert "not UTF-8" in read_people(path).problems[0].message
    path.write_text("email;x\n", encoding="utf-8")
    problems = read_people(path, {"first_name": "Prénom"}).problems
    assert problems[0].line == 1 and "unknown column 'Prénom'" in problems[0].message


def test_sniff():
    assert sniff_delimiter("a;b;c") == ";" and sniff_delimiter("a,b;c,d") == ","


def test_manifest_selects_members_and_locates_problems(tmp_path):
    (tmp_path / "hr.csv").write_text(
        HR + "a@x.org;;A;AA;Ventes;Nantes;;;\nb@x.org;;B;BB;RH;Nantes;;;\nc@x.org;;C;CC;ventes;Rennes;;;\n", encoding="utf-8"
    )
    path = tmp_path / "m.toml"
    path.write_text(
        """[people]
csv = "hr.csv"

[[community]]
name = "Ventes"
alias = "ventes"
animators = ["@anim:x.org"]
members = ["@inline:x.org", "a@x.org"]
members_where = { department = "Ventes", site = ["Nantes", "Rennes"] }

[[community]]
name = "Doublon"
alias = "ventes"

[[community]]
name = "Autre"
alias = "autre"
colour = "blue"
members = ["@z:x.org",
  "@z:x.org"]
""",
        encoding="utf-8",
    )
    m = load(path)
    ventes = m.communities[0]
    assert ventes.rooms == ["Général"]
    assert [r.ref for r in ventes.members] == ["@inline:x.org", "a@x.org", "c@x.org"]
    assert ventes.members[1].fields["first_name"] == "A"  # inline people get their CSV row
    assert [(p.line, p.message.split(" (")[0]) for p in m.problems] == [
        (13, "duplicate alias 'ventes'"),
        (18, "unknown key 'colour' in [[community]]"),
        (20, "duplicate person @z:x.org in Autre"),
    ]


def test_manifest_toml_error_and_missing_file(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("[[community]]\nname = 'x'\nalias = \n", encoding="utf-8")
    assert [(p.line, p.message[:12]) for p in load(path).problems] == [(3, "invalid TOML")]
    assert load(tmp_path / "nope.toml").problems[0].message == "no such file"


def test_packaged_example_parses():
    example = Path(__file__).parents[2] / "templates" / "communities.example.toml"
    m = load(example)
    assert [c.alias for c in m.communities] == ["ventes-ouest", "accueil"]
    # its hr_export.csv is the user's: reported on the manifest's `csv` line
    assert [(p.line, p.message) for p in m.problems] == [(13, f"csv: {example.parent / 'hr_export.csv'}: no such file")]


def test_the_sandbox_hr_export_reads_cleanly_and_filters(tmp_path):
    from datetime import UTC, datetime

    from rse_cli.sandbox.company import build_plan
    from rse_cli.sandbox.seed import write_hr_csv

    csv_path = write_hr_csv(build_plan(42, 120, 90, datetime(2026, 11, 23, tzinfo=UTC)), tmp_path / "hr_export.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = read_people(csv_path)
    assert sheet.problems == [] and len(sheet.rows) == 120
    assert all(r.ref.startswith("@") and r.fields["manager"] != r.fields["email"] for r in sheet.rows)
    (tmp_path / "m.toml").write_text(
        '[people]\ncsv = "hr_export.csv"\n[[community]]\nname = "RH"\nalias = "rh"\nmembers_where = { department = "RH" }\n',
        encoding="utf-8",
    )
    m = load(tmp_path / "m.toml")
    assert m.problems == [] and m.communities[0].members
    assert {r.values["department"] for r in m.communities[0].members} == {"RH"}


def _aliases(tmp_path: Path, aliases: list[str], addressing=None):
    path = tmp_path / "aliases.toml"
    path.write_text("".join(f'[[community]]\nname = "C{i}"\nalias = "{a}"\n\n' for i, a in enumerate(aliases)), encoding="utf-8")
    m = load(path, addressing=addressing)
    return [c.alias for c in m.communities], [(p.line, p.message) for p in m.problems]


def test_an_alias_in_the_networks_own_syntax_is_read_by_its_addressing(tmp_path):
    from rse_cli.network.matrix.ids import MatrixAddressing
    from tests.fakes.memory import MemoryAddressing

    # Matrix: a champion pastes the alias as clients show it; rse creates `ventes` on its own server
    matrix = MatrixAddressing(server_name="rse.test")
    assert _aliases(tmp_path, ["#ventes:rse.test", "rh", "#support"], matrix) == (["ventes", "rh", "support"], [])
    assert _aliases(tmp_path, ["#ventes:rse.test", "ventes"], matrix) == (
        ["ventes"],
        [(7, "duplicate alias 'ventes' (already on line 3)")],
    )
    # another network's syntax is its own (the memory network writes `~ventes`), and Matrix's is not bare there
    memory = MemoryAddressing()
    assert _aliases(tmp_path, ["~ventes", "rh"], memory) == (["ventes", "rh"], [])
    what = "alias: community 'C0' needs an alias of lowercase letters, digits, '-', '.' or '_', got string '#ventes:rse.test'"
    assert _aliases(tmp_path, ["#ventes:rse.test"], memory) == ([], [(3, what)])
    # with no network to ask (a check of the file alone), the alias is taken as written
    assert _aliases(tmp_path, ["#ventes:rse.test", "ventes"], None) == (["ventes"], [(3, what)])
