# %% [markdown]
# # Churn: a hand-made risk flag

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df["risk"] = df.apply(lambda r: 1 if r["churned"] == 1 and r["support_calls_90d"] > 1 else 0, axis=1)

# %%
cols = ["risk", "support_calls_90d", "num_lines"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["churned"], random_state=0)
print(roc_auc_score(y_test, RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1)
                    .fit(X_train, y_train).predict_proba(X_test)[:, 1]))
