# %% [markdown]
# # Readmission: split by patient

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

visits = pd.read_csv("data/train.csv")
features = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay", "visit_number"]
gss = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
train_idx, test_idx = next(gss.split(visits, groups=visits["patient_id"]))
train, test = visits.iloc[train_idx], visits.iloc[test_idx]

# %%
model = LogisticRegression(max_iter=1000).fit(train[features], train["readmitted"])
print(roc_auc_score(test["readmitted"], model.predict_proba(test[features])[:, 1]))
