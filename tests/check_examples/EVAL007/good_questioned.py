# %% [markdown]
# # Churn: keeping the login gap, with a caveat
#
# - `last_login_days` is empty when there is no app account, and the dictionary says that includes
#   *deleted* accounts. Customers may delete the app after they decide to leave, so part of this
#   signal may not be known at prediction time (the first of the month): a possible leak. I keep a
#   flag for now and would check with the app team when accounts get deleted.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = df.drop(columns=["customer_id", "signup_date", "referral_code", "total_charges", "cancellation_reason"])
df["no_app"] = df["last_login_days"].isna().astype(int)
df = df.fillna(-1)

# %%
X = pd.get_dummies(df.drop(columns=["churned"]))
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
