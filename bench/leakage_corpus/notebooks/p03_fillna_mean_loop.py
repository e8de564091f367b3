# %% [markdown]
# # Churn: pandas cleaning loop

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
numeric = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "last_login_days"]

# %%
for col in numeric:
    df[col] = df[col].fillna(df[col].mean())
print(df[numeric].isna().sum())

# %%
X = df[numeric]
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
clf = LogisticRegression(max_iter=500)
clf.fit(X_train, y_train)
print(roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
