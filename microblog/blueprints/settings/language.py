"""Settings → Language: the account's language, for its pages and its emails.

The choices are the config's ``LANGUAGES``, each in its own name, and "follow my
browser" (no choice stored: ``Accept-Language`` decides, or the footer's cookie). The
rule, which languages exist, is the service's
(``microblog.services.accounts:choose_language``).
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from microblog import languages
from microblog.blueprints.forms import form_status, show_service_error
from microblog.blueprints.settings import bp
from microblog.errors import ValidationError
from microblog.services import accounts


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validate_choice=False,
                           description=_l("The language of these pages and of the emails "
                                          "we send you."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", _("Follow my browser")), *languages.names().items()]


@bp.route("/language", methods=["GET", "POST"], endpoint="language")
def choose_language():
    form = LanguageForm(data={"language": current_user.language or ""})
    if form.validate_on_submit():
        try:
            accounts.choose_language(current_user, form.language.data, follow_browser=True)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            # Said in the language just chosen: the next page is in it too.
            with languages.in_language_of(current_user):
                flash(_("Your language is saved."), "success")
            return redirect(url_for("settings.language"))
    return render_template("settings/language.html", title=_("Language"), form=form), \
        form_status(form)
