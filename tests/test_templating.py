"""Templates: user overrides win, errors name the file and line, the sandbox holds."""

from __future__ import annotations

import pytest

from rse_cli.errors import InputError
from rse_cli.templating import Templates


@pytest.fixture
def user_dir(tmp_path):
    (tmp_path / "fr").mkdir()
    return tmp_path


def test_user_template_renders_with_filters(user_dir):
    (user_dir / "fr" / "hello.md.j2").write_text("Bonjour {{ name | first_name }} !")
    assert Templates(user_dir).render("hello", {"name": "Alice Martin"}) == "Bonjour Alice !\n"


def test_undefined_variable_names_file_line_and_available_names(user_dir):
    (user_dir / "fr" / "t.md.j2").write_text("ok\n{{ prenom }}")
    with pytest.raises(InputError) as exc:
        Templates(user_dir).render("t", {"name": "x"})
    assert f"{user_dir}/fr/t.md.j2:2" in str(exc.value) and "prenom" in str(exc.value) and "name" in exc.value.hint


def test_syntax_error_is_reported_before_rendering(user_dir):
    (user_dir / "fr" / "t.md.j2").write_text("a\nb\n{% for %}")
    with pytest.raises(InputError, match=r"t\.md\.j2:3: template error"):
        Templates(user_dir).check("t")


def test_sandbox_refuses_python_internals(user_dir):
    (user_dir / "fr" / "t.md.j2").write_text("{{ name.__class__.__mro__ }}")
    with pytest.raises(InputError, match="not allowed in a template"):
        Templates(user_dir).render("t", {"name": "x"})


def test_unknown_template_lists_what_exists(user_dir):
    (user_dir / "fr" / "welcome.md.j2").write_text("x")
    with pytest.raises(InputError) as exc:
        Templates(user_dir).render("welcom", {})
    assert "welcome" in exc.value.hint


def test_values_are_text_and_the_templates_markdown_renders(user_dir):
    from rse_cli.textformat import render

    (user_dir / "fr" / "t.md.j2").write_text("**Bonjour** {{ name }} : [le lien]({{ link }})")
    text = Templates(user_dir).render(
        "t", {"name": "[Support](https://evil.example) *x*", "link": "https://matrix.to/#/!r:x/$e?a=1&b=2"}
    )
    plain, html = render(text)
    assert plain == "**Bonjour** [Support](https://evil.example) *x* : [le lien](https://matrix.to/#/!r:x/$e?a=1&b=2)"
    assert html == (
        "<p><strong>Bonjour</strong> [Support](https://evil.example) *x* : "
        '<a href="https://matrix.to/#/!r:x/$e?a=1&amp;b=2">le lien</a></p>'
    )


def test_a_template_over_its_limits_is_an_input_error_with_its_line(user_dir):
    (user_dir / "fr" / "t.md.j2").write_text("a\n{% for i in range(10**9) %}x{% endfor %}")
    with pytest.raises(InputError, match=r"t\.md\.j2:2: template over its limits: range of 1,000,000,000 items"):
        Templates(user_dir).render("t", {})
