# %% [markdown]
# # Readmission: categorical model

# %%
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

visits = pd.read_csv("data/train.csv").fillna({"discharge_code": "none"})
num = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay"]
cat = ["diagnosis", "discharge_code"]
splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
train_idx, test_idx = next(splitter.split(visits, groups=visits["patient_id"]))
train, test = visits.iloc[train_idx], visits.iloc[test_idx]

# %%
model = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="ignore"), cat), ("passthrough", num)),
                      RandomForestClassifier(n_estimators=80, random_state=0, n_jobs=1))
model.fit(train[num + cat], train["readmitted"])
print(roc_auc_score(test["readmitted"], model.predict_proba(test[num + cat])[:, 1]))
