"""Every route, driven with hostile input, answers below 500, and a 4xx changes nothing.

Property-based (Hypothesis), on every backend of the suite: each rule of
``app.url_map`` is filled with hostile path values (NUL and other control
characters, numbers past 64 bits, negative and Unicode digits, long strings,
percent-encodings, and now and then a real name or id so the checks behind the
lookup run too), then sent as each of its methods with a hostile query string
and, for a POST, hostile form fields beside a valid CSRF token, by an
administrator, so that no page is closed to the fuzz. After every request: no
5xx, and when the answer is a 4xx, every table has as many rows as before.

No route is left out: each rule is its own test, with a few examples, so every one
is driven on every run. Where a request ends the session (logging out), the next
example logs in again.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from microblog import create_app, jobs
from microblog.extensions import db
from microblog.models.role import Role
from microblog.services import categories, comments, posts
from tests.conftest import CSRF_META, PASSWORD

# Text a crafted request can carry, and no browser sends.
CONTROL = ["\x00", "a\x00b", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\x9f", "\t",
           "\r\n", "\n", "line\rbreak", "\x00" * 3]
NUMBERS = ["0", "-1", "-9223372036854775808", "2147483647", "2147483648", "4294967296",
           "9223372036854775807", "9223372036854775808", "9" * 25, "1" * 400, "1.5", "1e3",
           "0x10", " 1", "1 ", "+1", "1_000", "\u0661", "\u00b2", "\uff11", "1.\u00b2",
           "00000000000000000001", "NaN", "-0"]
WORDS = ["", " ", ".", "..", "../..", "a/b", "%", "%00", "%zz", "%ff%fe", "%25%30%30", "%2e%2e",
         "'; DROP TABLE posts; --", "<script>alert(1)</script>", "${7*7}", "{{7*7}}",
         "\u202eevil", "\u200b", "\ufeff", "\ud7ff", "\ue000", "\U0001f337", "Ä" * 300, "x" * 5000,
         "null", "true", "[]", "{}", "//evil.example", "/\\evil.example", "https://evil.example/"]
HOSTILE = st.one_of(
    st.sampled_from(CONTROL + NUMBERS + WORDS),
    st.text(max_size=40),
    st.builds("{}{}{}".format, st.sampled_from(WORDS + NUMBERS), st.sampled_from(CONTROL),
              st.sampled_from(WORDS + NUMBERS)),
)
# The names the app's forms and pages read, so hostile values reach the code behind them.
QUERY_KEYS = ["page", "before", "after", "q", "type", "next", "status"]
FORM_KEYS = ["username", "password", "password2", "current_password", "email", "remember_me",
             "post", "body", "title", "tags", "category", "about_me", "name", "move_to", "role",
             "next", "publish", "save_draft", "preview", "submit"]
KEYS = st.one_of(st.sampled_from(QUERY_KEYS + FORM_KEYS), HOSTILE)
ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
# Every rule of the map, named for the test ids; read from an app built for the purpose.
RULES = sorted((rule.rule, rule.endpoint) for rule in create_app("testing").url_map.iter_rules())


@pytest.fixture
def world(app, make_user) -> dict[str, list[str]]:
    """A site with one of everything, and real values for each kind of path argument."""
    ada = make_user("ada", role=Role.ADMIN, about_me="Administrator")
    susan = make_user("susan")
    status = posts.create_post(susan, "Spring is here #garden")
    garden = categories.create(ada, "Garden")
    article = posts.create_article(ada, "Tulips", "In **spring**.", category_id=garden.id,
                                   tags="tulips, bulbs")
    draft = posts.create_article(ada, "Roses", "Not yet.", publish=False)
    comment = comments.add(susan, article.id, "Lovely!")
    return {
        "ids": [str(status.id), str(article.id), str(draft.id), str(comment.id), str(garden.id)],
        "names": ["ada", "susan", "garden", "tulips", article.slug, "css/app.css"],
    }


class Visitor:
    """ada's browser: an administrator, so no page is closed to the fuzz, with the CSRF
    token of her session. A request may log her out; then she logs in again."""

    def __init__(self, client):
        self.client, self.token = client, None

    def ensure_logged_in(self) -> None:
        with self.client.session_transaction() as session:
            logged_in = "_user_id" in session
        if not logged_in or self.token is None:
            assert self.client.login("ada", PASSWORD).status_code == 302, "ada cannot log in"
            page = self.client.get("/explore").get_data(as_text=True)
            self.token = CSRF_META.search(page).group(1)


@pytest.fixture
def visitor(client, world) -> Visitor:
    return Visitor(client)


def table_sizes() -> dict[str, int]:
    # What an earlier example's background task adds (an export queues its email) is not
    # this request's change: let it finish first.
    assert jobs.wait_until_idle(20)
    db.session.rollback()  # read afresh what the requests committed
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def url_of(rule, values: dict[str, str]) -> str:
    """The rule's path with ``values`` in it, percent-encoded as a browser sends them,
    except that ``%`` is kept, so the values written as encodings ("%00") arrive so."""
    return ARGUMENT.sub(lambda match: quote(values[match.group(1)], safe="%"), rule.rule)


def path_values(rule, world, data) -> dict[str, str]:
    """A hostile value for each argument, or now and then a real one, so that the query
    string and the form are checked behind a lookup that succeeds too."""
    values = {}
    for name, converter in rule._converters.items():
        real = world["ids"] if isinstance(converter, IntegerConverter) else world["names"]
        values[name] = data.draw(st.one_of(HOSTILE, HOSTILE, st.sampled_from(real)), label=name)
    return values


@pytest.mark.parametrize(("path", "endpoint"), RULES, ids=[f"{e}:{p}" for p, e in RULES])
@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_requests_never_fail_and_a_refusal_changes_nothing(
        app, visitor, world, path, endpoint, data):
    rule = next(rule for rule in app.url_map.iter_rules()
                if (rule.rule, rule.endpoint) == (path, endpoint))
    visitor.ensure_logged_in()
    method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})), label="method")
    url = url_of(rule, path_values(rule, world, data))
    query = data.draw(st.dictionaries(KEYS, HOSTILE, max_size=3), label="query")
    form = None
    if method == "POST":
        form = {**data.draw(st.dictionaries(KEYS, HOSTILE, max_size=4), label="form"),
                "csrf_token": visitor.token}
    headers = data.draw(st.sampled_from([{}, {"Accept": "application/json"}]), label="headers")
    before = table_sizes()

    response = visitor.client.open(url, method=method, query_string=query, data=form,
                                   headers=headers)

    note(f"{method} {url} -> {response.status_code}")
    assert response.status_code < 500, (method, url, query, form)
    if 400 <= response.status_code < 500:
        assert table_sizes() == before, (method, url, query, form, response.status_code)
