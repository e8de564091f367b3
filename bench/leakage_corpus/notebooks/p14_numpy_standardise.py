# %% [markdown]
# # Fraud: numpy all the way

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

raw = pd.read_csv("data/train.csv")
X = raw[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d"]].values
y = raw["is_fraud"].values
X = (X - X.mean(axis=0)) / X.std(axis=0)

# %%
Xtr, Xte, ytr, yte = train_test_split(X, y, stratify=y, random_state=0)
clf = LogisticRegression(max_iter=500).fit(Xtr, ytr)
print(average_precision_score(yte, clf.predict_proba(Xte)[:, 1]))
