"""The safe markup of the public texts: Markdown without HTML, plus placeholders.

Administrators write the public texts in the admin as Markdown (CommonMark).
Raw HTML is never passed through - markdown-it escapes it - and links may
only go to web, mail or telephone addresses or to our own paths, so a text
cannot carry a script or a ``javascript:`` link past the CSP into a page.

Parts that come from configuration (formats, limits, retention periods) are
never typed by hand: a paragraph that is only ``{{ formate }}`` becomes the
rendered fragment, and ``{{ mail_mb }}`` inside a sentence becomes its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_BLOCK = re.compile(r"<p>\{\{\s*([a-z_]+)\s*\}\}</p>")
_INLINE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_ALLOWED_LINK = re.compile(r"^(?:https?://|mailto:|tel:|/|#)", re.IGNORECASE)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: bool(_ALLOWED_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


_MD = _markdown()


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def markup_render(
    text: str,
    *,
    blocks: Mapping[str, Callable[[], str]],
    values: Mapping[str, Callable[[], str]],
) -> SafeString:
    """``text`` (Markdown) as HTML with the placeholders filled in.

    ``blocks`` render trusted HTML fragments (our templates); ``values`` give
    plain text, escaped here. An unknown placeholder stays as it was written,
    visible, so a typo shows instead of silently vanishing (the admin refuses
    unknown names before saving anyway).
    """
    html = _MD.render(text)

    def block(match: re.Match[str]) -> str:
        render = blocks.get(match.group(1))
        return render() if render is not None else match.group(0)

    def value(match: re.Match[str]) -> str:
        render = values.get(match.group(1))
        return escape(render()) if render is not None else match.group(0)

    html = _BLOCK.sub(block, html)
    return mark_safe(_INLINE.sub(value, html))  # noqa: S308 - escaped by markdown-it and here
