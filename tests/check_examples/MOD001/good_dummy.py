# %% [markdown]
# # Delivery times: boosting against the median predictor

# %%
import pandas as pd
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv").sort_values("order_time")
X = df[["distance_km", "items_count", "prep_time_estimate_min", "hour"]]
y = df["delivery_minutes"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, shuffle=False)

# %%
reference = DummyRegressor(strategy="median").fit(X_train, y_train)
model = GradientBoostingRegressor(random_state=0).fit(X_train, y_train)
print("median predictor MAE", mean_absolute_error(y_test, reference.predict(X_test)))
print("boosting MAE", mean_absolute_error(y_test, model.predict(X_test)))
