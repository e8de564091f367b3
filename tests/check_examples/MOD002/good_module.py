# %% [markdown]
# # Churn: two model families from our own `models.py`, on the same folds

# %%
import pandas as pd
from models import make_forest, make_linear
from sklearn.model_selection import StratifiedKFold, cross_val_score

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X, y = df[cols], df["churned"]
cv = StratifiedKFold(5, shuffle=True, random_state=0)

# %%
for name, model in {"linear": make_linear(), "forest": make_forest()}.items():
    print(name, cross_val_score(model, X, y, cv=cv, scoring="roc_auc").mean())
