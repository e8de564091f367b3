# %% [markdown]
# # Fraud: SMOTE inside each fold

# %%
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

df = pd.read_csv("data/train.csv")
X = df[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]]
y = df["is_fraud"]
aps = []
for train_idx, valid_idx in StratifiedKFold(n_splits=4, shuffle=True, random_state=0).split(X, y):
    X_res, y_res = SMOTE(random_state=0).fit_resample(X.iloc[train_idx], y.iloc[train_idx])
    model = LogisticRegression(max_iter=1000).fit(X_res, y_res)
    aps.append(average_precision_score(y.iloc[valid_idx], model.predict_proba(X.iloc[valid_idx])[:, 1]))
print(np.mean(aps))
