# %% [markdown]
# # Fraud: upsample the minority class by hand

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.utils import resample

df = pd.read_csv("data/train.csv")
df = df[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign", "is_fraud"]]
majority = df[df.is_fraud == 0]
minority = df[df.is_fraud == 1]
minority_up = resample(minority, replace=True, n_samples=len(majority) // 4, random_state=3)
balanced = pd.concat([majority, minority_up])

# %%
X = balanced.drop(columns="is_fraud")
y = balanced["is_fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=3)
rf = RandomForestClassifier(n_estimators=50, random_state=3, n_jobs=1).fit(X_train, y_train)
pred = rf.predict(X_test)
print(precision_score(y_test, pred), recall_score(y_test, pred))
