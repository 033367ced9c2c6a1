"""Reading HTML pages the way a user does: elements and their text, not exact markup."""

from __future__ import annotations

from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.raw_text = ""

    @property
    def text(self) -> str:
        """The text inside, with runs of whitespace squeezed as a browser shows it."""
        return " ".join(self.raw_text.split())

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str):
        """Descendants matching; ``attrs`` use ``_`` for ``-`` (``aria_current="page"``)."""
        for child in self.children:
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.attrs.get("class", "").split())
                and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
            ):
                yield child
            yield from child.find_all(tag, cls, **attrs)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = next(self.find_all(tag, cls, **attrs), None)
        assert found is not None, f"no <{tag or '*'} class={cls!r} {attrs}> on the page"
        return found


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = [Element("#document", {}, None)]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        for element in self.stack:
            element.raw_text += data


def parse(response) -> Element:
    parser = _Parser()
    parser.feed(response if isinstance(response, str) else response.get_data(as_text=True))
    return parser.stack[0]


def field_error(page: Element, name: str) -> str:
    """The error shown next to the form field called ``name`` ("" when there is none)."""
    field = next(e for e in page.find_all() if e.tag in {"input", "textarea", "select"}
                 and e.attrs.get("name") == name)
    return " ".join(e.text for e in field.parent.find_all(cls="invalid-feedback"))


def alerts(page: Element) -> list[str]:
    """Flash messages and form-level errors, as the user reads them."""
    return [e.text for e in page.find_all(role="alert")]
