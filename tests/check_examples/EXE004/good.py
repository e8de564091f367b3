# %%
from pathlib import Path

import pandas as pd

DATA = Path("data")
df = pd.read_csv(DATA / "train.csv")
df.to_csv("predictions.csv", index=False)
print(df["signup_date"].str.replace("/", "-").head())
