"""The static dataflow: splits, fits, taints, roles, columns and selections on tiny notebooks."""

from __future__ import annotations

import pytest

from grader.evidence.build import context_of
from grader.evidence.code import CodeIndex
from grader.evidence.dataflow.catalogue import Role, role_of_name
from grader.evidence.dataflow.interpreter import analyse
from grader.evidence.dataflow.values import DataflowResult
from grader.evidence.leakage.base import LeakKind
from grader.evidence.ml.vocabulary import FitCategory
from grader.models.assignment import Assignment
from grader.models.notebook import NotebookView
from tests.conftest import make_notebook, static_context

HEAD = """\
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split, cross_val_score, KFold, GroupKFold
from sklearn.preprocessing import StandardScaler
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.metrics import roc_auc_score
df = pd.read_csv("data/train.csv")
"""


def flow_of(*cells: str, target: str | None = "y", modules: dict[str, str] | None = None) -> DataflowResult:
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(HEAD, *cells))])
    return analyse(CodeIndex(view), target=target, modules=modules)


def leaks(*cells: str, assignment: Assignment | None = None) -> dict[LeakKind, list[str]]:
    ctx = static_context(make_notebook(HEAD, *cells), assignment=assignment)
    found: dict[LeakKind, list[str]] = {}
    for leak in ctx.leakage.findings:
        found.setdefault(leak.kind, []).append(leak.finding.message)
    return found


def assignment(**structure: object) -> Assignment:
    return Assignment.model_validate(
        {
            "name": "toy",
            "title": "Toy",
            "task": "binary_classification",
            "target": "y",
            "id_column": "id",
            "primary_metric": "roc_auc",
            "public_files": ["train.csv"],
            "prediction_contract": {"id_column": "id", "prediction_column": "y"},
            "leakage_columns": ["after_outcome"],
            "structure": structure,
        }
    )


# --------------------------------------------------------------------------- names and roles


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("X_test", Role.test),
        ("X_te", Role.test),
        ("test_df", Role.test),
        ("holdout", Role.test),
        ("X_val", Role.validation),
        ("valid", Role.validation),
        ("X_valid", Role.validation),
        ("df_val", Role.validation),
        ("X_train", Role.train),
        ("train", Role.train),
        ("X_tr", Role.train),
        ("Xtrain", Role.train),
        ("values", None),
        ("interval", None),
        ("df", None),
        ("churners", None),
    ],
)
def test_role_of_name(name: str, role: Role | None) -> None:
    assert role_of_name(name) == role


# --------------------------------------------------------------------------- splits and fits


def test_split_outputs_are_labelled_by_position_and_name() -> None:
    flow = flow_of("X = df[['a', 'b']]\ny = df['y']\nX_train, X_val, y_train, y_val = train_test_split(X, y)")
    [split] = flow.splits.values()
    assert split.random and split.names == {"train": ["X_train", "y_train"], "test": ["X_val", "y_val"]}
    assert split.role("test") is Role.validation
    assert split.input_tags == frozenset({("root", flow.sources[0].id)})


def test_fit_before_split_taints_both_sides() -> None:
    flow = flow_of(
        "X = StandardScaler().fit_transform(df[['a', 'b']])",
        "X_train, X_test, y_train, y_test = train_test_split(X, df['y'])\n"
        "m = LogisticRegression().fit(X_train, y_train)",
    )
    [scaler] = [f for f in flow.fits.values() if f.cls == "StandardScaler"]
    _, x, _ = flow.model_fits[0]
    assert scaler.id in x.taints and scaler.category is FitCategory.scaler
    split = next(iter(flow.splits.values()))
    assert flow.covers(scaler.tags, ("part", split.id, "test"))


def test_fit_on_train_does_not_cover_test_rows() -> None:
    flow = flow_of(
        "X_train, X_test, y_train, y_test = train_test_split(df[['a']], df['y'])\n"
        "sc = StandardScaler().fit(X_train)\nA = sc.transform(X_train)\nB = sc.transform(X_test)"
    )
    [fit] = [f for f in flow.fits.values() if f.cls == "StandardScaler"]
    split = next(iter(flow.splits.values()))
    assert not flow.covers(fit.tags, ("part", split.id, "test"))
    assert flow.covers(fit.tags, ("part", split.id, "train"))


def test_tuple_unpacking_method_chains_and_inplace_mutation() -> None:
    found = leaks(
        "df.fillna(df.mean(), inplace=True)\n(a, b), c = (1, 2), 3",
        "tr, te = train_test_split(df, test_size=0.2)\nm = LogisticRegression().fit(tr.drop(columns='y'), tr['y'])",
    )
    assert LeakKind.statistic in found


def test_subscript_assignment_carries_the_transformer_into_the_frame() -> None:
    found = leaks(
        "df[['a', 'b']] = SimpleImputer().fit_transform(df[['a', 'b']])",
        "X_train, X_test, y_train, y_test = train_test_split(df[['a', 'b']], df['y'])\n"
        "LogisticRegression().fit(X_train, y_train)",
    )
    assert LeakKind.preprocessing in found


def test_statistics_printed_during_eda_are_not_leaks() -> None:
    found = leaks(
        "print(df.mean(numeric_only=True))\nprint(df['a'].median(), df.describe())",
        "X_train, X_test, y_train, y_test = train_test_split(df[['a']], df['y'])\n"
        "LogisticRegression().fit(X_train.fillna(X_train.median()), y_train)",
    )
    assert found == {}


def test_fill_values_through_attribute_columns_floor_and_statistics_mode_leak() -> None:
    """Kaggle idioms: `df.a = df.a.fillna(m)`, `m = math.floor(df.a.median())`, `statistics.mode(df["a"])`."""
    split = (
        "X_train, X_test, y_train, y_test = train_test_split(df[['a']], df['y'])\n"
        "m = LogisticRegression().fit(X_train, y_train)\nprint(m.score(X_test, y_test))"
    )
    for fill in (
        "mdn = df.a.median()\ndf.a = df.a.fillna(mdn)",
        "import math\nmdn = math.floor(df['a'].median())\ndf['a'] = df['a'].fillna(mdn)",
        "from statistics import mode\ndf['a'] = df['a'].replace(np.nan, mode(df['a']))",
    ):
        assert LeakKind.statistic in leaks(fill, split), fill
    # Attributes that are not columns write no column; a statistic only printed leaks nothing.
    assert leaks("df.name = 'frame'\nprint(df.a.median())", split) == {}


def test_statistic_of_the_training_cut_is_not_a_leak() -> None:
    found = leaks(
        "df = df.fillna(df.iloc[:800].median())",
        "train, valid = df.iloc[:800], df.iloc[800:]\nLogisticRegression().fit(train[['a']], train['y'])",
    )
    assert LeakKind.statistic not in found


def test_pipeline_inside_cross_validation_is_fine_and_outside_is_not() -> None:
    good = leaks(
        "pipe = make_pipeline(StandardScaler(), LogisticRegression())\ncross_val_score(pipe, df[['a']], df['y'], cv=5)"
    )
    assert good == {}
    bad = leaks(
        "X = StandardScaler().fit_transform(df[['a']])\ncross_val_score(LogisticRegression(), X, df['y'], cv=5)"
    )
    assert LeakKind.preprocessing in bad


def test_function_summaries_follow_arguments_and_returns() -> None:
    found = leaks(
        "def prep(frame):\n    scaler = StandardScaler()\n    return scaler.fit_transform(frame[['a']])",
        "X = prep(df)\nX_tr, X_te, y_tr, y_te = train_test_split(X, df['y'])\nLogisticRegression().fit(X_tr, y_tr)",
    )
    [message] = found[LeakKind.preprocessing]
    assert "StandardScaler" in message


def test_loops_over_columns_and_models() -> None:
    flow = flow_of(
        "for c in ['a', 'b']:\n    df[c] = df[c].fillna(df[c].mean())",
        "X_tr, X_te, y_tr, y_te = train_test_split(df[['a', 'b']], df['y'])\n"
        "scores = {}\n"
        "for name, m in {'lr': LogisticRegression(), 'lr2': LogisticRegression(C=2)}.items():\n"
        "    m.fit(X_tr, y_tr)\n    scores[name] = roc_auc_score(y_te, m.predict_proba(X_te)[:, 1])\n"
        "best = max(scores, key=scores.get)",
    )
    assert any(loop.over_estimators for loop in flow.loops.values())
    assert flow.selections and flow.selections[0].how == "max"
    assert len([f for f in flow.fits.values() if f.category is FitCategory.statistic]) == 1


def test_selection_on_validation_set_is_fine_on_test_set_is_not() -> None:
    loop = (
        "best, pick = 0, None\nfor d in [1, 2, 3]:\n    m = LogisticRegression(C=d).fit(X_tr, y_tr)\n"
        "    s = roc_auc_score({y}, m.predict_proba({x})[:, 1])\n    if s > best:\n        best, pick = s, d"
    )
    split = "X_tr, {x}, y_tr, {y} = train_test_split(df[['a']], df['y'])"
    bad = leaks(split.format(x="X_test", y="y_test"), loop.format(x="X_test", y="y_test"))
    good = leaks(split.format(x="X_val", y="y_val"), loop.format(x="X_val", y="y_val"))
    assert LeakKind.selection in bad and "hyperparameter" in bad[LeakKind.selection][0]
    assert good == {}


def test_columns_reaching_features_and_declared_leakage_columns() -> None:
    toy = assignment()
    kept = leaks("X = df.drop(columns=['y', 'id'])\nLogisticRegression().fit(X, df['y'])", assignment=toy)
    dropped = leaks(
        "X = df.drop(columns=['y', 'id', 'after_outcome'])\nLogisticRegression().fit(X, df['y'])", assignment=toy
    )
    listed = leaks("FEATURES = ['a', 'b']\nLogisticRegression().fit(df[FEATURES], df['y'])", assignment=toy)
    filtered = leaks(
        "X = df.select_dtypes('number').drop(columns=['y'])\nLogisticRegression().fit(X, df['y'])", assignment=toy
    )
    derived = leaks(
        "df['flag'] = df['after_outcome'].notna()\nLogisticRegression().fit(df[['a', 'flag']], df['y'])", assignment=toy
    )
    assert LeakKind.leakage_column in kept and LeakKind.leakage_column not in dropped
    assert LeakKind.leakage_column not in listed and LeakKind.leakage_column not in filtered
    assert "`flag`" in derived[LeakKind.leakage_column][0]


def test_target_derived_features_and_the_target_itself() -> None:
    derived = leaks("df['z'] = df['a'] * df['y']\nLogisticRegression().fit(df[['a', 'z']], df['y'])")
    target_kept = leaks("X = df.drop(columns=['id'])\nLogisticRegression().fit(X, df['y'])")
    fine = leaks("df['z'] = df['a'] * 2\nLogisticRegression().fit(df[['a', 'z']], df['y'])")
    assert LeakKind.target_derived in derived and LeakKind.target_derived in target_kept
    assert fine == {}


def test_numpy_positions_are_not_read_as_keeping_the_target() -> None:
    """`values[:, 0:60]` and `values[:, 60]`: which columns these are depends on the file's order."""
    positions = "data = df.values\nX = data[:, 0:3].astype(float)\nY = data[:, 3]\nLogisticRegression().fit(X, Y)"
    assert LeakKind.target_derived not in leaks(positions)
    whole = "data = df.values\nLogisticRegression().fit(data, df['y'])"
    assert LeakKind.target_derived in leaks(whole)


def test_a_numpy_arrays_first_and_last_rows_are_a_split() -> None:
    """pulsar-01: `x_train = feature[:800, :]`, `x_test = feature[800:, :]` are the two sides of a cut, not two
    copies of every row (which read as training on the test rows)."""
    split = (
        "feature = df[['a', 'b']].values\ntarget = df['y'].values\n"
        "x_train, x_test = feature[:800, :], feature[800:, :]\ny_train, y_test = target[:800], target[800:]\n"
    )
    fitted = "model = LogisticRegression().fit(x_train, y_train)\nprint(accuracy_score(y_test, model.predict(x_test)))"
    assert leaks(split + fitted) == {}
    scaled_first = "from sklearn.preprocessing import MinMaxScaler\ndf[['a', 'b']] = MinMaxScaler().fit_transform(df[['a', 'b']])\n"
    assert LeakKind.preprocessing in leaks(scaled_first + split + fitted)


def test_oversampling_before_and_after_the_split() -> None:
    head = "from imblearn.over_sampling import SMOTE\n"
    bad = leaks(
        head + "Xr, yr = SMOTE().fit_resample(df[['a']], df['y'])\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(Xr, yr)\nLogisticRegression().fit(X_tr, y_tr)"
    )
    good = leaks(
        head + "X_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'])\n"
        "Xr, yr = SMOTE().fit_resample(X_tr, y_tr)\nLogisticRegression().fit(Xr, yr)"
    )
    assert LeakKind.oversampling in bad and good == {}
    # imbalanced-learn before 0.8 called it `fit_sample` (pulsar-01: SMOTE on every row, then the split).
    old_api = leaks(
        head + "Xr, yr = SMOTE(random_state=10).fit_sample(df[['a']], df['y'])\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(Xr, yr)\nLogisticRegression().fit(X_tr, y_tr)"
    )
    assert LeakKind.oversampling in old_api


def test_time_and_group_structure() -> None:
    timed = assignment(time_ordered=True, time_column="t")
    grouped = assignment(group_column="patient")
    random_split = "X_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'])\nLogisticRegression().fit(X_tr, y_tr)"
    cut = (
        "train = df[df['t'] < '2024-01-01']\nvalid = df[df['t'] >= '2024-01-01']\n"
        "LogisticRegression().fit(train[['a']], train['y'])"
    )
    grouped_cv = "cross_val_score(LogisticRegression(), df[['a']], df['y'], groups=df['patient'], cv=GroupKFold(5))"
    assert LeakKind.temporal in leaks(random_split, assignment=timed)
    assert leaks(cut, assignment=timed) == {}
    assert LeakKind.group in leaks(random_split, assignment=grouped)
    assert leaks(grouped_cv, assignment=grouped) == {}
    assert leaks(random_split) == {}


def test_a_group_pattern_names_the_part_of_the_column_that_is_the_group() -> None:
    speakers = assignment(group_column="name", group_pattern=r"_(S\d+)_")
    random_split = "X_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'])\nLogisticRegression().fit(X_tr, y_tr)"
    grouped_cv = (
        "groups = df['name'].str.extract(r'_(S\\d+)_')[0]\n"
        "cross_val_score(LogisticRegression(), df[['a']], df['y'], groups=groups, cv=GroupKFold(5))"
    )
    (message,) = leaks(random_split, assignment=speakers)[LeakKind.group]
    assert "groups in `name` (the part `_(S\\d+)_` picks)" in message and "the same group" in message
    assert leaks(grouped_cv, assignment=speakers) == {}


@pytest.mark.parametrize(
    ("structure", "error"),
    [
        ({"group_pattern": "_(S\\d+)_"}, "name the column too"),
        ({"group_column": "name", "group_pattern": "(S"}, "not a regular"),
    ],
)
def test_a_group_pattern_needs_its_column_and_must_compile(structure: dict[str, str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        assignment(**structure)
    assert assignment(group_column="name", group_pattern="_(S\\d+)_").structure.group_patterns == {"name": "_(S\\d+)_"}
    assert assignment(group_column="name").structure.group_patterns == {}


def test_own_module_functions_are_followed() -> None:
    module = (
        "import pandas as pd\nLEAK = ['after_outcome']\nTARGET = 'y'\n"
        "def prepare(frame):\n    return frame.drop(columns=LEAK)\n"
    )
    cells = (
        "import features as F\nclean = F.prepare(df)\nX = clean.drop(columns=[F.TARGET])\n"
        "LogisticRegression().fit(X, clean[F.TARGET])"
    )
    ctx = static_context(make_notebook(HEAD, cells), assignment=assignment())
    ctx_facts = ctx.submission.__class__(name="t", files=("features.py",), texts={"features.py": module})
    with_module = context_of(
        submission=ctx_facts, notebook=ctx.notebook, execution=ctx.execution, assignment=ctx.assignment
    )
    assert with_module.leakage.of(LeakKind.leakage_column) == []
    assert with_module.leakage.of(LeakKind.target_derived) == []


def test_unknown_code_is_conservative_and_lowers_confidence() -> None:
    ctx = static_context(
        make_notebook(
            HEAD,
            "from mylib import magic\nX = magic(StandardScaler().fit_transform(df[['a']]))",
            "X_tr, X_te, y_tr, y_te = train_test_split(X, df['y'])\nLogisticRegression().fit(X_tr, y_tr)",
        )
    )
    [finding] = ctx.leakage.of(LeakKind.preprocessing)
    assert finding.confidence.value == "low"


def test_syntax_errors_and_magics_do_not_stop_the_analysis() -> None:
    found = leaks(
        "%matplotlib inline\n!pip install foo\nthis is not python",
        "X = StandardScaler().fit_transform(df[['a']])\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, df['y'])\nLogisticRegression().fit(X_tr, y_tr)",
    )
    assert LeakKind.preprocessing in found


def test_group_column_as_a_feature_on_time_ordered_data() -> None:
    both = assignment(time_ordered=True, time_column="t", group_column="shop")
    split = "X_tr, X_te, y_tr, y_te = train_test_split(df[{cols}], df['y'])\nLogisticRegression().fit(X_tr, y_tr)"
    without = leaks(split.format(cols="['a']"), assignment=both)
    with_shop = leaks(split.format(cols="['a', 'shop']"), assignment=both)
    assert LeakKind.temporal in without and LeakKind.group not in without
    assert LeakKind.group in with_shop


def test_hostile_code_is_bounded() -> None:
    deep = "x = " + "(" * 200 + "df" + ")" * 200
    long_sum = "y = " + " + ".join(["df['a']"] * 3000)
    recursive = "def f(d):\n    return g(d)\ndef g(d):\n    return f(d)\nz = f(df)"
    loops = (
        "for a in range(3):\n"
        + "".join(f"{'    ' * i}for v{i} in [df]:\n" for i in range(1, 40))
        + "    " * 40
        + "df = df.fillna(df.mean())"
    )
    many = [f"df{i} = df.fillna({i})" for i in range(800)]
    import time

    started = time.perf_counter()
    flow = flow_of(deep, long_sum, recursive, loops, *many)
    assert time.perf_counter() - started < 20
    assert flow.sources
