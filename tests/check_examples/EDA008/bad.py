# %% [markdown]
# ## EDA
# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.describe()
# %%
df.isna().sum()
# %%
df["churned"].value_counts()
# %% [markdown]
# ## Model
# %%
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit(df[["tenure_months"]].fillna(0), df["churned"])
