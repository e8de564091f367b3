# %% [markdown]
# # Fraud: a results table and the winner

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

df = pd.read_csv("data/train.csv")
cols = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["is_fraud"], stratify=df["is_fraud"], random_state=0)

# %%
rows = []
for model in [LogisticRegression(max_iter=1000), DecisionTreeClassifier(max_depth=5, random_state=0),
              RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1)]:
    model.fit(X_train, y_train)
    rows.append({"model": type(model).__name__, "test_auc": roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])})
results = pd.DataFrame(rows)
winner = results.loc[results["test_auc"].idxmax(), "model"]
print(results, "\nwinner:", winner)
