"""Hostile or broken user templates fail fast, bounded, with their file and line; nothing else runs."""

from __future__ import annotations

import resource
import threading
import time

import pytest

from rse_cli.errors import InputError
from rse_cli.templating import MAX_OUTPUT, Templates


@pytest.fixture
def user_dir(tmp_path):
    (tmp_path / "fr").mkdir()
    return tmp_path


def write(user_dir, source: str, name: str = "t") -> None:
    (user_dir / "fr" / f"{name}.md.j2").write_text(source, encoding="utf-8")


HOSTILE = [
    ("ok\n{{ 'x' * 10**9 }}", 2, "repetition too large"),
    ("{% for i in range(10**9) %}x{% endfor %}", 1, "range of 1,000,000,000 items"),
    ("a\nb\n{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", 3, "too many steps"),
    ("{% set ns = namespace(a='x') %}\n{% for i in range(64) %}{% set ns.a = ns.a ~ ns.a %}{% endfor %}", 2, "too large"),
    ("{% set ns = namespace(a=[1]) %}\n{% for i in range(64) %}{% set ns.a = ns.a + ns.a %}{% endfor %}", 2, "too large"),
    ("{{ 'x'|center(10**9) }}", 1, "filter center"),
    ("{{ 'x'.ljust(10**9) }}", 1, "ljust()"),
    ("{{ '%1000000000d' % 1 }}", 1, "width over"),
    ("{{ '{:>1000000000}'.format(1) }}", 1, "width over"),
    ("{{ 'ab'|replace('a', 'x' * 50000)|replace('x', 'y' * 50000) }}", 1, "replace result too large"),
    ("{{ [1]|batch(10**9, 'x')|list }}", 1, "filter batch"),
    ("{{ 2 ** (10 ** 6) }}", 1, "number too large"),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}\n{{ f(1) }}", 1, "recursion"),
    ("x\n{{ 1 / 0 }}", 2, "ZeroDivisionError"),
    ("x\n\n{{ prenom }}", 3, "'prenom' is undefined"),
    ("{{ first_name.__class__.__mro__ }}", 1, "not allowed in a template"),
    ("{{ lipsum(10**9) }}", 1, "'lipsum' is undefined"),
]


@pytest.mark.parametrize("source,line,words", HOSTILE, ids=[h[2] for h in HOSTILE])
def test_hostile_template_fails_fast_with_file_and_line(user_dir, source, line, words):
    write(user_dir, source)
    started = time.monotonic()
    with pytest.raises(InputError) as exc:
        Templates(user_dir).render("t", {"first_name": "Camille"})
    assert time.monotonic() - started < 5
    assert str(exc.value).startswith(f"{user_dir}/fr/t.md.j2:{line}: "), str(exc.value)
    assert words in str(exc.value)
    assert exc.value.exit_code == 2


def test_repetition_does_not_blow_up_memory(user_dir):
    write(user_dir, "{{ 'x' * 10**9 }}{% set s = 'y' * 99999 %}{{ s * 99999 }}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError):
        Templates(user_dir).render("t", {})
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: well under 100 MB


def test_time_limit_stops_a_slow_template(user_dir):
    # each step is cheap and within the step budget, but the whole takes long: the clock stops it
    write(user_dir, "{% for i in range(9000) %}{{ ('%05d' % i) * 10 }}{% endfor %}")
    with pytest.raises(InputError, match="took more than 0.01 s|too long|too many steps"):
        Templates(user_dir, time_limit=0.01).render("t", {})


def test_output_size_is_limited(user_dir):
    write(user_dir, "{% for i in range(2000) %}{{ 'x' * 99 }}{% endfor %}")
    with pytest.raises(InputError, match=f"output too long \\(over {MAX_OUTPUT:,}"):
        Templates(user_dir).render("t", {})


def test_limits_hold_in_threads(user_dir):
    """Onboarding renders welcome messages from a thread pool: each thread has its own budget."""
    write(user_dir, "{% for i in range(9000) %}.{% endfor %}", "ok")
    tpl = Templates(user_dir)
    out: list[str] = []
    threads = [threading.Thread(target=lambda: out.append(tpl.render("ok", {}))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 8 and all(len(o) == 9001 for o in out)


def test_precheck_lists_every_distinct_problem_once(user_dir):
    write(user_dir, "Bonjour {{ prenom }}", "a")
    write(user_dir, "x\n{{ 'x' * 10**9 }}", "b")
    write(user_dir, "Bonjour {{ first_name }}", "c")
    jobs = [(name, {"first_name": f"P{i}"}, None) for i in range(50) for name in ("a", "b", "c")]
    with pytest.raises(InputError) as exc:
        Templates(user_dir).precheck(jobs)
    text = str(exc.value)
    assert text.startswith("2 template problems, nothing was sent:")
    assert text.count("a.md.j2:1: 'prenom' is undefined") == 1 and text.count("b.md.j2:2: template over its limits") == 1
    Templates(user_dir).precheck([("c", {"first_name": "Camille"}, None)])  # a good one passes
