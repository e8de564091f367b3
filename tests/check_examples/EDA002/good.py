# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.isna().mean().sort_values(ascending=False).head(10)
# %% [markdown]
# `satisfaction_score` is missing for most customers (only survey respondents have one).
