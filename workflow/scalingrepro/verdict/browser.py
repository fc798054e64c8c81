"""Open the report the way a reader does: headless Chromium, offline, then ask the page what it
loaded. Used by the report test; `python -m scalingrepro.verdict.browser paper/report.html
results/report_screenshot.png` runs the same check by hand.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM_NAMES = ("chromium", "chromium-browser")
# Every host name fails to resolve: the page must load from local files alone.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"
PROBE_ID = "report-probe"
# Appended to a copy of the report: after the load event, list every image (and whether it
# decoded), every link and every external resource the page asked for.
PROBE_SCRIPT = f"""
<script>
window.addEventListener("load", () => {{
  const images = [...document.images].map(image => ({{src: image.getAttribute("src"), decoded: image.complete && image.naturalWidth > 0}}));
  const links = [...document.querySelectorAll("a[href]")].map(anchor => anchor.getAttribute("href"));
  const resources = [...document.querySelectorAll("script[src], link[href], iframe[src]")].map(node => node.getAttribute("src") || node.getAttribute("href"));
  const probe = document.createElement("pre");
  probe.id = "{PROBE_ID}";
  probe.textContent = JSON.stringify({{images, links, resources, title: document.title}});
  document.body.appendChild(probe);
}});
</script>
"""


@dataclass(frozen=True)
class PageCheck:
    """What the browser saw: images with their decode status, links, external resources."""

    title: str
    images: list[dict]
    links: list[str]
    resources: list[str]

    def undecoded_images(self) -> list[str]:
        return [image["src"] for image in self.images if not image["decoded"]]

    def broken_links(self, page: Path) -> list[str]:
        """Links that leave the checkout or point to a file that does not exist (anchors excepted)."""
        broken = []
        for href in self.links:
            target = urlparse(href)
            if target.scheme in ("http", "https") or target.netloc or target.path and not (page.parent / unquote(target.path)).exists():
                broken.append(href)
        return broken


def find_chromium() -> str | None:
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def _chromium(chromium: str, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", OFFLINE, *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # the caller reads what it produced


def check_page(report: Path, chromium: str) -> PageCheck:
    """Load a probed copy of `report` (beside it, so relative links resolve the same) and read the probe."""
    report = report.resolve()
    probed = report.with_name(f".{report.stem}.probe.html")
    probed.write_text(report.read_text().replace("</body>", PROBE_SCRIPT + "</body>"))
    try:
        result = _chromium(chromium, "--virtual-time-budget=20000", "--dump-dom", probed.as_uri())
    finally:
        probed.unlink(missing_ok=True)
    found = re.search(rf'<pre id="{PROBE_ID}">(.*?)</pre>', result.stdout, re.DOTALL)
    if found is None:
        raise RuntimeError(f"{report}: Chromium did not finish loading the page (exit {result.returncode}): {result.stderr[-2000:]}")
    probe = json.loads(html.unescape(found.group(1)))
    return PageCheck(probe["title"], probe["images"], probe["links"], probe["resources"])


def screenshot(report: Path, destination: Path, chromium: str, window: str = "1280,2400") -> Path:
    """A PNG of the top of the report, as a reader first sees it."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    result = _chromium(chromium, f"--window-size={window}", f"--screenshot={destination}", "--virtual-time-budget=20000", report.resolve().as_uri())
    if not destination.is_file():
        raise RuntimeError(f"{report}: Chromium wrote no screenshot (exit {result.returncode}): {result.stderr[-2000:]}")
    return destination


def main(argv: list[str]) -> int:
    report, destination = Path(argv[0]), Path(argv[1])
    chromium = find_chromium()
    if chromium is None:
        print("Chromium is not installed (Debian: apt-get install -y chromium).", file=sys.stderr)
        return 1
    page = check_page(report, chromium)
    screenshot(report, destination, chromium)
    problems = [f"image not decoded: {src}" for src in page.undecoded_images()] + [f"broken link: {href}" for href in page.broken_links(report)]
    problems += [f"external resource: {url}" for url in page.resources]
    print(f"{report}: {len(page.images)} images, {len(page.links)} links; screenshot {destination}")
    print("\n".join(problems) or "every image decodes and every link resolves")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
