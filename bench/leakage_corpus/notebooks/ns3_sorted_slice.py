# %% [markdown]
# # Delivery: last 20 % of orders as validation

# %%
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error

df = pd.read_csv("data/train.csv").sort_values("order_time").fillna(0)
features = ["distance_km", "items_count", "order_value", "prep_time_estimate_min", "hour"]
n_train = int(len(df) * 0.8)
train_part = df[:n_train]
valid_part = df[n_train:]

# %%
ridge = Ridge(alpha=1.0).fit(train_part[features], train_part["delivery_minutes"])
print(mean_absolute_error(valid_part["delivery_minutes"], ridge.predict(valid_part[features])))
