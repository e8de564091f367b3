# %% [markdown]
# # Delivery: features from every timestamp

# %%
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv", parse_dates=["order_time", "delivered_at"])
df["order_hour"] = df["order_time"].dt.hour
df["delivered_hour"] = df["delivered_at"].dt.hour
df["elapsed"] = (df["delivered_at"] - df["order_time"]).dt.total_seconds() / 60
features = ["distance_km", "items_count", "order_hour", "delivered_hour", "elapsed"]

# %%
X_train, X_test, y_train, y_test = train_test_split(df[features], df["delivery_minutes"], random_state=0)
forest = RandomForestRegressor(n_estimators=40, random_state=0, n_jobs=1).fit(X_train, y_train)
print("MAE", mean_absolute_error(y_test, forest.predict(X_test)))
