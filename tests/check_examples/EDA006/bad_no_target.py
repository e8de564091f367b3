# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.select_dtypes("number").corr()
