"""Edge cases of the EDA checks: aliases, helpers, method chains, outputs without code."""

from __future__ import annotations

from grader.checks.eda.data_overview import inspects_data_overview
from grader.checks.eda.duplicates_outliers import duplicates_and_outliers
from grader.checks.eda.feature_relations import explores_feature_relations
from grader.checks.eda.findings_written import eda_findings_written
from grader.checks.eda.missing_values import checks_missing_values
from grader.checks.eda.plots_labelled import plots_labelled
from grader.checks.eda.target_distribution import target_distribution
from grader.checks.eda.visualises_data import visualises_data
from grader.models.findings import CheckStatus, EvidenceSource
from tests.checks._helpers import cells_of, run, severities

LOAD = "import pandas as pd\nimport seaborn as sns\nimport matplotlib.pyplot as plt\ndf = pd.read_csv('data/train.csv')"
ONE_PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
PNG = {
    "output_type": "display_data",
    "metadata": {},
    "data": {"image/png": ONE_PIXEL, "text/plain": "<Figure size 640x480 with 1 Axes>"},
}


def _text(text: str) -> dict[str, object]:
    return {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": text}}


# --------------------------------------------------------------------------- EDA001


def test_overview_from_a_method_chain_and_info() -> None:
    result = run(inspects_data_overview, LOAD, "df.info()", "df.describe(include='all').T.round(2)")
    assert result.status is CheckStatus.passed and result.score == 1.0


def test_logger_info_is_not_df_info() -> None:
    result = run(inspects_data_overview, "import logging\nlogger = logging.getLogger()\nlogger.info('loaded')")
    assert result.score == 0.0


def test_describe_table_in_the_outputs_counts_without_the_code() -> None:
    table = "       tenure   age\ncount  8080.0  7900.0\nmean   30.1    44.2\nstd    20.0    15.1\nmin 0 0"
    result = run(inspects_data_overview, "import helpers\nhelpers.audit('data/train.csv')", outputs={0: [_text(table)]})
    summary = [f for f in result.findings if f.data.get("aspect") == "summary"]
    assert summary and not summary[0].is_problem


def test_summary_missing_is_low_when_distributions_are_plotted() -> None:
    result = run(inspects_data_overview, LOAD, "sns.histplot(df['tenure_months'])\nplt.title('Tenure')")
    assert "medium" not in severities(result)


# --------------------------------------------------------------------------- EDA002


def test_missing_values_variants() -> None:
    for code in (
        "df.isnull().mean().sort_values()",
        "pd.isna(df).sum()",
        "print(df.notna().all())",
        "import missingno as msno\nmsno.bar(df)",
    ):
        result = run(checks_missing_values, LOAD, code)
        assert result.status is CheckStatus.passed, code


def test_imputing_without_measuring_earns_half() -> None:
    result = run(checks_missing_values, LOAD, "from sklearn.impute import SimpleImputer\nimp = SimpleImputer()")
    assert result.status is CheckStatus.failed and result.score == 0.5 and cells_of(result) == {1}


# --------------------------------------------------------------------------- EDA003


def test_target_followed_through_split_aliases() -> None:
    result = run(
        target_distribution,
        LOAD,
        "from sklearn.model_selection import train_test_split\nTARGET = 'churned'\n"
        "X, y = df.drop(columns=[TARGET]), df[TARGET]\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)",
        "print(y_tr.value_counts(normalize=True))",
        task="churn",
    )
    assert result.status is CheckStatus.passed
    assert result.findings[0].evidence[0].cell == 2


def test_feature_rates_and_feature_means_are_not_the_target_distribution() -> None:
    result = run(
        target_distribution,
        LOAD,
        "df.groupby('region')['churned'].mean()",
        "X = df.drop(columns=['churned'])\nX.mean()",
        "df.loc[df['age'].isna(), 'churned'].mean()",
        task="churn",
    )
    assert result.status is CheckStatus.failed


def test_groupby_target_size_and_attribute_access_count() -> None:
    assert run(target_distribution, LOAD, "df.groupby('churned').size()", task="churn").status is CheckStatus.passed
    assert run(target_distribution, LOAD, "df.churned.mean()", task="churn").status is CheckStatus.passed


def test_regression_target_skew() -> None:
    result = run(target_distribution, LOAD, "print(df['delivery_minutes'].skew())", task="delivery")
    assert result.status is CheckStatus.passed
    assert "distribution" in result.message


def test_target_distribution_is_skipped_without_assignment() -> None:
    assert run(target_distribution, LOAD, "df['churned'].value_counts()").status is CheckStatus.skipped


def test_target_output_excerpt_in_evidence() -> None:
    result = run(
        target_distribution,
        LOAD,
        "df['churned'].value_counts()",
        task="churn",
        outputs={1: [_text("0    6488\n1    1592\nName: churned")]},
    )
    assert "6488" in (result.findings[0].evidence[0].note or "")


# --------------------------------------------------------------------------- EDA004 / EDA005


def test_saved_figures_count_and_evaluation_plots_do_not() -> None:
    roc = "from sklearn.metrics import roc_curve\nfpr, tpr, _ = roc_curve(y, p)\nplt.plot(fpr, tpr)\nplt.title('ROC')"
    result = run(visualises_data, LOAD, "sns.histplot(df['age'])", roc, outputs={1: [PNG], 2: [PNG]})
    assert result.status is CheckStatus.failed
    assert "1 exploratory figure" in result.message


def test_figures_drawn_by_a_helper_are_credited_to_the_calling_cell() -> None:
    helper = (
        "def by_class(col):\n    fig, ax = plt.subplots()\n"
        "    sns.kdeplot(data=df, x=col, hue='churned', ax=ax)\n    ax.set_title(col)"
    )
    result = run(
        visualises_data,
        LOAD,
        helper,
        "for col in ['age', 'tenure_months']:\n    by_class(col)",
        outputs={2: [PNG, PNG]},
    )
    assert result.status is CheckStatus.passed
    figure_evidence = [e for f in result.findings for e in f.evidence if e.source is EvidenceSource.saved_output]
    assert {e.cell for e in figure_evidence} == {2}
    assert run(plots_labelled, LOAD, helper, "by_class('age')", outputs={2: [PNG]}).status is CheckStatus.passed


def test_plotly_and_pandas_plots() -> None:
    result = run(
        visualises_data,
        "import plotly.express as px\nimport pandas as pd\ndf = pd.read_csv('x.csv')",
        "px.histogram(df, x='age')",
        "df.plot(kind='scatter', x='age', y='tenure')",
    )
    assert result.status is CheckStatus.passed


def test_str_title_is_not_a_plot_title() -> None:
    result = run(plots_labelled, LOAD, "df['region'] = df['region'].str.title()\ndf['age'].hist()")
    assert result.status is CheckStatus.failed and cells_of(result) == {1}


def test_sklearn_displays_label_themselves() -> None:
    result = run(
        plots_labelled,
        LOAD,
        "from sklearn.metrics import ConfusionMatrixDisplay\nConfusionMatrixDisplay.from_predictions(y, p)",
        outputs={1: [PNG]},
    )
    assert result.status is CheckStatus.passed


def test_seaborn_set_with_title_and_figure_level_titles() -> None:
    result = run(
        plots_labelled,
        LOAD,
        "ax = sns.boxplot(data=df, x='churned', y='age')\nax.set(title='Age by churn', xlabel='churned')",
        "g = sns.catplot(data=df, x='region', kind='count')\ng.set_titles('{col_name}')",
    )
    assert result.status is CheckStatus.passed


# --------------------------------------------------------------------------- EDA006 / EDA007


def test_corr_column_of_the_target_through_a_variable() -> None:
    result = run(
        explores_feature_relations,
        LOAD,
        "c = df.select_dtypes('number').corr()",
        "c['churned'].sort_values()",
        task="churn",
    )
    assert result.status is CheckStatus.passed


def test_crosstab_with_target_and_hue() -> None:
    result = run(
        explores_feature_relations,
        LOAD,
        "pd.crosstab(df['region'], df['churned'], normalize='index')",
        "sns.pairplot(df[['age', 'tenure_months']])",
        task="churn",
    )
    assert result.status is CheckStatus.passed


def test_range_checks_find_impossible_values() -> None:
    result = run(
        duplicates_and_outliers,
        LOAD,
        "bad = df[(df['age'] < 18) | (df['age'] > 100)]",
        "df = df.drop_duplicates(subset='customer_id')",
    )
    assert result.status is CheckStatus.passed


# --------------------------------------------------------------------------- EDA008


def test_interpretation_within_the_window() -> None:
    note = (
        "md",
        "Month-to-month customers churn about three times as often as customers on two-year contracts, "
        "so contract type will matter.",
    )
    ok = run(eda_findings_written, LOAD, "df.groupby('contract_type')['churned'].mean()", "x = 1", note, task="churn")
    assert ok.status is CheckStatus.passed
    far = run(
        eda_findings_written,
        LOAD,
        "df.groupby('contract_type')['churned'].mean()",
        "x = 1",
        "y = 2",
        note,
        task="churn",
    )
    assert far.status is CheckStatus.failed and cells_of(far) == {1}


def test_preceding_observation_counts() -> None:
    note = ("md", "The classes are imbalanced: only 20 % of customers churn, which rules out accuracy as a metric.")
    result = run(eda_findings_written, LOAD, note, "df['churned'].value_counts(normalize=True)", task="churn")
    assert result.status is CheckStatus.passed


def test_outputs_after_the_first_fit_are_not_eda() -> None:
    result = run(
        eda_findings_written,
        LOAD,
        "df.isna().sum()",
        ("md", "Three columns have missing values, satisfaction_score most of all (about 70 percent)."),
        "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)",
        "print(y.value_counts())",
        task="churn",
    )
    assert result.status is CheckStatus.passed


def test_summary_table_with_the_target_row_shows_its_balance() -> None:
    table = (
        "               count   mean    std   min   25%   50%   75%    max\n"
        "tenure_months  8080.0  24.87  22.1   0.0   5.0  18.0  43.0   72.0\n"
        "churned        8080.0   0.20   0.40  0.0   0.0   0.0   0.0    1.0"
    )
    shown = run(target_distribution, LOAD, "df.describe().T", task="churn", outputs={1: [_text(table)]})
    assert shown.status is CheckStatus.passed
    # the same table after a model is fitted describes predictions, not the target
    later = run(
        target_distribution,
        LOAD,
        "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)",
        "predictions.describe().T",
        task="churn",
        outputs={2: [_text(table)]},
    )
    assert later.status is CheckStatus.failed
