"""An image someone uploaded: who, which file, what it is.

The file itself is in the uploads storage (:mod:`microblog.storage`) under its
``name``, the SHA-256 of the bytes we encoded (:mod:`microblog.images`) and their
extension, so one picture uploaded twice, or by two people, is one file. Each
person's upload of it is a row here: that is what says whose it is, and what their
quota (``UPLOAD_QUOTA_BYTES``) counts. A row goes with its account; the file stays,
since another row (or a post someone quoted) may still name it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db

# 64 hex digits of SHA-256, a dot and an extension of up to four letters.
UPLOAD_NAME_MAX_LENGTH = 69
CONTENT_TYPE_MAX_LENGTH = 32


class Upload(db.Model):
    __tablename__ = "uploads"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(UPLOAD_NAME_MAX_LENGTH))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(CONTENT_TYPE_MAX_LENGTH))
    width: so.Mapped[int]
    height: so.Mapped[int]
    # The stored file's size: what the owner's quota counts.
    size: so.Mapped[int]

    __table_args__ = (
        # One row per person and picture: uploading it again changes nothing.
        sa.UniqueConstraint("user_id", "name", name="uq_uploads_user_id_name"),
    )

    def __repr__(self) -> str:
        return f"<Upload {self.name} of {self.user_id}>"
