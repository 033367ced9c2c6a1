"""Uploaded pictures: only real images, encoded again by us, kept once, served for good."""

from __future__ import annotations

import io
import struct
import zlib
from hashlib import sha256
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from microblog.extensions import db
from microblog.models.upload import Upload
from microblog.models.user import User
from microblog.services import comments, posts
from tests.pages import field_error, parse

JSON = {"Accept": "application/json"}


def png(size=(40, 30), colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_exif(size=(40, 20)) -> bytes:
    """A phone's photo: taken sideways (EXIF orientation 6, "turn 90° clockwise"),
    with the camera's name and where it was taken."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "SpyPhone"  # Make
    exif[0x010E] = "At home, 12 Secret Lane"  # ImageDescription
    image = Image.new("RGB", size, "blue")
    image.paste((255, 255, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A valid PNG of ``side``² black pixels (900 million): about 100 KB that would
    unpack to a gigabyte if anything decoded it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\0" * (1 + side // 8)  # filter byte + 1-bit pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + \
        chunk(b"IEND", b"")


def stored_files(app) -> list[Path]:
    return sorted(p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def upload(client, data: bytes, filename: str = "picture.png", *, as_json=True, token=None):
    headers = {"X-CSRFToken": token or client.csrf_token(), **(JSON if as_json else {})}
    return client.post("/uploads/new", data={"image": (io.BytesIO(data), filename)},
                       headers=headers)


@pytest.fixture(autouse=True)
def empty_uploads(app):
    """Each test starts with no stored file (the folder is the backend's, for the run)."""
    for path in stored_files(app):
        path.unlink()


@pytest.fixture
def susan(client, make_user):
    user = make_user("susan")
    client.login("susan")
    return user


def uploads_of(user) -> list[Upload]:
    return list(db.session.scalars(sa.select(Upload).where(Upload.user_id == user.id)))


def test_a_picture_is_stored_by_its_hash_and_answered_with_its_markdown(app, client, susan):
    response = upload(client, png(), "Beach at dawn.png")

    assert response.status_code == 201
    answer = response.get_json()
    (path,) = stored_files(app)
    digest = sha256(path.read_bytes()).hexdigest()
    assert path.name == f"{digest}.png"
    assert answer["url"] == f"/uploads/{digest}.png"
    assert answer["markdown"] == f"![Beach at dawn](/uploads/{digest}.png)"
    assert (answer["width"], answer["height"]) == (40, 30)
    (row,) = uploads_of(susan)
    assert (row.name, row.content_type, row.width, row.height, row.size) == (
        path.name, "image/png", 40, 30, path.stat().st_size)


def test_a_stored_picture_is_served_for_a_year_as_exactly_what_it_is(app, client, susan):
    url = upload(client, png()).get_json()["url"]
    client.logout()

    response = client.get(url)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    assert etag == f'"{url.removeprefix("/uploads/").removesuffix(".png")}"'
    assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_signed_in_visitor_gets_the_picture_with_the_same_public_caching(client, susan):
    url = upload(client, png()).get_json()["url"]
    response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_serving_a_picture_asks_the_database_nothing(client, susan, count_queries):
    url = upload(client, png()).get_json()["url"]
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    assert statements == []


@pytest.mark.parametrize("name", [
    "0" * 64 + ".png",           # a name we could have made, nothing stored under it
    "0" * 64 + ".svg",           # an extension we never write
    "0" * 63 + ".png",
    "../secret_key",
    "A" * 64 + ".png",
])
def test_an_unknown_or_impossible_name_is_not_found(client, name):
    assert client.get(f"/uploads/{name}").status_code == 404


def test_bytes_that_are_not_a_picture_are_refused_and_nothing_is_kept(app, client, susan):
    response = upload(client, b"<html><script>alert(1)</script></html>", "cat.png")

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "not a picture we can read" in response.get_json()["detail"]
    assert stored_files(app) == [] and uploads_of(susan) == []


def test_a_png_named_jpg_is_kept_as_the_png_it_is(app, client, susan):
    answer = upload(client, png(), "holiday.jpg").get_json()

    assert answer["url"].endswith(".png")
    assert client.get(answer["url"]).mimetype == "image/png"
    assert uploads_of(susan)[0].content_type == "image/png"


def test_a_decompression_bomb_is_refused_without_being_decoded(app, client, susan):
    bomb = png_bomb()
    assert len(bomb) < app.config["UPLOAD_MAX_BYTES"]  # small enough to be sent

    response = upload(client, bomb, "bomb.png")

    assert response.status_code == 422
    assert "too many pixels" in response.get_json()["detail"]
    assert stored_files(app) == [] and uploads_of(susan) == []


def test_more_pixels_than_the_setting_allows_are_refused(app, client, susan):
    app.config["UPLOAD_MAX_PIXELS"] = 1_000  # 40 × 30 is 1,200

    response = upload(client, png())

    assert response.status_code == 422
    assert "at most 0.001 million" in response.get_json()["detail"]
    assert stored_files(app) == []


def test_a_file_over_the_byte_limit_is_413_with_a_clear_message(app, client, susan):
    app.config["UPLOAD_MAX_BYTES"] = 100_000
    large = png((2000, 2000), "white") + b"\0" * 100_000  # a real PNG, and bytes after it

    response = upload(client, large)

    assert response.status_code == 413
    assert response.get_json()["detail"] == (
        "That file is too large: pictures of up to 0.1 MB are accepted.")
    assert stored_files(app) == []


def test_a_body_far_over_the_limit_is_refused_before_the_view_with_the_same_message(
    app, client, susan
):
    app.config["UPLOAD_MAX_BYTES"] = 100_000
    token = client.csrf_token()

    as_json = upload(client, b"\0" * 1_000_000, token=token)
    as_page = upload(client, b"\0" * 1_000_000, token=token, as_json=False)

    assert as_json.status_code == 413
    assert "pictures of up to 0.1 MB" in as_json.get_json()["detail"]
    assert as_page.status_code == 413
    assert "pictures of up to 0.1 MB" in field_error(parse(as_page), "image")


def test_other_forms_keep_the_small_body_limit(client, susan):
    """Only the views that take pictures accept megabytes."""
    response = client.submit("/index", {"post": "x" * 2_000_000})
    assert response.status_code == 413


def test_exif_is_stripped_and_the_picture_turned_upright(app, client, susan):
    url = upload(client, jpeg_with_exif(), "IMG_0001.JPG").get_json()["url"]

    stored = Image.open(io.BytesIO(client.get(url).data))
    assert stored.format == "JPEG"
    assert stored.size == (20, 40)  # turned as the camera said, so no tag is needed
    assert dict(stored.getexif()) == {}
    assert b"SpyPhone" not in client.get(url).data and b"Secret Lane" not in client.get(url).data
    # Turned clockwise: the yellow left half is now on top.
    top, bottom = stored.convert("RGB").getpixel((10, 5)), stored.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 and top[1] > 200 and bottom[2] > 200


def test_a_gif_becomes_a_png_of_its_first_frame(app, client, susan):
    frames = [Image.new("P", (10, 10), colour) for colour in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])

    url = upload(client, buffer.getvalue(), "dance.gif").get_json()["url"]

    stored = Image.open(io.BytesIO(client.get(url).data))
    assert url.endswith(".png") and stored.format == "PNG"
    assert getattr(stored, "n_frames", 1) == 1


def test_a_large_picture_is_shrunk_to_the_longest_side_allowed(app, client, susan):
    app.config["UPLOAD_MAX_SIDE"] = 100
    answer = upload(client, png((400, 200))).get_json()
    assert (answer["width"], answer["height"]) == (100, 50)


def test_the_same_picture_twice_is_one_file(app, client, susan, make_user):
    first = upload(client, png(), "a.png").get_json()
    second = upload(client, png(), "b.png").get_json()
    client.logout()
    make_user("bob")
    client.login("bob")
    third = upload(client, png(), "c.png").get_json()

    assert first["url"] == second["url"] == third["url"]
    assert len(stored_files(app)) == 1
    assert len(uploads_of(susan)) == 1  # hers once; bob's upload is his own row
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 2


def test_an_upload_without_the_csrf_token_is_refused(app, client, susan):
    response = client.post("/uploads/new", data={"image": (io.BytesIO(png()), "a.png")},
                           headers=JSON)
    assert response.status_code == 400
    assert stored_files(app) == []


def test_a_visitor_who_is_not_signed_in_cannot_upload(app, client, make_user):
    response = upload(client, png())
    assert response.status_code in (302, 401)
    assert stored_files(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 0


def test_an_unconfirmed_account_cannot_upload(app, client, make_user):
    make_user("newbie", email_confirmed=False)
    client.login("newbie")
    response = upload(client, png())
    assert response.status_code == 403
    assert stored_files(app) == []


def test_each_account_keeps_at_most_its_quota(app, client, susan):
    first = upload(client, png(colour="red"))
    app.config["UPLOAD_QUOTA_BYTES"] = uploads_of(susan)[0].size + 10

    refused = upload(client, png(colour="green"))
    again = upload(client, png(colour="red"))  # already hers: costs nothing

    assert first.status_code == 201 and again.status_code == 201
    assert refused.status_code == 422
    assert "You have used your" in refused.get_json()["detail"]
    assert len(stored_files(app)) == 1


def test_uploads_are_rate_limited_per_account(sibling_app, make_user):
    limited = sibling_app(RATELIMIT_ENABLED=True, RATELIMIT_UPLOAD_PER_USER="2 per hour")
    make_user("susan")
    client = limited.test_client()
    client.login("susan")
    statuses = [upload(client, png(colour=(n, 0, 0))).status_code for n in range(3)]
    assert statuses == [201, 201, 429]


def test_without_scripts_the_upload_page_shows_the_picture_and_its_markdown(app, client, susan):
    response = upload(client, png(), "my-cat.png", as_json=False)

    assert response.status_code == 200
    page = parse(response)
    markdown = page.find("input", id="upload-markdown").attrs["value"]
    url = markdown.split("(", 1)[1].rstrip(")")
    assert markdown == f"![my cat]({url})"
    assert page.find("img", src=url)


def test_without_scripts_a_bad_file_is_an_error_beside_the_field(client, susan):
    response = upload(client, b"not an image", as_json=False)
    assert response.status_code == 422
    assert "not a picture we can read" in field_error(parse(response), "image")


def test_the_editor_offers_to_add_a_picture(client, susan):
    page = parse(client.get("/write"))

    form = page.find("form", id="image-upload")
    assert form.attrs["action"] == "/uploads/new"
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.attrs["target"] == "_blank"  # without scripts: the article stays open
    assert form.find("input", type="hidden", name="csrf_token")
    assert form.attrs["data-insert-into"] == "body"
    for message in ("data-uploading", "data-done", "data-failed"):
        assert form.attrs[message]
    file_input = page.find("input", type="file", form="image-upload")
    assert "image/png" in file_input.attrs["accept"]
    assert page.find("script", src="/static/js/image-upload.js")


# --- avatars -------------------------------------------------------------------------------


def set_avatar(client, data: bytes, filename="me.png"):
    return client.submit("/uploads/avatar", {"image": (io.BytesIO(data), filename)})


def test_an_uploaded_avatar_shows_wherever_the_identicon_did(app, client, susan):
    post = posts.create_post(susan, "hello")
    article = posts.create_article(susan, "An article", "Its body.")
    comments.add(susan, article.id, "My own comment")

    response = set_avatar(client, png((300, 200)))

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/avatar"
    (upload_row,) = uploads_of(susan)
    assert (upload_row.width, upload_row.height) == (256, 256)  # cut square, AVATAR_SIDE
    picture = f"/uploads/{upload_row.name}"
    for url in ("/user/susan", "/explore", "/index", f"/post/{article.id}/{article.slug}",
                "/settings/avatar"):
        sources = {img.attrs["src"] for img in parse(client.get(url)).find_all("img", cls="avatar")}
        assert sources == {picture}, url
    assert post.id


def test_going_back_to_the_identicon(app, client, susan):
    set_avatar(client, png())
    page = parse(client.get("/settings/avatar"))
    assert page.find("form", action="/settings/avatar/identicon")

    response = client.submit("/settings/avatar/identicon")

    assert response.status_code == 302
    sources = [img.attrs["src"] for img in parse(client.get("/user/susan")).find_all(
        "img", cls="avatar")]
    assert sources and all(src.startswith("/avatar/") for src in sources)
    assert db.session.get(User, susan.id).avatar_file is None


def test_a_bad_avatar_is_an_error_on_the_settings_page_and_changes_nothing(client, susan):
    response = set_avatar(client, b"GIF89a but not really")

    assert response.status_code == 422
    assert "not a picture we can read" in field_error(parse(response), "image")
    assert db.session.get(User, susan.id).avatar_file is None


def test_avatars_on_a_timeline_cost_no_query_more(app, client, make_user, count_queries):
    authors = [make_user(f"author{n}") for n in range(5)]
    for n, author in enumerate(authors):
        posts.create_post(author, f"post {n}")
    client.get("/explore")
    with count_queries() as without_pictures:
        client.get("/explore")
    for n, author in enumerate(authors):
        author.avatar_file = f"{n:064x}.png"
    db.session.commit()

    client.get("/explore")  # the cards' keys changed: rendered once more
    with count_queries() as with_pictures:
        page = parse(client.get("/explore"))

    assert len(with_pictures) == len(without_pictures)
    sources = {img.attrs["src"] for img in page.find_all("img", cls="avatar")}
    assert sources == {f"/uploads/{n:064x}.png" for n in range(5)}
