# %% [markdown]
# # Churn model (versions pinned in requirements.txt)
# %%
import pandas as pd

train = pd.read_csv("data/train.csv")
