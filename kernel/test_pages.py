"""Opens the exported notebook pages in headless Chromium: the index page and one notebook
page must render (screenshots are not blank), every image must load with real pixels, and the
notebook's figures must be there. Part of `make test`, after the notebooks ran.

usage: python kernel/test_pages.py [PAGES_DIR] [NOTEBOOK_PAGE]
  (default: results/notebooks and 01-getting-started.html); screenshots go to target/pages/.
"""
import pathlib, sys

from browser import IMAGES, ROOT, launch, screenshot_stats, sync_playwright


def main():
    pages = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "results" / "notebooks").resolve()
    notebook = sys.argv[2] if len(sys.argv) > 2 else "01-getting-started.html"
    shots = ROOT / "target" / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    failures = []
    if not (pages / "index.html").is_file():
        sys.exit(f"{pages}/index.html is missing: run the notebooks first (kernel/run_notebooks.py --out {pages})")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto((pages / "index.html").as_uri())
        links = page.eval_on_selector_all("a[href$='.html']", "as => as.map(a => a.getAttribute('href'))")
        exported = sorted(f.name for f in pages.glob("*.html") if f.name != "index.html")
        if sorted(set(links)) != exported:
            failures.append(f"index links {sorted(set(links))}, but the folder holds {exported}")
        stats = screenshot_stats(page, path=shots / "index.png")
        if stats["ink"] < 0.01:
            failures.append(f"index page looks blank: {stats}")

        page.goto((pages / notebook).as_uri())
        page.wait_for_load_state("load")
        found = page.evaluate(IMAGES)
        if found["broken"]:
            failures.append(f"{notebook}: images that did not load: {found['broken']}")
        pngs = [i for i in found["loaded"] if i["src"].startswith("data:image/png")]
        svgs = found["svgs"] + sum(i["src"].startswith("data:image/svg") for i in found["loaded"])
        if not pngs or not svgs:
            failures.append(f"{notebook}: want PNG images and SVG figures rendered, found {found}")
        stats = screenshot_stats(page, path=shots / notebook.replace(".html", ".png"), full_page=True)
        if stats["ink"] < 0.02 or stats["colours"] < 50:
            failures.append(f"{notebook}: the page looks blank: {stats}")
        # The largest image on its own: a grid of clothes has many grey levels.
        if found["loaded"]:
            areas = [i["width"] * i["height"] for i in found["loaded"]]
            largest = page.locator("img").nth(areas.index(max(areas)))
            image = screenshot_stats(page, element=largest, path=shots / "largest-image.png")
            if image["colours"] < 20:
                failures.append(f"{notebook}: its largest image is nearly flat: {image}")
        browser.close()
    for f in failures:
        print(f"pages: {f}")
    print(f"pages: {'FAILED' if failures else 'ok'} ({pages / 'index.html'} and {notebook} in headless Chromium; "
          f"{len(pngs)} PNG images, {svgs} SVG figures; screenshots in {shots})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
