# %% [markdown]
# # Car prices: a tree against a linear model, both scored on the test rows

# %%
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

df = pd.read_csv("data/cars.csv")
X = df[["enginesize", "horsepower", "curbweight"]]
y = df["price"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %%
tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X_train, y_train)
tree_pred = tree.predict(X_test)
print("tree R2:", r2_score(y_test, tree_pred))
print("tree R2 (score):", tree.score(X_test, y_test))

# %%
linear = LinearRegression().fit(X_train, y_train)
linear_pred = linear.predict(X_test)
print("linear R2:", r2_score(y_test, linear_pred))

# %% [markdown]
# How often do the two models land within 10 % of each other? (agreement, not accuracy)

# %%
agreement = r2_score(tree_pred, linear_pred)
print("agreement between the models:", agreement)
