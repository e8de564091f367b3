# %% [markdown]
# # Churn model
# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "num_lines", "support_calls_90d"]].fillna(0)
y = df["churned"]
# %%
model = RandomForestClassifier(n_estimators=300, random_state=0)
model.fit(X, y)
# %%
print("accuracy:", accuracy_score(y, model.predict(X)))
print("ROC AUC:", roc_auc_score(y, model.predict_proba(X)[:, 1]))
