# %%
import pandas as pd

df = pd.read_csv("data/train.csv").drop_duplicates()
df.describe()
# %% [markdown]
# `age` reaches 999 and `support_calls_90d` 99: placeholder values, not real customers. I set them to missing.
