"""Property-based fuzzing of everything rse reads from a human: no input gives anything but a
result or rse's own error (RseError, exit code from the error tree), with file and line where
there is a file. Bounded examples by default; `pytest -m fuzz tests/reliability` runs many more."""

from __future__ import annotations

import re
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rse_cli.config import load_settings
from rse_cli.errors import RseError
from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.services.manifest import load
from rse_cli.services.people_csv import read_people
from rse_cli.services.schedule import Schedule, parse_duration
from rse_cli.templating import Templates

pytestmark = pytest.mark.fuzz
FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
MATRIX = MatrixAddressing(server_name="rse.test")

# values a careless or hostile HR export holds: ids, e-mails, markup, control characters, long runs
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "@@:",
            "@a:rse.test",
            "a@x.org",
            "no",
            "true",
            "0",
            "",
            " ",
            "\x00",
            "\ufeff",
            '"',
            ";",
            ",",
            "\r\n",
            "[x](https://evil.example)",
            "<a href=x>",
            "{{ 1 }}",
            "mxc://",
            "mxc://a/b",
            "#alias:x",
            "é" * 300,
        ]
    ),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", ";", '"', "\n"]), st.integers(0, 200_000)),
)


_ROOT = tempfile.TemporaryDirectory(prefix="rse-fuzz-")  # removed when the test process ends


def _tmp() -> Path:
    """A fresh folder per example (a file left by the previous example must not change the next)."""
    return Path(tempfile.mkdtemp(dir=_ROOT.name))


def assert_located(problem, file: str) -> None:
    assert problem.file in (file, str(Path(file).parent / "hr.csv")), problem
    assert problem.message and problem.line is not None and problem.line >= 1


# -- the people CSV ---------------------------------------------------------------------------


@given(
    header=st.lists(
        st.sampled_from(["email", "matrix_id", "first_name", "last_name", "department", "x", "email", ""]), min_size=0, max_size=6
    ),
    rows=st.lists(st.lists(nasty_text, max_size=7), max_size=6),
    delimiter=st.sampled_from([";", ","]),
    bom=st.booleans(),
)
def test_csv_reader_never_crashes(header, rows, delimiter, bom):
    path = _tmp() / "hr.csv"
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines), encoding="utf-8", errors="surrogatepass")
    sheet = read_people(path, addressing=MATRIX)
    for p in sheet.problems:
        assert p.file == str(path) and p.message
    for row in sheet.rows:
        assert row.ref and "\x00" not in "".join(row.values.values()) and row.line >= 2


@given(data=st.binary(max_size=400))
def test_csv_reader_takes_any_bytes(data):
    path = _tmp() / "hr.csv"
    path.write_bytes(data)
    sheet = read_people(path, {"first_name": "Prénom"}, addressing=MATRIX)
    assert all(p.file == str(path) for p in sheet.problems)


# -- the manifest -----------------------------------------------------------------------------

toml_scalar = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), nasty_text, st.datetimes(timezones=st.just(UTC))
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
community_keys = st.sampled_from(
    [
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
        "lang",
        "colour",
    ]
)
community = st.dictionaries(community_keys, toml_value, max_size=8)
manifest_doc = st.fixed_dictionaries(
    {},
    optional={
        "people": st.one_of(
            toml_value,
            st.fixed_dictionaries({}, optional={"csv": st.one_of(st.just("hr.csv"), toml_value), "columns": toml_value}),
        ),
        "community": st.one_of(toml_value, st.lists(community, max_size=3)),
        "extra": toml_value,
    },
)


def _toml(doc) -> str | None:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):  # a value TOML cannot hold (a NUL in a key…)
        return None


@FIXTURES
@given(doc=manifest_doc, csv=st.one_of(st.none(), st.just("email;first_name;department\na@x.org;A;Ventes\n")))
def test_manifest_loader_never_crashes(doc, csv):
    text = _toml(doc)
    if text is None:
        return
    folder = _tmp()
    if csv is not None:
        (folder / "hr.csv").write_text(csv, encoding="utf-8")
    path = folder / "m.toml"
    path.write_text(text, encoding="utf-8")
    m = load(path, addressing=MATRIX)
    for p in m.problems:
        assert_located(p, str(path))
        if p.file == str(path) and "invalid TOML" not in p.message:
            assert p.line is not None and 1 <= p.line <= max(1, len(text.splitlines()))
    for spec in m.communities:
        assert isinstance(spec.name, str) and isinstance(spec.join, bool) and spec.lang in (None, "fr", "en")
        assert spec.welcome_dm is None or isinstance(spec.welcome_dm, str)
        assert all(isinstance(r, str) for r in spec.rooms)


@given(text=st.text(max_size=300))
def test_manifest_loader_takes_any_text(text):
    path = _tmp() / "m.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for p in load(path, addressing=MATRIX).problems:
        assert p.file == str(path) and p.message


# -- the config file (read-only use of rse_cli.config) ----------------------------------------

settings_keys = st.sampled_from(
    [
        "homeserver",
        "user",
        "lang",
        "timeout",
        "concurrency",
        "verify_tls",
        "templates_dir",
        "network",
        "client_url",
        "max_retries",
        "leaders",
        "audit",
        "nope",
    ]
)
config_doc = st.fixed_dictionaries(
    {},
    optional={
        "profile": st.one_of(st.just("default"), toml_value),
        "profiles": st.one_of(
            toml_value,
            st.dictionaries(
                st.sampled_from(["default", "x"]),
                st.one_of(toml_value, st.dictionaries(settings_keys, toml_value, max_size=5)),
                max_size=2,
            ),
        ),
    },
)


@FIXTURES
@given(doc=config_doc)
def test_config_loader_gives_settings_or_a_config_error(doc):
    text = _toml(doc)
    if text is None:
        return
    path = _tmp() / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_settings(config_path=path, environ={})
    except RseError as exc:
        assert str(path) in exc.message and exc.exit_code == 2


# -- durations and schedules ------------------------------------------------------------------

schedule_text = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A(\d{1,12}|\*|MON|FRI)( [\d*,/-]{1,8}){0,5}\Z"),
    st.sampled_from(
        [
            "MON 09:00",
            "DAILY 08:00",
            "MON,THU 09:30",
            "0 16 * * FRI",
            "2026-12-15T12:00",
            "30 2 29 2 *",
            "61 25 * * *",
            "*/0 * * * *",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
        ]
    ),
)


@given(text=st.one_of(st.text(max_size=20), st.from_regex(r"\A\s*\d{1,30}\s*[a-z]?\s*\Z")))
def test_durations_parse_or_refuse(text):
    try:
        assert parse_duration(text, bare="d").total_seconds() > 0
    except RseError as exc:
        assert exc.exit_code == 2


@given(
    kind=st.sampled_from(["at", "every", "cron"]),
    expr=schedule_text,
    tz=st.one_of(
        st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Nowhere/City", "", "../etc"]), st.text(max_size=12)
    ),
)
def test_schedules_build_or_refuse(kind, expr, tz):
    try:
        schedule = Schedule.build(tz=tz, **{kind: expr})
        schedule.next_after(datetime(2026, 11, 25, tzinfo=UTC))
    except RseError as exc:
        assert exc.exit_code == 2


# -- templates --------------------------------------------------------------------------------

template_piece = st.sampled_from(
    [
        "{{ first_name }}",
        "{{ x }}",
        "{% for i in range(n) %}",
        "{% endfor %}",
        "{% if x %}",
        "{% endif %}",
        "{{ 'a' * n }}",
        "{{ n ** n }}",
        "{{ x|center(n) }}",
        "{{ x.__class__ }}",
        "{{ (x ~ x) * n }}",
        "{% set ns = namespace(a=x) %}",
        "{{ ns.a }}",
        "{{ x|replace('a', x * 9) }}",
        "{{ '%*d' % (n, 1) }}",
        "{{ x.format(n) }}",
        "{{ lipsum() }}",
        "{{ range(n)|list|length }}",
        "{{ x[n] }}",
        "{{ 1 / n }}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "\n",
        "text",
        "{{",
        "}}",
        "{%",
        "%}",
    ]
)


@given(
    pieces=st.lists(template_piece, max_size=8),
    n=st.sampled_from([0, 1, 7, 10**4, 10**6, 10**9, -1]),
    x=st.one_of(st.text(max_size=10), st.integers(), st.none()),
)
def test_template_precheck_gives_nothing_but_input_errors_with_a_line(pieces, n, x):
    folder = _tmp()
    (folder / "fr").mkdir()
    path = folder / "fr" / "t.md.j2"
    path.write_text("".join(pieces), encoding="utf-8")
    try:
        Templates(folder, time_limit=0.5).precheck([("t", {"first_name": "Camille", "x": x, "n": n}, None)])
    except RseError as exc:
        assert exc.exit_code == 2
        assert re.match(rf"{re.escape(str(path))}:(\d+|\?): ", exc.message), exc.message


@given(
    value=st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "[",
                    "]",
                    "(",
                    ")",
                    "<",
                    ">",
                    "*",
                    "_",
                    "`",
                    "\\",
                    "!",
                    "#",
                    "-",
                    "=",
                    "&",
                    "1.",
                    "http://evil.example",
                    "\n",
                    " ",
                    "a",
                    "~",
                ]
            ),
            max_size=20,
        ).map("".join),
    )
)
def test_any_value_is_literal_text_in_a_message(value):
    """Whatever a name or a field holds, the message shows it as typed and makes no markup of it."""
    from rse_cli.textformat import render

    folder = _tmp()
    (folder / "fr").mkdir()
    (folder / "fr" / "t.md.j2").write_text("Bonjour {{ v }} !", encoding="utf-8")
    plain, html = render(Templates(folder).render("t", {"v": value}))
    assert plain == f"Bonjour {value} !".strip("\n")
    tags = set(re.findall(r"</?([a-z0-9]+)", html or ""))
    assert tags <= {"p", "br", "pre", "code"}, html  # paragraphs and indented lines at most; no link, emphasis, heading
