# %% [markdown]
# # Churn
# %%
import numpy as np
import pandas as pd

df = pd.read_csv("data/train.csv")
df["total_charges"] = pd.to_numeric(df["total_charges"].str.replace("[$,]", "", regex=True), errors="coerce")
# %% [markdown]
# Business accounts pay per line, so the bill per line separates them from families with several phones;
# usage is heavy-tailed, so a log scale keeps a few heavy users from dominating; and a customer whose total
# bill is far below tenure x monthly bill probably had credits, which the EDA suggests precede churn.
# %%
df["charges_per_line"] = df["monthly_charges"] / df["num_lines"]
df["log_usage"] = np.log1p(df["data_usage_gb_30d"])
df["billing_gap"] = df["total_charges"] - df["monthly_charges"] * df["tenure_months"]
