# %% [markdown]
# # Fraud: rebalance first

# %%
import pandas as pd
from imblearn.over_sampling import ADASYN
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split


def rebalance(features, labels):
    return ADASYN(random_state=5).fit_resample(features, labels)


fraud = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_bal, y_bal = rebalance(fraud[cols], fraud["is_fraud"])

# %%
X_train, X_test, y_train, y_test = train_test_split(X_bal, y_bal, test_size=0.25, random_state=5)
et = ExtraTreesClassifier(n_estimators=50, random_state=5, n_jobs=1).fit(X_train, y_train)
print("F1", f1_score(y_test, et.predict(X_test)))
