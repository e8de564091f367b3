# %% [markdown]
# # Churn: first look (written on a Windows laptop)
# %%
import pandas as pd

train = pd.read_csv(r"C:\Users\jane\Documents\brightwave\train.csv")
print(train.shape)
