# %% [markdown]
# # Fraud: compare models with cross-validation, test once

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=0)
cv = StratifiedKFold(5, shuffle=True, random_state=0)

# %%
candidates = {"lr": LogisticRegression(max_iter=1000), "rf": RandomForestClassifier(n_estimators=50, random_state=0,
                                                                                     n_jobs=1)}
cv_scores = {name: cross_val_score(m, X_train, y_train, cv=cv, scoring="average_precision").mean()
             for name, m in candidates.items()}
best = max(cv_scores, key=cv_scores.get)
print(cv_scores, best)

# %%
model = candidates[best].fit(X_train, y_train)
print("test AP", average_precision_score(y_test, model.predict_proba(X_test)[:, 1]))
