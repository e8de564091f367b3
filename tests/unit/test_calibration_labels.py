"""The raters' label files: a good file loads; bad points, flags and totals are refused clearly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.calibration.labels import CRITERIA_MAX, Flag, LabelsError, load_labels, parse_labels
from bench.calibration.manifest import MANIFEST, ManifestError, assign_splits, load_manifest

GOOD: dict[str, Any] = {
    "rater": "r1",
    "notebooks": [
        {
            "id": "titanic-03",
            "criteria": {"eda": 9, "features": 7, "modeling": 6, "evaluation": 15, "quality_docs": 8, "execution": 9},
            "total": 54,
            "band": "average",
            "flags": ["leakage"],
            "serious_issues": [
                {"kind": "leakage", "cell": 12, "note": "StandardScaler fitted on all rows before train_test_split"}
            ],
            "rationale": "Tidy EDA, but the scaler sees the test rows, so the reported accuracy is optimistic.",
        },
        {
            "id": "wine-02",
            "criteria": {
                "eda": 3.5,
                "features": 4,
                "modeling": 5,
                "evaluation": 12,
                "quality_docs": 1,
                "execution": 12,
            },
            "total": 37.5,
            "band": "weak",
            "rationale": "Runs, no narrative, a single split and no baseline.",
        },
    ],
}


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "r1.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _bad(change: dict[str, Any], notebook: int = 0) -> dict[str, Any]:
    raw = copy.deepcopy(GOOD)
    raw["notebooks"][notebook].update(change)
    return raw


def test_good_file_loads(tmp_path: Path) -> None:
    labels = load_labels(_write(tmp_path, GOOD), known_ids={"titanic-03", "wine-02", "hr-01"})
    assert labels.rater == "r1"
    first = labels.by_id()["titanic-03"]
    assert first.total == 54 and first.criteria.total() == 54
    assert first.flags == [Flag.leakage]
    assert first.serious_issues[0].cell == 12
    assert labels.by_id()["wine-02"].flags == []
    assert sum(CRITERIA_MAX.values()) == 100


def test_points_over_the_criterion_maximum_are_refused(tmp_path: Path) -> None:
    raw = _bad(
        {
            "criteria": {"eda": 15, "features": 7, "modeling": 6, "evaluation": 15, "quality_docs": 8, "execution": 9},
            "total": 60,
        }
    )
    with pytest.raises(LabelsError) as caught:
        load_labels(_write(tmp_path, raw))
    message = str(caught.value)
    assert "notebooks[0] (titanic-03).criteria" in message
    assert "eda = 15 is above its maximum 14" in message


def test_negative_points_are_refused() -> None:
    raw = _bad({"criteria": {**GOOD["notebooks"][0]["criteria"], "execution": -1}, "total": 44})
    with pytest.raises(LabelsError, match=r"criteria\.execution: Input should be greater than or equal to 0"):
        parse_labels(raw)


def test_unknown_flag_is_refused_with_the_known_ones() -> None:
    raw = _bad({"flags": ["leakage", "overfitting"]})
    with pytest.raises(LabelsError) as caught:
        parse_labels(raw, "r1.yaml")
    message = str(caught.value)
    assert "r1.yaml is not a valid label file" in message
    assert "notebooks[0] (titanic-03).flags[1]: unknown flag 'overfitting'" in message
    assert "known flags: leakage, evaluation_on_training, test_set_selection" in message


def test_unknown_issue_kind_is_refused() -> None:
    raw = _bad({"serious_issues": [{"kind": "sloppy", "cell": 3, "note": "x"}]})
    with pytest.raises(LabelsError, match=r"serious_issues\[0\]\.kind: unknown flag 'sloppy'"):
        parse_labels(raw)


def test_total_that_is_not_the_sum_is_refused() -> None:
    raw = _bad({"total": 55})
    with pytest.raises(LabelsError, match=r"total 55 does not equal the sum of the criteria \(54\)"):
        parse_labels(raw)


def test_issue_without_its_flag_is_refused() -> None:
    raw = _bad({"flags": []})
    with pytest.raises(LabelsError, match="serious_issues of kind leakage need the same entry in flags"):
        parse_labels(raw)


def test_cells_are_one_based_and_bands_closed() -> None:
    raw = _bad({"serious_issues": [{"kind": "leakage", "cell": 0, "note": "x"}], "band": "great"})
    with pytest.raises(LabelsError) as caught:
        parse_labels(raw)
    assert "serious_issues[0].cell: Input should be greater than or equal to 1" in str(caught.value)
    assert "band: Input should be 'strong', 'average' or 'weak'" in str(caught.value)


def test_duplicates_unknown_ids_and_keys_are_refused() -> None:
    twice = copy.deepcopy(GOOD)
    twice["notebooks"].append(copy.deepcopy(GOOD["notebooks"][0]))
    with pytest.raises(LabelsError, match="notebooks labelled twice: titanic-03"):
        parse_labels(twice)
    with pytest.raises(LabelsError, match="ids not in the corpus: wine-02"):
        parse_labels(GOOD, known_ids={"titanic-03"})
    with pytest.raises(LabelsError, match="unknown key 'comment'"):
        parse_labels(_bad({"comment": "hi"}))


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "r2.yaml"
    bad.write_text("rater: r2\nnotebooks: [\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="cannot read"):
        load_labels(bad)


def test_corpus_manifest_is_valid_and_split_by_its_rule() -> None:
    manifest = load_manifest(MANIFEST)
    fresh = manifest.fresh_splits()
    assert fresh.keys() == manifest.fresh_datasets()
    calibration = [entry for entry in manifest.notebooks if entry.dataset not in fresh]
    assert len(calibration) == 41
    assert len(manifest.datasets) - len(fresh) == 6
    splits = assign_splits(manifest.notebooks, fresh)
    assert {entry.id: entry.split for entry in manifest.notebooks} == splits
    for name, entries in manifest.by_dataset().items():
        expected = {fresh[name]} if name in fresh else {"tune", "heldout"}
        assert {entry.split for entry in entries} == expected, name


def test_the_first_fresh_set_is_unchanged() -> None:
    manifest = load_manifest(MANIFEST)
    first = {name for name, split in manifest.fresh_splits().items() if split == "fresh"}
    assert first == {"water-potability", "mushrooms", "california-housing", "heart-disease"}
    assert sum(entry.split == "fresh" for entry in manifest.notebooks) == 17


@pytest.mark.parametrize(
    ("split", "datasets", "least", "most"),
    [
        ("fresh", 4, 16, None),
        ("fresh2", 4, 16, 20),
        ("fresh3", 4, 16, 20),
        ("fresh4", 3, 12, 20),  # the fourth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh5", 3, 12, 20),  # the fifth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh6", 3, 12, 20),  # the sixth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh7", 3, 12, 20),  # the seventh set: 14 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh8", 3, 12, 20),  # the eighth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh9", 3, 12, 20),  # the ninth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh10", 3, 12, 20),  # the tenth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh11", 3, 12, 20),  # the eleventh set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
        ("fresh12", 3, 12, 20),  # the twelfth set: 15 notebooks on three datasets (its brief's minimum is 12 on 3)
    ],
)
def test_each_fresh_set_has_new_datasets_of_four_notebooks_or_more(
    split: str, datasets: int, least: int, most: int | None
) -> None:
    manifest = load_manifest(MANIFEST)
    names = {name for name, fresh in manifest.fresh_splits().items() if fresh == split}
    assert len(names) >= datasets
    grouped = manifest.by_dataset()
    assert all(len(grouped[name]) >= 4 for name in names)
    count = sum(len(grouped[name]) for name in names)
    assert count >= least
    assert most is None or count <= most
    assert any(manifest.datasets[name].task == "regression" for name in names)
    assert {entry.split for name in names for entry in grouped[name]} == {split}


def test_fresh_sets_share_no_dataset_or_repository_with_each_other_or_the_rest() -> None:
    manifest = load_manifest(MANIFEST)
    fresh = manifest.fresh_splits()
    by_split: dict[str, set[str]] = {}
    for entry in manifest.notebooks:
        by_split.setdefault(fresh.get(entry.dataset, "calibration"), set()).add(entry.repo)
    groups = list(by_split.values())
    assert len(groups) == 13  # calibration (tune + heldout) and the twelve fresh sets
    for i, repos in enumerate(groups):
        for other in groups[i + 1 :]:
            assert not repos & other


def _raw_manifest() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return raw


def _load_raw(raw: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    load_manifest(path)


def test_the_unchanged_manifest_loads_from_a_copy(tmp_path: Path) -> None:
    _load_raw(_raw_manifest(), tmp_path)


@pytest.mark.parametrize(
    ("dataset", "old", "new"),
    [
        ("heart-disease", "fresh", "tune"),  # a fresh dataset's notebook marked tune
        ("heart-disease", "fresh", "heldout"),
        ("titanic", "heldout", "fresh"),  # fresh on a dataset not marked fresh
        ("titanic", "tune", "fresh"),
        ("loan-approval", "fresh2", "tune"),  # a second-fresh-set dataset's notebook marked tune
        ("loan-approval", "fresh2", "heldout"),
        ("loan-approval", "fresh2", "fresh"),  # ... or put in the first fresh set
        ("heart-disease", "fresh", "fresh2"),  # a first-fresh-set notebook put in the second
        ("titanic", "tune", "fresh2"),  # fresh2 on a dataset not marked fresh
        ("obesity", "fresh3", "tune"),  # a third-fresh-set dataset's notebook marked tune
        ("obesity", "fresh3", "fresh2"),  # ... or put in an earlier fresh set
        ("loan-approval", "fresh2", "fresh3"),  # a second-fresh-set notebook put in the third
        ("titanic", "tune", "fresh3"),  # fresh3 on a dataset not marked fresh
        ("glass", "fresh4", "tune"),  # a fourth-fresh-set dataset's notebook marked tune
        ("glass", "fresh4", "fresh3"),  # ... or put in an earlier fresh set
        ("obesity", "fresh3", "fresh4"),  # a third-fresh-set notebook put in the fourth
        ("titanic", "tune", "fresh4"),  # fresh4 on a dataset not marked fresh
        ("cardio", "fresh5", "tune"),  # a fifth-fresh-set dataset's notebook marked tune
        ("cardio", "fresh5", "fresh4"),  # ... or put in an earlier fresh set
        ("glass", "fresh4", "fresh5"),  # a fourth-fresh-set notebook put in the fifth
        ("titanic", "tune", "fresh5"),  # fresh5 on a dataset not marked fresh
        ("mobile-prices", "fresh6", "tune"),  # a sixth-fresh-set dataset's notebook marked tune
        ("mobile-prices", "fresh6", "fresh5"),  # ... or put in an earlier fresh set
        ("cardio", "fresh5", "fresh6"),  # a fifth-fresh-set notebook put in the sixth
        ("titanic", "tune", "fresh6"),  # fresh6 on a dataset not marked fresh
        ("sonar", "fresh7", "tune"),  # a seventh-fresh-set dataset's notebook marked tune
        ("boston-housing", "fresh7", "fresh6"),  # ... or put in an earlier fresh set
        ("avocado", "fresh6", "fresh7"),  # a sixth-fresh-set notebook put in the seventh
        ("titanic", "tune", "fresh7"),  # fresh7 on a dataset not marked fresh
        ("campus-placement", "fresh8", "tune"),  # an eighth-fresh-set dataset's notebook marked tune
        ("heart-failure", "fresh8", "fresh7"),  # ... or put in an earlier fresh set
        ("sonar", "fresh7", "fresh8"),  # a seventh-fresh-set notebook put in the eighth
        ("titanic", "tune", "fresh8"),  # fresh8 on a dataset not marked fresh
        ("kidney-disease", "fresh9", "tune"),  # a ninth-fresh-set dataset's notebook marked tune
        ("parkinsons", "fresh9", "fresh8"),  # ... or put in an earlier fresh set
        ("heart-failure", "fresh8", "fresh9"),  # an eighth-fresh-set notebook put in the ninth
        ("titanic", "tune", "fresh9"),  # fresh9 on a dataset not marked fresh
        ("spambase", "fresh10", "tune"),  # a tenth-fresh-set dataset's notebook marked tune
        ("credit-default", "fresh10", "fresh9"),  # ... or put in an earlier fresh set
        ("parkinsons", "fresh9", "fresh10"),  # a ninth-fresh-set notebook put in the tenth
        ("titanic", "tune", "fresh10"),  # fresh10 on a dataset not marked fresh
        ("diamonds", "fresh11", "tune"),  # an eleventh-fresh-set dataset's notebook marked tune
        ("pulsar-stars", "fresh11", "fresh10"),  # ... or put in an earlier fresh set
        ("spambase", "fresh10", "fresh11"),  # a tenth-fresh-set notebook put in the eleventh
        ("titanic", "tune", "fresh11"),  # fresh11 on a dataset not marked fresh
        ("ames-houses", "fresh12", "tune"),  # a twelfth-fresh-set dataset's notebook marked tune
        ("social-ads", "fresh12", "fresh11"),  # ... or put in an earlier fresh set
        ("diamonds", "fresh11", "fresh12"),  # an eleventh-fresh-set notebook put in the twelfth
        ("titanic", "tune", "fresh12"),  # fresh12 on a dataset not marked fresh
    ],
)
def test_a_split_against_the_fresh_rule_is_refused(tmp_path: Path, dataset: str, old: str, new: str) -> None:
    raw = _raw_manifest()
    entry = next(e for e in raw["notebooks"] if e["dataset"] == dataset and e["split"] == old)
    entry["split"] = new
    with pytest.raises(
        ManifestError, match=rf"{entry['id']}: split is '{new}' but the rule in the header gives '{old}'"
    ):
        _load_raw(raw, tmp_path)


@pytest.mark.parametrize(
    ("dataset", "fresh", "prefix", "old", "new"),
    [
        ("mushrooms", False, "mushroom", "fresh", "(tune|heldout)"),  # unmarked: the hash rule applies
        ("loan-approval", False, "loan", "fresh2", "(tune|heldout)"),
        ("car-prices", True, "car", "fresh2", "fresh"),  # moved to the other fresh set
        ("mushrooms", 2, "mushroom", "fresh", "fresh2"),
        ("concrete-strength", 2, "concrete", "fresh3", "fresh2"),
        ("car-prices", 3, "car", "fresh2", "fresh3"),
        ("abalone", 3, "abalone", "fresh4", "fresh3"),
        ("concrete-strength", 4, "concrete", "fresh3", "fresh4"),
        ("auto-mpg", 4, "mpg", "fresh5", "fresh4"),
        ("glass", 5, "glass", "fresh4", "fresh5"),
        ("avocado", 5, "avocado", "fresh6", "fresh5"),
        ("cardio", 6, "cardio", "fresh5", "fresh6"),
        ("fish-market", 6, "fish", "fresh7", "fresh6"),
        ("mobile-prices", 7, "mobile", "fresh6", "fresh7"),
        ("graduate-admissions", 7, "admission", "fresh8", "fresh7"),
        ("sonar", 8, "sonar", "fresh7", "fresh8"),
        ("life-expectancy", 8, "life", "fresh9", "fresh8"),
        ("graduate-admissions", 9, "admission", "fresh8", "fresh9"),
        ("forest-fires", 9, "forest", "fresh10", "fresh9"),
        ("life-expectancy", 10, "life", "fresh9", "fresh10"),
        ("liver-patients", 10, "liver", "fresh11", "fresh10"),
        ("spambase", 11, "spam", "fresh10", "fresh11"),
        ("bank-marketing", 11, "bank", "fresh12", "fresh11"),
        ("pulsar-stars", 12, "pulsar", "fresh11", "fresh12"),
    ],
)
def test_remarking_a_fresh_dataset_moves_its_notebooks(
    tmp_path: Path, dataset: str, fresh: bool | int, prefix: str, old: str, new: str
) -> None:
    raw = _raw_manifest()
    raw["datasets"][dataset]["fresh"] = fresh
    with pytest.raises(
        ManifestError, match=rf"{prefix}-0\d: split is '{old}' but the rule in the header gives '{new}'"
    ):
        _load_raw(raw, tmp_path)


@pytest.mark.parametrize(
    ("fresh", "split"),
    [
        (2, "fresh2"),
        (3, "fresh3"),
        (4, "fresh4"),
        (5, "fresh5"),
        (6, "fresh6"),
        (7, "fresh7"),
        (8, "fresh8"),
        (9, "fresh9"),
        (10, "fresh10"),
        (11, "fresh11"),
        (12, "fresh12"),
    ],
)
def test_a_dataset_marked_fresh_n_with_its_notebooks_in_fresh_n_loads(tmp_path: Path, fresh: int, split: str) -> None:
    raw = _raw_manifest()
    raw["datasets"]["titanic"]["fresh"] = fresh
    for entry in raw["notebooks"]:
        if entry["dataset"] == "titanic":
            entry["split"] = split
    _load_raw(raw, tmp_path)


def test_the_third_fresh_set_is_its_four_datasets() -> None:
    manifest = load_manifest(MANIFEST)
    third = {name for name, split in manifest.fresh_splits().items() if split == "fresh3"}
    assert third == {"concrete-strength", "penguins", "adult-income", "obesity"}
    assert all(manifest.datasets[name].fresh == 3 for name in third)


@pytest.mark.parametrize(
    ("number", "datasets"),
    [
        (4, {"bike-sharing", "abalone", "glass"}),
        (5, {"auto-mpg", "energy-efficiency", "cardio"}),
        (6, {"laptop-prices", "avocado", "mobile-prices"}),
    ],
)
def test_the_fourth_to_sixth_fresh_sets_are_their_three_datasets_of_fifteen_notebooks(
    number: int, datasets: set[str]
) -> None:
    manifest = load_manifest(MANIFEST)
    split = f"fresh{number}"
    assert {name for name, fresh in manifest.fresh_splits().items() if fresh == split} == datasets
    assert all(manifest.datasets[name].fresh == number for name in datasets)
    assert sum(entry.split == split for entry in manifest.notebooks) == 15


def test_the_seventh_fresh_set_is_its_three_datasets_of_fourteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    seventh = {name for name, split in manifest.fresh_splits().items() if split == "fresh7"}
    assert seventh == {"fish-market", "boston-housing", "sonar"}
    assert all(manifest.datasets[name].fresh == 7 for name in seventh)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in seventh}
    assert counts == {"fish-market": 5, "boston-housing": 5, "sonar": 4}
    assert sum(entry.split == "fresh7" for entry in manifest.notebooks) == 14


def test_the_eighth_fresh_set_is_its_three_datasets_of_fifteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    eighth = {name for name, split in manifest.fresh_splits().items() if split == "fresh8"}
    assert eighth == {"heart-failure", "graduate-admissions", "campus-placement"}
    assert all(manifest.datasets[name].fresh == 8 for name in eighth)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in eighth}
    assert counts == {"heart-failure": 5, "graduate-admissions": 5, "campus-placement": 5}
    assert sum(entry.split == "fresh8" for entry in manifest.notebooks) == 15


def test_the_ninth_fresh_set_is_its_three_datasets_of_fifteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    ninth = {name for name, split in manifest.fresh_splits().items() if split == "fresh9"}
    assert ninth == {"life-expectancy", "kidney-disease", "parkinsons"}
    assert all(manifest.datasets[name].fresh == 9 for name in ninth)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in ninth}
    assert counts == {"life-expectancy": 5, "kidney-disease": 5, "parkinsons": 5}
    assert sum(entry.split == "fresh9" for entry in manifest.notebooks) == 15


def test_the_tenth_fresh_set_is_its_three_datasets_of_fifteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    tenth = {name for name, split in manifest.fresh_splits().items() if split == "fresh10"}
    assert tenth == {"forest-fires", "spambase", "credit-default"}
    assert all(manifest.datasets[name].fresh == 10 for name in tenth)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in tenth}
    assert counts == {"forest-fires": 5, "spambase": 5, "credit-default": 5}
    assert sum(entry.split == "fresh10" for entry in manifest.notebooks) == 15


def test_the_eleventh_fresh_set_is_its_three_datasets_of_fifteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    eleventh = {name for name, split in manifest.fresh_splits().items() if split == "fresh11"}
    assert eleventh == {"liver-patients", "diamonds", "pulsar-stars"}
    assert all(manifest.datasets[name].fresh == 11 for name in eleventh)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in eleventh}
    assert counts == {"liver-patients": 5, "diamonds": 5, "pulsar-stars": 5}
    assert sum(entry.split == "fresh11" for entry in manifest.notebooks) == 15


def test_the_twelfth_fresh_set_is_its_three_datasets_of_fifteen_notebooks() -> None:
    manifest = load_manifest(MANIFEST)
    twelfth = {name for name, split in manifest.fresh_splits().items() if split == "fresh12"}
    assert twelfth == {"bank-marketing", "social-ads", "ames-houses"}
    assert all(manifest.datasets[name].fresh == 12 for name in twelfth)
    counts = {name: len(entries) for name, entries in manifest.by_dataset().items() if name in twelfth}
    assert counts == {"bank-marketing": 5, "social-ads": 5, "ames-houses": 5}
    assert sum(entry.split == "fresh12" for entry in manifest.notebooks) == 15


@pytest.mark.parametrize("value", ["sometimes", 1, 0, 13, -2, 2.5])
def test_fresh_must_be_a_boolean_or_a_known_set_number(tmp_path: Path, value: object) -> None:
    raw = _raw_manifest()
    raw["datasets"]["titanic"]["fresh"] = value
    with pytest.raises(ManifestError, match=r"datasets\.titanic\.fresh"):
        _load_raw(raw, tmp_path)


def test_a_dataset_declares_its_groups_for_the_assignment_the_builder_writes() -> None:
    import re

    from bench.calibration.build_corpus import assignment_yaml
    from grader.models.assignment import Assignment

    manifest = load_manifest(MANIFEST)
    grouped = Assignment.model_validate(assignment_yaml("parkinsons", manifest.datasets["parkinsons"]))
    structure = grouped.structure
    assert structure.group_column == "name" and structure.group_pattern is not None
    assert re.search(structure.group_pattern, "phon_R01_S01_1").group(1) == "S01"  # type: ignore[union-attr]
    assert re.search(structure.group_pattern, "phon_R01_S50_6").group(1) == "S50"  # type: ignore[union-attr]
    plain = Assignment.model_validate(assignment_yaml("titanic", manifest.datasets["titanic"]))
    assert plain.structure.group_column is None and plain.structure.group_pattern is None
