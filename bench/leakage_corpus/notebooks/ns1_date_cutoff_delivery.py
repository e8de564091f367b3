# %% [markdown]
# # Delivery time: validate on the latest two months

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"])
features = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour", "is_weekend"]
train = orders[orders["order_time"] < "2024-09-01"]
valid = orders[orders["order_time"] >= "2024-09-01"]

# %%
model = HistGradientBoostingRegressor(random_state=0).fit(train[features], train["delivery_minutes"])
print("MAE on Sep-Oct", mean_absolute_error(valid["delivery_minutes"], model.predict(valid[features])))
