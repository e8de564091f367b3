# %% [markdown]
# # Delivery: a regression with the rating

# %%
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"]).sort_values("order_time")
FEATURES = ["distance_km", "items_count", "order_value", "hour", "is_weekend", "customer_rating"]
orders[FEATURES] = orders[FEATURES].fillna(-1)
cutoff = "2024-09-01"
train = orders[orders.order_time < cutoff]
valid = orders[orders.order_time >= cutoff]

# %%
model = RandomForestRegressor(n_estimators=60, random_state=0, n_jobs=1)
model.fit(train[FEATURES], train["delivery_minutes"])
print("MAE", mean_absolute_error(valid["delivery_minutes"], model.predict(valid[FEATURES])))
