# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges"]].fillna(0)
X_train, X_val, y_train, y_val = train_test_split(X, df["churned"], random_state=0)
# %% [markdown]
# ## Logistic regression
# %%
lr = LogisticRegression(max_iter=1000)
lr.fit(X_train, y_train)
lr_pred = lr.predict(X_val)
lr_proba = lr.predict_proba(X_val)[:, 1]
print("Accuracy:", accuracy_score(y_val, lr_pred))
print("ROC AUC:", roc_auc_score(y_val, lr_proba))
# %% [markdown]
# ## Random forest
# %%
rf = RandomForestClassifier(n_estimators=300, random_state=0)
rf.fit(X_train, y_train)
rf_pred = rf.predict(X_val)
rf_proba = rf.predict_proba(X_val)[:, 1]
print("Accuracy:", accuracy_score(y_val, rf_pred))
print("ROC AUC:", roc_auc_score(y_val, rf_proba))
