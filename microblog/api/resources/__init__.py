"""One module per resource, each an APIBlueprint under ``/api`` (its name is its tag in
the OpenAPI document)."""

from __future__ import annotations

from apiflask import APIBlueprint


def blueprints() -> list[APIBlueprint]:
    from microblog.api.resources import (
        blocks,
        categories,
        comments,
        feed,
        follows,
        likes,
        messages,
        moderation,
        notifications,
        posts,
        search,
        tasks,
        tokens,
        users,
    )
    from microblog.rate_limits import api_limits

    found = [tokens.bp, users.bp, posts.bp, feed.bp, comments.bp, likes.bp, follows.bp,
             categories.bp, search.bp, messages.bp, notifications.bp, blocks.bp, tasks.bp,
             moderation.bp]
    for blueprint in found:
        if not getattr(blueprint, "api_limited", False):  # each app registers them again
            api_limits(blueprint)
            blueprint.api_limited = True
    return found
