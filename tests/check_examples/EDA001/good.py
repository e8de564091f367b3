# %% [markdown]
# # Churn: data audit
# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
print(df.shape)
df.info()
# %%
df.describe(include="all").T
