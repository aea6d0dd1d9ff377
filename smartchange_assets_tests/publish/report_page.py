"""Reading the comparison report's HTML back: its elements with their attributes, and its text
(shared by the renderer's unit tests and the end-to-end test)."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """Every start tag as (tag, attrs, parent chart's or map's attrs) and the visible text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.inside: list[dict | None] = []   # the svg each element sits in
        self.text: list[str] = []
        self._svg: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self.inside.append(self._svg[-1] if self._svg else None)
        if tag == "svg":
            self._svg.append(attributes)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg:
            self._svg.pop()

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())

    def find(self, tag: str, cls: str | None = None, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag
                and (cls is None or cls in (a.get("class") or "").split())
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def within(self, tag: str, svg_class: str, **svg_attrs) -> list[dict]:
        """Elements ``tag`` inside an svg of ``svg_class`` with ``svg_attrs``."""
        return [a for (t, a), svg in zip(self.elements, self.inside)
                if t == tag and svg is not None
                and svg_class in (svg.get("class") or "").split()
                and all(svg.get(k.replace("_", "-")) == v for k, v in svg_attrs.items())]
