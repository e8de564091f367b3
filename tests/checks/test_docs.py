"""Edge cases of the documentation checks: heading styles, reasons in comments, README rules."""

from __future__ import annotations

from grader.checks.docs.conclusion import conclusion_and_next_steps
from grader.checks.docs.explains_decisions import explains_decisions
from grader.checks.docs.headings_structure import headings_structure
from grader.checks.docs.readme import readme_for_multi_file
from grader.checks.docs.title_and_problem import title_and_problem_statement
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.evidence.narrative.markdown import REASONING, headings_in, prose
from grader.models.findings import CheckStatus
from grader.models.notebook import Cell
from tests.checks._helpers import cells_of, context, run, severities

OPENING = (
    "Predict which customers of Brightwave will cancel in the next quarter so the retention team can call "
    "them first; success is measured with ROC AUC."
)


def _md(text: str, index: int = 0) -> Cell:
    return Cell(index=index, notebook="a.ipynb", local_index=index, cell_type="markdown", source=text)


def test_heading_styles() -> None:
    cell = _md("Churn study\n===========\n\n<h2>Data</h2>\n\n**Modelling**\n\n## 3. Results ##\n\n- item\n---")
    found = [(h.level, h.text, h.bold) for h in headings_in(cell)]
    assert (1, "Churn study", False) in found
    assert (2, "Data", False) in found
    assert (6, "Modelling", True) in found
    assert (2, "3. Results", False) in found
    assert len(found) == 4
    assert "Churn study" not in prose(cell.source)


def test_reasoning_language() -> None:
    assert REASONING.search("I use a stratified split because only 20 % churn")
    assert REASONING.search("fitted inside a Pipeline, so each fold only learns from its own part")
    assert not REASONING.search("Here I train a random forest on the data.")


def test_title_and_opening_after_an_imports_cell() -> None:
    result = run(
        title_and_problem_statement,
        "import pandas as pd",
        ("md", f"# Churn\n\n{OPENING}"),
        "df = pd.read_csv('data/train.csv')",
    )
    assert result.status is CheckStatus.passed


def test_opening_after_the_data_is_loaded_is_too_late() -> None:
    result = run(
        title_and_problem_statement,
        "import pandas as pd\ndf = pd.read_csv('data/train.csv')",
        ("md", f"# Churn\n\n{OPENING}"),
    )
    assert result.status is CheckStatus.failed and result.score == 0.0


def test_headings_expected_scale_with_the_notebook() -> None:
    short = run(headings_structure, ("md", "# Churn"), "x = 1", "y = 2")
    assert short.status is CheckStatus.passed
    cells = [("md", "# Churn"), *[f"x{n} = {n}" for n in range(20)]]
    long = run(headings_structure, *cells)
    assert long.status is CheckStatus.failed and "medium" in severities(long)


def test_reason_in_a_code_comment_counts() -> None:
    result = run(
        explains_decisions,
        "from sklearn.model_selection import StratifiedKFold\n"
        "# stratified because only 1 % of transactions are fraud\n"
        "cv = StratifiedKFold(5, shuffle=True, random_state=0)",
    )
    assert result.status is CheckStatus.passed


def test_reason_after_the_block_counts_and_narration_does_not() -> None:
    code = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(random_state=0)"
    after = run(
        explains_decisions,
        ("md", "## Model"),
        code,
        ("md", "A random forest rather than boosting, since it needs almost no tuning for a first model."),
    )
    assert after.status is CheckStatus.passed
    narrated = run(
        explains_decisions, ("md", "## Model\n\nNow I train a random forest model on the training data."), code
    )
    assert narrated.status is CheckStatus.failed and cells_of(narrated) == {1}


def test_decisions_inside_helpers_are_credited_to_their_callers() -> None:
    helper = (
        "from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n"
        "def build(model):\n    return make_pipeline(StandardScaler(), model)"
    )
    result = run(
        explains_decisions,
        ("md", "Scaling lives in the pipeline so that each CV fold only learns its own mean and variance."),
        helper,
        "pipe = build(None)",
    )
    assert result.status is CheckStatus.passed


def test_conclusion_section_followed_by_code() -> None:
    conclusion = (
        "md",
        "## Conclusion\n\nThe boosted model reaches a ROC AUC of 0.87 in cross-validation against "
        "0.85 for the logistic baseline. With more time I would validate on a later month and "
        "monitor drift in production.",
    )
    result = run(
        conclusion_and_next_steps,
        *[f"x{n} = {n}" for n in range(8)],
        conclusion,
        "predictions.to_csv('predictions.csv', index=False)",
    )
    assert result.status is CheckStatus.passed


def test_readme_rules() -> None:
    single = run(readme_for_multi_file, "x = 1")
    assert single.status is CheckStatus.passed
    ctx = context("x = 1")
    facts = SubmissionFacts(
        name="t",
        files=("01_eda.ipynb", "02_model.ipynb", "requirements.txt"),
        notebooks=("01_eda.ipynb", "02_model.ipynb"),
    )
    numbered = run_check(
        readme_for_multi_file, context_of(submission=facts, notebook=ctx.notebook, execution=ctx.execution)
    )
    assert severities(numbered) == ["low"]
    unnumbered = run(readme_for_multi_file, "x = 1", files={"model.ipynb": "{}"})
    assert severities(unnumbered) == ["medium"]
    module = run(readme_for_multi_file, "x = 1", files={"utils.py": "def f(): pass"})
    assert severities(module) == ["medium"]
    readme = (
        "This folder holds the churn analysis notebook and utils.py, which the notebook imports for the "
        "cleaning. Install the packages with pip install -r requirements.txt and run the notebook top to "
        "bottom; it writes predictions.csv."
    )
    documented = run(readme_for_multi_file, "x = 1", files={"utils.py": "def f(): pass", "docs/README.md": readme})
    assert documented.status is CheckStatus.passed
