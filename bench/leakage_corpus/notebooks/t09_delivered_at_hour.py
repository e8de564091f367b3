# %% [markdown]
# # Delivery: time-of-day features

# %%
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

df = pd.read_csv("data/train.csv")
df["order_ts"] = pd.to_datetime(df["order_time"])
df["delivery_hour"] = pd.to_datetime(df["delivered_at"]).dt.hour
df = df.sort_values("order_ts")
features = ["distance_km", "items_count", "hour", "delivery_hour"]

# %%
split_at = int(len(df) * 0.8)
train, test = df.iloc[:split_at], df.iloc[split_at:]
model = HistGradientBoostingRegressor(random_state=0).fit(train[features], train["delivery_minutes"])
print(mean_absolute_error(test["delivery_minutes"], model.predict(test[features])))
