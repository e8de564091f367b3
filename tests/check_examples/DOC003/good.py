# %% [markdown]
# ## Validation
#
# About 20 % of customers churn, so I use stratified folds: a plain K-fold could leave a fold with too few
# churners and make the scores jump.
# %%
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("data/train.csv")
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
# %% [markdown]
# ## Model
# %%
# class_weight="balanced" instead of resampling, since it keeps every real customer and no synthetic ones
model = LogisticRegression(max_iter=2000, class_weight="balanced")
scores = cross_val_score(model, df[["tenure_months"]].fillna(0), df["churned"], cv=cv, scoring="roc_auc")
