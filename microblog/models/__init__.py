"""The database models, one concept per module.

Import each from its own module (``from microblog.models.user import User``);
this package deliberately re-exports nothing, because ``extensions.py`` imports
``models.base`` and a re-export here would make that import circular.
"""
