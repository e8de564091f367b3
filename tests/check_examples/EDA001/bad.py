# %% [markdown]
# # Churn model
# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("data/train.csv")
df.head()
# %%
X = df[["tenure_months", "monthly_charges"]].fillna(0)
model = LogisticRegression().fit(X, df["churned"])
