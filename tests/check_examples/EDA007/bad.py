# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
df.describe()
# %%
X = df[["tenure_months", "monthly_charges"]]
