"""Full-text search: an index of published posts, comments and people, kept by the database.

SQLite: three FTS5 tables (``posts_search``, ``comments_search``,
``users_search``), tokenised with Porter stemming over ``unicode61`` (accents
removed), filled by triggers on ``posts``, ``post_tags``, ``comments`` and
``users``.

PostgreSQL: a text search configuration ``microblog`` (English stemming after
``unaccent``) and a ``search_vector`` column with a GIN index on each table.
On ``comments`` and ``users`` it is a generated column; on ``posts`` a trigger
fills it, because a post's tags live in another table.

Either way every INSERT, UPDATE and DELETE, from the app, a bulk ``COPY`` or a
hand-typed SQL statement, changes the index in the same transaction.

Note for later migrations: on SQLite, ``batch_alter_table`` rebuilds a table
by copying it, and dropping the old copy drops its triggers. A migration that
batch-alters ``posts``, ``post_tags``, ``comments`` or ``users`` must create
their search triggers again (``create_sqlite_triggers`` below lists them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# -- SQLite -------------------------------------------------------------------

TOKENIZER = "porter unicode61 remove_diacritics 2"
# The set of a post's tag names, as one string of words.
SQLITE_POST_TAGS = """(SELECT group_concat(tags.name, ' ') FROM post_tags
                        JOIN tags ON tags.id = post_tags.tag_id
                       WHERE post_tags.post_id = {post_id})"""

SQLITE_TRIGGERS = {
    "posts_search_insert": f"""
        CREATE TRIGGER posts_search_insert AFTER INSERT ON posts
        WHEN NEW.published_at IS NOT NULL BEGIN
            INSERT INTO posts_search (rowid, title, body, tags)
            VALUES (NEW.id, NEW.title, NEW.body, {SQLITE_POST_TAGS.format(post_id="NEW.id")});
        END""",
    # Publishing a draft adds it; editing replaces it.
    "posts_search_update": f"""
        CREATE TRIGGER posts_search_update AFTER UPDATE OF title, body, published_at ON posts
        BEGIN
            DELETE FROM posts_search WHERE rowid = OLD.id;
            INSERT INTO posts_search (rowid, title, body, tags)
            SELECT NEW.id, NEW.title, NEW.body, {SQLITE_POST_TAGS.format(post_id="NEW.id")}
             WHERE NEW.published_at IS NOT NULL;
        END""",
    "posts_search_delete": """
        CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
            DELETE FROM posts_search WHERE rowid = OLD.id;
        END""",
    "post_tags_search_insert": f"""
        CREATE TRIGGER post_tags_search_insert AFTER INSERT ON post_tags BEGIN
            UPDATE posts_search SET tags = {SQLITE_POST_TAGS.format(post_id="NEW.post_id")}
             WHERE rowid = NEW.post_id;
        END""",
    "post_tags_search_delete": f"""
        CREATE TRIGGER post_tags_search_delete AFTER DELETE ON post_tags BEGIN
            UPDATE posts_search SET tags = {SQLITE_POST_TAGS.format(post_id="OLD.post_id")}
             WHERE rowid = OLD.post_id;
        END""",
    "comments_search_insert": """
        CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
            INSERT INTO comments_search (rowid, body) VALUES (NEW.id, NEW.body);
        END""",
    "comments_search_update": """
        CREATE TRIGGER comments_search_update AFTER UPDATE OF body ON comments BEGIN
            UPDATE comments_search SET body = NEW.body WHERE rowid = NEW.id;
        END""",
    "comments_search_delete": """
        CREATE TRIGGER comments_search_delete AFTER DELETE ON comments BEGIN
            DELETE FROM comments_search WHERE rowid = OLD.id;
        END""",
    "users_search_insert": """
        CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
            INSERT INTO users_search (rowid, username, about_me)
            VALUES (NEW.id, NEW.username, NEW.about_me);
        END""",
    "users_search_update": """
        CREATE TRIGGER users_search_update AFTER UPDATE OF username, about_me ON users BEGIN
            UPDATE users_search SET username = NEW.username, about_me = NEW.about_me
             WHERE rowid = NEW.id;
        END""",
    "users_search_delete": """
        CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
            DELETE FROM users_search WHERE rowid = OLD.id;
        END""",
}


def create_sqlite_triggers():
    for statement in SQLITE_TRIGGERS.values():
        op.execute(statement)


def upgrade_sqlite():
    # prefix='2 3': extra index entries for the first 2 and 3 letters of every
    # word, so "as you type" prefix searches read a short list.
    op.execute(f"""CREATE VIRTUAL TABLE posts_search USING fts5(
        title, body, tags, tokenize = '{TOKENIZER}', prefix = '2 3')""")
    op.execute(f"""CREATE VIRTUAL TABLE comments_search USING fts5(
        body, tokenize = '{TOKENIZER}', prefix = '2 3')""")
    op.execute(f"""CREATE VIRTUAL TABLE users_search USING fts5(
        username, about_me, tokenize = '{TOKENIZER}', prefix = '2 3')""")
    create_sqlite_triggers()
    op.execute(f"""INSERT INTO posts_search (rowid, title, body, tags)
        SELECT id, title, body, {SQLITE_POST_TAGS.format(post_id="posts.id")}
          FROM posts WHERE published_at IS NOT NULL""")
    op.execute("INSERT INTO comments_search (rowid, body) SELECT id, body FROM comments")
    op.execute("INSERT INTO users_search (rowid, username, about_me) "
               "SELECT id, username, about_me FROM users")


def downgrade_sqlite():
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("users_search", "comments_search", "posts_search"):
        op.execute(f"DROP TABLE IF EXISTS {table}")


# -- PostgreSQL ---------------------------------------------------------------

POSTGRES_UPGRADE = [
    # unaccent ships with PostgreSQL (contrib) and is a trusted extension: a
    # database owner may create it without being a superuser.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION microblog (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION microblog
         ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    # A post's document: its title weighs most (A), then its tags (B), then the body (D).
    """CREATE FUNCTION posts_search_document(post_id integer, title text, body text)
         RETURNS tsvector LANGUAGE sql STABLE AS $$
           SELECT setweight(to_tsvector('microblog', coalesce(title, '')), 'A')
               || setweight(to_tsvector('microblog', coalesce(
                    (SELECT string_agg(tags.name, ' ') FROM post_tags
                       JOIN tags ON tags.id = post_tags.tag_id
                      WHERE post_tags.post_id = $1), '')), 'B')
               || setweight(to_tsvector('microblog', body), 'D')
         $$""",
    "ALTER TABLE posts ADD COLUMN search_vector tsvector",
    # Drafts get no vector, so they cannot be found and cost the index nothing.
    """CREATE FUNCTION posts_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.published_at IS NULL THEN
             NEW.search_vector := NULL;
           ELSE
             NEW.search_vector := posts_search_document(NEW.id, NEW.title, NEW.body);
           END IF;
           RETURN NEW;
         END $$""",
    """CREATE TRIGGER posts_search_refresh
         BEFORE INSERT OR UPDATE OF title, body, published_at ON posts
         FOR EACH ROW EXECUTE FUNCTION posts_search_refresh()""",
    """CREATE FUNCTION post_tags_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE changed integer;
         BEGIN
           IF TG_OP = 'DELETE' THEN changed := OLD.post_id; ELSE changed := NEW.post_id; END IF;
           UPDATE posts SET search_vector = posts_search_document(id, title, body)
            WHERE id = changed AND published_at IS NOT NULL;
           RETURN NULL;
         END $$""",
    """CREATE TRIGGER post_tags_search_refresh AFTER INSERT OR DELETE ON post_tags
         FOR EACH ROW EXECUTE FUNCTION post_tags_search_refresh()""",
    """UPDATE posts SET search_vector = posts_search_document(id, title, body)
        WHERE published_at IS NOT NULL""",
    "CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)",
    """ALTER TABLE comments ADD COLUMN search_vector tsvector
         GENERATED ALWAYS AS (to_tsvector('microblog'::regconfig, body)) STORED""",
    "CREATE INDEX ix_comments_search_vector ON comments USING gin (search_vector)",
    # The username weighs above the about-me. It is stemmed like the about-me: the
    # query's words are stemmed, so "james python" looks for 'jame', never 'james'.
    """ALTER TABLE users ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
           setweight(to_tsvector('microblog'::regconfig, username), 'A')
        || setweight(to_tsvector('microblog'::regconfig, coalesce(about_me, '')), 'B')
       ) STORED""",
    "CREATE INDEX ix_users_search_vector ON users USING gin (search_vector)",
]

# The unaccent extension stays: other things in the database may use it.
POSTGRES_DOWNGRADE = [
    "ALTER TABLE users DROP COLUMN search_vector",
    "ALTER TABLE comments DROP COLUMN search_vector",
    "DROP TRIGGER post_tags_search_refresh ON post_tags",
    "DROP FUNCTION post_tags_search_refresh()",
    "DROP TRIGGER posts_search_refresh ON posts",
    "DROP FUNCTION posts_search_refresh()",
    "ALTER TABLE posts DROP COLUMN search_vector",
    "DROP FUNCTION posts_search_document(integer, text, text)",
    "DROP TEXT SEARCH CONFIGURATION microblog",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UPGRADE:
            op.execute(statement)
    else:
        upgrade_sqlite()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWNGRADE:
            op.execute(statement)
    else:
        downgrade_sqlite()
