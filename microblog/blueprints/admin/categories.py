"""The categories page at /admin/categories: create, rename, delete (administrators only).

Deleting asks where the category's posts go (another category, or none); the
service moves them in the same transaction, so no post is lost.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user

from microblog.blueprints.admin import bp
from microblog.blueprints.admin.forms import CategoryForm
from microblog.blueprints.decorators import admin_required
from microblog.blueprints.forms import error_summary, form_status, show_service_error
from microblog.errors import NotFound, ValidationError
from microblog.integers import whole_number
from microblog.languages import ngettext  # counts written the reader's way
from microblog.models.category import CATEGORY_NAME_MAX_LENGTH
from microblog.services import categories as category_rules
from microblog.services import side_lists


def categories_page(form: CategoryForm | None = None, status: int = 200):
    return render_template(
        "admin/categories.html", title=_("Categories"), form=form or CategoryForm(),
        categories=side_lists.categories_with_counts(), name_max=CATEGORY_NAME_MAX_LENGTH,
    ), status


@bp.route("/categories", methods=["GET", "POST"])
@admin_required
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            created = category_rules.create(current_user, form.name.data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            flash(_("Category %(name)s created.", name=created.name), "success")
            return redirect(url_for("admin.categories"))
    return categories_page(form, form_status(form))


@bp.post("/categories/<int:category_id>/rename")
@admin_required
def rename_category(category_id: int):
    category = category_rules.get(category_id)
    old_name = category.name
    try:
        category_rules.rename(current_user, category, request.form.get("name", ""))
    except ValidationError as error:
        flash(error_summary(error), "danger")
        return categories_page(status=422)
    flash(_("%(old)s is now called %(name)s.", old=old_name, name=category.name), "success")
    return redirect(url_for("admin.categories"))


@bp.post("/categories/<int:category_id>/delete")
@admin_required
def delete_category(category_id: int):
    category = category_rules.get(category_id)
    name = category.name
    move_to = request.form.get("move_to", "")  # empty: the posts keep no category
    try:
        target = category_rules.get(whole_number(move_to)) if move_to else None
    except ValueError:
        raise NotFound(_("There is no such category.")) from None
    try:
        moved = category_rules.delete(current_user, category, target)
    except ValidationError as error:
        flash(error_summary(error), "danger")
        return categories_page(status=422)
    if target is None:
        flash(ngettext("%(name)s deleted; %(num)d post now has no category.",
                       "%(name)s deleted; %(num)d posts now have no category.", moved,
                       name=name), "success")
    else:
        flash(ngettext("%(name)s deleted; %(num)d post moved to %(target)s.",
                       "%(name)s deleted; %(num)d posts moved to %(target)s.", moved,
                       name=name, target=target.name), "success")
    return redirect(url_for("admin.categories"))
