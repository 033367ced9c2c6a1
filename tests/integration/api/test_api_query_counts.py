"""Every list of the API costs the same number of SQL statements whatever its page size.

A page of twelve that sent one more statement per item than a page of two would be an
N+1: fine in a test with two rows, a flood with a hundred. For each list below, twelve
items are made, one page is read to warm what is read once (the token, a cache, a
conversation marked read), and then a page of two and a page of twelve must cost the
same. The lists counted elsewhere are named in ``COUNTED_ELSEWHERE``; a test fails when
the document has a list counted nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from microblog.models.user import User
from microblog.services import blocks, categories, comments, follows, likes, messages, posts
from tests.integration.api.world import Call, World

MANY = 12  # items made for each list: the large page holds them all


@dataclass(frozen=True)
class Collection:
    operation: str
    fill: Callable[[World, list[User]], Call]  # makes MANY items; the request listing them
    variant: str = ""
    # The setting that sizes the page, where the list takes no ?per_page=.
    sized_by: str | None = None

    def __str__(self) -> str:
        return f"{self.operation} {self.variant}".strip()


# --- each list: make MANY of its items, and return the request that lists them -------------

def followers(w: World, people: list[User]) -> Call:
    for person in people:
        follows.follow(person, w.you.username)
    return w.get(f"/api/users/{w.you.id}/followers")


def following(w: World, people: list[User]) -> Call:
    for person in people:
        follows.follow(w.you, person.username)
    return w.get(f"/api/users/{w.you.id}/following", by=w.you)


def drafts(w: World, people: list[User]) -> Call:
    for number in range(MANY):
        posts.create_article(w.you, f"Draft {number}", "Not yet.", publish=False)
    return w.get("/api/drafts", by=w.you)


def in_a_category(w: World, people: list[User]) -> Call:
    for number, person in enumerate(people):
        posts.create_article(person, f"Article {number}", "Words.", category_id=w.category.id)
    return w.get(f"/api/categories/{w.category.slug}/posts", by=w.you)


def tagged(w: World, people: list[User]) -> Call:
    for number, person in enumerate(people):
        posts.create_post(person, f"Number {number} of #birds")
    return w.get("/api/tags/birds/posts", by=w.you)


def likers(w: World, people: list[User]) -> Call:
    for person in people:
        likes.like(person, w.your_status.id)
    return w.get(f"/api/posts/{w.your_status.id}/likes", by=w.you)


def posts_found(w: World, people: list[User]) -> Call:
    for number, person in enumerate(people):
        posts.create_post(person, f"Harvest moon {number}")
    return w.get("/api/search/posts?q=harvest", by=w.you)


def people_found(w: World, people: list[User]) -> Call:
    return w.get("/api/search/users?q=birder", by=w.you)  # the people are birder00…


def conversations(w: World, people: list[User]) -> Call:
    for number, person in enumerate(people):
        messages.send(person, w.you.username, f"Hello {number}")
    return w.get("/api/conversations", by=w.you)


def one_conversation(w: World, people: list[User]) -> Call:
    for number in range(MANY):
        messages.send(w.other, w.you.username, f"Message {number}")
    return w.get(f"/api/conversations/{w.conversation}/messages", by=w.you)


def _comment_on_yours(w: World, people: list[User]) -> None:
    """A notification each (a comment is a group of its own)."""
    for number, person in enumerate(people):
        comments.add(person, w.your_status.id, f"Comment {number}")


def notifications(w: World, people: list[User]) -> Call:
    _comment_on_yours(w, people)
    return w.get("/api/notifications", by=w.you)


def notifications_since(w: World, people: list[User]) -> Call:
    _comment_on_yours(w, people)
    return w.get("/api/notifications?since=2000-01-01T00:00:00Z", by=w.you)


def blocked(w: World, people: list[User]) -> Call:
    for person in people:
        blocks.block(w.you, person.username)
    return w.get("/api/me/blocked", by=w.you)


COLLECTIONS = [
    Collection("GET /api/users/{user_id}/followers", followers),
    Collection("GET /api/users/{user_id}/following", following),
    Collection("GET /api/drafts", drafts),
    Collection("GET /api/categories/{slug}/posts", in_a_category),
    Collection("GET /api/tags/{tag}/posts", tagged),
    Collection("GET /api/posts/{post_id}/likes", likers),
    Collection("GET /api/search/posts", posts_found),
    Collection("GET /api/search/users", people_found),
    Collection("GET /api/conversations", conversations),
    Collection("GET /api/conversations/{conversation_id}/messages", one_conversation,
               sized_by="MESSAGES_PER_PAGE"),
    Collection("GET /api/notifications", notifications, variant="(grouped)"),
    Collection("GET /api/notifications", notifications_since, variant="(since a moment)"),
    Collection("GET /api/me/blocked", blocked),
]

# Lists whose cost is counted by another module's test.
COUNTED_ELSEWHERE = {
    "GET /api/users": "test_api_users.py::"
                      "test_listing_users_costs_the_same_queries_whatever_the_page_size",
    "GET /api/feed": "test_api_posts.py::"
                     "test_the_feed_costs_the_same_queries_whatever_the_page_size",
    "GET /api/posts": "test_api_posts.py::"
                      "test_lists_of_posts_and_comments_cost_the_same_whatever_the_page_size",
    "GET /api/users/{user_id}/posts": "the same",
    "GET /api/posts/{post_id}/comments": "the same",
}
NEVER_PAGED = "GET /api/categories"  # counted by its own test, below


def sized(call: Call, collection: Collection, size: int, app) -> Call:
    if collection.sized_by:
        app.config[collection.sized_by] = size
        return call
    return call.with_query(f"per_page={size}")


@pytest.mark.parametrize("collection", COLLECTIONS, ids=str)
def test_a_page_costs_the_same_queries_whatever_its_size(collection, app, api, make_user,
                                                         count_queries):
    w = World(app, make_user)
    people = [make_user(f"birder{number:02}") for number in range(MANY)]
    call = collection.fill(w, people)

    def cost(size: int) -> int:
        with count_queries() as statements:
            response = w.send(api, sized(call, collection, size, app))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert len(response.get_json()["items"]) == size  # the page is as large as asked
        return len(statements)

    # Read once whole first: what is read once and kept (a post's words, with the render
    # cache on) is then kept for every item of both pages below, and neither size was
    # asked before (a search keeps its answer per page size). With the render cache off
    # (sqlite-uncached) both pages read everything.
    cost(MANY)
    assert cost(2) == cost(MANY - 1)


def test_the_categories_cost_the_same_however_many_there_are(app, api, admin, count_queries):
    """The one list that is never paged: every category, in one statement."""
    def cost() -> int:
        with count_queries() as statements:
            assert api.get("/api/categories").status_code == 200
        return len(statements)

    for number in range(2):
        categories.create(admin, f"Category {number}")
    few = cost()
    for number in range(2, MANY):
        categories.create(admin, f"Category {number}")
    assert len(api.get("/api/categories").get_json()["items"]) == MANY
    assert cost() == few


def test_every_list_in_the_document_is_counted(api):
    document = api.get("/api/openapi.json").get_json()
    lists = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            schema = operation["responses"].get("200", {}).get("content", {}) \
                .get("application/json", {}).get("schema", {})
            name = schema.get("$ref", "").rsplit("/", 1)[-1]
            if "items" in document["components"]["schemas"].get(name, {}).get("properties", {}):
                lists.add(f"{method.upper()} {path}")
    counted = {collection.operation for collection in COLLECTIONS} | set(COUNTED_ELSEWHERE) \
        | {NEVER_PAGED}
    assert lists == counted, (lists - counted, counted - lists)

