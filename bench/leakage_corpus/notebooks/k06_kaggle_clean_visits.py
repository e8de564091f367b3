# %% [markdown]
# # Readmission: grouped validation, explicit features

# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

visits = pd.read_csv("data/train.csv")
visits = visits.drop(columns=["discharge_code"])
NUM = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay", "visit_number"]
CAT = ["diagnosis"]
outer = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
dev_idx, hold_idx = next(outer.split(visits, groups=visits["patient_id"]))
dev, hold = visits.iloc[dev_idx], visits.iloc[hold_idx]

# %%
pipe = Pipeline([("pre", ColumnTransformer([("num", StandardScaler(), NUM),
                                            ("cat", OneHotEncoder(handle_unknown="ignore"), CAT)])),
                 ("lr", LogisticRegression(max_iter=1000))])
print(cross_val_score(pipe, dev[NUM + CAT], dev["readmitted"], groups=dev["patient_id"], cv=GroupKFold(5),
                      scoring="roc_auc").mean())
pipe.fit(dev[NUM + CAT], dev["readmitted"])
print("hold-out AUC", roc_auc_score(hold["readmitted"], pipe.predict_proba(hold[NUM + CAT])[:, 1]))
