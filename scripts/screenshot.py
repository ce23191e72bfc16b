"""Screenshot of the page as a visitor sees it: ``streamlit run`` + headless Chromium at 1600×1000.

    python scripts/screenshot.py [--query "manifold=trefoil"] [--out docs/screenshot.png]

Needs the ``chromium`` executable on PATH and the ``playwright`` package (requirements-dev.txt);
it never downloads a browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.harness import (  # noqa: E402 — needs the repository root on sys.path first
    ERROR_ELEMENTS, REPO_ROOT, VIEWPORT, StreamlitServer, launch_chromium, wait_for_app,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--query", default="", help='URL query string, e.g. "manifold=trefoil&relu.n=3"')
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"),
                        help="PNG to write (relative paths are from the repository root)")
    parser.add_argument("--full-page", action="store_true", help="the whole scrollable page, not one viewport")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    out = args.out if args.out.is_absolute() else REPO_ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    query = args.query.lstrip("?")
    with StreamlitServer() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(server.url + (f"/?{query}" if query else "/"))
            wait_for_app(page)
            page.mouse.move(0, 0)  # no hover effects or tooltips in the picture
            page.screenshot(path=str(out), full_page=args.full_page)
            errors = list(dict.fromkeys(page.locator(ERROR_ELEMENTS).all_inner_texts()))
        finally:
            browser.close()
    print(f"wrote {out}")
    for error in errors:
        print(f"warning: the page shows an error: {error.splitlines()[0]}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
