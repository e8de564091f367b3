# %% [markdown]
# # Churn: first look
# %%
import pandas as pd

train = pd.read_csv("data/train.csv")
print(train.shape)
