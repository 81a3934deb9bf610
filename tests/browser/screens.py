"""Screen sizes the browser tests use and the page-width check they share."""

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def page_width(page) -> int:
    """The document's scroll width once every stylesheet has loaded.

    The DOM can be queried before a render-blocking stylesheet arrives; measuring then would
    report the unstyled page, so wait for the load event first.
    """
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth")
