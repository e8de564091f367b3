"""The Jinja environment, the shared stylesheet and the Content-Security-Policy of every page.

Pages are self-contained: the stylesheet and any script are inline, allowed by
their sha256 hash in a CSP meta tag; nothing else may load or run (no external
resources, no inline event handlers, images only as `data:` URIs).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from grader.rendering.cells import code_stylesheet


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates from the package, always autoescaped."""
    env = Environment(
        loader=PackageLoader("grader.rendering", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = _points
    env.filters["seconds"] = _seconds
    env.filters["size"] = _size
    env.filters["finding_anchor"] = finding_anchor
    return env


def finding_anchor(finding_id: str) -> str:
    """The HTML id of a finding's card (`EXE001#2` → `finding-EXE001-2`)."""
    return "finding-" + re.sub(r"[^A-Za-z0-9_-]+", "-", finding_id)


def asset(name: str) -> str:
    """A text file shipped beside the templates."""
    return resources.files("grader.rendering").joinpath("templates", name).read_text("utf-8")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report stylesheet plus Pygments' token colours."""
    return asset("report.css") + "\n/* syntax highlighting (Pygments) */\n" + code_stylesheet() + "\n"


def sha256_source(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


NONE, SELF = "'none'", "'self'"


def content_security_policy(*, scripts: Sequence[str] = (), styles: Sequence[str] = (), web: bool = False) -> str:
    """`default-src 'none'`, our own inline style and scripts by hash, and `data:` images.

    Forms and requests go nowhere, except on the web app's own pages (`web`): to the app itself.
    """
    script_src = " ".join(sha256_source(s) for s in scripts) or "'none'"
    style_src = " ".join(sha256_source(s) for s in styles) or "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {script_src}",
            f"style-src {style_src}",
            "img-src data:",
            "font-src 'none'",
            f"connect-src {SELF if web else NONE}",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            f"form-action {SELF if web else NONE}",
        ]
    )


def render_page(template: str, *, scripts: Sequence[str] = (), web: bool = False, **context: Any) -> str:
    """Render a page template with the stylesheet, the scripts and a CSP that allows only them.

    `web` pages are served by the web app: their forms and requests may go to the app.
    """
    css = stylesheet()
    return (
        environment()
        .get_template(template)
        .render(
            csp=content_security_policy(scripts=scripts, styles=[css], web=web),
            # Our own files, inlined verbatim so their hashes match the CSP.
            css=Markup(css),
            scripts=[Markup(s) for s in scripts],
            **context,
        )
    )


def _points(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def _size(value: int) -> str:
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def policy_of(page: str) -> str:
    """The Content-Security-Policy a page rendered here declares (to send it as a header too)."""
    match = _CSP_META.search(page[:4096])
    if match is None:
        raise ValueError("not a page rendered by grader.rendering: no Content-Security-Policy meta tag")
    return html.unescape(match.group(1))
