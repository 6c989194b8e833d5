"""Read a page as a browser would and find anything that could run script.

The portal's own templates put no event handler, no script URL and no inline
script in a page: the only scripts are files under STATIC_URL and JSON data
blocks. So any of these in a page means user text got through unescaped.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from tests.html import parse

# Attributes a browser follows or loads as a URL.
URL_ATTRIBUTES = {
    "action", "background", "cite", "codebase", "data", "formaction", "href", "icon",
    "longdesc", "lowsrc", "manifest", "ping", "poster", "src", "srcset", "usemap",
    "xlink:href",
}  # fmt: skip
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# Elements that embed other documents, run or restyle things, or change how the page
# resolves links: none of the portal's pages has one (but for the preview of an embedded
# list of our own, `our_embed`). (The admin draws icons with
# <svg>; what could run inside one is caught by the other checks.)
FORBIDDEN_ELEMENTS = {
    "animate", "annotation-xml", "applet", "audio", "base", "embed", "foreignobject",
    "frame", "frameset", "iframe", "maction", "mglyph", "noembed", "object", "portal",
    "semantics", "set", "source", "style", "template", "video",
}  # fmt: skip
# Data blocks, which browsers never run.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def our_script(source: str) -> bool:
    """A script file of ours: a static file, or the admin's translation catalogue."""
    return source.startswith(settings.STATIC_URL) or source == reverse("admin:jsi18n")


EMBEDS = {"syndication:series-embed", "syndication:tag-embed", "syndication:speaker-embed"}


def our_embed(tag: str, attributes: dict) -> bool:
    """The "Embed this list" preview: an <iframe> of one of our own embedded lists."""
    if tag != "iframe" or attributes.get("class") != "embed-preview":
        return False
    address = urlsplit(attributes.get("src", ""))
    if address.scheme not in ("http", "https") or address.netloc != "testserver":
        return False
    try:
        match = resolve(address.path)
    except Resolver404:
        return False
    return match.view_name in EMBEDS and not address.query


def scheme_of(url: str) -> str:
    """The scheme as a browser reads it: case, whitespace and control characters ignored."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()
    return cleaned.split(":", 1)[0] + ":" if ":" in cleaned else ""


def attributes_of(element) -> dict[str, str]:
    """The element's attributes, a bare one (`<input autofocus>`) as the empty string."""
    return {name: value or "" for name, value in element.attrs.items()}


def attribute_values(html, tag: str, name: str) -> list[str]:
    elements = parse(html).iter(tag)
    return [attributes_of(element)[name] for element in elements if name in element.attrs]


def injection_problems(html: str | bytes) -> list[str]:
    """Everything in the page that could run script or load a foreign document."""
    page = parse(html)
    problems = []
    for element in page.iter():
        problems += element_problems(element.tag, attributes_of(element))
    for script in page.iter("script"):
        problems += script_problems(attributes_of(script), script.text)
    return problems


def element_problems(tag: str, attributes: dict) -> list[str]:
    problems = []
    if tag in FORBIDDEN_ELEMENTS and not our_embed(tag, attributes):
        problems.append(f"<{tag}> element {attributes}")
    if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
        problems.append(f"<meta http-equiv=refresh> {attributes}")
    if tag == "img" and not attributes.get("src", "").startswith(settings.STATIC_URL):
        problems.append(f"<img> not from our static files {attributes}")
    for name, value in attributes.items():
        if name.startswith("on"):
            problems.append(f"<{tag}> event handler {name}={value!r}")
        if name == "srcdoc":
            problems.append(f"<{tag}> srcdoc={value!r}")
        if name in URL_ATTRIBUTES and scheme_of(value) in SCRIPT_SCHEMES:
            problems.append(f"<{tag}> {name}={value!r}")
        if name == "style" and any(word in value.lower() for word in ("url(", "expression(")):
            problems.append(f"<{tag}> style={value!r}")
    return problems


def script_problems(attributes: dict, content: str) -> list[str]:
    """Scripts must be our static files, or data blocks that hold exactly one JSON value."""
    if attributes.get("type") in DATA_SCRIPT_TYPES:
        try:
            json.loads(content)
        except ValueError:
            return [f"<script type={attributes['type']}> holds more than JSON: {content[:200]!r}"]
        return []
    if our_script(attributes.get("src", "")) and not content.strip():
        return []
    return [f"<script {attributes}> {content[:200]!r}"]


def assert_no_injection(response, what: str = "") -> None:
    problems = injection_problems(response.content)
    assert not problems, f"{what or response.request['PATH_INFO']}: " + "; ".join(problems[:5])


def shows_text(response, text: str) -> bool:
    """Whether `text` is on the page as text (so it was escaped, not read as markup)."""
    return text in parse(response).text_outside_scripts
