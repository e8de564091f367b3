# %% [markdown]
# # Car prices: a decision tree

# %%
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

df = pd.read_csv("data/cars.csv")
X = df[["enginesize", "horsepower", "curbweight"]]
y = df["price"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %%
model = DecisionTreeRegressor(random_state=0)
model.fit(X_train, y_train)
predictions = model.predict(X_test)
print("accuracy:", model.score(X_test, predictions))
