# %% [markdown]
# # Churn: one-hot encoding fitted on everything

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder

df = pd.read_csv("data/train.csv")
cats = ["region", "plan_tier", "contract_type"]
encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
encoded = encoder.fit_transform(df[cats])
X = np.hstack([encoded, df[["support_calls_90d", "num_lines"]].to_numpy()])

# %%
X_train, X_test, y_train, y_test = train_test_split(X, df["churned"], test_size=0.2, random_state=11)
print(roc_auc_score(y_test, LogisticRegression(max_iter=1000).fit(X_train, y_train).predict_proba(X_test)[:, 1]))
