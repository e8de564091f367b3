# %% [markdown]
# # Fraud: threshold from a validation split, checked once on test

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_rest, X_test, y_rest, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=1)
X_fit, X_valid, y_fit, y_valid = train_test_split(X_rest, y_rest, stratify=y_rest, random_state=1)
clf = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_fit, y_fit)

# %%
grid = np.linspace(0.1, 0.9, 17)
valid_f1 = [f1_score(y_valid, (clf.predict_proba(X_valid)[:, 1] >= t).astype(int)) for t in grid]
threshold = grid[int(np.argmax(valid_f1))]
print("threshold", threshold, "test F1", f1_score(y_test, (clf.predict_proba(X_test)[:, 1] >= threshold).astype(int)))
