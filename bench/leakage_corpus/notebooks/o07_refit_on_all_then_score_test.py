# %% [markdown]
# # Churn: use all the data for the final model

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(0), df["churned"], random_state=0)
rf = RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=1).fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))

# %%
X_all = pd.concat([X_train, X_test])
y_all = pd.concat([y_train, y_test])
rf.fit(X_all, y_all)
print("final model test AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
