# %% [markdown]
# # Churn: cap outliers at the 1st/99th percentiles

# %%
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

churn = pd.read_csv("data/train.csv")
numeric = ["monthly_charges", "data_usage_gb_30d", "last_login_days", "tenure_months"]
for column in numeric:
    low, high = churn[column].quantile([0.01, 0.99])
    churn[column] = churn[column].clip(low, high)
churn[numeric] = churn[numeric].fillna(-1)

# %%
X_train, X_test, y_train, y_test = train_test_split(churn[numeric], churn.churned, test_size=0.2, random_state=8)
gbm = GradientBoostingClassifier(n_estimators=60, random_state=8).fit(X_train, y_train)
print(roc_auc_score(y_test, gbm.predict_proba(X_test)[:, 1]))
