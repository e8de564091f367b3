# %% [markdown]
# # Delivery: numeric model

# %%
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error

orders = pd.read_csv("data/train.csv", parse_dates=["order_time"]).sort_values("order_time")
orders = orders.drop(columns=["order_id", "order_time", "restaurant_id", "courier_id", "cuisine", "city_zone",
                              "vehicle_type", "weather", "traffic_level", "delivered_at", "customer_rating"])
orders = orders.fillna(orders.iloc[:9000].median())
features = [c for c in orders.columns if c not in ["order_id"]]

# %%
train, valid = orders.iloc[:9000], orders.iloc[9000:]
ridge = Ridge().fit(train[features], train["delivery_minutes"])
print("MAE", mean_absolute_error(valid["delivery_minutes"], ridge.predict(valid[features])))
