# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
print("duplicate rows:", df.duplicated().sum(), "| unique ids:", df["customer_id"].is_unique)
df = df.drop_duplicates()
# %%
q1, q3 = df["monthly_charges"].quantile([0.25, 0.75])
fence = q3 + 3 * (q3 - q1)
(df["monthly_charges"] > fence).sum()
