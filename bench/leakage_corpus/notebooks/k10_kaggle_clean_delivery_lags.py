# %% [markdown]
# # Delivery: restaurant history as lagged features

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"]).sort_values("order_time")
# Past deliveries only: shift(1) so an order never sees its own delivery time.
orders["rest_hist_minutes"] = orders.groupby("restaurant_id")["delivery_minutes"].transform(
    lambda s: s.shift(1).rolling(30, min_periods=5).mean())
orders["rest_orders_so_far"] = orders.groupby("restaurant_id").cumcount()
features = ["distance_km", "items_count", "order_value", "hour", "rest_hist_minutes", "rest_orders_so_far"]

# %%
train = orders[orders["order_time"] < "2024-09-01"]
valid = orders[orders["order_time"] >= "2024-09-01"]
model = HistGradientBoostingRegressor(random_state=0).fit(train[features], train["delivery_minutes"])
print("MAE", mean_absolute_error(valid["delivery_minutes"], model.predict(valid[features])))
