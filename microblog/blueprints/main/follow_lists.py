"""A profile's followers and the people it follows, as lists of people to follow back."""

from flask import render_template
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.main import bp
from microblog.blueprints.paging import requested_page
from microblog.services import accounts, follows


@bp.get("/user/<username>/followers")
def followers(username):
    profile = accounts.get_user(username, viewer=current_user)
    page = follows.followers_of(profile, *requested_page("USERS_PER_PAGE"), viewer=current_user)
    return _list(profile, page, "main.followers",
                 _("People following %(username)s", username=profile.username),
                 _("Nobody follows %(username)s yet.", username=profile.username))


@bp.get("/user/<username>/following")
def following(username):
    profile = accounts.get_user(username, viewer=current_user)
    page = follows.followed_by(profile, *requested_page("USERS_PER_PAGE"), viewer=current_user)
    return _list(profile, page, "main.following",
                 _("People %(username)s follows", username=profile.username),
                 _("%(username)s follows nobody yet.", username=profile.username))


def _list(profile, page, endpoint: str, heading: str, empty: str):
    return render_template(
        "follow_list.html", page=page, title=heading, heading=heading, empty=empty,
        user=profile, counts=follows.counts(profile, current_user), endpoint=endpoint,
    )
