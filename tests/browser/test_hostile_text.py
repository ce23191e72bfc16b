"""What plugins and links say reaches the browser as text: a plugin whose label, help and error
message, and a link whose values, are HTML and Markdown (an image from elsewhere, a javascript: link,
a script) show those characters — no element is made of them, nothing is fetched, nothing runs.

The app runs with one hostile plugin registered by a wrapper script (written for this test), so the
page under test is streamlit_app.py itself.
"""

from __future__ import annotations

import pytest

from .harness import APP, VIEWPORT, StreamlitServer, wait_for_app

PIXEL = "http://127.0.0.1:9/pixel.png"  # nothing listens there; a request for it is the failure
HOSTILE = (f"<img src=x onerror=\"window.__pwned=1\"> ![pixel]({PIXEL}) [link](javascript:window.__pwned=2) "
           f"<script>window.__pwned=3</script> **bold** $x^2$")

WRAPPER = f'''
import runpy

from manifolds import Param, register

HOSTILE = {HOSTILE!r}


@register("zz_hostile", label=HOSTILE, params={{"amount": Param(1.0, min=0.0, max=2.0, help=HOSTILE)}})
def hostile(n_points, amount):
    raise ValueError(HOSTILE)


runpy.run_path({str(APP)!r}, run_name="__main__")
'''

FOUND = r"""
(pixel) => ({
  pwned: window.__pwned || 0,
  images: [...document.querySelectorAll("img")].map((i) => i.getAttribute("src") || "")
            .filter((src) => src === "x" || src.includes(pixel)),
  links: [...document.querySelectorAll("a")].map((a) => a.getAttribute("href") || "")
           .filter((href) => href.toLowerCase().startsWith("javascript")),
  scripts: [...document.querySelectorAll("script")].filter((s) => s.textContent.includes("__pwned")).length,
  text: document.body.innerText,
})
"""


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    wrapper = tmp_path_factory.mktemp("hostile") / "hostile_app.py"
    wrapper.write_text(WRAPPER)
    with StreamlitServer(app=wrapper) as server:
        yield server.url


def test_plugin_and_link_text_is_shown_as_text(browser, hostile_url):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    requests, dialogs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{hostile_url}/?manifold=zz_hostile&n_points=400&whatever=%60{HOSTILE}")
        wait_for_app(page)
        error = page.locator('[data-testid="stAlertContentError"]')
        assert error.count() == 1 and "<img src=x" in error.inner_text(), \
            "the plugin's error is not shown with its characters"
        assert "whatever=`<img src=x" in page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
        page.locator('[data-testid="stSidebar"] [data-testid="stTooltipIcon"]').first.hover()  # the help tooltip
        page.wait_for_timeout(500)
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()  # the plugin labels
        page.wait_for_timeout(500)
        found = page.evaluate(FOUND, PIXEL)
        assert "**bold**" in found["text"] and "$x^2$" in found["text"], "the markup is not shown as its characters"
        assert found["images"] == [] and found["links"] == [] and found["scripts"] == 0, found
        assert found["pwned"] == 0 and dialogs == []
        assert not [url for url in requests if url.startswith(PIXEL)], "the page fetched the plugin's image"
    finally:
        context.close()
