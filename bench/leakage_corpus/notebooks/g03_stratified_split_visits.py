# %% [markdown]
# # Readmission: stratified hold-out

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

visits = pd.read_csv("data/train.csv")
X = visits.drop(columns=["visit_id", "patient_id", "readmitted", "discharge_code", "diagnosis"])
y = visits["readmitted"]
X_train, X_valid, y_train, y_valid = train_test_split(X, y, stratify=y, test_size=0.25, random_state=3)

# %%
model = HistGradientBoostingClassifier(random_state=3).fit(X_train, y_train)
print(roc_auc_score(y_valid, model.predict_proba(X_valid)[:, 1]))
