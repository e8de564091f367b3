# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
df = df.fillna(df.median(numeric_only=True))
