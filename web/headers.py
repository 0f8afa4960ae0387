"""Security headers on every response: pages, error pages, the API, static files, downloads.

- Content-Security-Policy: scripts only from this site (no inline script, no `on…=` handler, no
  eval), nothing from other sites, no plugins, forms post only here. Inline styles stay allowed:
  bpmn-js draws its diagrams with `style` attributes and injects its own stylesheets.
- frame-ancestors / X-Frame-Options: who may show our pages in a frame. The site-wide value is
  the `FRAME_ANCESTORS` setting (default `'self'`); a view that is meant to be embedded on the
  developer's own site (the booking widget) loosens it for itself alone with `@frame_ancestors`.
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (our addresses carry clients'
  names in searches: they never go to another site).

A view that sets one of these headers itself keeps its own (downloads set a stricter policy).
HTTPS is not forced here: the embedded mode serves plain HTTP on a local network; a production
proxy terminates TLS and sets HSTS.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, Response, current_app, request

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
# A file handed over as a download: if a browser shows it anyway, nothing in it runs.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
FRAME_OPTIONS = {"'self'": "SAMEORIGIN", "'none'": "DENY"}


def register(app: Flask) -> None:
    app.after_request(add_security_headers)


def frame_ancestors(*sources: str) -> Callable:
    """A view that other sites (`https://developer.example`) may show in a frame."""

    def decorator(view):
        view.frame_ancestors = " ".join(sources)
        return view

    return decorator


def content_security_policy(ancestors: str) -> str:
    return "; ".join(f"{name} {value}" for name, value in {
        **POLICY, "frame-ancestors": ancestors
    }.items())  # fmt: skip


def add_security_headers(response: Response) -> Response:
    ancestors = _view_frame_ancestors() or current_app.config["FRAME_ANCESTORS"]
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    frame_options = FRAME_OPTIONS.get(ancestors.strip())
    if frame_options:  # X-Frame-Options cannot name other sites: CSP alone speaks for them
        headers.setdefault("X-Frame-Options", frame_options)
    return response


def download(body: str | bytes, filename: str, mimetype: str) -> Response:
    """A file the browser saves instead of showing: `attachment`, its type never sniffed, and a
    policy under which nothing in it could run if it were shown."""
    response = Response(body, mimetype=mimetype)
    safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename) or "file"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response


def _view_frame_ancestors() -> str | None:
    if request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "frame_ancestors", None)
