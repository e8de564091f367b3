# %% [markdown]
# # Churn model, explained with permutation importance
# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance

train = pd.read_csv("data/train.csv")
# %%
model = RandomForestClassifier(n_estimators=50, random_state=0)
X = train[["tenure_months", "num_lines"]]
model.fit(X, train["churned"])
permutation_importance(model, X, train["churned"], random_state=0)
