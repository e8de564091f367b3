# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.isna().mean().sort_values(ascending=False).head()
# %% [markdown]
# Only three columns have missing values; `satisfaction_score` is empty for about 70 % of customers.
# %% [markdown]
# ## Correlations
# %%
df.select_dtypes("number").corr()
# %% [markdown]
# ## Model
# %%
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit(df[["tenure_months"]].fillna(0), df["churned"])
