# %% [markdown]
# # Churn: three models

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(
    df[cols].fillna(-1), df["churned"], test_size=0.2, random_state=0, stratify=df["churned"]
)

# %%
lr = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("logistic regression accuracy:", accuracy_score(y_test, lr.predict(X_test)))

# %%
rf = RandomForestClassifier(n_estimators=200, random_state=0).fit(X_train, y_train)
print("random forest accuracy:", accuracy_score(y_test, rf.predict(X_test)))

# %% [markdown]
# Random Forest gives the best results here, so we choose it as our final model.
