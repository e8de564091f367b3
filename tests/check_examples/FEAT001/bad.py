# %% [markdown]
# # Churn
# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

df = pd.read_csv("data/train.csv")
# %%
df = df.dropna()
X = pd.get_dummies(df.drop(columns=["customer_id", "churned"]))
y = df["churned"]
# %%
print(cross_val_score(RandomForestClassifier(random_state=0), X, y, scoring="roc_auc").mean())
