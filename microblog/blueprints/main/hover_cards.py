"""The card that opens over a username or avatar: an HTML fragment, fetched by a script.

``static/js/hover-cards.js`` asks ``/user/<username>/popup`` for it when the pointer has
rested on a name for half a second (or the keyboard focused it), and shows it beside
the name. A fragment, not a page: no layout, just the card, so the script can put it
into the page as it is. Who may see it is decided as for the profile it summarises
(``services.accounts.get_user``: an unknown name is a 404, an old name of a renamed
account a redirect to the new one).
"""

from flask import render_template
from flask_login import current_user

from microblog.blueprints.main import bp
from microblog.services import accounts, follows


@bp.get("/user/<username>/popup")
def user_popup(username):
    """The card: picture, name, about me, counts, last seen, and the visitor's button.
    Two queries at most, whatever the counts: the user with whether the visitor follows
    them (one statement), and the visitor themselves; the counts are stored on the row."""
    user = accounts.get_user(username, viewer=current_user)
    return render_template("_user_popup.html", user=user,
                           counts=follows.counts(user, current_user))
