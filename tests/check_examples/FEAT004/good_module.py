# %% [markdown]
# # Churn
#
# Cleaning and feature engineering live in `features.py`; the notebook only calls them.
# %%
import pandas as pd

from features import add_features

df = add_features(pd.read_csv("data/train.csv"))
df[["charges_per_line", "no_app_account"]].describe()
