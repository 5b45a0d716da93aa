"""HTML parts: find active content (policy.md 2.2) and turn the rest into plain text.

One pass of the standard library's tolerant HTML tokenizer (``html.parser``,
the same kind of tokenizer browsers use, not regular expressions): it
decodes entities in attributes, so ``java&#x09;script:`` and
``&#106;avascript:`` are seen as what a browser would run. The text the
clerk sees is built from the same tokens, without any markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final
from urllib.parse import unquote

# What we refuse, with the words the SMTP answer uses (German, English).
ACTIVE: Final[dict[str, tuple[str, str]]] = {
    "script": ("Skript (<script>)", "script (<script>)"),
    "event": ("Ereignis-Attribut (on...=)", "event handler attribute (on...=)"),
    "javascript": ("javascript:-Link", "javascript: link"),
    "vbscript": ("vbscript:-Link", "vbscript: link"),
    "data_html": ("data:-Link auf HTML", "data: link to HTML"),
    "frame": ("eingebetteter Rahmen (<iframe>/<frame>)", "embedded frame (<iframe>/<frame>)"),
    "object": ("eingebettetes Objekt (<object>/<embed>/<applet>)", "embedded object"),
    "form": ("Formular, das an eine fremde Adresse sendet", "form posting elsewhere"),
    "refresh": ("automatische Weiterleitung (meta refresh)", "automatic redirect (meta refresh)"),
    "css": ("aktives CSS (expression/behavior)", "active CSS (expression/behavior)"),
}
_TAGS: Final = {
    "script": "script",
    "iframe": "frame",
    "frame": "frame",
    "frameset": "frame",
    "object": "object",
    "embed": "object",
    "applet": "object",
}
_URL_ATTRIBUTES: Final = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "background",
        "poster",
        "lowsrc",
        "dynsrc",
        "codebase",
        "cite",
        "longdesc",
        "xlink:href",
        "srcset",
    }
)
_BLOCKS: Final = frozenset(
    {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
)
_INVISIBLE: Final = frozenset({"script", "style", "head", "title", "template", "noscript"})
_SCHEME_NOISE: Final = re.compile(r"[\x00-\x20\x7f]+")
_ACTIVE_CSS: Final = re.compile(r"expression\s*\(|behavior\s*:|-moz-binding|javascript:", re.I)
# Internet Explorer and Outlook's Word renderer run what sits inside <!--[if ...]>...<![endif]-->:
# for them it is live markup, not a comment.
_CONDITIONAL: Final = re.compile(
    r"\s*\[\s*if\b[^\]]*\]\s*>(.*?)(?:<!\s*\[\s*endif\s*\]\s*)?$", re.I | re.S
)
# Conditional comments inside conditional comments: a bound keeps a hostile mail cheap.
_MAX_CONDITIONAL_DEPTH: Final = 5


def _scheme_problem(url: str) -> str | None:
    # Browsers ignore whitespace and control characters inside the scheme.
    squeezed = _SCHEME_NOISE.sub("", url).lower()
    if squeezed.startswith("javascript:"):
        return "javascript"
    if squeezed.startswith("vbscript:"):
        return "vbscript"
    if squeezed.startswith(("data:text/html", "data:image/svg")):
        return "data_html"
    return None


class _Reader(HTMLParser):
    def __init__(self, depth: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.problems: list[str] = []
        self.links: list[str] = []
        self.cids: list[str] = []
        self._text: list[str] = []
        self._hidden = 0
        self._style = 0
        self._href: str | None = None
        self._link_start = 0

    def _problem(self, key: str) -> None:
        if key not in self.problems:
            self.problems.append(key)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _TAGS:
            self._problem(_TAGS[tag])
        if tag in _INVISIBLE:
            self._hidden += 1
        if tag == "style":
            self._style += 1
        for name, value in attrs:
            self._attribute(tag, name.lower(), value or "")
        if tag in _BLOCKS:
            self._text.append("\n")
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._link_start = len(self._text)
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self._problem("refresh")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() in _INVISIBLE:
            self._hidden -= 1
        if tag.lower() == "style":
            self._style -= 1

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self._problem("event")
        elif name in _URL_ATTRIBUTES:
            problem = _scheme_problem(value)
            if problem:
                self._problem(problem)
            elif value.strip().lower().startswith("cid:"):
                # RFC 2392: a URL-encoded Content-ID, a part of this very mail.
                self.cids.append(unquote(value.strip()[4:]).strip("<>").strip())
            elif name == "href" and value.strip():
                self.links.append(value.strip())
            if name in {"action", "formaction"} and re.match(r"\s*(\w+:|//)", value):
                self._problem("form")
        elif name == "style" and _ACTIVE_CSS.search(value):
            self._problem("css")

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _INVISIBLE and self._hidden > 0:
            self._hidden -= 1
        if tag == "style" and self._style > 0:
            self._style -= 1
        if tag == "a" and self._href:
            shown = "".join(self._text[self._link_start :]).strip()
            if shown != self._href.strip():
                self._text.append(f" <{self._href.strip()}>")
            self._href = None
        if tag in _BLOCKS:
            self._text.append("\n")

    def handle_comment(self, data: str) -> None:
        match = _CONDITIONAL.match(data)
        if match is None:
            return
        if self.depth >= _MAX_CONDITIONAL_DEPTH:
            self._problem("script")  # nobody nests them this deep but an attacker
            return
        inner = _Reader(self.depth + 1)
        inner.feed(match.group(1))
        inner.close()
        for problem in inner.problems:
            self._problem(problem)
        self.cids.extend(inner.cids)

    def handle_data(self, data: str) -> None:
        if self._hidden == 0:
            self._text.append(data)
        elif self._style and _ACTIVE_CSS.search(data):
            self._problem("css")

    def text(self) -> str:
        joined = "".join(self._text)
        lines = [" ".join(line.split()) for line in joined.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True, slots=True)
class HtmlReading:
    problems: list[str]  # active content found, as keys of ACTIVE
    text: str  # the visible text
    links: list[str]  # link targets
    cids: list[str]  # Content-IDs of the mail's own parts the markup shows (cid: URLs)


def html_scan(markup: str) -> HtmlReading:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return HtmlReading(reader.problems, reader.text(), reader.links, reader.cids)


def html_read(markup: str) -> tuple[list[str], str, list[str]]:
    """(active content found, as keys of ACTIVE; the visible text; the link targets)."""
    reading = html_scan(markup)
    return reading.problems, reading.text, reading.links
