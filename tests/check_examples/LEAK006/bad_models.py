# %% [markdown]
# # Fraud: compare models and keep the best

# %%
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=0)

models = {
    "logreg": LogisticRegression(max_iter=1000),
    "forest": RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=1),
    "boosting": GradientBoostingClassifier(n_estimators=60, random_state=0),
}

# %%
results = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    results[name] = average_precision_score(y_test, model.predict_proba(X_test)[:, 1])
print(results)
best_name = max(results, key=results.get)
print("best model:", best_name, results[best_name])
