# %% [markdown]
# # Churn: early stopping on a validation split

# %%
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age", "last_login_days"]
X_dev, X_test, y_dev, y_test = train_test_split(df[cols], df["churned"], test_size=0.2, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X_dev, y_dev, test_size=0.2, random_state=0)

# %%
xgb = XGBClassifier(n_estimators=400, learning_rate=0.05, max_depth=4, early_stopping_rounds=20,
                    eval_metric="auc", n_jobs=1)
xgb.fit(X_train, y_train, eval_set=[(X_val, y_val)], verbose=False)
print("test AUC", roc_auc_score(y_test, xgb.predict_proba(X_test)[:, 1]))
