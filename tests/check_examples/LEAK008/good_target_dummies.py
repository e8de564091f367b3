# %% [markdown]
# # Churn: everything one-hot encoded, the target's dummy dropped
#
# `get_dummies` turns the target into `churned_Yes`; dropping it removes the target from `X`.

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = df.drop(columns=["customer_id", "cancellation_reason", "signup_date", "referral_code", "total_charges"])
df["churned"] = df["churned"].map({1: "Yes", 0: "No"})
df = pd.get_dummies(df.fillna(0), drop_first=True)

# %%
X = df.drop(columns=["churned_Yes"])
y = df["churned_Yes"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print("accuracy", model.score(X_test, y_test))
