# %% [markdown]
# # Churn: manual grid over C and the penalty

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(0), df["churned"], random_state=0)
scaler = StandardScaler().fit(X_train)
X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)

# %%
results = []
for C in [0.01, 0.1, 1, 10]:
    for penalty in ["l1", "l2"]:
        clf = LogisticRegression(C=C, penalty=penalty, solver="liblinear")
        clf.fit(X_train_s, y_train)
        acc = accuracy_score(y_test, clf.predict(X_test_s))
        results.append((acc, C, penalty))
best_acc, best_C, best_penalty = max(results)
print(best_acc, best_C, best_penalty)
