"""Make candidate text safe to put in a report page.

Everything a candidate wrote is hostile: markdown with raw HTML, outputs with
`<script>`, event handlers, `javascript:` links, SVG with scripts. HTML goes
through nh3 with a small allow-list (no `id`, `name`, `style` or event
attributes, only http/https/mailto/#anchor links, images only as validated
`data:` URIs); plain text is escaped by the templates. The page's
Content-Security-Policy is the second line of defence, not the first.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Mapping
from typing import Any

import nh3
from markupsafe import Markup
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments.token import STANDARD_TYPES

from grader.report.redact import redact

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")

#: Tags a candidate's HTML may keep; anything else is unwrapped (its text stays).
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
#: Tags removed together with their content.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "textarea",
        "title",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "button",
        "frameset",
        "noembed",
        "xmp",
    }
)
#: Attributes we keep; deliberately no `id`/`name` (a candidate could hijack our anchors), no `style`, no `class`
#: except Pygments token classes, no event handlers.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
#: Syntax-highlighting classes (from markdown code blocks) are the only classes a candidate may use.
_TOKEN_CLASSES = {c for c in STANDARD_TYPES.values() if c}
ALLOWED_CLASSES = {"span": _TOKEN_CLASSES, "div": {"highlight"}}
LINK_SCHEMES = ("http://", "https://", "mailto:")
_ANCHOR = re.compile(r"^#[A-Za-z][A-Za-z0-9_.:-]{0,100}$")
#: Raster formats we embed as `data:` images after checking their magic bytes.
IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_DATA_URI = re.compile(r"^data:(image/(?:png|jpeg|gif|svg\+xml));base64,([A-Za-z0-9+/=\s]+)$", re.IGNORECASE)

# --------------------------------------------------------------------------- images


def image_data_uri(mime: str, data: Any) -> str | None:
    """A `data:` URI for a PNG/JPEG/GIF (checked by magic bytes) or an SVG, or None if it is not one.

    The payload is decoded and re-encoded, so nothing but base64 reaches the attribute.
    """
    if isinstance(data, list):
        data = "".join(str(part) for part in data)
    if not isinstance(data, str) or len(data) > MAX_IMAGE_BYTES * 4 // 3 + 1024:
        return None
    if mime == "image/svg+xml":
        # Shown only through <img>, where an SVG's scripts and event handlers never run.
        if "<svg" not in data[:4096].lower():
            return None
        raw = data.encode("utf-8")
    else:
        magic = IMAGE_MAGIC.get(mime)
        if magic is None:
            return None
        try:
            raw = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return None
        if not raw.startswith(magic):
            return None
    if len(raw) > MAX_IMAGE_BYTES:
        return None
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def _attachment_uri(attachments: Mapping[str, Any], name: str) -> str | None:
    bundle = attachments.get(name)
    if not isinstance(bundle, Mapping):
        return None
    for mime in ("image/png", "image/jpeg", "image/gif", "image/svg+xml"):
        if mime not in bundle:
            continue
        value = bundle[mime]
        if mime == "image/svg+xml" and isinstance(value, str) and "<svg" not in value[:4096].lower():
            # Attachments are base64 for every type (unlike outputs, where SVG is text).
            value = _svg_text(value)
        uri = image_data_uri(mime, value)
        if uri is not None:
            return uri
    return None


# --------------------------------------------------------------------------- HTML


def _safe_href(value: str, *, blind: bool) -> str | None:
    stripped = value.strip()
    if _ANCHOR.match(stripped):
        return stripped
    lowered = stripped.lower()
    if not lowered.startswith(LINK_SCHEMES):
        return None
    if blind and lowered.startswith("mailto:"):
        return None
    return stripped


def _svg_text(payload: str) -> str | None:
    try:
        return base64.b64decode("".join(payload.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _safe_img_src(value: str) -> str | None:
    """A validated, re-encoded image data URI (an SVG stays an <img>, where its scripts never run)."""
    match = _DATA_URI.match(value.strip())
    if match is None:
        return None
    mime, payload = match.group(1).lower(), match.group(2)
    if mime == "image/svg+xml":
        text = _svg_text(payload)
        return image_data_uri(mime, text) if text is not None else None
    return image_data_uri(mime, payload)


def clean_html(fragment: str, *, blind: bool = False) -> Markup:
    """Sanitise candidate HTML with nh3 and an allow-list; the result is safe to embed as is."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            return _safe_href(value, blind=blind)
        if attribute == "src":
            return _safe_img_src(value) if tag == "img" else None
        return value

    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={k: set(v) for k, v in ALLOWED_CLASSES.items()},
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    if blind:
        # After sanitising: nh3 decodes entities, so `alice&#64;example.com` is caught here too.
        cleaned = redact(cleaned)
    # Produced by nh3 from an allow-list: the one place candidate HTML becomes Markup.
    return Markup(cleaned)


class _ReportMarkdownRenderer(IPythonRenderer):
    """nbconvert's renderer, with images limited to the cell's own attachments and data: URIs."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        src = None
        if url.startswith("attachment:"):
            src = _attachment_uri(self.attachments, url[len("attachment:") :])
        elif url.startswith("data:"):
            src = _safe_img_src(url)
        if src is None:
            # External images would not load offline (and the CSP forbids them): say what was there.
            return f'<span class="img-missing">[image: {html.escape(text or url)}]</span>'
        return f'<img src="{src}" alt="{html.escape(text, quote=True)}">'


def markdown_html(source: str, *, attachments: Mapping[str, Any] | None = None, blind: bool = False) -> Markup:
    """Candidate markdown rendered to HTML (math left as TeX), then sanitised."""
    if blind:
        source = redact(source)
    renderer = _ReportMarkdownRenderer(
        escape=False, exclude_anchor_links=True, embed_images=False, attachments=dict(attachments or {})
    )
    try:
        rendered = MarkdownWithMath(renderer=renderer).render(source)
    except Exception:  # noqa: BLE001 - a markdown the parser chokes on is shown as text
        rendered = f"<pre>{html.escape(source)}</pre>"
    return clean_html(rendered, blind=blind)


def strip_ansi(text: str) -> str:
    """Terminal colour codes (tracebacks, progress bars) removed."""
    return ANSI.sub("", text)
