"""Pages of a list, read only when a template first uses them.

A signed-in visitor's list page takes its cards and page links from a public
fragment (pagecache) when one is current: then nothing needs the list's count
or rows, and the page runs no query for them.
"""

from functools import cached_property

from django.core.paginator import Paginator

from pagecache.pages import NotCanonical, canonical_page_url, require_canonical_page

TALKS_PER_PAGE = 20


def paginate(request, queryset, per_page=TALKS_PER_PAGE) -> "LazyPage":
    """The requested page. A malformed or out-of-range ?page= sends the visitor to the
    page it would show (the first, or the last), so junk never becomes a cached copy.

    What is not a number is refused at once; a number out of range, or written
    otherwise than plainly, when the page is first read. A current fragment of a
    page proves it canonical: none is stored for a page that is not, and a change
    to the list outdates them.
    """
    requested = request.GET.get("page", "1")
    try:
        number = int(requested)
    except ValueError:
        raise NotCanonical(canonical_page_url(request, 1)) from None
    return LazyPage(request, Paginator(queryset, per_page), number)


class LazyPage:
    """A Paginator page whose count and rows are read when first used; `number`
    (the requested page) is known without reading."""

    def __init__(self, request, paginator: Paginator, number: int):
        self.request, self.paginator, self.number = request, paginator, number

    @cached_property
    def page(self):
        page = self.paginator.get_page(self.number)
        require_canonical_page(self.request, page.number)
        return page

    def __getattr__(self, name):
        # Only reached for what LazyPage does not have: the Page's own methods.
        if name == "page":
            raise AttributeError(name)
        return getattr(self.page, name)

    def __len__(self):
        return len(self.page)

    def __getitem__(self, index):
        if isinstance(index, str):
            # Templates try page["number"] before page.number: that must not read the page.
            raise TypeError("a page is indexed by position")
        return self.page[index]

    def __iter__(self):
        return iter(self.page)
