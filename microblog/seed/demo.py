"""The demo data set ``flask seed`` (and ``make run``) loads into an empty database.

It shows every feature a visitor can try: statuses with #tags, articles in
categories (Markdown with lists and code), a draft only ``demo`` sees, a
featured article, comments and likes. It is made through the services, as the
site's own forms would make it, so it obeys every rule they enforce.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from microblog.caching import POSTS, invalidate
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.post import Post
from microblog.models.user import User
from microblog.seed.bulk import SEEDED_PASSWORD
from microblog.services import accounts, categories, comments, follows, likes, messages, posts
from microblog.services.moderation import COMMAND_LINE

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "microblog-demo"

DEMO_PEOPLE = {
    "demo": "I run this demo. Log in as me and look around.",
    "susan": "Gardener, reader, occasional Python programmer.",
    "john": "Backend developer. Coffee first.",
    "amy": "Writing about databases and the people who love them.",
    "david": "Mountains on weekends, Flask on weekdays.",
    "lina": "Learning Flask one chapter at a time.",
}
DEMO_POSTS = [
    "Just finished chapter 8 of the Mega-Tutorial: followers work! #flask",
    # Posts in other languages: an English reader is offered "Translate" under them
    # when a translator is configured (TRANSLATOR_URL).
    "Hoy terminé el capítulo sobre las plantillas. Ahora entiendo la herencia. #flask",
    "Reminder: an index on (user_id, published_at) makes profile pages fast. #databases",
    "Morning coffee and a green test suite. Good start.",
    "Heute habe ich gelernt, warum jede Änderung ein POST sein muss. Sehr einleuchtend!",
    "Why is every state change a POST? Because a GET can be triggered by an <img> tag.",
    "Trying the explore page to find new people to follow.",
    "Pagination without COUNT(*): fetch one row more than you show. #databases",
    "Blueprints finally clicked for me today.",
    "Deployed to production. Nothing caught fire.",
    "Templates inherit from base.html, so the navbar lives in one place.",
    "Hello, Microblog!",
    "Finally moved my config into environment variables. No secrets in git.",
    "TIL: Jinja escapes everything by default, so <b>this</b> shows as text.",
    "Read about Alembic today. Migrations are just Python functions with an order. #flask",
    "The garden is full of tomatoes and my timeline is full of Python.",
    "Who else is reading the Flask docs on a Sunday?",
    "A service layer means the API and the web forms share the same rules.",
    "Weekend hike, no laptop. Back on Monday.",
    "Password hashing with scrypt: slow on purpose.",
    "New here! Looking for people who write about databases.",
    "Keyset pagination is next on my reading list.",
]
DEMO_CATEGORIES = ["Flask", "Databases", "Notes"]


@dataclass(frozen=True)
class DemoArticle:
    author: str
    category: str
    title: str
    tags: str
    body: str
    published: bool = True
    featured: bool = False


DEMO_ARTICLES = [
    DemoArticle("amy", "Databases", "Indexes that match your pages", "sql, indexes", """\
Every page that lists posts asks the database the same question: *the newest
posts, twenty-five at a time*. An index can answer it without sorting anything.

## What goes in the index

1. The columns you filter on, first.
2. Then the columns you order by.
3. Then `id`, so that two posts written at the same moment keep their order.

```sql
CREATE INDEX ix_posts_user_id_published_at
    ON posts (user_id, published_at, id);
```

## How to check

- SQLite: `EXPLAIN QUERY PLAN` before the query.
- PostgreSQL: `EXPLAIN ANALYZE`.
- Look for **USING INDEX**, and for no *TEMP B-TREE FOR ORDER BY*.
"""),
    DemoArticle("john", "Flask", "Blueprints in five minutes", "flask, blueprints", """\
A blueprint is a group of routes that you register on the app later, in the
app factory.

```python
from flask import Blueprint

bp = Blueprint("blog", __name__)


@bp.get("/post/<int:post_id>")
def post(post_id):
    ...
```

Three things to remember:

- the endpoint is `blog.post`, not `post`;
- `url_for` needs that full name;
- one `templates/` folder is easier to find than one per blueprint.
"""),
    DemoArticle("demo", "Flask", "Why my routes got shorter", "flask, architecture", """\
I moved every rule out of my view functions into a service layer.

> A route parses input, calls one service, renders.

Before, the view held the rule:

```python
@app.post("/comment")
def comment():
    if len(request.form["body"]) > 2000:
        abort(400)
    db.session.add(Comment(body=request.form["body"]))
    db.session.commit()
```

After, it calls `comments.add(current_user, post_id, body)`, and the API will call
the same function. What I gained:

1. One place for each rule.
2. Tests that need no HTTP at all.
3. Errors in the words of the domain: *not found*, *not allowed*, *not valid*.
""", featured=True),
    DemoArticle("demo", "Notes", "Caching, a first draft", "cache", """\
Only a draft, so only I can see it. Things to find out:

- what is the same for every visitor, and may be cached;
- what changes it, and who must say so;
- what happens when Redis is down.
""", published=False),
]
DEMO_COMMENTS = [
    ("Indexes that match your pages", "susan", "The `id` at the end was the bit I was missing."),
    ("Indexes that match your pages", "david", "Does the same hold for PostgreSQL?"),
    ("Indexes that match your pages", "amy", "It does: the same index, the same plan."),
    ("Blueprints in five minutes", "lina", "Finally, a short explanation. Thanks!"),
    ("Blueprints in five minutes", "david", "Muy útil, gracias. Lo voy a probar este fin de "
                                           "semana con mi propio proyecto."),
    ("Why my routes got shorter", "john", "And the tests got simpler too."),
]
DEMO_LIKES = {
    "Indexes that match your pages": ["susan", "david", "lina", "demo"],
    "Blueprints in five minutes": ["amy", "lina"],
    "Why my routes got shorter": ["susan", "john", "amy"],
}


# A conversation waiting for the demo account: its badge shows on the first sign-in.
DEMO_MESSAGES = [
    ("susan", DEMO_USERNAME, "Welcome to Microblog! Private messages are kept as "
                             "*conversations*: reply right below."),
    (DEMO_USERNAME, "susan", "Thanks! Is this visible to anyone else?"),
    ("susan", DEMO_USERNAME, "Only to the two of us. Try blocking me from here if you like: "
                             "I could not write to you then."),
]


def load_demo(rng: random.Random | None = None) -> bool:
    """Create a few people who follow each other and have posted. Only into an empty database.

    Goes through the services, like a real user would, so the demo data obeys
    every rule. Returns False (and changes nothing) when users already exist.
    """
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        return False
    rng = rng or random.Random(8)
    people = []
    for username, about_me in DEMO_PEOPLE.items():
        password = DEMO_PASSWORD if username == DEMO_USERNAME else SEEDED_PASSWORD
        user = accounts.register(username, f"{username}@example.com", password,
                                 email_confirmed=True)
        accounts.update_profile(user, username, about_me)
        people.append(user)
    for user in people:
        for other in rng.sample(people, 3):
            if other is not user:
                follows.follow(user, other.username)
    now = utcnow()
    for minutes, body in enumerate(DEMO_POSTS):
        post = posts.create_post(rng.choice(people), body)
        _date(post, now - timedelta(minutes=minutes * 181 + rng.randint(0, 60)))
    db.session.commit()
    _load_demo_blog({user.username: user for user in people}, now)
    invalidate(POSTS)  # the dates above were changed behind the services' back
    return True


def _load_demo_blog(people: dict[str, User], now: datetime) -> None:
    """Categories, articles, a draft, comments and likes: the blog features to try (and,
    through the services, the notifications they make); a conversation for the demo."""
    filed = {name: categories.create(COMMAND_LINE, name) for name in DEMO_CATEGORIES}
    articles = {}
    for hours, demo in enumerate(DEMO_ARTICLES):
        article = posts.create_article(
            people[demo.author], demo.title, demo.body, category_id=filed[demo.category].id,
            tags=demo.tags, publish=demo.published,
        )
        if demo.published:
            _date(article, now - timedelta(hours=30 - hours * 9))
        if demo.featured:
            posts.set_featured(COMMAND_LINE, article, True)
        articles[demo.title] = article
    db.session.commit()
    for title, username, text in DEMO_COMMENTS:
        comments.add(people[username], articles[title].id, text)
    for title, usernames in DEMO_LIKES.items():
        for username in usernames:
            likes.like(people[username], articles[title].id)
    for sender, recipient, text in DEMO_MESSAGES:
        messages.send(people[sender], recipient, text)


def _date(post: Post, when: datetime) -> None:
    """Pretend ``post`` was written and published at ``when`` (the demo spans a few days)."""
    post.created_at = post.updated_at = post.published_at = when
