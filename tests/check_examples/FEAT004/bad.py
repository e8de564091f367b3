# %% [markdown]
# # Churn
# %%
import numpy as np
import pandas as pd

df = pd.read_csv("data/train.csv")
df["total_charges"] = pd.to_numeric(df["total_charges"].str.replace("[$,]", "", regex=True), errors="coerce")
# %%
df["f1"] = df["monthly_charges"] / df["num_lines"]
df["f2"] = np.log1p(df["data_usage_gb_30d"])
df["f3"] = df["total_charges"] - df["monthly_charges"] * df["tenure_months"]
# %%
df.head()
