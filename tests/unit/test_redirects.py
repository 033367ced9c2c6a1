"""Only relative paths on this site are followed after login."""

import pytest

from microblog.blueprints.auth.redirects import is_safe_next


@pytest.mark.parametrize("target", ["/index", "/user/susan?page=2", "/edit_profile#about"])
def test_relative_paths_are_safe(target):
    assert is_safe_next(target)


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "http://evil.example", "//evil.example",
     "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "user/susan",
     "https:/evil.example",
     # urlsplit drops tabs and line breaks; the Location header cannot hold them
     "/explore\r\nSet-Cookie: evil=1", "/explore\n", "/\t/evil.example", "/explore\x00",
     "/explore\x1b"],
)
def test_other_targets_are_refused(target):
    assert not is_safe_next(target)
