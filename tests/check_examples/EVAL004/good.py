# %% [markdown]
# # Fraud detection
# %%
import pandas as pd
from sklearn import metrics
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df[["amount", "hour_of_day", "distance_from_home_km", "txn_count_24h"]]
y = df["is_fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=1)
# %%
clf = RandomForestClassifier(random_state=1).fit(X_train, y_train)
proba = clf.predict_proba(X_test)[:, 1]
# %%
print("Average precision:", metrics.average_precision_score(y_test, proba))
pred = proba >= 0.3
print("precision", metrics.precision_score(y_test, pred), "recall", metrics.recall_score(y_test, pred))
print("accuracy (for reference only)", metrics.accuracy_score(y_test, pred))
