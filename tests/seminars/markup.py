"""Read pages the way a browser or crawler does: with an HTML parser, not regexes."""

from html.parser import HTMLParser


class TagCollector(HTMLParser):
    """Every start tag's attributes, and the text inside each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._open_script = attributes
            self.scripts.append((attributes, ""))

    def handle_data(self, data):
        if self._open_script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open_script = None


def collect(response) -> TagCollector:
    collector = TagCollector()
    collector.feed(response.content.decode())
    collector.close()
    return collector


def tags(response, name: str, **wanted) -> list[dict]:
    """Attributes of every <name> element whose attributes include `wanted`."""
    return [
        attrs
        for tag, attrs in collect(response).tags
        if tag == name and all(attrs.get(key) == value for key, value in wanted.items())
    ]


def link_hrefs(response, rel: str, content_type: str) -> list[str]:
    """hrefs of <link rel=... type=...> elements in the page."""
    return [attrs["href"] for attrs in tags(response, "link", rel=rel, type=content_type)]


def meta_property(response, prop: str) -> str:
    (attrs,) = tags(response, "meta", property=prop)
    return attrs["content"]


def scripts(response, script_type: str) -> list[str]:
    return [text for attrs, text in collect(response).scripts if attrs.get("type") == script_type]
