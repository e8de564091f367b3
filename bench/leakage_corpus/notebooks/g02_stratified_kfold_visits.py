# %% [markdown]
# # Readmission: stratified cross-validation

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

visits = pd.read_csv("data/train.csv")
features = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay"]
skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=1), visits[features],
                      visits["readmitted"], cv=skf, scoring="roc_auc").mean())
