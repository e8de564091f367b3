# %%
import missingno as msno
import pandas as pd

df = pd.read_csv("data/train.csv")
msno.matrix(df)
