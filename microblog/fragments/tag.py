"""The ``{% cached kind, object, … %} … {% endcached %}`` template tag.

A Jinja extension: what the tag wraps is handed, unrendered, to
:func:`microblog.fragments.render_cached` as a function that renders it, with the
kind of piece (a string, the name of its key function in
:mod:`microblog.fragments.keys`), the objects after it, and the visitor the page is
rendered for (the template's ``current_user``). Django's ``{% cache %}`` tag and
Rails' ``cache`` helper do the same job. With the render cache off, the app gets
:class:`RenderedTag` instead, which renders what it wraps and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup


class RenderedTag(Extension):
    """``{% cached %}`` with the render cache off: the wrapped template, rendered."""

    tags = {"cached"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        arguments = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            arguments.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_render", [nodes.ContextReference(), arguments[0],
                                            nodes.List(arguments[1:])])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _render(context: Context, kind: str, objects: list, caller: Callable[[], str]) -> str:
        return caller()


class CachedTag(RenderedTag):
    """``{% cached %}`` with the render cache on."""

    @staticmethod
    def _render(context: Context, kind: str, objects: list, caller: Callable[[], str]) -> Markup:
        from microblog.fragments import render_cached  # the package imports this module

        return render_cached(kind, (context.get("current_user"), *objects), caller)
