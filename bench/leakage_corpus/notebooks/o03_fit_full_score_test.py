# %% [markdown]
# # Churn: one forest

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X = df[cols].fillna(-1)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1)
forest.fit(X, y)

# %%
print("train accuracy", forest.score(X_train, y_train))
print("test accuracy", forest.score(X_test, y_test))
