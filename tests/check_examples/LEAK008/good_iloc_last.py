# %% [markdown]
# # Churn: the target is the last column, features are all the others

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
df = df[["tenure_months", "monthly_charges", "support_calls_90d", "num_lines", "churned"]].fillna(0)

# %%
X = df.iloc[:, :-1]
y = df.iloc[:, -1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("accuracy", model.score(X_test, y_test))
