import pytest
from jinja2 import UndefinedError

from seaway.jinja_environment import jinja_environment


def test_html_templates_are_escaped_and_a_missing_variable_is_an_error():
    environment = jinja_environment("seaway.notify")

    assert environment.autoescape("page.html") is True
    assert environment.autoescape("page.txt") is False
    with pytest.raises(UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_block_tags_leave_no_blank_lines_behind():
    source = "{% if yes %}\n  line\n{% endif %}\nend"

    assert jinja_environment("seaway.web").from_string(source).render(yes=True) == "  line\nend"


def test_only_an_environment_asked_to_keeps_the_final_newline():
    assert jinja_environment("seaway.web").from_string("{{ x }}\n").render(x=1) == "1"
    assert jinja_environment("seaway.notify", keep_trailing_newline=True).from_string("{{ x }}\n").render(x=1) == "1\n"
