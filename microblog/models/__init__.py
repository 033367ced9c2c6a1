"""The database models, one concept per module.

Import each from its own module (``from microblog.models.user import User``);
this package deliberately re-exports nothing, because ``extensions.py`` imports
``models.base`` and a re-export here would make that import circular.
"""


def load_all() -> None:
    """Import every model, so the metadata and the relationships between them are
    complete before the first query (``create_app`` calls this)."""
    from microblog.models import (  # noqa: F401
        api_token,
        block,
        category,
        comment,
        follow,
        former_name,
        like,
        login_session,
        message,
        notification,
        post,
        tag,
        task,
        translation,
        upload,
        user,
    )
