# %%
import pandas as pd

TARGET = "churned"
df = pd.read_csv("data/train.csv")
y = df[TARGET]
# %%
y.value_counts(normalize=True)
