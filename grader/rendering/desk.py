"""What the web app adds to a page it serves: who is logged in, where to go back to, downloads,
row actions and the reviewer's forms. Pages rendered for files on disk have none of it.

Every form posts to the app (`form-action 'self'`) with the session's CSRF token; the
templates put the token in each form.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeskLink:
    label: str
    href: str
    id: str = ""


@dataclass(frozen=True)
class RowAction:
    """A button in a summary row: a POST form, or a plain link when `method` is "get"."""

    label: str
    href: str
    method: str = "post"
    id: str = ""
    #: Ask before doing it (the link goes to a confirmation page instead).
    danger: bool = False


@dataclass(frozen=True)
class Desk:
    """The web app's chrome for a page; `review_action` enables the reviewer's forms on a report."""

    user: str
    csrf_token: str
    logout_action: str = "/logout"
    home: str = "/"
    back: DeskLink | None = None
    links: tuple[DeskLink, ...] = ()
    review_action: str | None = None
    #: The finding the page was opened to dismiss (pre-selected in the form).
    dismiss: str | None = None
    #: A message after a form was sent (recorded, or what was wrong).
    notice: str = ""
    notice_error: bool = False
    actions: tuple[RowAction, ...] = field(default_factory=tuple)
    #: JSON with the state and progress of the page's jobs, polled while some still grade.
    poll: str | None = None
