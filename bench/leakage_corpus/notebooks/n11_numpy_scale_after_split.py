# %% [markdown]
# # Fraud: standardise with the training statistics

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

raw = pd.read_csv("data/train.csv")
X = raw[["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d"]].values
y = raw["is_fraud"].values
Xtr, Xte, ytr, yte = train_test_split(X, y, stratify=y, random_state=0)

# %%
mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
Xtr = (Xtr - mu) / sd
Xte = (Xte - mu) / sd
clf = LogisticRegression(max_iter=500).fit(Xtr, ytr)
print(average_precision_score(yte, clf.predict_proba(Xte)[:, 1]))
