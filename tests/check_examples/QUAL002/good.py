# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
numeric = [c for c in df.columns if df[c].dtype.kind in "if"]
df[numeric] = df[numeric].fillna(0)
