"""Flask extensions, created unbound and attached to the app in ``create_app``.

Creating them here (not in ``__init__``) lets any module import ``db`` or
``login`` without importing the application, which avoids circular imports.
"""

from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from microblog.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
login.login_view = "auth.login"
login.login_message = _l("Please log in to access this page.")
login.login_message_category = "info"
csrf = CSRFProtect()
babel = Babel()
