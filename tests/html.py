"""Read pages as a browser or a crawler does: with an HTML parser, never with regexes.

`parse` turns a page (a response, bytes or text) into a small tree of elements,
built from the standard library's HTMLParser: each test asks it for the forms,
links, scripts or text it checks. An end tag closes the nearest open element of
its name (and whatever is still open inside it); an end tag with none open is
ignored, as browsers do.
"""

from html.parser import HTMLParser

# Elements that never have content, so never wait for an end tag.
VOID_ELEMENTS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip


class Element:
    """A start tag, with its attributes as the page wrote them (a bare attribute, such
    as `defer`, is None) and its children: elements and strings, in document order."""

    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    def _nodes(self, into_scripts: bool = True):
        """Every element and string below this one, in document order (no recursion:
        hostile pages can nest deeper than Python's stack)."""
        stack = [iter(self.children)]
        while stack:
            for node in stack[-1]:
                yield node
                if isinstance(node, Element) and (into_scripts or node.tag != "script"):
                    stack.append(iter(node.children))
                    break
            else:
                stack.pop()

    def iter(self, tag: str | None = None):
        """Every element below this one (only <tag> ones if given), in document order."""
        for node in self._nodes():
            if isinstance(node, Element) and (tag is None or node.tag == tag):
                yield node

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Element"]:
        """Elements whose attributes have these exact values; `class_` is class and
        `http_equiv` http-equiv."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter(tag)
            if all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """All the text inside, as the DOM's textContent has it (scripts' included)."""
        return "".join(node for node in self._nodes() if isinstance(node, str))

    @property
    def text_outside_scripts(self) -> str:
        """The text a reader could see: without what <script> elements hold."""
        return "".join(node for node in self._nodes(into_scripts=False) if isinstance(node, str))


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def _add(self, tag, attrs) -> Element:
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._add(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self._add(tag, attrs)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse(html) -> Element:
    """The document of a response, of bytes (UTF-8) or of text."""
    html = getattr(html, "content", html)
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


# Questions the tests ask of many pages.


def tags(response, name: str, **wanted: str) -> list[dict]:
    """Attributes of every <name> element whose attributes include `wanted`."""
    return [element.attrs for element in parse(response).find_all(name, **wanted)]


def link_hrefs(response, rel: str, content_type: str) -> list[str]:
    """hrefs of <link rel=... type=...> elements in the page."""
    return [attrs["href"] for attrs in tags(response, "link", rel=rel, type=content_type)]


def meta_property(response, prop: str) -> str:
    (attrs,) = tags(response, "meta", property=prop)
    return attrs["content"]


def scripts(response, script_type: str) -> list[str]:
    """What each <script type=script_type> holds."""
    return [script.text for script in parse(response).find_all("script", type=script_type)]
