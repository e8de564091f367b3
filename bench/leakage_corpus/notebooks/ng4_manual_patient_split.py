# %% [markdown]
# # Readmission: hold out whole patients

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

visits = pd.read_csv("data/train.csv")
rng = np.random.default_rng(0)
patients = visits["patient_id"].unique()
rng.shuffle(patients)
train_patients = set(patients[: int(0.8 * len(patients))])
train = visits[visits["patient_id"].isin(train_patients)]
test = visits[~visits["patient_id"].isin(train_patients)]
features = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay"]

# %%
model = LogisticRegression(max_iter=1000).fit(train[features], train["readmitted"])
print(roc_auc_score(test["readmitted"], model.predict_proba(test[features])[:, 1]))
