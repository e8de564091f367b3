"""Tiny assignments written into a temporary folder, with messy encodings and optional planted problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

REASONS = ["moved away", "price too high", "switched to a competitor", "service outages"]


@dataclass
class Plan:
    """What to plant in a tiny churn-like assignment (everything off is a clean assignment)."""

    rows: int = 800
    test_rows: int = 200
    #: A reason column filled mostly for leavers (recorded after the outcome).
    post_outcome: bool = False
    #: A second, undeclared unique integer column.
    extra_id: bool = False
    #: Training rows copied into the test file with new ids.
    duplicates: int = 0
    #: A column that goes missing mostly for leavers.
    missing_signal: bool = False
    #: Extra keys of assignment.yaml (they override the defaults).
    yaml: dict[str, Any] = field(default_factory=dict)
    seed: int = 0


def _messy_bool(rng: np.random.Generator, flags: np.ndarray) -> list[str]:
    yes, no = ["Yes", "y", "TRUE", "yes"], ["No", "N", "false", "no"]
    return [str(rng.choice(yes)) if f else str(rng.choice(no)) for f in flags]


def _messy_date(rng: np.random.Generator, days: np.ndarray) -> list[str]:
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")
    return [d.strftime("%Y-%m-%d") if rng.random() < 0.8 else d.strftime("%m/%d/%Y") for d in dates]


def _frame(rng: np.random.Generator, n: int, plan: Plan, first_id: int) -> pd.DataFrame:
    usage = rng.gamma(2.0, 20.0, n)
    tier = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.3, 0.2])
    autopay = rng.random(n) < 0.6
    logit = -1.2 - 0.015 * (usage - 40) + np.where(tier == "basic", 0.4, -0.3) - 0.3 * autopay
    left = rng.random(n) < 1 / (1 + np.exp(-logit))
    spelled = {"basic": ["Basic", "basic ", "BASIC"], "standard": ["Standard", "standard"], "premium": ["Premium"]}
    frame = pd.DataFrame(
        {
            "customer_id": [f"K{first_id + i:06d}" for i in rng.permutation(n)],
            "signup_date": _messy_date(rng, rng.integers(0, 1400, n)),
            "plan": [str(rng.choice(spelled[t])) for t in tier],
            "monthly_fee": [f"${v:,.2f}" if rng.random() < 0.7 else f"{v:.2f}" for v in rng.gamma(3, 400, n)],
            "autopay": _messy_bool(rng, autopay),
            "usage_gb": np.round(usage, 1),
        }
    )
    if plan.post_outcome:
        filled = np.where(left, rng.random(n) < 0.9, rng.random(n) < 0.02)
        frame["closed_reason"] = [str(rng.choice(REASONS)) if f else "" for f in filled]
    if plan.extra_id:
        frame["account_number"] = 5_000_000 + first_id + rng.permutation(n)
    if plan.missing_signal:
        days = rng.integers(0, 60, n).astype(float)
        days[np.where(left, rng.random(n) < 0.5, rng.random(n) < 0.05)] = np.nan
        frame["app_days"] = days
    frame["left"] = left.astype(int)
    return frame


def build(folder: Path, plan: Plan | None = None) -> Path:
    """Write train.csv, test_features.csv, hidden/test_labels.csv and assignment.yaml into `folder`."""
    plan = plan or Plan()
    rng = np.random.default_rng(plan.seed)
    folder.mkdir(parents=True, exist_ok=True)
    train = _frame(rng, plan.rows, plan, first_id=0)
    test = _frame(rng, plan.test_rows, plan, first_id=plan.rows)
    if plan.duplicates:
        copies = train.sample(n=plan.duplicates, random_state=plan.seed).copy()
        copies["customer_id"] = [f"D{i:06d}" for i in range(plan.duplicates)]
        test = pd.concat([test, copies], ignore_index=True)
    train.to_csv(folder / "train.csv", index=False)
    test.drop(columns=["left"]).to_csv(folder / "test_features.csv", index=False)
    (folder / "hidden").mkdir(exist_ok=True)
    test[["customer_id", "left"]].to_csv(folder / "hidden" / "test_labels.csv", index=False)
    (folder / "BRIEF.md").write_text("# Predict who leaves\n")
    config: dict[str, Any] = {
        "name": "tiny",
        "title": "Tiny churn",
        "task": "binary_classification",
        "target": "left",
        "id_column": "customer_id",
        "positive_label": 1,
        "positive_rate": round(float(train["left"].mean()), 3),
        "primary_metric": "roc_auc",
        "public_files": ["train.csv", "test_features.csv", "BRIEF.md"],
        "hidden_files": ["hidden/test_labels.csv"],
        "prediction_contract": {"id_column": "customer_id", "prediction_column": "left"},
        "holdout": {"labels_file": "hidden/test_labels.csv", "id_column": "customer_id", "target_column": "left"},
    }
    config.update(plan.yaml)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder
