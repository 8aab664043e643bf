"""GET /: the public index: every unit's feed with subscribe links and a QR code, the
printed calendars, the plan's title and when the feeds were built."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from ..core.tokens import Grant
from ..feeds.index_page import feed_links
from ..ledger import LedgerUnreachable
from .base import render, session, site_of


def base_url(request: Request) -> str:
    """Where out/ is published, for subscribe links and QR codes.

    ``serve --base-url`` wins; else plan.base_url when the page was asked for at its host;
    else the scheme, host and path prefix this request came in on (so a server on an office
    machine hands out links to itself, not to the city's site).
    """
    site = site_of(request)
    root = str(request.scope.get("root_path", "")).rstrip("/")
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    here = f"{request.url.scheme}://{host}{root}/"
    if site.config.base_url:
        chosen = site.config.base_url
    else:
        planned = site.plan().schedule.plan.base_url
        chosen = planned if planned and urlsplit(planned).netloc == host else here
    return chosen if chosen.endswith("/") else chosen + "/"


def index(request: Request) -> Response:
    site = site_of(request)
    plan = site.plan()
    schedule = plan.schedule
    year = site.today().year
    this_year = Counter(
        unit
        for occ in plan.occurrences
        if occ.due.year == year
        for unit in schedule.unit_ids_of(occ.duty)
    )
    base = base_url(request)
    rows = []
    for unit in schedule.units:
        https, webcal = feed_links(base, f"{unit.id}.ics")
        rows.append(
            {
                "id": unit.id,
                "name": unit.name,
                "duties": len(schedule.duties_of(unit.id)),
                "occurrences": this_year[unit.id],
                "https": https,
                "webcal": webcal,
                "present": (site.out_dir / f"{unit.id}.ics").is_file(),
            }
        )
    all_https, all_webcal = feed_links(base, "all.ics")
    built = None
    all_ics = site.out_dir / "all.ics"
    if all_ics.is_file():
        zone = ZoneInfo(schedule.plan.timezone)
        built = dt.datetime.fromtimestamp(all_ics.stat().st_mtime, zone).date()
    printed = sorted(
        p.relative_to(site.out_dir).as_posix()
        for p in site.out_dir.glob("print/*.pdf")
        if not p.name.startswith(".")
    )
    return render(
        request,
        "index.html",
        {
            "plan": schedule.plan,
            "year": year,
            "units": rows,
            "all": {"https": all_https, "webcal": all_webcal, "duties": len(schedule.duties)},
            "built": built,
            "printed": printed,
            "session": _session_if_reachable(request),
        },
        private=False,
    )


def _session_if_reachable(request: Request) -> tuple[Grant, str] | None:
    """The session, to name who is logged in; with the ledger away (which says whether a
    link was revoked), the page is shown as to a visitor: it needs nothing of the ledger."""
    try:
        return session(request)
    except LedgerUnreachable:
        return None
