# %% [markdown]
# # Churn: a flag computed from the cancellation reason, explored and then left out
#
# The flag is only used to describe the data; neither it nor the reason reaches the model.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df["gave_reason"] = df["cancellation_reason"].notna().astype(int)
print(df.groupby("gave_reason")["churned"].mean())
df = df.drop(columns=["customer_id", "cancellation_reason", "gave_reason", "signup_date", "referral_code"])

# %%
X = pd.get_dummies(df.drop(columns=["churned", "total_charges"])).fillna(-1)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
