# %% [markdown]
# # Churn: stateless cleaning before the split

# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = df.drop(columns=["customer_id", "cancellation_reason", "referral_code", "signup_date", "total_charges"])
df = df.fillna(-1)
df["log_usage"] = np.log1p(df["data_usage_gb_30d"].clip(lower=0))
df = pd.get_dummies(df, columns=["region", "plan_tier", "contract_type", "internet_service", "tech_support",
                                 "payment_method", "paperless_billing", "marketing_opt_in"])

# %%
X = df.drop(columns=["churned"])
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1).fit(X_train, y_train)
print(roc_auc_score(y_test, forest.predict_proba(X_test)[:, 1]))
