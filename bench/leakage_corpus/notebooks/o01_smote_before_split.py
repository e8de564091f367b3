# %% [markdown]
# # Fraud: balance the classes with SMOTE

# %%
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import classification_report, recall_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X = df[cols]
y = df["is_fraud"]

# %%
sm = SMOTE(random_state=42)
X_res, y_res = sm.fit_resample(X, y)
print(y_res.value_counts())

# %%
X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, test_size=0.2, random_state=42)
rf = RandomForestClassifier(n_estimators=60, random_state=42, n_jobs=1).fit(X_train, y_train)
pred = rf.predict(X_test)
print(recall_score(y_test, pred))
print(classification_report(y_test, pred))
