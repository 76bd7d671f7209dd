"""Headless Chromium for the page tests: Debian's /usr/bin/chromium (installed by `make setup`),
driven by Playwright (in .venv). Shared by test_pages.py and test_lab.py."""
import base64, os, pathlib, shutil

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which a
# closed network refuses, many times a second.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise SystemExit("Chromium is missing: `make setup` installs Debian's chromium "
                         "(apt-get install chromium)")
    return path


def launch(playwright):
    # Chromium keeps its profile and crash reports in ~/.config and ~/.cache: under target/ here.
    home = ROOT / "target" / "browser-home"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"))
    return playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS, headless=True, env=env)


# Decodes a screenshot in the page itself and measures it: the share of pixels that are not
# the background colour, and how many distinct colours it has.
_MEASURE = """async (b64) => {
  const blob = await (await fetch('data:image/png;base64,' + b64)).blob();
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const bg = [d[0], d[1], d[2]];
  let other = 0; const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) other++;
    if (colours.size < 5000) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  }
  return {ink: other / (d.length / 4), colours: colours.size, width: bitmap.width, height: bitmap.height};
}"""


def screenshot_stats(page, element=None, path=None, **options):
    """Takes a screenshot of the page (or of `element`, a locator), saved to `path` when given,
    and returns its share of non-background pixels (`ink`) and its number of `colours`."""
    png = (element or page).screenshot(path=path, **options)
    return page.evaluate(_MEASURE, base64.b64encode(png).decode())


# Every <img> that finished loading with real pixels, and every inline <svg> with content.
IMAGES = """() => {
  const imgs = [...document.querySelectorAll('img')];
  return {
    images: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).map(i => ({src: i.src.slice(0, 22), width: i.naturalWidth, height: i.naturalHeight})),
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
    svgs: [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 100 && s.querySelectorAll('*').length > 20).length,
  };
}"""
