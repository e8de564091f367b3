# %% [markdown]
# # Churn: cross-validated, then one check of the training fit

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(
    df[cols].fillna(-1), df["churned"], test_size=0.2, random_state=0, stratify=df["churned"]
)
cv = StratifiedKFold(5, shuffle=True, random_state=0)

# %%
model = LogisticRegression(max_iter=1000)
print("CV AUC", cross_val_score(model, X_train, y_train, cv=cv, scoring="roc_auc").mean())
model.fit(X_train, y_train)
print("train accuracy", model.score(X_train, y_train), "test accuracy", model.score(X_test, y_test))
