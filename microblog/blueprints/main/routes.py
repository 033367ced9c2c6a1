"""Views of the main blueprint. Each parses the request, calls a service, renders."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from microblog import languages
from microblog.api.errors import is_api_request
from microblog.blueprints.auth.redirects import is_safe_next
from microblog.blueprints.errors.handlers import wants_json
from microblog.blueprints.forms import form_status, show_service_error
from microblog.blueprints.main import bp
from microblog.blueprints.main.forms import EditProfileForm, PostForm
from microblog.blueprints.paging import requested_cursor, requested_page
from microblog.errors import PermissionDenied, ValidationError
from microblog.extensions import login
from microblog.mailer import link
from microblog.models.role import Permission
from microblog.services import accounts, follows, permissions, posts, side_lists, timelines

# Files that are the same for everyone: no need to load the visitor for them.
NO_USER_NEEDED = {"static", "main.avatar", "uploads.image"}
# Blueprints that must not touch the database for the visitor: a liveness probe
# promises to answer without it.
NO_USER_BLUEPRINTS = {"health"}


@bp.before_app_request
def record_last_seen():
    if request.endpoint in NO_USER_NEEDED or request.blueprint in NO_USER_BLUEPRINTS:
        return
    if is_api_request():
        return  # the API knows its caller by a token, never by the session's cookie
    if current_user.is_authenticated:
        accounts.touch_last_seen(current_user)


@bp.route("/", methods=["GET", "POST"])
@bp.route("/index", methods=["GET", "POST"])
def index():
    """A member's home: the form and their timeline. A visitor signed out is shown the
    front door instead of a login wall."""
    if current_user.is_anonymous:
        return front_door()
    form = PostForm()
    status = None
    if form.validate_on_submit():
        try:
            posts.create_post(current_user, form.post.data)
        except ValidationError as error:
            show_service_error(form, error)
        except PermissionDenied:
            status = 403  # the page says why, in place of the form
        else:
            flash(_("Your post is now live!"), "success")
            return redirect(url_for("main.index"))  # Post/Redirect/Get
    page = timelines.home_timeline(current_user, *requested_page(),
                                   cursor=requested_cursor())
    return render_template(
        "index.html", page=page, title=_("Home"), form=form, endpoint="main.index",
        posting_closed=why_not(Permission.WRITE),
    ), status or form_status(form)


def why_not(permission: Permission) -> str | None:
    """The reason the visitor lacks ``permission`` (to show instead of a form), or None."""
    try:
        permissions.require(current_user, permission)
    except PermissionDenied as error:
        return error.message
    return None


def front_door():
    """``/`` for a visitor signed out: a welcome with the ways in (sign up, log in) above
    Explore's featured articles, newest posts and side lists, read as Explore reads them.
    Posting still needs an account: a form sent from outside goes to the login."""
    if request.method == "POST":
        return login.unauthorized()
    return render_template("front_door.html", title=_("Welcome"), endpoint="main.explore",
                           **_explore_listing())


@bp.get("/explore")
def explore():
    """Everyone's posts, featured articles on top, and the lists beside them."""
    return render_template("explore.html", title=_("Explore"), endpoint="main.explore",
                           **_explore_listing())


def _explore_listing() -> dict:
    """What Explore shows, for Explore and the front door: a page of everyone's posts
    but the featured articles, which page 1 shows above them, and the lists beside."""
    featured = side_lists.featured()
    page = timelines.explore(*requested_page(), cursor=requested_cursor(),
                             viewer=current_user, leaving_out=[a.id for a in featured])
    return dict(
        page=page, featured=featured if page.page == 1 else [], any_featured=bool(featured),
        recent=side_lists.recent_articles(), popular=side_lists.popular(),
        categories=side_lists.categories_with_counts(),
    )


@bp.get("/user/<username>")
def user(username):
    profile = accounts.get_user(username, viewer=current_user)
    page = timelines.posts_by(profile, *requested_page(), cursor=requested_cursor(),
                              viewer=current_user)
    return _profile(profile, page, "main.user")


@bp.get("/user/<username>/liked")
def liked(username):
    """The posts a user liked: public, like the profile it is a tab of."""
    profile = accounts.get_user(username, viewer=current_user)
    page = timelines.liked_by(profile, *requested_page(), viewer=current_user)
    return _profile(profile, page, "main.liked")


def _profile(profile, page, endpoint: str):
    """The profile header above ``page``; ``endpoint`` names the tab being shown."""
    return render_template(
        "user.html",
        page=page,
        title=profile.username,
        user=profile,
        counts=follows.counts(profile, current_user),
        endpoint=endpoint,
        canonical=link(endpoint, username=profile.username),
    )


@bp.route("/edit_profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = EditProfileForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user, form.username.data, form.about_me.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("main.edit_profile"))
    elif request.method == "GET":
        form.username.data = current_user.username
        form.about_me.data = current_user.about_me
    return (
        render_template("edit_profile.html", title=_("Edit Profile"), form=form),
        form_status(form),
    )


@bp.post("/follow/<username>")
@login_required
def follow(username):
    """Follow, then back to the page the button was on; or, asked for JSON (a hover
    card's script), the new state, with the service's refusals as problem bodies (the
    error handlers: 404 unknown user, 403 not allowed, 422 yourself)."""
    if wants_json():
        return _follow_state(follows.follow(current_user, username), following=True)
    try:
        other = follows.follow(current_user, username)
    except ValidationError as error:
        flash(error.message, "warning")
        return redirect(url_for("main.user", username=username))
    except PermissionDenied as error:
        # The profile again, with the reason on top and the status that says "forbidden".
        flash(error.message, "danger")
        return user(username), 403
    flash(_("You are following %(username)s.", username=other.username), "success")
    return _back_to(other)


@bp.post("/unfollow/<username>")
@login_required
def unfollow(username):
    """As :func:`follow`: a redirect for a form, the new state for a script."""
    if wants_json():
        return _follow_state(follows.unfollow(current_user, username), following=False)
    try:
        other = follows.unfollow(current_user, username)
    except ValidationError as error:
        flash(error.message, "warning")
        return redirect(url_for("main.user", username=username))
    flash(_("You are not following %(username)s.", username=other.username), "info")
    return _back_to(other)


def _follow_state(other, following: bool) -> dict:
    """What a script that followed or unfollowed ``other`` changes in place: the button
    and the follower count, also in words (in the visitor's language, with its plural
    rules, so the script needs none of its own)."""
    followers = other.follower_count
    return {"following": following, "followers": followers,
            "followers_text": languages.ngettext("%(num)d follower", "%(num)d followers",
                                                 followers)}


def _back_to(other):
    """To the list the button was on (``next``, a path on this site), else the profile."""
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.user",
                                                                 username=other.username))
