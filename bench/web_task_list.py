"""How long the phone app's 今日任务 takes to render 200 cases on a mid-range phone profile.

Debian's headless Chromium (Playwright) with the CPU slowed down 4× (the DevTools
protocol's ``Emulation.setCPUThrottlingRate``), a 390 × 844 viewport, the built app
(``web/dist``, ``npm run build`` first) served to the page by Playwright itself, and the
dispatch API answered with 200 open cases: both calls older builds make (``/v1/tasks`` and
the deadlines from ``/v1/cases``), or the one the list makes now (``/v1/cases?view=card``,
the cards with their deadlines). No network, no services: this measures the app.

Three figures, each from the last of those answers reaching the page (so JSON
parsing, the store's sort, Vue's render, style and layout are all in):

- **screenful painted**: to the paint of the last card on the screen (the Element Timing
  API's render time of each card's last line; only what is painted within the screen is
  reported): what the grid member sees;
- **all cards**: to the frame after the 200th card is in the document (find-in-page, the
  keyboard and a screen reader reach every case);
- **from bodies read**: the screenful again, from the last of the answers' bodies read
  in full instead of their headers (the transfer through Playwright's request
  interception left out: ~400 KB for the two full answers, ~60 KB for the cards);
- **from the list asked**: the screenful again, from the app's first call for the list
  (so the answers' transfer and any work done while the last one was on its way are in:
  a build that makes two calls parses the first answer while the second comes);
- **from the page's start**: the screenful again, from the navigation's start (the app's
  own load, at ×4, in it);
- **first paint − bodies read**: when the page's first content was painted, from the
  answers' bodies read: below 0 when the page had painted its heading before the
  answers came, near the screenful's figure when the answers came first (then the whole
  page's first style and layout fall after the bodies are read);
- **longest task between**: the main thread's longest task (the browser's Long Tasks
  API, 50 ms or more; 0 when none) that runs while the rest of the cards are drawn,
  which is how long a tap on the painted list could wait.

Each run is a fresh page load; p50 and p95 over the runs.

    .venv/bin/python bench/web_task_list.py [--runs 21] [--cases 200] [--throttle 4]
        [--trace trace.json]

``--trace`` saves a Chromium performance trace of the last run (open it in DevTools'
Performance panel); the probe's ``answered`` and ``rendered`` marks bound the figures.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import platform
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from playwright.sync_api import Route, sync_playwright

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "disabled-by-default-v8.cpu_profiler",
    "blink.user_timing",
    "v8.execute",
]
PERSON = {
    "staff_id": "gm111a",
    "name": "李磊静",
    "role": "grid_member",
    "post": "A",
    "area_code": "510302001001001",
    "area_name": "桂花社区一网格",
    "department_code": None,
    "department_name": None,
}
# Before the app: note when the list's two answers arrive, when each card is painted
# (the Element Timing API: each card's last line gets an `elementtiming` name as it is
# added, before the browser draws it; only what is painted on screen is reported), the frame after the last card is in the document, and the long tasks.
PROBE = """
(() => {
  const original = window.fetch.bind(window)
  window.__answered = 0
  window.__long = []
  window.__painted = []
  window.__asked = 0
  window.fetch = async (...args) => {
    const url = String(args[0])
    const list = url.includes('/api/dispatch/v1/tasks') || url.includes('/api/dispatch/v1/cases?')
    if (list && !window.__asked) window.__asked = performance.now()
    const response = await original(...args)
    if (list) {
      window.__answered = performance.now()
      performance.mark('answered')
    }
    return response
  }
  // And when the last of their bodies has been read (the app reads them as text).
  const read = Response.prototype.text
  window.__received = 0
  Response.prototype.text = async function () {
    const body = await read.call(this)
    if (this.url.includes('/api/dispatch/v1/tasks') || this.url.includes('/api/dispatch/v1/cases?')) {
      window.__received = performance.now()
    }
    return body
  }
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__long.push([task.startTime, task.duration])
  }).observe({ type: 'longtask' })
  new PerformanceObserver((list) => {
    for (const shown of list.getEntries()) {
      if (shown.identifier === 'card') window.__painted.push(shown.renderTime)
    }
  }).observe({ type: 'element' })
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (!(node instanceof Element)) continue
        for (const card of node.matches('a[data-tracking-no]') ? [node]
             : node.querySelectorAll('a[data-tracking-no]')) {
          card.lastElementChild?.setAttribute('elementtiming', 'card')
        }
      }
    }
  }).observe(document, { childList: true, subtree: true })
  const want = %d
  const watch = () => {
    if (document.querySelectorAll('a[data-tracking-no]').length >= want) {
      requestAnimationFrame(() => setTimeout(() => {
        window.__rendered = performance.now()
        performance.mark('rendered')
      }, 0))
      return
    }
    requestAnimationFrame(watch)
  }
  requestAnimationFrame(watch)
})()
"""


CARD_FIELDS = ("id", "tracking_no", "status", "summary", "address", "lat", "lon")


def cards(page: dict[str, Any]) -> dict[str, Any]:
    """The same page as ``/v1/cases?view=card`` gives it (only what a task card shows)."""
    items = [
        {
            **{field: row[field] for field in CARD_FIELDS},
            "reported_at": row["reported_at"],
            "due_at": row["due_at"],
            "sla": row["sla"],
        }
        for row in page["items"]
    ]
    return {**page, "items": items}


def cases(count: int, now: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``count`` open cases as /v1/tasks and /v1/cases give them."""
    tasks: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for i in range(count):
        case_id = str(UUID(int=i + 1))
        reported = now - timedelta(hours=i % 72)
        status = ("assigned", "accepted", "suspended")[i % 3]
        content = (
            f"桂花路{i % 40 + 1}号{i % 6 + 1}栋楼下垃圾桶满溢，气味很大，请尽快清运（第{i}件）"
        )
        address = f"桂花路{i % 40 + 1}号{i % 6 + 1}栋"
        tasks.append(
            {
                "id": case_id,
                "tracking_no": f"GC-20261128-{i:06d}",
                "channel": "hotline",
                "status": status,
                "category_code": "environment/garbage-overflow",
                "priority": "urgent" if i % 7 == 0 else "normal",
                "content": content,
                "address": address,
                "lat": 29.355 + i * 1e-5,
                "lon": 104.7725 + i * 1e-5,
                "target": "grid",
                "grid_code": "510302001001001",
                "community_code": "510302001001",
                "department_code": None,
                "route_method": "gazetteer",
                "route_reason": "",
                "assignee_id": "gm111a",
                "assignee_post": "A",
                "first_owner_unit": None,
                "first_owner_code": None,
                "first_owner_staff": None,
                "returns": 0,
                "transfers": 0,
                "reopenings": 0,
                "resolved_by": None,
                "resolution_note": None,
                "evidence": [],
                "evidence_kinds": {},
                "extension_status": None,
                "extension_until": None,
                "satisfaction": None,
                "reported_at": reported.isoformat(),
                "reporter_phone_masked": "139****5678",
                "accepted_at": None,
                "contacted_at": None,
                "resolved_at": None,
                "closed_at": None,
                "updated_at": reported.isoformat(),
                "version": 2,
            }
        )
        rows.append(
            {
                "id": case_id,
                "tracking_no": f"GC-20261128-{i:06d}",
                "status": status,
                "priority": "normal",
                "channel": "hotline",
                "target": "grid",
                "category_code": "environment/garbage-overflow",
                "category_name": "垃圾满溢",
                "summary": content,
                "address": address,
                "grid_code": "510302001001001",
                "grid_name": "桂花社区一网格",
                "community_code": "510302001001",
                "community_name": "桂花社区",
                "department_code": None,
                "department_name": None,
                "assignee_id": "gm111a",
                "assignee_name": "李磊静",
                "reported_at": reported.isoformat(),
                "updated_at": reported.isoformat(),
                "due_at": (reported + timedelta(hours=24 + i % 48)).isoformat(),
                "due_clock": "resolution",
                "sla": ("green", "yellow", "red")[i % 3],
                "lat": 29.355 + i * 1e-5,
                "lon": 104.7725 + i * 1e-5,
            }
        )
    return tasks, {"items": rows, "next_cursor": None, "total": count, "total_exact": True}


def serve(route: Route, dist: Path, tasks: bytes, page: bytes, card_page: bytes) -> None:
    path, _, query = route.request.url.split("://", 1)[1].split("/", 1)[1].partition("?")
    if path.startswith("api/dispatch/v1/tasks"):
        route.fulfill(status=200, body=tasks, content_type="application/json")
    elif path.startswith("api/dispatch/v1/cases"):
        body = card_page if "view=card" in query.split("&") else page
        route.fulfill(status=200, body=body, content_type="application/json")
    elif path.startswith("api/"):
        route.fulfill(status=404, body=b'{"detail":"not here"}', content_type="application/json")
    else:
        file = dist / path
        if not path or not file.is_file():
            file = dist / "index.html"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), content_type=kind)


def summary(times: list[float]) -> str:
    """p50, p95, min and max of ``times`` (ms)."""
    times = sorted(times)
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--throttle", type=float, default=4.0)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--dist", type=Path, default=DIST, help="the built app (web/dist)")
    parser.add_argument("--trace", type=Path, help="save a performance trace of the last run")
    args = parser.parse_args()
    dist: Path = args.dist
    if not (dist / "index.html").exists():
        sys.exit("web/dist is not built: cd web && npm ci && npm run build")
    now = datetime.now(UTC)
    tasks, page_of_rows = cases(args.cases, now)
    tasks_body = json.dumps(tasks, ensure_ascii=False).encode()
    rows_body = json.dumps(page_of_rows, ensure_ascii=False).encode()
    cards_body = json.dumps(cards(page_of_rows), ensure_ascii=False).encode()
    session = {
        "via": "development",
        "token": "benchmark",
        "expiresAt": (now + timedelta(hours=12)).isoformat(),
        "person": PERSON,
    }
    screens: list[float] = []
    wholes: list[float] = []
    stalls: list[float] = []
    from_bodies: list[float] = []
    from_asked: list[float] = []
    from_start: list[float] = []
    first_paints: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for run in range(args.runs + 1):
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                has_touch=True,
                service_workers="block",
            )
            context.add_init_script(
                f"localStorage.setItem('gridcase.session', {json.dumps(json.dumps(session))})"
            )
            context.add_init_script(PROBE % args.cases)
            context.route(
                "**/*", lambda route: serve(route, dist, tasks_body, rows_body, cards_body)
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
            tracing = args.trace is not None and run == args.runs
            if tracing:
                browser.start_tracing(page=page, categories=TRACE_CATEGORIES, screenshots=False)
            page.goto("http://gridcase.test/tasks")
            page.wait_for_function("window.__rendered !== undefined", timeout=120_000)
            # Long tasks are reported to the observer after they end: give it a moment.
            page.evaluate("new Promise((done) => setTimeout(done, 200))")
            took = page.evaluate(
                """() => [Math.max(...window.__painted) - window.__answered,
                          window.__rendered - window.__answered,
                          Math.max(0, ...window.__long
                            .filter(([start, length]) => start + length > Math.max(...window.__painted) &&
                                                         start < window.__rendered)
                            .map(([, length]) => length)),
                          Math.max(...window.__painted) - window.__received,
                          Math.max(...window.__painted) - window.__asked,
                          Math.max(...window.__painted),
                          (performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0)
                            - window.__received]"""
            )
            if tracing:
                args.trace.write_bytes(browser.stop_tracing())
            if run > 0:  # the first load warms the browser's caches
                screens.append(took[0])
                wholes.append(took[1])
                stalls.append(took[2])
                from_bodies.append(took[3])
                from_asked.append(took[4])
                from_start.append(took[5])
                first_paints.append(took[6])
            context.close()
        browser.close()
    print(f"task list, {args.cases} cases, CPU throttled ×{args.throttle:g}, {len(screens)} runs:")
    for label, times in (
        ("screenful painted", screens),
        ("  from bodies read", from_bodies),
        ("  from the list asked", from_asked),
        ("  from the page's start", from_start),
        ("first paint − bodies read", first_paints),
        (f"all {args.cases} cards", wholes),
        ("longest task between", stalls),
    ):
        print(f"  {label:<22} {summary(times)}")
    print(f"machine: {platform.machine()} {platform.system()}, python {platform.python_version()}")


if __name__ == "__main__":
    main()
