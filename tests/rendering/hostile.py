"""A notebook whose every corner carries a script payload.

Each payload, if it ever ran, would set `window.__pwned = true` or change
`document.title`; the browser tests assert neither happens.
"""

from __future__ import annotations

import base64
from typing import Any

import nbformat

from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import CheckResult, CheckStatus, Evidence, EvidenceSource, Finding, Severity
from grader.models.report import GradingStatus, Report, SubmissionInfo, Total
from tests.conftest import make_notebook

PWN = "window.__pwned=true"
TITLE_PWN = "document.title='pwned'"
HOSTILE_NAME = f'<img src=x onerror="{PWN}">"\'><script>{PWN}</script>'
HOSTILE_PATH = f'"><svg onload={PWN}>.ipynb'

SVG_WITH_SCRIPT = (
    f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}" width="20" height="20">'
    f'<script>{PWN}</script><rect width="20" height="20" fill="red"/></svg>'
)

#: Script-running payloads: the sanitiser must drop them, and the CSP alone must also stop them.
SCRIPT_MARKDOWN = "\n\n".join(
    [
        "# Innocent title",
        f"<script>{PWN}</script>",
        f'<img src=x onerror="{PWN}">',
        f"[click me](javascript:{PWN})",
        f'<a href="javascript:{PWN}" id="js-link">raw javascript link</a>',
        f'<a href="JaVaScRiPt:{TITLE_PWN}">mixed-case javascript link</a>',
        '<iframe srcdoc="<script>parent.__pwned=true</script>"></iframe>',
        f'<svg onload="{PWN}"><script>{PWN}</script></svg>',
        f'<details open ontoggle="{PWN}"><summary>toggle</summary>x</details>',
        f'<div onmouseover="{PWN}" style="position:fixed;inset:0">hover</div>',
        f'<object data="javascript:{PWN}"></object><embed src="javascript:{PWN}">',
        f'<form action="javascript:{PWN}"><button id="evil-submit">submit</button></form>',
        '<div id="cell-1">I am not cell 1</div>',
        "![evil svg](attachment:evil.svg)",
    ]
)
#: Navigation payloads: only the sanitiser stops these (a CSP does not cover meta refresh).
NAVIGATION_MARKDOWN = "\n\n".join(
    [
        f'<meta http-equiv="refresh" content="0;url=javascript:{PWN}">',
        '<meta http-equiv="refresh" content="0;url=data:text/html,<h1>phished</h1>">',
        '<base href="https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
    ]
)

HTML_OUTPUT = "".join(
    [
        f"<script>{TITLE_PWN}</script>",
        f'<img src=x onerror="{PWN}">',
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(SVG_WITH_SCRIPT.encode()).decode()}" onload="{PWN}">',
        f'<svg><script>{PWN}</script><image href=x onerror="{PWN}"/></svg>',
        f'<a href="javascript:{PWN}" class="output-js-link">output javascript link</a>',
        f'<iframe src="javascript:{PWN}"></iframe>',
        '<iframe src="https://evil.example/frame.html"></iframe>',
        '<object data="https://evil.example/plugin.swf"></object>',
        f'<body onload="{PWN}"><style>body{{display:none}}</style>',
        f'<math><mtext><table><mglyph><style><img src=x onerror="{PWN}">',
        f'<noscript><p title="</noscript><img src=x onerror={PWN}>"></noscript>',
    ]
)


def hostile_notebook() -> nbformat.NotebookNode:
    nb = make_notebook(
        ("md", SCRIPT_MARKDOWN),
        f"# {PWN}\nprint('<script>{PWN}</script>')",
        "display(evil)",
        ("md", NAVIGATION_MARKDOWN),
        "raise ValueError('<img src=x onerror=alert(1)>')",
        counts=[1, 2, 3],
        outputs={
            1: [{"output_type": "stream", "name": "stdout", "text": f"</pre><script>{PWN}</script>\x1b[31mred\n"}],
            2: [
                {
                    "output_type": "display_data",
                    "data": {"text/html": HTML_OUTPUT, "text/plain": "evil"},
                    "metadata": {"image/png": {"width": f'1" onload="{PWN}'}},
                },
                {"output_type": "display_data", "data": {"image/svg+xml": SVG_WITH_SCRIPT}, "metadata": {}},
                {
                    "output_type": "display_data",
                    "data": {"application/javascript": PWN, "text/plain": "js"},
                    "metadata": {},
                },
                {
                    "output_type": "display_data",
                    "data": {"text/markdown": f'<img src=x onerror="{PWN}">md'},
                    "metadata": {},
                },
                {
                    "output_type": "display_data",
                    "data": {"image/png": f'" onerror="{PWN}', "text/plain": "not really a png"},
                    "metadata": {},
                },
                {
                    "output_type": "execute_result",
                    "execution_count": 2,
                    "metadata": {},
                    "data": {"application/json": {"html": f"<script>{PWN}</script>"}},
                },
            ],
            4: [
                {
                    "output_type": "error",
                    "ename": f"<script>{PWN}</script>",
                    "evalue": f"<img src=x onerror={PWN}>",
                    "traceback": [f"<script>{PWN}</script>"],
                }
            ],
        },
    )
    nb.cells[0]["attachments"] = {"evil.svg": {"image/svg+xml": base64.b64encode(SVG_WITH_SCRIPT.encode()).decode()}}
    return nb


def hostile_report(path: str = HOSTILE_PATH) -> Report:
    """A report whose candidate name, notebook path and finding texts are payloads too."""
    cells = [
        CellRecord(index=1, notebook=path, local_index=1, status=CellStatus.ok, execution_count=1),
        CellRecord(index=2, notebook=path, local_index=2, status=CellStatus.ok, execution_count=2),
        CellRecord(
            index=4,
            notebook=path,
            local_index=4,
            status=CellStatus.error,
            execution_count=3,
            error_name=f"<script>{PWN}</script>",
            error_value=f"<img src=x onerror={PWN}>",
        ),
    ]
    finding = Finding(
        id="SEC001#1",
        check_id="SEC001",
        severity=Severity.high,
        message=f'<img src=x onerror="{PWN}"> in a message',
        evidence=[
            Evidence(
                source=EvidenceSource.output,
                cell=2,
                notebook=path,
                snippet=f"<script>{PWN}</script>",
                note=f"<svg onload={PWN}>",
            )
        ],
        data={"html": f"<script>{PWN}</script>"},
    )
    check: dict[str, Any] = {
        "id": "SEC001",
        "slug": "payloads",
        "category": "quality",
        "version": 1,
        "title": f'<b onclick="{PWN}">payload check</b>',
        "status": CheckStatus.failed,
        "findings": [finding],
    }
    return Report(
        grader_version="0.1.0",
        generated_at="2026-01-01T00:00:00+00:00",
        status=GradingStatus.graded,
        submission=SubmissionInfo(name=HOSTILE_NAME, candidate=HOSTILE_NAME, notebooks=[path]),
        execution=ExecutionRecord(status=RunStatus.errors, notebooks=[path], cells=cells, duration_s=1.0),
        checks=[CheckResult(**check)],
        total=Total(score=1, max=2, percent=50.0, band="average"),
    )
