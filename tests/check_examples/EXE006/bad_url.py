# %% [markdown]
# # Churn: first look (data read straight from the candidate's GitHub repository)
# %%
import pandas as pd

train = pd.read_csv("https://raw.githubusercontent.com/jane/brightwave-churn/main/data/train.csv")
print(train.shape)
