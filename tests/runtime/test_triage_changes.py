"""Triage of failures caused by library changes, consequences of earlier failures, and malformed data (no Docker).

Error messages and traceback frames are the ones pandas 3.1 / scikit-learn 1.9 raise in the
current sandbox image (the same versions as the grader's own venv); the Docker tests in
`test_profiles_docker.py` check that real runs are triaged the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.execution import cell_flow, library_changes
from grader.execution.triage import find_malformed_files, refine
from grader.models.execution import CellRecord, CellStatus, ErrorClass

PANDAS3 = {"pandas": "3.1.1", "scikit-learn": "1.9.1", "numpy": "2.4.6"}
PANDAS2 = {"pandas": "2.2.2", "scikit-learn": "1.5.1", "numpy": "1.26.4"}
SITE = "/opt/venv/lib/python3.11/site-packages"


def cell(index: int, status: CellStatus = CellStatus.ok, **error: object) -> CellRecord:
    klass = error.pop("error_class", ErrorClass.candidate if status is CellStatus.error else None)
    return CellRecord(
        index=index,
        notebook="a.ipynb",
        local_index=index,
        status=status,
        error_class=klass,
        **error,  # type: ignore[arg-type]
    )


def failed(index: int, name: str, value: str, trace: str = "", klass: ErrorClass = ErrorClass.candidate) -> CellRecord:
    return cell(index, CellStatus.error, error_name=name, error_value=value, traceback=trace, error_class=klass)


def triage(sources: list[str], records: list[CellRecord], versions: dict[str, str] = PANDAS3) -> list[CellRecord]:
    return refine(records, dict(enumerate(sources)), versions=versions)


# --------------------------------------------------------------------------- one test per pandas 3 change


def test_str_dtype_object_test_selects_nothing_then_fit_fails() -> None:
    sources = [
        "df = pd.read_csv('data/train.csv')",
        "cats = [c for c in df.columns if df[c].dtype == 'object']\nX = pd.get_dummies(df, columns=cats)",
        "model = LogisticRegression().fit(X, y)",
    ]
    trace = (
        "Cell In[3], line 1\n----> 1 model = LogisticRegression().fit(X, y)\n"
        f"File {SITE}/sklearn/utils/validation.py:1120, in check_array(array, ...)\n"
    )
    out = triage(
        sources, [cell(0), cell(1), failed(2, "ValueError", "could not convert string to float: 'Yes'", trace)]
    )
    assert out[2].error_class is ErrorClass.environment
    assert out[2].library_change == "pandas-3.0-str-dtype"
    assert "pandas 3.0" in (out[2].triage_note or "") and "`str` dtype" in (out[2].triage_note or "")


def test_same_failure_without_the_dtype_test_stays_the_candidates() -> None:
    sources = ["df = pd.read_csv('data/train.csv')", "model = LogisticRegression().fit(df, y)"]
    out = triage(sources, [cell(0), failed(1, "ValueError", "could not convert string to float: 'Yes'")])
    assert out[1].error_class is ErrorClass.candidate and out[1].library_change is None


def test_str_dtype_change_is_not_blamed_on_a_pandas_2_run() -> None:
    sources = ["cats = [c for c in df if df[c].dtype == object]", "LogisticRegression().fit(X, y)"]
    out = triage(sources, [cell(0), failed(1, "ValueError", "could not convert string to float: 'Yes'")], PANDAS2)
    assert out[1].error_class is ErrorClass.candidate


def test_assigning_numbers_into_a_str_column() -> None:
    value = "Invalid value '1' for dtype 'str'. Value should be a string or missing value, got 'int' instead."
    out = triage(["df.loc[df.Churn == 'Yes', 'Churn'] = 1"], [failed(0, "TypeError", value)])
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "pandas-3.0-str-dtype-setitem"


def test_copy_on_write_chained_inplace_is_a_no_op_and_a_later_key_error_is_environmental() -> None:
    sources = [
        "df = pd.read_csv('data/train.csv')",
        "df['Churn'].replace({'Yes': 1, 'No': 0}, inplace=True)",
        "churners = df.groupby('Churn').size()\nrate = churners[1] / len(df)",
        "print(undefined_thing)",
    ]
    records = [
        cell(0),
        cell(1),
        failed(2, "KeyError", "1"),
        failed(3, "NameError", "name 'undefined_thing' is not defined"),
    ]
    out = triage(sources, records)
    assert out[2].error_class is ErrorClass.environment and out[2].library_change == "pandas-3.0-copy-on-write"
    assert "Copy-on-Write" in (out[2].triage_note or "") and "cell 1" in (out[2].triage_note or "")
    assert out[3].error_class is ErrorClass.candidate  # unrelated to the frame: still the candidate's


def test_replace_no_longer_downcasts_so_labels_are_unknown() -> None:
    sources = [
        "y = df['Churn'].replace({'Yes': 1, 'No': 0})",
        "clf = RandomForestClassifier().fit(X, y)",
    ]
    value = (
        "Unknown label type: unknown. Maybe you are trying to fit a classifier, which expects discrete classes on "
        "a regression target with continuous values."
    )
    out = triage(sources, [cell(0), failed(1, "ValueError", value)])
    assert out[1].error_class is ErrorClass.environment and out[1].library_change == "pandas-3.0-replace-no-downcast"


def test_np_sum_over_a_frame_is_a_scalar_now() -> None:
    sources = ["share = np.sum(df == 'Yes')[0] / len(df)"]
    out = triage(sources, [failed(0, "IndexError", "invalid index to scalar variable.")])
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "pandas-3.0-axis-none-reduction"


def test_series_integer_key_is_a_label_not_a_position() -> None:
    trace = (
        "Cell In[5], line 1\n----> 1 counts[0]\n"
        f"File {SITE}/pandas/core/series.py:1102, in Series.__getitem__(self, key)\n"
        f"File {SITE}/pandas/core/series.py:1189, in Series._get_value(self, label, takeable)\n"
    )
    out = triage(["counts = df['Churn'].value_counts()\ncounts[0]"], [failed(0, "KeyError", "0", trace)])
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "pandas-3.0-positional-getitem"


def test_removed_pandas_apis_are_named() -> None:
    cases = [
        ("TypeError", "NDFrame.fillna() got an unexpected keyword argument 'method'", "pandas-3.0-fillna-method"),
        ("AttributeError", "'DataFrame' object has no attribute 'applymap'", "pandas-3.0-applymap"),
        ("AttributeError", "'DataFrame' object has no attribute 'append'", "pandas-2.0-append"),
        (
            "ValueError",
            "Invalid frequency: M. Failed to parse with error message: ValueError(\"'M' is no longer supported\")",
            "pandas-3.0-freq-aliases",
        ),
        ("TypeError", "OneHotEncoder.__init__() got an unexpected keyword argument 'sparse'", None),
        ("AttributeError", "module 'numpy' has no attribute 'float'.\n`np.float` was a deprecated alias", None),
    ]
    for name, value, expected in cases:
        out = triage(["x = 1"], [failed(0, name, value)])
        assert out[0].error_class is ErrorClass.environment, value
        assert out[0].library_change == (expected or out[0].library_change), value
        assert out[0].library_change is not None and out[0].triage_note, value


# --------------------------------------------------------------------------- consequences


def test_failures_that_follow_from_a_failed_fit_inherit_its_class() -> None:
    sources = [
        "enc = OneHotEncoder(sparse=False)\nX_enc = enc.fit_transform(X)",
        "grid = GridSearchCV(RandomForestClassifier(), {'n_estimators': [10]})\ngrid.fit(X_enc, y)",
        "best = grid.best_estimator_",
        "model = LogisticRegression()\nmodel.fit(X_enc, y)",
        "print(model.coef_)",
        "enc.transform(X_test)",
        "print(1 / 0)",
    ]
    sparse = "OneHotEncoder.__init__() got an unexpected keyword argument 'sparse'"
    records = [
        failed(0, "TypeError", sparse, "Cell In[1], line 1\n----> 1 enc = OneHotEncoder(sparse=False)"),
        failed(1, "NameError", "name 'X_enc' is not defined", "Cell In[2], line 2"),
        failed(2, "AttributeError", "'GridSearchCV' object has no attribute 'best_estimator_'"),
        failed(3, "NameError", "name 'X_enc' is not defined", "Cell In[4], line 2"),
        failed(
            4,
            "AttributeError",
            "'LogisticRegression' object has no attribute 'coef_'",
        ),
        failed(5, "NameError", "name 'enc' is not defined"),
        failed(6, "ZeroDivisionError", "division by zero"),
    ]
    out = triage(sources, records)
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "scikit-learn-1.4-onehot-sparse"
    for index in (1, 2, 3, 4, 5):
        assert out[index].error_class is ErrorClass.environment, (index, out[index].triage_note)
        assert out[index].caused_by == 0, (index, out[index].caused_by)
    assert out[6].error_class is ErrorClass.candidate and out[6].caused_by is None


def test_a_not_fitted_error_after_a_failed_fit_is_a_consequence() -> None:
    sources = ["model = RandomForestClassifier(max_features='auto')\nmodel.fit(X, y)", "model.predict(X_test)"]
    value = (
        "The 'max_features' parameter of RandomForestClassifier must be an int in the range [1, inf), a float in "
        "the range (0.0, 1.0], a str among {'log2', 'sqrt'} or None. Got 'auto' instead."
    )
    records = [
        failed(0, "InvalidParameterError", value, "Cell In[1], line 2\n----> 2 model.fit(X, y)"),
        failed(1, "NotFittedError", "This RandomForestClassifier instance is not fitted yet."),
    ]
    out = triage(sources, records)
    assert out[0].library_change == "scikit-learn-1.3-max-features-auto"
    assert out[1].error_class is ErrorClass.environment and out[1].caused_by == 0
    assert "cell 0" in (out[1].triage_note or "")


def test_names_set_before_the_failing_line_are_not_consequences() -> None:
    sources = ["df = pd.read_csv('x.csv')\ndf.corr()", "df['a'].astype(int)"]
    records = [
        failed(0, "ValueError", "could not convert string to float: 'x'", "Cell In[1], line 2\n----> 2 df.corr()"),
        failed(1, "ValueError", "invalid literal for int() with base 10: 'x'"),
    ]
    out = triage(sources, records)
    assert out[1].caused_by is None and out[1].error_class is ErrorClass.candidate


# --------------------------------------------------------------------------- malformed data


def test_merge_conflict_markers_in_a_csv_make_later_failures_data_problems(tmp_path: Path) -> None:
    csv = tmp_path / "churn.csv"
    csv.write_text(
        "id,tenure,churned\n1,5,0\n<<<<<<< HEAD\n2,7,1\n=======\n2,8,1\n>>>>>>> cleanup\n3,2,0\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("nothing to see\n", encoding="utf-8")
    malformed = find_malformed_files({"churn.csv": csv, "notes.txt": tmp_path / "notes.txt"})
    assert [(m.path, m.line) for m in malformed] == [("churn.csv", 3)]
    sources = [
        "df = pd.read_csv('churn.csv')",
        "X = df[['tenure']].astype(float)",
        "print(undefined)",
    ]
    records = [
        cell(0),
        failed(1, "ValueError", "could not convert string to float: '<<<<<<< HEAD'"),
        failed(2, "NameError", "name 'undefined' is not defined"),
    ]
    out = refine(records, dict(enumerate(sources)), versions=PANDAS3, malformed=malformed)
    assert out[1].error_class is ErrorClass.data
    assert "merge-conflict markers" in (out[1].triage_note or "") and "churn.csv" in (out[1].triage_note or "")
    assert out[2].error_class is ErrorClass.candidate


# --------------------------------------------------------------------------- helpers


def test_failure_line_comes_from_the_last_exception_of_a_chain() -> None:
    trace = (
        "KeyError: 0\n\nThe above exception was the direct cause of the following exception:\n\n"
        "KeyError Traceback (most recent call last)\nCell In[1], line 4\n----> 4 s[0]\n"
    )
    assert cell_flow.failure_line(trace) == 4
    assert cell_flow.names_set("a = 1\nb.fit(X)\nc['x'] = 2", from_line=2) == {"b", "c"}


@pytest.mark.parametrize("change", library_changes.CHANGES, ids=lambda c: c.id)
def test_every_change_names_a_library_and_a_release(change: library_changes.LibraryChange) -> None:
    assert change.library in {"pandas", "scikit-learn", "numpy", "matplotlib", "seaborn", "xgboost", "lightgbm"}
    assert change.version and change.summary and change.label().startswith(f"{change.library} {change.release}: ")
    assert change.message is not None or change.id == "pandas-3.0-copy-on-write"


def test_a_column_passed_positionally_to_a_seaborn_plot_is_the_0_12_keyword_change() -> None:
    """`sns.countplot("gender", data=df)`: since seaborn 0.12 the first positional parameter is `data`."""
    versions = {**PANDAS2, "seaborn": "0.13.2"}
    sources = ["sns.countplot('gender', data=df)"]
    value = "countplot() got multiple values for argument 'data'"
    out = triage(sources, [failed(0, "TypeError", value)], versions)
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "seaborn-0.12-keyword-data"
    # The same words about another argument are the candidate's own mistake.
    other = "countplot() got multiple values for argument 'hue'"
    assert triage(sources, [failed(0, "TypeError", other)], versions)[0].error_class is ErrorClass.candidate


def test_a_seaborn_plot_given_x_and_y_positionally_is_the_0_12_keyword_change() -> None:
    """`sns.jointplot(df.a, df.b, kind="reg")`: the message counts the keyword-only argument too (ckd-05)."""
    versions = {**PANDAS2, "seaborn": "0.13.2"}
    value = (
        "jointplot() takes from 0 to 1 positional arguments but 2 positional arguments "
        "(and 1 keyword-only argument) were given"
    )
    out = triage(["sns.jointplot(df.age, df.bp, kind='reg')"], [failed(0, "TypeError", value)], versions)
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "seaborn-0.12-keyword-data"


def test_drop_with_both_axis_and_columns_is_the_pandas_3_change() -> None:
    """`df.drop(columns='name', axis=1)` runs on pandas 1.5 and 2.2 and is refused by pandas 3."""
    sources = ["new = df.drop(columns='name', axis=1)"]
    value = "Cannot specify both 'axis' and 'index'/'columns'"
    out = triage(sources, [failed(0, "ValueError", value)])
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "pandas-3.0-drop-axis-and-columns"
    assert triage(sources, [failed(0, "ValueError", value)], PANDAS2)[0].error_class is ErrorClass.candidate
    change = next(c for c in library_changes.CHANGES if c.id == "pandas-3.0-drop-axis-and-columns")
    assert change.code is not None and change.code.search(sources[0]) and not change.code.search("df.drop('a', axis=1)")


def test_a_value_the_columns_dtype_cannot_hold_is_the_pandas_3_setitem_change() -> None:
    """`df.loc[i, "month"] = 6.5` in an int64 column: pandas 2.1-2.3 warned and upcast, pandas 3 raises (forest-01)."""
    sources = ["df.loc[df['month'] == 3, 'month'] = 6.5"]
    value = "Invalid value '6.5' for dtype 'int64'"
    out = triage(sources, [failed(0, "TypeError", value)])
    assert out[0].error_class is ErrorClass.environment and out[0].library_change == "pandas-3.0-incompatible-setitem"
    assert triage(sources, [failed(0, "TypeError", value)], PANDAS2)[0].error_class is ErrorClass.candidate
    # A string column keeps its own change; another TypeError is the candidate's.
    text = triage(sources, [failed(0, "TypeError", "Invalid value '1' for dtype 'str'")])
    assert text[0].library_change == "pandas-3.0-str-dtype-setitem"
    other = triage(sources, [failed(0, "TypeError", "unsupported operand type(s) for +: 'int' and 'str'")])
    assert other[0].error_class is ErrorClass.candidate


def test_scikit_learn_keyword_only_parameters_and_mixed_feature_names_are_environment() -> None:
    imports = "from sklearn.feature_selection import RFE\nfrom sklearn.linear_model import LinearRegression"
    rfe = triage(
        [imports, "rfe = RFE(LinearRegression(), 10)"],
        [cell(0), failed(1, "TypeError", "RFE.__init__() takes 2 positional arguments but 3 were given")],
    )
    assert rfe[1].error_class is ErrorClass.environment and rfe[1].library_change == "scikit-learn-1.0-keyword-only"
    # The candidate's own class called with too many arguments is the candidate's.
    own = triage(
        ["class Thing:\n    def __init__(self):\n        pass", "Thing(1)"],
        [cell(0), failed(1, "TypeError", "Thing.__init__() takes 1 positional argument but 2 were given")],
    )
    assert own[1].error_class is ErrorClass.candidate
    value = (
        "Feature names are only supported if all input features have string names, but your input has "
        "['int', 'str'] as feature name / column name types."
    )
    mixed = triage([imports, "LinearRegression().fit(X, y)"], [cell(0), failed(1, "TypeError", value)])
    assert mixed[1].error_class is ErrorClass.environment
    assert mixed[1].library_change == "scikit-learn-1.2-feature-name-types"
