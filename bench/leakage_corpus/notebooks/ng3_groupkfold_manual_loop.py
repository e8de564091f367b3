# %% [markdown]
# # Readmission: grouped folds by hand

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

visits = pd.read_csv("data/train.csv")
X = visits[["age", "lab_a", "lab_b", "lab_c", "length_of_stay"]]
y = visits["readmitted"]
aucs = []
for tr, va in GroupKFold(n_splits=5).split(X, y, groups=visits["patient_id"]):
    model = LogisticRegression(max_iter=1000).fit(X.iloc[tr], y.iloc[tr])
    aucs.append(roc_auc_score(y.iloc[va], model.predict_proba(X.iloc[va])[:, 1]))
print(np.mean(aucs))
