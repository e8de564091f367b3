# %% [markdown]
# # Readmission: patient history features

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

visits = pd.read_csv("data/train.csv")
visits["patient_rate"] = visits.groupby("patient_id")["readmitted"].transform("mean")
visits["patient_visits"] = visits.groupby("patient_id")["visit_id"].transform("count")
features = ["age", "lab_a", "lab_b", "lab_c", "patient_rate", "patient_visits"]

# %%
X_train, X_test, y_train, y_test = train_test_split(visits[features], visits["readmitted"], test_size=0.2,
                                                    random_state=1)
rf = RandomForestClassifier(n_estimators=60, random_state=1, n_jobs=1).fit(X_train, y_train)
print(roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
