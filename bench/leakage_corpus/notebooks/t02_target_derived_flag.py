# %% [markdown]
# # Churn: engineered features

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df["calls_per_line"] = df["support_calls_90d"] / df["num_lines"].clip(lower=1)
df["at_risk"] = np.where((df["churned"] == 1) & (df["support_calls_90d"] > 2), 1, 0)

# %%
features = ["calls_per_line", "at_risk", "num_lines", "support_calls_90d"]
X_train, X_test, y_train, y_test = train_test_split(df[features], df["churned"], random_state=0)
clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
