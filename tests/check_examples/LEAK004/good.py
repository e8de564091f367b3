# %% [markdown]
# # Fraud: SMOTE on the training rows only

# %%
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], test_size=0.2, random_state=42,
                                                    stratify=df["is_fraud"])

# %%
X_train_res, y_train_res = SMOTE(random_state=42).fit_resample(X_train, y_train)
rf = RandomForestClassifier(n_estimators=60, random_state=42, n_jobs=1).fit(X_train_res, y_train_res)
print(average_precision_score(y_test, rf.predict_proba(X_test)[:, 1]))
