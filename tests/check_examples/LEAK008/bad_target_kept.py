# %% [markdown]
# # Churn: the identifier columns dropped, the label forgotten
#
# Without a run to show the fitted columns this is read from the code: medium severity, low confidence.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df.drop(columns=["customer_id", "cancellation_reason", "signup_date", "referral_code", "region", "plan_tier",
                     "contract_type", "internet_service", "tech_support", "payment_method", "paperless_billing"])
y = df["churned"]

# %%
X_train, X_test, y_train, y_test = train_test_split(X.fillna(0), y, test_size=0.2, random_state=0, stratify=y)
rf = RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1).fit(X_train, y_train)
print("accuracy", rf.score(X_test, y_test))
