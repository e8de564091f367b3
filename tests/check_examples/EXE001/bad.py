# %% [markdown]
# # Churn: first look
# %%
import pandas as pd

train = pd.read_csv("data/train.csv")
# %%
train_clean["churned"].mean()
# %%
print("the rest still runs")
