# %% [markdown]
# # Churn: look at the target, then model

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
print(df["churned"].value_counts(normalize=True))
print(df.groupby("contract_type")["churned"].mean().sort_values())
churners = df[df["churned"] == 1]
print(churners["support_calls_90d"].describe())

# %%
features = ["support_calls_90d", "num_lines"]
X_train, X_test, y_train, y_test = train_test_split(df[features], df["churned"], stratify=df["churned"], random_state=0)
model = LogisticRegression().fit(X_train, y_train)
print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
