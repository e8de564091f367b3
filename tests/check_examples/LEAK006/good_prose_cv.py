# %% [markdown]
# # Churn: pick the model on cross-validation, report it once on the test set

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(
    df[cols].fillna(-1), df["churned"], test_size=0.2, random_state=0, stratify=df["churned"]
)
cv = StratifiedKFold(5, shuffle=True, random_state=0)

# %%
lr = LogisticRegression(max_iter=1000)
rf = RandomForestClassifier(n_estimators=200, random_state=0)
print("LR CV AUC", cross_val_score(lr, X_train, y_train, cv=cv, scoring="roc_auc").mean())
print("RF CV AUC", cross_val_score(rf, X_train, y_train, cv=cv, scoring="roc_auc").mean())

# %% [markdown]
# The random forest has the best cross-validated AUC, so we choose it as the final model.

# %%
rf.fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))

# %% [markdown]
# Its test AUC is close to the cross-validated one: the best model generalises as expected.
