# %% [markdown]
# # Churn: two models compared on the same cross-validation folds
#
# The scores are computed here, fold by fold, and the comparison is built from them.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges", "support_calls_90d", "last_login_days"]].fillna(0)
y = df["churned"]
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)

# %%
lr_cv = cross_val_score(LogisticRegression(max_iter=1000), X, y, cv=folds, scoring="roc_auc")
rf_cv = cross_val_score(RandomForestClassifier(random_state=0), X, y, cv=folds, scoring="roc_auc")
thresholds = [0.3, 0.5, 0.7]  # values to try later, not results
print(pd.DataFrame({"logistic": lr_cv, "forest": rf_cv}).describe())
