# %% [markdown]
# # Churn: gradient boosting, evaluated with cross-validation

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

train = pd.read_csv("data/train.csv")
cols = ["tenure_months", "age", "monthly_charges", "support_calls_90d", "num_lines", "last_login_days"]
model = HistGradientBoostingClassifier(max_iter=50, random_state=0)

# %%
folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
scores = cross_val_score(model, train[cols], train["churned"], scoring="roc_auc", cv=folds)
print(f"CV ROC AUC: {scores.mean():.3f}")
