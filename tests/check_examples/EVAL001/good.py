# %% [markdown]
# # Churn model
# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier as RF
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
# %%
model = RF(n_estimators=300, random_state=0).fit(X_tr, y_tr)
# %%
# The training score is shown next to the validation score to see the over-fit.
print("train ROC AUC:", roc_auc_score(y_tr, model.predict_proba(X_tr)[:, 1]))
proba = model.predict_proba(X_val)[:, 1]
print("validation ROC AUC:", roc_auc_score(y_val, proba))
