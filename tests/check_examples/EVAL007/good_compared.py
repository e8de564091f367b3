# %% [markdown]
# # Churn: the model with and without the login columns

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

df = pd.read_csv("data/train.csv")
df = df.drop(columns=["customer_id", "signup_date", "referral_code", "total_charges", "cancellation_reason"])
X = pd.get_dummies(df.drop(columns=["churned"]))
y = df["churned"]

# %%
full = HistGradientBoostingClassifier(random_state=0).fit(X, y)
without_login = HistGradientBoostingClassifier(random_state=0).fit(X.drop(columns=["last_login_days"]), y)
for name, features in [("all", X), ("without last login", X.drop(columns=["last_login_days"]))]:
    print(name, cross_val_score(HistGradientBoostingClassifier(random_state=0), features, y, cv=5,
                                scoring="roc_auc").mean())
