# %% [markdown]
# # Delivery: model the log of the delivery time

# %%
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"])
orders["log_minutes"] = np.log1p(orders["delivery_minutes"])
features = ["distance_km", "items_count", "order_value", "hour", "is_weekend"]
train = orders[orders["order_time"] < "2024-09-01"]
valid = orders[orders["order_time"] >= "2024-09-01"]

# %%
model = HistGradientBoostingRegressor(random_state=0).fit(train[features], train["log_minutes"])
pred = np.expm1(model.predict(valid[features]))
print("MAE", mean_absolute_error(valid["delivery_minutes"], pred))
