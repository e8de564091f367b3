# %% [markdown]
# # Churn
# %%
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv("data/train.csv")
df.isna().mean().sort_values(ascending=False).head()
# %% [markdown]
# `satisfaction_score` is missing for most customers and `last_login_days` is missing when there is no app
# account, which itself predicts churn. I keep every row, impute the median inside the pipeline and add
# missing-indicator columns, because the missingness carries signal.
# %%
df = df.dropna(subset=["churned"])
numeric = ["tenure_months", "monthly_charges", "last_login_days", "satisfaction_score"]
categorical = ["contract_type", "payment_method"]
prep = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                      ("scale", StandardScaler())]), numeric),
    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                      ("onehot", OneHotEncoder(handle_unknown="ignore"))]), categorical),
])
model = Pipeline([("prep", prep), ("clf", LogisticRegression(max_iter=1000))])
