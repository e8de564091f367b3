# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.isna().mean().sort_values(ascending=False).head()
# %% [markdown]
# Only three columns have missing values; `satisfaction_score` is empty for about 70 % of customers,
# because only survey respondents have one, so I will add a "surveyed" flag instead of imputing blindly.
# %%
df["churned"].value_counts(normalize=True)
# %%
df.groupby("contract_type")["churned"].mean()
# %% [markdown]
# About 20 % of customers churn, and month-to-month customers churn far more often than those on contracts.
# %%
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit(df[["tenure_months"]].fillna(0), df["churned"])
