# %% [markdown]
# # Fuel consumption: four regressors compared by R²

# %%
import pandas as pd
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor

df = pd.read_csv("data/mpg.csv")
X = df[["cylinders", "displacement", "weight", "acceleration"]]
y = df["mpg"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
r2 = {}

# %%
tree = DecisionTreeRegressor(random_state=1).fit(X_train, y_train)
y_pred = tree.predict(X_test)
r2["tree"] = r2_score(y_test, y_pred)
print(mean_absolute_error(y_test, y_pred))

# %%
svr = SVR().fit(X_train, y_train)
svr_pred = svr.predict(X_test)
r2["svr"] = r2_score(y_pred, svr_pred)
print(mean_absolute_error(y_test, svr_pred))

# %%
knn = KNeighborsRegressor().fit(X_train, y_train)
knn_pred = knn.predict(X_test)
r2["knn"] = r2_score(y_pred, knn_pred)
print(mean_absolute_error(y_test, knn_pred))

# %%
pd.Series(r2).plot.bar(title="R2 by model")
