# %% [markdown]
# # Churn: keep the best features first

# %%
import pandas as pd
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = pd.get_dummies(df[["tenure_months", "age", "monthly_charges", "support_calls_90d", "num_lines",
                        "contract_type", "plan_tier", "churned"]].fillna(0), columns=["contract_type", "plan_tier"])
X = df.drop(columns=["churned"])
y = df["churned"]

# %%
selector = SelectKBest(f_classif, k=6)
X_best = selector.fit_transform(X, y)

# %%
X_train, X_test, y_train, y_test = train_test_split(X_best, y, test_size=0.2, random_state=0)
m = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print(accuracy_score(y_test, m.predict(X_test)), roc_auc_score(y_test, m.predict_proba(X_test)[:, 1]))
