"""Generate the `visits` benchmark assignment: hospital visits grouped by patient (deterministic).

Each patient has several visits; a per-patient effect drives both the lab values and the
readmission risk, so a split that puts one patient on both sides is optimistic. The
`discharge_code` column is recorded after the outcome (a planted leakage column).
Run: `python bench/leakage_corpus/assignments/visits/generate.py`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make(n_patients: int, first_id: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for number in range(n_patients):
        patient = f"P{first_id + number:05d}"
        effect = rng.normal(0, 1.2)
        age = int(rng.integers(18, 90))
        for visit in range(int(rng.integers(3, 8))):
            lab_a = effect + rng.normal(0, 0.6)
            lab_b = 0.5 * effect + rng.normal(0, 1.0)
            lab_c = rng.normal(0, 1.0)
            diagnosis = rng.choice(["cardio", "resp", "ortho", "neuro"])
            logit = -1.3 + 1.1 * effect + 0.02 * (age - 50) + 0.3 * (diagnosis == "cardio") + 0.2 * lab_c
            readmitted = int(rng.random() < 1 / (1 + np.exp(-logit)))
            code = rng.choice(["R1", "R2", "R3"]) if readmitted and rng.random() < 0.95 else (
                "R1" if rng.random() < 0.02 else "")
            rows.append({"visit_id": f"V{len(rows) + first_id * 10:07d}", "patient_id": patient, "visit_number": visit,
                         "age": age, "lab_a": round(lab_a, 3), "lab_b": round(lab_b, 3), "lab_c": round(lab_c, 3),
                         "diagnosis": diagnosis, "length_of_stay": int(rng.integers(1, 15)),
                         "discharge_code": code, "readmitted": readmitted})
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(20240601)
    train = make(600, 10000, rng)
    test = make(150, 20000, rng)
    train.to_csv(HERE / "train.csv", index=False)
    test.drop(columns=["readmitted"]).to_csv(HERE / "test_features.csv", index=False)
    (HERE / "hidden").mkdir(exist_ok=True)
    test[["visit_id", "readmitted"]].to_csv(HERE / "hidden" / "test_labels.csv", index=False)
    print(len(train), len(test), round(train.readmitted.mean(), 3))


if __name__ == "__main__":
    main()
