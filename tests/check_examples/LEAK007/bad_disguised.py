# %% [markdown]
# # Churn: "did the customer give a reason?" as a feature
#
# The reason itself is dropped, but a flag computed from it is the same leak in disguise.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df["gave_reason"] = df["cancellation_reason"].notna().astype(int)
df = df.drop(columns=["customer_id", "cancellation_reason", "signup_date", "referral_code", "total_charges"])

# %%
X = pd.get_dummies(df.drop(columns=["churned"])).fillna(-1)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
