# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("data/train.csv")
df.describe()
# %%
# the churn rate per contract type relates a feature to the target; it is not its distribution
df.groupby("contract_type")["churned"].mean()
# %%
model = RandomForestClassifier(random_state=0).fit(df[["tenure_months"]], df["churned"])
