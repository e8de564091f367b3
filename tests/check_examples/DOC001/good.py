# %% [markdown]
# # Which Brightwave customers are about to churn?
#
# The retention team calls customers at risk of leaving. The goal is to predict, on the first day of each month,
# which customers will cancel in the next quarter, ranked by risk (scored with ROC AUC).
# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
