"""Accounts: registering, checking credentials, editing a profile, last-seen.

Every rule about a username, an email or a password lives here, so the HTML
forms, the API and the CLI all enforce the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import _
from sqlalchemy.exc import IntegrityError

from microblog import audit, languages
from microblog.caching import ENGAGEMENT, POSTS
from microblog.database import built_once
from microblog.errors import Moved, NotFound, PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.role import Role
from microblog.models.user import (
    ABOUT_ME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    USERNAME_PATTERN,
    User,
    check_password_of_nobody,
    hash_password,
)
from microblog.pagination import Page, paginate
from microblog.services import account_mail, counts, renames, sessions
from microblog.services.loading import one_for_viewer
from microblog.services.text import clean_text
from microblog.services.transactions import commit, lock_table

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256


def validate_username(username: str, *, current: User | None = None) -> str:
    """Return the cleaned username or raise; ``current`` may keep its own name."""
    username = (username or "").strip()
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        raise ValidationError(
            _("Usernames are %(min)d to %(max)d characters long.",
              min=USERNAME_MIN_LENGTH, max=USERNAME_MAX_LENGTH),
            field="username",
        )
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            _("Use only letters, digits, dots, dashes and underscores."), field="username"
        )
    taken = db.session.scalar(sa.select(User.id).where(User.username_matches(username)))
    if taken is not None and (current is None or taken != current.id):
        raise ValidationError(_("That username is taken. Please choose another."),
                              field="username")
    return username


def normalise_email(email: str | None) -> str:
    """The address as accounts store it, so "Susan@Example.COM " finds susan@example.com.

    Input that is no address at all is only trimmed and lower-cased: looking it
    up (a reset request, a rate-limit key) simply finds nothing.
    """
    try:
        return _normalised_email(email)
    except EmailNotValidError:
        return (email or "").strip().lower()


def _normalised_email(email: str | None) -> str:
    """email_validator's normal form, lower-cased; EmailNotValidError if it is no address."""
    return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()


def validate_new_email(email: str) -> str:
    """Return the normalised (lower-case) address or raise, also when it is taken.

    For the settings page and the CLI, whose users are known; sign-up does not
    say that an address is taken (see :func:`register`).
    """
    normalised = validate_email_address(email)
    if _account_with_email(normalised) is not None:
        raise ValidationError(_("That email address is already registered."), field="email")
    return normalised


def validate_email_address(email: str) -> str:
    """Return the normalised (lower-case) address, or raise if it is no address."""
    try:
        return _normalised_email(email)
    except EmailNotValidError:
        raise ValidationError(_("Enter a valid email address."), field="email") from None


def _account_with_email(address: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == address))


def validate_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            _("Passwords are at least %(min)d characters long.", min=PASSWORD_MIN_LENGTH),
            field="password",
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(
            _("Passwords are at most %(max)d characters long.", max=PASSWORD_MAX_LENGTH),
            field="password",
        )
    return password


def new_password_errors(password: str, confirmation: str | None) -> list[ValidationError]:
    """Everything wrong with a new password and its repetition, for ``combine``.

    ``confirmation=None`` skips the comparison: an account made without a form
    (the CLI, seed data) was never asked to repeat its password.
    """
    errors = []
    try:
        validate_password(password)
    except ValidationError as error:
        errors.append(error)
    if confirmation is not None and confirmation != password:
        errors.append(ValidationError(_("Passwords must match."), field="password2"))
    return errors


def register(
    username: str,
    email: str,
    password: str,
    password_confirmation: str | None = None,
    *,
    email_confirmed: bool = False,
) -> User | None:
    """Create an account. Raises one ValidationError naming every broken rule.

    ``password_confirmation`` is checked when given (the HTML form's
    ``password2``), so a typo in it is reported together with everything else.
    ``email_confirmed`` is for accounts an operator creates (seed data, the
    CLI), whose address nobody needs to prove.

    An address that already has an account is not an error: nothing is created,
    its owner is emailed that someone tried, and None is returned, so the
    caller can answer exactly as for a new account. Saying "already registered"
    would tell anyone who has an account here. (Usernames are public: a taken
    one is reported.) The password is hashed either way, so the time the answer
    takes tells nothing either.

    The site's first account is made its administrator, when FIRST_USER_IS_ADMIN
    is on (see :func:`_first_account`).
    """
    checks = ((validate_username, username), (validate_email_address, email))
    cleaned, errors = [], []
    for check, value in checks:
        try:
            cleaned.append(check(value))
        except ValidationError as error:
            errors.append(error)
    errors += new_password_errors(password, password_confirmation)
    if errors:
        raise ValidationError.combine(errors)
    username, email = cleaned
    password_hash = hash_password(password)
    if (owner := _account_with_email(email)) is not None:
        audit.record("account.register_existing_email", user=owner)
        account_mail.send_registration_attempt(owner)
        return None
    first_account = _first_account()
    user = User(email=email, password_hash=password_hash,
                email_confirmed_at=utcnow() if email_confirmed else None)
    renames.give_username(user, username)  # someone's old name is free to take
    if first_account:
        user.role = Role.ADMIN
    db.session.add(user)
    commit_unique()
    audit.record("account.register", user=user)
    if first_account:
        audit.record("role.change", user=user, actor="first_account",
                     old_role=Role.USER.value, new_role=Role.ADMIN.value)
    if not user.email_confirmed:
        account_mail.send_confirmation(user, user.email)
    return user


def _first_account() -> bool:
    """Whether the account being registered is the site's first, and so becomes its
    administrator: how a fresh install gets one without a command (FIRST_USER_IS_ADMIN).

    Only the first account of an empty site, not any account made while the site has
    no administrator: a site whose last administrator left would hand the role to
    whoever signed up next. Two sign-ups at the same moment must not both be first:
    once the site looks empty, the registration locks the users table against other
    writers (:func:`~microblog.services.transactions.lock_table`) and looks again, so
    the second waits for the first's commit and then finds its account. A site with
    accounts never takes the lock.
    """
    if not current_app.config["FIRST_USER_IS_ADMIN"] or _any_account():
        return False
    lock_table(User)
    return not _any_account()


def _any_account() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None


def administrators() -> list[str]:
    """The usernames of the active administrators, for telling an operator who they are."""
    return list(db.session.scalars(
        sa.select(User.username)
        .where(User.role == Role.ADMIN, User.disabled.is_(False))
        .order_by(User.id)
    ))


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None. Never says which part was wrong.

    A disabled account with the right password raises PermissionDenied: its
    owner has proved who they are and deserves to know why they cannot log in.
    """
    user = db.session.scalar(sa.select(User).where(User.username_matches(username or "")))
    # An unknown name costs a password check too (check_password_of_nobody):
    # answering it faster would tell who has an account.
    if user is None:
        check_password_of_nobody(password or "")
    if user is None or not user.check_password(password or ""):
        audit.record("login.failure", username=(username or "")[:USERNAME_MAX_LENGTH],
                     reason="bad_credentials")
        return None
    if user.disabled:
        audit.record("login.failure", user=user, reason="disabled")
        raise PermissionDenied(_("This account has been disabled."))
    audit.record("login.success", user=user)
    return user


def get_user(username: str, viewer: User | None = None) -> User:
    """The user called ``username`` (any case; the unique index is on
    ``lower(username)``); with ``viewer``, also whether they follow them
    (``followed_by_viewer``), in the same query.

    Nobody by that name raises NotFound, or Moved when it is a name someone had
    before a rename: only then are former names read, so a page reached by the
    current name costs no query more.
    """
    user = one_for_viewer("user_by_name", lambda: sa.select(User).where(
        User.username_matches(sa.bindparam("username"))), viewer, username=username.lower())
    if user is None:
        missing = _("There is no user called %(username)s.", username=username)
        if (current := renames.current_username(username)) is not None:
            raise Moved(missing, old=username, new=current)
        raise NotFound(missing)
    return user


def get_user_by_id(user_id: int) -> User:
    """The user with id ``user_id`` (the API names users by id, as chapter 23 does)."""
    user = db.session.scalars(built_once("user_by_id", lambda: sa.select(User).where(
        User.id == sa.bindparam("user_id"))), {"user_id": user_id}).first()
    if user is None:
        raise NotFound(_("There is no such user."))
    return user


def directory(page: int, per_page: int) -> tuple[Page[User], int]:
    """A page of every account by username (any case), and how many accounts there are:
    the API's ``GET /api/users``. Two queries, the page and the count."""
    query = built_once("directory", lambda: sa.select(User).order_by(
        sa.func.lower(User.username), User.id))
    found = paginate(query, page, per_page)
    total = db.session.scalar(built_once("account_count", lambda: sa.select(
        sa.func.count()).select_from(User)))
    return found, total


def update_profile(user: User, username: str, about_me: str) -> User:
    """Change the username (still unique) and the about-me text.

    The old username keeps leading here (``services.renames``), until somebody
    else takes it.
    """
    about_me = clean_text(about_me)
    if len(about_me) > ABOUT_ME_MAX_LENGTH:
        raise ValidationError(
            _("About me is at most %(max)d characters.", max=ABOUT_ME_MAX_LENGTH),
            field="about_me",
        )
    new_username = validate_username(username, current=user)
    renamed = new_username != user.username
    renames.give_username(user, new_username)
    user.about_me = about_me or None
    commit_unique(changes=[POSTS] if renamed else [])  # cached lists and feeds name the author
    return user


def choose_language(user: User | None, code: str | None, *, follow_browser: bool = False
                    ) -> str | None:
    """The interface's language ``code`` for this visitor, stored on ``user``'s account
    when they are signed in (None: anyone else, whose choice the front end keeps).

    With ``follow_browser`` (Settings), an empty ``code`` clears the choice, so the
    browser's Accept-Language decides again. A language the site does not speak is
    refused, and nothing is stored.
    """
    if follow_browser and not (code or "").strip():
        language = None
    elif (language := languages.supported(code)) is None:
        raise ValidationError(_("Choose one of the languages in the list."), field="language")
    if user is not None and user.language != language:
        user.language = language
        commit()
    return language


def delete_account(user: User, password: str, understood: bool) -> None:
    """Delete the account and everything it wrote; the password must be given again.

    ``understood`` is the person's explicit "I understand this is for good":
    without it nothing is deleted, whatever the password. Both problems are
    reported at once.

    Removal, not anonymisation: the posts (and, through the database's
    ``ON DELETE CASCADE`` foreign keys, every row that points at the account:
    follows in both directions, and whatever later tables add) go with it,
    so nothing is left that names or points to a person who asked to leave.
    """
    errors = []
    if not understood:
        errors.append(ValidationError(
            _("Tick this box to confirm that you want to delete your account."),
            field="understood",
        ))
    if not password:
        errors.append(ValidationError(_("Enter your password."), field="password"))
    elif not user.check_password(password):
        errors.append(ValidationError(_("That is not your password."), field="password"))
    if errors:
        raise ValidationError.combine(errors)
    audit.record("account.delete", user=user)
    touched = counts.posts_engaged_by(user)
    partners = counts.follow_partners(user)
    correspondents = counts.conversation_partners(user)
    db.session.delete(user)
    db.session.flush()
    counts.recount(touched)  # their likes and comments on others' posts are gone too
    counts.recount_follows(partners)  # and their follows, both ways
    counts.recount_unread_messages(correspondents)  # and their conversations
    commit(changes=[POSTS, ENGAGEMENT])


def log_out(user: User) -> None:
    """End the sign-in session ``user`` came with, so no copy of its cookies works
    again; forgetting the cookies in this browser is the front end's part."""
    sessions.end(user.login_session)
    audit.record("logout", user=user)


def touch_last_seen(user: User, now: datetime | None = None) -> bool:
    """Record that ``user`` is active, at most once per configured interval.

    Writing on every request would turn each page view into a write; one
    write a minute is precise enough for "last seen". The sign-in session the
    request came with (``user.login_session``) is noted the same way, for the
    owner's list of sessions. Returns whether it wrote.
    """
    now = now or utcnow()
    interval = timedelta(seconds=current_app.config["LAST_SEEN_INTERVAL_SECONDS"])
    wrote = sessions.touch(user.login_session, now, interval)
    if user.last_seen is None or now - user.last_seen >= interval:
        user.last_seen = now
        wrote = True
    if wrote:
        db.session.commit()
    return wrote


def commit_unique(changes: Iterable[str] = ()) -> None:
    """Commit (then invalidate ``changes``), turning a lost race on a unique column
    into a clear error."""
    try:
        commit(changes=changes)
    except IntegrityError:
        db.session.rollback()
        # Another request won the race between our check and this commit; the
        # database's unique indexes kept the data right, we only report it.
        raise ValidationError(
            _("That username or email address was just taken. Please choose another.")
        ) from None
